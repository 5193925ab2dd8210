#pragma once
// The catalogue of the test PKI as data: every credential, who issues it, what it must provoke
// and which validity it must keep. TestPki::create issues it in order (issuers first) and
// TestPki::check holds an existing PKI against it, so the two can never disagree.

#include "certificate_builder.hpp"
#include "crl_builder.hpp"
#include "hil/pki/test_pki.hpp"

#include <string>
#include <vector>

namespace hil::pki {

/// The validity a credential must keep for as long as the PKI is kept.
enum class Validity { current, expired, not_yet_valid };

struct CatalogueEntry {
    std::string name;
    std::string kind;      ///< "ca", "broker", "device", "cloud"
    std::string issued_by; ///< an earlier entry's name; "" for self-signed
    std::string provokes;  ///< an error class of hil_names.def, or "none"
    std::string purpose;
    CertificateSpec spec;
    Validity validity = Validity::current;
    bool chain = false;          ///< also <name>.chain.pem (leaf + its intermediate issuer)
    bool mismatched_key = false; ///< <name>.key holds another key than the certificate's
};

struct CrlEntry {
    std::string name;      ///< "crl"
    std::string file;      ///< "crl.pem"
    std::string issued_by; ///< "ca"
    std::vector<std::string> revokes;
    std::string purpose;
    CrlSpec spec;
};

/// Every certificate of the PKI for `options`, issuers before what they sign.
[[nodiscard]] std::vector<CatalogueEntry> catalogue(const PkiOptions &options);

/// The revocation list of the PKI for `options`.
[[nodiscard]] CrlEntry crl_entry(const PkiOptions &options);

/// "ca", "server" or "client".
[[nodiscard]] const char *role_of(Usage usage);

} // namespace hil::pki

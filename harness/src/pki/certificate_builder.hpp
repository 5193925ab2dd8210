#pragma once
// Issues one X.509 certificate from a spec: the single place the PKI module builds certificates,
// so every variant (good, expired, wrong host, RSA, intermediate, ...) differs only in its spec
// and in the issuer it is handed (root, intermediate, an unknown CA, or none: self-signed).

#include "openssl_util.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace hil::pki {

enum class KeyType { ec_p256, rsa_2048 };
enum class Usage { ca, server, client };

/// "ecdsa-p256" or "rsa-2048" (the manifest's key_type).
[[nodiscard]] const char *to_string(KeyType type);

struct CertificateSpec {
    std::string common_name;
    std::string organisation = "hil test PKI";
    Usage usage = Usage::client;
    int path_length = -1; ///< CA only: basicConstraints pathlen (0: may sign leaves only); -1 none
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::chrono::seconds not_before_offset{-3600}; ///< relative to now (backdated for clock skew)
    std::chrono::seconds not_after_offset{30 * 24 * 3600};
    KeyType key_type = KeyType::ec_p256;
};

struct Issued {
    ossl::Key key;
    ossl::Cert cert;
};

/// A fresh key pair of `type`.
[[nodiscard]] ossl::Key generate_key(KeyType type);

/// Issues a certificate for `spec`, signed by `issuer` (nullptr: self-signed). Throws InfraError.
[[nodiscard]] Issued issue(const CertificateSpec &spec, const Issued *issuer);

} // namespace hil::pki

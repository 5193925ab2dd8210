#pragma once
// The test PKI, made with OpenSSL's C API (never the `openssl` command): a root CA, an
// intermediate, an unrelated CA, and the certificates of the broker, the device and the cloud
// application in every variant a TLS test needs (good, expired, not yet valid, wrong host,
// untrusted, self-signed, revoked with a CRL, a mismatched key, RSA-2048 and ECDSA P-256).
// Key files are written 0600 and their content never leaves them (no log, event or report
// carries it). The catalogue and what each credential must provoke: docs/cli.md (`hil pki init`).

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hil {

/// One certificate with its key, as files.
struct Credential {
    std::string name;            ///< catalogue name: "ca", "broker", "device_expired", ...
    std::string kind;            ///< "ca", "broker", "device", "cloud"
    std::string role;            ///< "ca", "server", "client"
    std::filesystem::path cert;  ///< PEM certificate
    std::filesystem::path key;   ///< PEM private key (0600)
    std::filesystem::path chain; ///< PEM leaf + issuing intermediate; empty when issued by a root
    std::string key_type;        ///< "ecdsa-p256" or "rsa-2048"
    std::string issued_by;       ///< catalogue name of the issuer, "self" when self-signed
    std::string subject;         ///< e.g. "CN=hil test broker,O=hil test PKI"
    std::string issuer;
    std::string serial;            ///< hex
    std::vector<std::string> sans; ///< "DNS:localhost", "IP:127.0.0.1"
    std::string not_before;        ///< RFC 3339 UTC
    std::string not_after;
    std::string sha256_fingerprint; ///< of the DER certificate, hex with colons
    std::string purpose;            ///< what it is for
    std::string provokes;           ///< the error class (hil_names.def) a peer must report, or "none"
};

/// A certificate revocation list (X.509 v2, PEM) signed by a CA of the catalogue.
struct RevocationList {
    std::string name;                 ///< "crl"
    std::filesystem::path file;       ///< PEM CRL
    std::string issued_by;            ///< catalogue name of the signing CA
    std::string issuer;               ///< its subject
    std::vector<std::string> revokes; ///< catalogue names of the revoked certificates
    std::string this_update;          ///< RFC 3339 UTC
    std::string next_update;          ///< after it, a CRL-checking peer refuses every client
    std::string sha256_fingerprint;   ///< of the DER CRL
    std::string purpose;
};

/// What the PKI is made for: the host identities the broker's certificate must name (from the
/// bench), the names of the clients, how long the good credentials live.
struct PkiOptions {
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    std::string device_common_name = "hil-device";
    std::string cloud_common_name = "hil-cloud";
    std::chrono::hours validity{24 * 30};
    /// Also broker_rsa and device_rsa. RSA-2048 key generation costs 50-200 ms a key, the whole
    /// EC catalogue a few ms: per-run PKIs leave them out unless a test needs them.
    bool rsa_variants = false;
    /// Also device_inactive and device_registry_revoked: good certificates that a broker with a
    /// certificate registry (the aws-twin profile) lists as INACTIVE and REVOKED. Per-run PKIs ask
    /// for them (two EC keys, ~1 ms); `hil pki init` does not (a board's account registers what
    /// it needs itself).
    bool registry_variants = false;
};

/// Name and kind ("ca", "broker", "device", "cloud") of every certificate the catalogue can
/// hold, optional variants included, without making anything: for checking names before a run.
struct CatalogueName {
    std::string name;
    std::string kind;
    std::string key_type; ///< "ecdsa-p256" or "rsa-2048"
};
[[nodiscard]] std::vector<CatalogueName> catalogue_names();

class TestPki {
  public:
    /// Creates the PKI in `dir` (created 0700; existing files of the catalogue are replaced) and
    /// writes `manifest.json` last. Throws InfraError.
    static TestPki create(const std::filesystem::path &dir, const PkiOptions &options);

    /// The PKI an earlier create() left in `dir`, read from its manifest.json (no file is
    /// checked: see check()). Throws UsageError "<dir>/manifest.json: <problem>".
    static TestPki load(const std::filesystem::path &dir);

    /// Why this PKI cannot be kept as it is for `options`: catalogue entries missing, files
    /// missing or changed since the manifest, keys readable by others, a key that (mis)matches
    /// its certificate, a good credential or the CRL no longer valid, a not-yet-valid one that
    /// became valid, a broker naming other hosts. Empty: keep it.
    [[nodiscard]] std::vector<std::string> check(const PkiOptions &options) const;

    [[nodiscard]] const Credential &get(const std::string &name) const;
    [[nodiscard]] const Credential &ca() const { return get("ca"); }
    [[nodiscard]] const Credential &intermediate() const { return get("intermediate"); }
    [[nodiscard]] const Credential &broker() const { return get("broker"); }
    [[nodiscard]] const Credential &device() const { return get("device"); }
    [[nodiscard]] const Credential &cloud() const { return get("cloud"); }
    /// Signed by ca(); revokes device_revoked.
    [[nodiscard]] const RevocationList &crl() const { return crl_; }
    /// Every certificate credential (the CRL is crl()).
    [[nodiscard]] const std::map<std::string, Credential> &all() const { return credentials_; }
    [[nodiscard]] const std::filesystem::path &dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
    std::map<std::string, Credential> credentials_;
    RevocationList crl_;
};

} // namespace hil

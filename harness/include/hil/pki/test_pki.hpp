#pragma once
// The run's test PKI, made with OpenSSL's C API (never the `openssl` command): a root CA and the
// certificates of the broker, the device and the cloud application, each with its key. Key files
// are written 0600 and their content never leaves them (no log, event or report carries it).
// Later issues extend the catalogue (intermediate, expired, revoked, ...) through CertificateSpec.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hil {

/// One certificate with its key, as files.
struct Credential {
    std::string name;           ///< catalogue name: "ca", "broker", "device", "cloud", ...
    std::string role;           ///< "ca", "server", "client"
    std::filesystem::path cert; ///< PEM certificate
    std::filesystem::path key;  ///< PEM private key (0600)
    std::string subject;        ///< e.g. "CN=hil test broker"
    std::string issuer;
    std::vector<std::string> sans; ///< "DNS:localhost", "IP:127.0.0.1"
    std::string not_before;        ///< RFC 3339 UTC
    std::string not_after;
    std::string sha256_fingerprint; ///< of the DER certificate, hex with colons
    std::string purpose;            ///< what it is for / what it must provoke
};

/// Host identities the broker's certificate must name (from the bench).
struct PkiOptions {
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    std::string device_common_name = "hil-device";
    std::string cloud_common_name = "hil-cloud";
    std::chrono::hours validity{24 * 30};
};

class TestPki {
  public:
    /// Creates the PKI in `dir` (created 0700) and writes `manifest.json`. Throws InfraError.
    static TestPki create(const std::filesystem::path &dir, const PkiOptions &options);

    [[nodiscard]] const Credential &get(const std::string &name) const;
    [[nodiscard]] const Credential &ca() const { return get("ca"); }
    [[nodiscard]] const Credential &broker() const { return get("broker"); }
    [[nodiscard]] const Credential &device() const { return get("device"); }
    [[nodiscard]] const Credential &cloud() const { return get("cloud"); }
    [[nodiscard]] const std::map<std::string, Credential> &all() const { return credentials_; }
    [[nodiscard]] const std::filesystem::path &dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
    std::map<std::string, Credential> credentials_;
};

} // namespace hil

#pragma once
// The certificate and thing registry of the twin: which certificates exist, their status, the
// things they are attached to and the policies attached to certificates and things. One JSON
// file (the plugin's `registry` option):
//
//   {"certificates": [
//      {"fingerprint": "<sha256 of the DER, hex>" | "certificate_file": "device.crt",
//       "status": "ACTIVE" | "INACTIVE" | "REVOKED",          (default ACTIVE)
//       "things": ["lamp-1"],                                 (or "thing": "lamp-1")
//       "policies": ["device"]}],
//    "things": {"lamp-1": {"type": "lamp", "attributes": {"room": "lab"}, "policies": []}}}
//
// Fingerprints are compared in lowercase hex without separators ("AB:CD:.." is accepted).
// `certificate_file` paths are relative to the registry file's directory.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hil::twin {

enum class CertificateStatus { active, inactive, revoked };

struct CertificateEntry {
    std::string fingerprint; ///< lowercase hex SHA-256 of the DER certificate
    CertificateStatus status = CertificateStatus::active;
    std::vector<std::string> things;
    std::vector<std::string> policies;
};

struct ThingEntry {
    std::string type;
    std::map<std::string, std::string> attributes;
    std::vector<std::string> policies;
};

/// A registry file that cannot be used; what() says where.
class RegistryError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Registry {
  public:
    /// Computes the fingerprint of a PEM certificate file (the plugin passes an OpenSSL one).
    using FingerprintOfFile = std::function<std::string(const std::filesystem::path &)>;

    Registry() = default;
    /// Parses the registry text. `base_dir` resolves relative `certificate_file` paths, which need
    /// `fingerprint_of_file` (else RegistryError). Throws RegistryError.
    static Registry parse(std::string_view text, const std::filesystem::path &base_dir = {},
                          const FingerprintOfFile &fingerprint_of_file = {});
    /// Reads and parses a registry file. Throws RegistryError.
    static Registry load(const std::filesystem::path &file,
                         const FingerprintOfFile &fingerprint_of_file = {});

    [[nodiscard]] const CertificateEntry *certificate(std::string_view fingerprint) const;
    [[nodiscard]] const ThingEntry *thing(std::string_view name) const;
    [[nodiscard]] const std::map<std::string, CertificateEntry, std::less<>> &certificates() const {
        return certificates_;
    }
    /// Every policy name the registry mentions (to check they all exist).
    [[nodiscard]] std::vector<std::string> policy_names() const;

  private:
    std::map<std::string, CertificateEntry, std::less<>> certificates_;
    std::map<std::string, ThingEntry, std::less<>> things_;
};

/// "ab:CD:01" -> "abcd01"; empty if not hex.
[[nodiscard]] std::string normalize_fingerprint(std::string_view text);
/// "ACTIVE", "INACTIVE", "REVOKED".
[[nodiscard]] std::string_view to_string(CertificateStatus status);

} // namespace hil::twin

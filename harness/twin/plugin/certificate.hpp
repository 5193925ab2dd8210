#pragma once
// The client certificate as an identity (OpenSSL): its SHA-256 fingerprint (the registry key)
// and the certificate policy variables of AWS IoT (`iot:Certificate.Subject.CommonName`, ...).

#include <openssl/x509.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace hil::twin {

/// Lowercase hex SHA-256 of the DER encoding (what `openssl x509 -noout -fingerprint -sha256`
/// prints, without colons).
[[nodiscard]] std::string certificate_fingerprint(X509 *certificate);

/// Fingerprint of the first certificate of a PEM file. Throws std::runtime_error.
[[nodiscard]] std::string certificate_file_fingerprint(const std::filesystem::path &pem);

/// Lowercase hex SHA-256 of `bytes` (the registry file, so a reload can say which one it read).
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

/// iot:Certificate.Subject.<Field>, iot:Certificate.Issuer.<Field> (CommonName, Organization,
/// OrganizationalUnit, Country, State, ...) and iot:Certificate.SerialNumber.
[[nodiscard]] std::map<std::string, std::string> certificate_policy_values(X509 *certificate);

} // namespace hil::twin

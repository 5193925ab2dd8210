#pragma once
// PEM credentials as C source for firmware (`hil pki to-c`), in the layouts firmware projects
// already have a place for:
//   aws       FreeRTOS aws_clientcredential_keys.h: keyCLIENT_CERTIFICATE_PEM,
//             keyCLIENT_PRIVATE_KEY_PEM, keyJITR_DEVICE_CERTIFICATE_AUTHORITY_PEM (NULL)
//   infineon  the ModusToolbox MQTT client example's configs/mqtt_client_config.h:
//             ROOT_CA_CERTIFICATE, CLIENT_CERTIFICATE, CLIENT_PRIVATE_KEY
//   c-array   a C file: const char <name>_root_ca_pem[] / _client_cert_pem[] / _client_key_pem[]
//             with const size_t <name>_..._len (without the NUL)
// Every input is validated first (PEM structure and type, base64, OpenSSL parses it, the key
// matches the certificate); garbage never reaches firmware. Error messages name the file and the
// problem, never the file's content.

#include "hil/core/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hil {

enum class CLayout { aws, infineon, c_array };

/// "aws", "infineon" or "c-array"; nullopt for anything else.
[[nodiscard]] std::optional<CLayout> parse_c_layout(std::string_view name);

struct PemToCRequest {
    CLayout layout = CLayout::c_array;
    std::filesystem::path cert; ///< client certificate, leaf first (a chain may follow); empty: none
    std::filesystem::path key;  ///< its private key, unencrypted (PKCS#8, SEC1 or PKCS#1 PEM)
    std::filesystem::path ca;   ///< trusted CA certificate(s)
    std::string name = "hil";   ///< c-array: prefix of the C names (a C identifier)
};

/// An input file that is not what its role needs. what(): "<file>: <problem>".
class PemInputError : public UsageError {
  public:
    using UsageError::UsageError;
};

/// Validates every input of `request` and renders the C text of its layout. Throws PemInputError
/// for a bad file, UsageError for a request the layout cannot take (an input it needs missing,
/// one it has no place for, a name that is no C identifier).
[[nodiscard]] std::string pem_to_c(const PemToCRequest &request);

/// Validates credential files the way pem_to_c() does (PEM structure, OpenSSL parses them, the
/// key is the certificate's), for inputs that are not turned into C: a bench file's credentials.
/// An empty path is not checked. Throws PemInputError "<file>: <problem>".
void check_pem_credentials(const std::filesystem::path &ca, const std::filesystem::path &cert,
                           const std::filesystem::path &key);

/// `text` as the inside of a C string literal: \\, \", \? (no trigraphs), \n, \r, \t, and octal
/// escapes for every other byte outside printable ASCII.
[[nodiscard]] std::string c_string_escape(std::string_view text);

} // namespace hil

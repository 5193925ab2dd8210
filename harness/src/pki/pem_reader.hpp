#pragma once
// A strict reader of PEM credential files for `hil pki to-c`: it accepts only what firmware can
// use and says exactly what is wrong otherwise. Throws PemInputError "<file>: <problem>"; the
// problem names labels and line numbers, never the file's bytes (it may be a key).

#include "openssl_util.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hil::pki {

enum class PemRole {
    certificates, ///< one or more CERTIFICATE blocks (a leaf and its chain, or CA certificates)
    private_key,  ///< exactly one unencrypted PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block
};

struct PemBlock {
    std::string label;  ///< e.g. "CERTIFICATE"
    std::string base64; ///< the body without line breaks
    int line = 0;       ///< of its BEGIN line, 1-based
};

struct PemInput {
    std::filesystem::path file;
    std::vector<PemBlock> blocks;
    std::vector<ossl::Cert> certs; ///< PemRole::certificates, in file order
    ossl::Key key;                 ///< PemRole::private_key
};

[[nodiscard]] PemInput read_pem_input(const std::filesystem::path &file, PemRole role);

/// The block as canonical PEM text: BEGIN line, base64 in 64-column lines, END line, each
/// ending in '\n'.
[[nodiscard]] std::vector<std::string> pem_lines(const PemBlock &block);

} // namespace hil::pki

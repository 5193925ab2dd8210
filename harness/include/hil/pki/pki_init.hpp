#pragma once
// `hil pki init DIR`: a complete test PKI in a directory that outlives runs (firmware is flashed
// with it), so a second call keeps it: the CA, and credentials whose expiry is their point,
// stay exactly as they are unless forced.

#include "hil/pki/test_pki.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hil {

struct PkiInitResult {
    enum class Outcome {
        created, ///< a new PKI was written
        kept,    ///< the PKI in the directory passed TestPki::check and was left untouched
        refused, ///< nothing was written: see problems (the caller exits 2; --force overrides)
    };
    Outcome outcome = Outcome::refused;
    std::vector<std::string> problems;
    std::optional<TestPki> pki; ///< when created or kept
};

/// Creates the PKI for `options` in `dir`, or keeps the one there. Without `force`: a directory
/// with a manifest.json is kept if TestPki::check finds nothing wrong, else refused; a directory
/// holding other files but no manifest is refused (never overwritten). With `force`: a new PKI
/// replaces the catalogue's files (other files are left alone). Throws InfraError if writing fails.
[[nodiscard]] PkiInitResult init_pki(const std::filesystem::path &dir, const PkiOptions &options, bool force);

} // namespace hil

#pragma once
// manifest.json of a PKI directory (version 2): every credential and the CRL with its files,
// what it must provoke and its public facts. Written by TestPki::create, read by TestPki::load.
// Never holds key material: only file names, names, times and fingerprints.

#include "hil/pki/test_pki.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace hil::pki {

constexpr int kManifestVersion = 2;

[[nodiscard]] nlohmann::json manifest_json(const std::map<std::string, Credential> &credentials,
                                           const RevocationList &crl);

struct ManifestContents {
    std::map<std::string, Credential> credentials;
    RevocationList crl;
};

/// Reads `dir`/manifest.json; file names become paths in `dir`. Throws UsageError
/// "<dir>/manifest.json: <problem>" (missing, not JSON, another version, a field missing).
[[nodiscard]] ManifestContents read_manifest(const std::filesystem::path &dir);

} // namespace hil::pki

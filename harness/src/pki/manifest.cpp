#include "manifest.hpp"

#include "hil/core/error.hpp"
#include "hil/core/files.hpp"

namespace hil::pki {

namespace {

nlohmann::json credential_json(const Credential &c) {
    nlohmann::json files = {{"cert", c.cert.filename().string()}, {"key", c.key.filename().string()}};
    if (!c.chain.empty()) files["chain"] = c.chain.filename().string();
    return {{"name", c.name},
            {"kind", c.kind},
            {"role", c.role},
            {"purpose", c.purpose},
            {"provokes", c.provokes},
            {"issued_by", c.issued_by},
            {"key_type", c.key_type},
            {"files", files},
            {"subject", c.subject},
            {"issuer", c.issuer},
            {"serial", c.serial},
            {"sans", c.sans},
            {"not_before", c.not_before},
            {"not_after", c.not_after},
            {"sha256_fingerprint", c.sha256_fingerprint}};
}

nlohmann::json crl_json(const RevocationList &crl) {
    // not_before/not_after are the CRL's thisUpdate/nextUpdate, so that every entry has a validity.
    return {{"name", crl.name},
            {"kind", "crl"},
            {"purpose", crl.purpose},
            {"provokes", "none"},
            {"issued_by", crl.issued_by},
            {"files", {{"crl", crl.file.filename().string()}}},
            {"issuer", crl.issuer},
            {"revokes", crl.revokes},
            {"not_before", crl.this_update},
            {"not_after", crl.next_update},
            {"sha256_fingerprint", crl.sha256_fingerprint}};
}

/// A file name of the manifest as a path in `dir`; a name with a directory part is refused, so a
/// manifest cannot point check() or the CLI outside the PKI directory.
std::filesystem::path file_in(const std::filesystem::path &dir, const std::string &name) {
    const std::filesystem::path p(name);
    if (name.empty() || p.has_parent_path() || name == "." || name == "..") {
        throw std::invalid_argument("file name '" + name + "' is not a plain file name");
    }
    return dir / p;
}

Credential credential_from(const nlohmann::json &j, const std::filesystem::path &dir) {
    Credential c;
    c.name = j.at("name").get<std::string>();
    c.kind = j.at("kind").get<std::string>();
    c.role = j.at("role").get<std::string>();
    c.purpose = j.at("purpose").get<std::string>();
    c.provokes = j.at("provokes").get<std::string>();
    c.issued_by = j.at("issued_by").get<std::string>();
    c.key_type = j.at("key_type").get<std::string>();
    const auto &files = j.at("files");
    c.cert = file_in(dir, files.at("cert").get<std::string>());
    c.key = file_in(dir, files.at("key").get<std::string>());
    if (files.contains("chain")) c.chain = file_in(dir, files.at("chain").get<std::string>());
    c.subject = j.at("subject").get<std::string>();
    c.issuer = j.at("issuer").get<std::string>();
    c.serial = j.at("serial").get<std::string>();
    c.sans = j.at("sans").get<std::vector<std::string>>();
    c.not_before = j.at("not_before").get<std::string>();
    c.not_after = j.at("not_after").get<std::string>();
    c.sha256_fingerprint = j.at("sha256_fingerprint").get<std::string>();
    return c;
}

RevocationList crl_from(const nlohmann::json &j, const std::filesystem::path &dir) {
    RevocationList crl;
    crl.name = j.at("name").get<std::string>();
    crl.purpose = j.at("purpose").get<std::string>();
    crl.issued_by = j.at("issued_by").get<std::string>();
    crl.file = file_in(dir, j.at("files").at("crl").get<std::string>());
    crl.issuer = j.at("issuer").get<std::string>();
    crl.revokes = j.at("revokes").get<std::vector<std::string>>();
    crl.this_update = j.at("not_before").get<std::string>();
    crl.next_update = j.at("not_after").get<std::string>();
    crl.sha256_fingerprint = j.at("sha256_fingerprint").get<std::string>();
    return crl;
}

} // namespace

nlohmann::json manifest_json(const std::map<std::string, Credential> &credentials,
                             const RevocationList &crl) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto &[name, c] : credentials) list.push_back(credential_json(c));
    list.push_back(crl_json(crl));
    return {{"manifest_version", kManifestVersion},
            {"generated_by", std::string("hil ") + HIL_VERSION},
            {"credentials", list}};
}

ManifestContents read_manifest(const std::filesystem::path &dir) {
    const auto path = dir / "manifest.json";
    const auto fail = [&path](const std::string &problem) {
        throw UsageError(path.string() + ": " + problem);
    };
    if (!std::filesystem::is_regular_file(path)) fail("missing");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_text_file(path));
    } catch (const nlohmann::json::exception &e) {
        fail(std::string("not JSON: ") + e.what());
    }
    const auto version = j.is_object() ? j.value("manifest_version", 0) : 0;
    if (version != kManifestVersion) {
        fail("manifest_version " + std::to_string(version) + ", this hil reads version " +
             std::to_string(kManifestVersion));
    }
    ManifestContents out;
    bool have_crl = false;
    try {
        for (const auto &entry : j.at("credentials")) {
            if (entry.at("kind") == "crl") {
                out.crl = crl_from(entry, dir);
                have_crl = true;
            } else {
                auto c = credential_from(entry, dir);
                out.credentials[c.name] = std::move(c);
            }
        }
    } catch (const nlohmann::json::exception &e) {
        fail(std::string("malformed: ") + e.what());
    } catch (const std::invalid_argument &e) {
        fail(e.what());
    }
    if (!have_crl) fail("no CRL entry");
    return out;
}

} // namespace hil::pki

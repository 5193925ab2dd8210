#include "hil/twin/registry.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace hil::twin {

namespace {
using nlohmann::json;

[[noreturn]] void fail(const std::string &path, const std::string &why) {
    throw RegistryError("registry: " + path + ": " + why);
}

std::vector<std::string> string_list(const json &value, const std::string &path) {
    if (!value.is_array()) fail(path, "must be an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) fail(path + "[" + std::to_string(i) + "]", "must be a string");
        out.push_back(value[i].get<std::string>());
    }
    return out;
}

CertificateStatus parse_status(const json &value, const std::string &path) {
    if (value == "ACTIVE") return CertificateStatus::active;
    if (value == "INACTIVE") return CertificateStatus::inactive;
    if (value == "REVOKED") return CertificateStatus::revoked;
    fail(path, "must be \"ACTIVE\", \"INACTIVE\" or \"REVOKED\"");
}
} // namespace

std::string normalize_fingerprint(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == ':') continue;
        if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return {};
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string_view to_string(CertificateStatus status) {
    switch (status) {
    case CertificateStatus::active: return "ACTIVE";
    case CertificateStatus::inactive: return "INACTIVE";
    case CertificateStatus::revoked: return "REVOKED";
    }
    return "";
}

Registry Registry::parse(std::string_view text, const std::filesystem::path &base_dir,
                         const FingerprintOfFile &fingerprint_of_file) {
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) fail("$", "not valid JSON");
    if (!doc.is_object()) fail("$", "must be an object");
    for (const auto &[key, unused] : doc.items()) {
        if (key != "certificates" && key != "things") fail("$." + key, "unknown key");
    }
    Registry registry;
    if (const auto things = doc.find("things"); things != doc.end()) {
        if (!things->is_object()) fail("$.things", "must be an object of thing name -> thing");
        for (const auto &[name, value] : things->items()) {
            const std::string at = "$.things." + name;
            if (!value.is_object()) fail(at, "must be an object");
            ThingEntry thing;
            for (const auto &[key, field] : value.items()) {
                if (key == "type") {
                    if (!field.is_string()) fail(at + ".type", "must be a string");
                    thing.type = field.get<std::string>();
                } else if (key == "attributes") {
                    if (!field.is_object()) fail(at + ".attributes", "must be an object of strings");
                    for (const auto &[attr, attr_value] : field.items()) {
                        if (!attr_value.is_string()) fail(at + ".attributes." + attr, "must be a string");
                        thing.attributes[attr] = attr_value.get<std::string>();
                    }
                } else if (key == "policies") {
                    thing.policies = string_list(field, at + ".policies");
                } else {
                    fail(at + "." + key, "unknown key");
                }
            }
            registry.things_.emplace(name, std::move(thing));
        }
    }
    if (const auto certificates = doc.find("certificates"); certificates != doc.end()) {
        if (!certificates->is_array()) fail("$.certificates", "must be an array");
        for (std::size_t i = 0; i < certificates->size(); ++i) {
            const std::string at = "$.certificates[" + std::to_string(i) + "]";
            const json &value = (*certificates)[i];
            if (!value.is_object()) fail(at, "must be an object");
            CertificateEntry entry;
            bool has_fingerprint = false;
            for (const auto &[key, field] : value.items()) {
                if (key == "fingerprint") {
                    if (!field.is_string()) fail(at + ".fingerprint", "must be a string");
                    entry.fingerprint = normalize_fingerprint(field.get<std::string>());
                    if (entry.fingerprint.size() != 64) fail(at + ".fingerprint", "must be a SHA-256 in hex");
                    has_fingerprint = true;
                } else if (key == "certificate_file") {
                    if (!field.is_string()) fail(at + ".certificate_file", "must be a string");
                    if (!fingerprint_of_file)
                        fail(at + ".certificate_file", "not supported here (no certificate reader)");
                    std::filesystem::path file = field.get<std::string>();
                    if (file.is_relative()) file = base_dir / file;
                    try {
                        entry.fingerprint = normalize_fingerprint(fingerprint_of_file(file));
                    } catch (const std::exception &e) {
                        fail(at + ".certificate_file", e.what());
                    }
                    has_fingerprint = true;
                } else if (key == "status") {
                    entry.status = parse_status(field, at + ".status");
                } else if (key == "thing") {
                    if (!field.is_string()) fail(at + ".thing", "must be a string");
                    entry.things.push_back(field.get<std::string>());
                } else if (key == "things") {
                    const auto more = string_list(field, at + ".things");
                    entry.things.insert(entry.things.end(), more.begin(), more.end());
                } else if (key == "policies") {
                    entry.policies = string_list(field, at + ".policies");
                } else if (key != "comment") {
                    fail(at + "." + key, "unknown key");
                }
            }
            if (!has_fingerprint) fail(at, "needs \"fingerprint\" or \"certificate_file\"");
            if (registry.certificates_.count(entry.fingerprint) != 0) fail(at, "duplicate certificate");
            registry.certificates_.emplace(entry.fingerprint, std::move(entry));
        }
    }
    return registry;
}

Registry Registry::load(const std::filesystem::path &file, const FingerprintOfFile &fingerprint_of_file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw RegistryError("cannot read registry file " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return parse(text.str(), file.parent_path(), fingerprint_of_file);
    } catch (const RegistryError &e) {
        throw RegistryError(file.string() + ": " + e.what());
    }
}

const CertificateEntry *Registry::certificate(std::string_view fingerprint) const {
    const auto found = certificates_.find(fingerprint);
    return found == certificates_.end() ? nullptr : &found->second;
}

const ThingEntry *Registry::thing(std::string_view name) const {
    const auto found = things_.find(name);
    return found == things_.end() ? nullptr : &found->second;
}

std::vector<std::string> Registry::policy_names() const {
    std::set<std::string> names;
    for (const auto &[fp, entry] : certificates_) names.insert(entry.policies.begin(), entry.policies.end());
    for (const auto &[name, entry] : things_) names.insert(entry.policies.begin(), entry.policies.end());
    return {names.begin(), names.end()};
}

} // namespace hil::twin

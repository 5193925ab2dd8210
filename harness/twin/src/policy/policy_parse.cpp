#include "hil/twin/policy.hpp"

#include "condition.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace hil::twin {

namespace {
using nlohmann::json;

class Parser {
  public:
    explicit Parser(std::string name) : name_(std::move(name)) {}

    [[noreturn]] void fail(const std::string &path, const std::string &why) const {
        throw PolicyError("policy '" + name_ + "': " + path + ": " + why);
    }

    std::vector<std::string> strings(const json &value, const std::string &path) const {
        std::vector<std::string> out;
        if (value.is_string()) {
            out.push_back(value.get<std::string>());
        } else if (value.is_array() && !value.empty()) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (!value[i].is_string()) fail(path + "[" + std::to_string(i) + "]", "must be a string");
                out.push_back(value[i].get<std::string>());
            }
        } else {
            fail(path, "must be a string or a non-empty array of strings");
        }
        return out;
    }

    std::vector<Condition> conditions(const json &block, const std::string &path) const {
        if (!block.is_object()) fail(path, "must be an object");
        std::vector<Condition> out;
        for (const auto &[op_text, keys] : block.items()) {
            Condition proto;
            proto.op = op_text;
            if (proto.op.ends_with("IfExists")) {
                proto.if_exists = true;
                proto.op.resize(proto.op.size() - std::string_view("IfExists").size());
            }
            if (!detail::is_supported_condition_operator(proto.op) ||
                (proto.if_exists && proto.op == "Null")) {
                fail(path + "." + op_text,
                     "unsupported condition operator (supported: " + detail::supported_condition_operators() +
                         ", each with IfExists)");
            }
            if (!keys.is_object() || keys.empty()) fail(path + "." + op_text, "must be a non-empty object");
            for (const auto &[key, values] : keys.items()) {
                Condition condition = proto;
                condition.key = key;
                const std::string at = path + "." + op_text + "." + key;
                if (values.is_boolean()) {
                    condition.values.push_back(values.get<bool>() ? "true" : "false");
                } else {
                    condition.values = strings(values, at);
                }
                out.push_back(std::move(condition));
            }
        }
        return out;
    }

    Statement statement(const json &value, const std::string &path) const {
        static const std::set<std::string> known = {"Sid",      "Effect",      "Action",   "NotAction",
                                                    "Resource", "NotResource", "Condition"};
        if (!value.is_object()) fail(path, "must be an object");
        for (const auto &[key, unused] : value.items()) {
            if (key == "Principal" || key == "NotPrincipal")
                fail(path + "." + key, "AWS IoT policies have no principal");
            if (known.count(key) == 0) fail(path + "." + key, "unknown statement element");
        }
        Statement out;
        if (const auto sid = value.find("Sid"); sid != value.end()) {
            if (!sid->is_string()) fail(path + ".Sid", "must be a string");
            out.sid = sid->get<std::string>();
        }
        const auto effect = value.find("Effect");
        if (effect == value.end() || !effect->is_string()) fail(path + ".Effect", "missing");
        if (*effect == "Allow") {
            out.effect = Effect::allow;
        } else if (*effect == "Deny") {
            out.effect = Effect::deny;
        } else {
            fail(path + ".Effect", "must be \"Allow\" or \"Deny\"");
        }
        const bool action = value.contains("Action");
        const bool not_action = value.contains("NotAction");
        if (action == not_action) fail(path, "needs exactly one of Action and NotAction");
        out.not_action = not_action;
        out.actions =
            strings(value.at(action ? "Action" : "NotAction"), path + (action ? ".Action" : ".NotAction"));
        const bool resource = value.contains("Resource");
        const bool not_resource = value.contains("NotResource");
        if (resource == not_resource) fail(path, "needs exactly one of Resource and NotResource");
        out.not_resource = not_resource;
        out.resources = strings(value.at(resource ? "Resource" : "NotResource"),
                                path + (resource ? ".Resource" : ".NotResource"));
        if (const auto condition = value.find("Condition"); condition != value.end()) {
            out.conditions = conditions(*condition, path + ".Condition");
        }
        return out;
    }

    Policy policy(std::string_view text) const {
        const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded()) fail("$", "not valid JSON");
        if (!doc.is_object()) fail("$", "must be an object");
        const auto version = doc.find("Version");
        if (version == doc.end() || *version != "2012-10-17") fail("$.Version", "must be \"2012-10-17\"");
        const auto statements = doc.find("Statement");
        if (statements == doc.end()) fail("$.Statement", "missing");
        Policy out;
        out.name = name_;
        if (statements->is_object()) {
            out.statements.push_back(statement(*statements, "$.Statement"));
        } else if (statements->is_array() && !statements->empty()) {
            for (std::size_t i = 0; i < statements->size(); ++i) {
                out.statements.push_back(
                    statement((*statements)[i], "$.Statement[" + std::to_string(i) + "]"));
            }
        } else {
            fail("$.Statement", "must be an object or a non-empty array");
        }
        return out;
    }

  private:
    std::string name_;
};
} // namespace

Policy parse_policy(std::string_view text, std::string name) {
    return Parser(std::move(name)).policy(text);
}

PolicySet load_policy_directory(const std::filesystem::path &dir) {
    PolicySet out;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) throw PolicyError("policies directory " + dir.string() + ": " + ec.message());
    for (const auto &entry : it) {
        if (entry.path().extension() != ".json" || !entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in) throw PolicyError("cannot read policy file " + entry.path().string());
        const std::string name = entry.path().stem().string();
        try {
            out.emplace(name, parse_policy(text.str(), name));
        } catch (const PolicyError &e) {
            throw PolicyError(entry.path().string() + ": " + e.what());
        }
    }
    return out;
}

} // namespace hil::twin

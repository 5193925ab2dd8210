#include "plugin_options.hpp"

#include <charconv>

namespace hil::twin {

namespace {
bool parse_bool(const std::string &key, const std::string &value) {
    if (value == "true" || value == "on" || value == "1") return true;
    if (value == "false" || value == "off" || value == "0") return false;
    throw OptionError("plugin_opt_" + key + ": expected true or false, got '" + value + "'");
}

unsigned long long parse_number(const std::string &key, const std::string &value) {
    unsigned long long out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size()) {
        throw OptionError("plugin_opt_" + key + ": expected a number, got '" + value + "'");
    }
    return out;
}

std::vector<std::string> split_list(const std::string &value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = value.find(',', start);
        const auto end = comma == std::string::npos ? value.size() : comma;
        auto item = value.substr(start, end - start);
        const auto first = item.find_first_not_of(' ');
        const auto last = item.find_last_not_of(' ');
        if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}
} // namespace

PluginOptions parse_plugin_options(const std::vector<std::pair<std::string, std::string>> &options) {
    PluginOptions out;
    for (const auto &[key, value] : options) {
        if (key == "profile") {
            if (value == "aws-twin") {
                out.profile = Profile::aws_twin;
            } else if (value == "mosquitto") {
                out.profile = Profile::mosquitto;
            } else {
                throw OptionError("plugin_opt_profile: expected aws-twin or mosquitto, got '" + value + "'");
            }
        } else if (key == "store_dir") {
            out.store_dir = value;
        } else if (key == "store_sync") {
            out.store_sync = parse_bool(key, value);
        } else if (key == "registry") {
            out.registry = value;
        } else if (key == "policies_dir") {
            out.policies_dir = value;
        } else if (key == "anonymous_policies") {
            if (value == "*") {
                out.authorization.anonymous_policies.reset();
            } else {
                out.authorization.anonymous_policies = split_list(value);
            }
        } else if (key == "region") {
            out.authorization.scope.region = value;
        } else if (key == "account") {
            out.authorization.scope.account = value;
        } else if (key == "rate_limits") {
            out.rate_limits = parse_bool(key, value);
        } else if (key == "shadow_max_bytes") {
            out.shadow_limits.max_document_bytes = parse_number(key, value);
        } else if (key == "shadow_tombstone_seconds") {
            out.shadow_limits.tombstone_lifetime = std::chrono::seconds(parse_number(key, value));
        } else {
            throw OptionError("unknown option plugin_opt_" + key +
                              " (known: profile, store_dir, store_sync, registry, policies_dir, "
                              "anonymous_policies, region, account, rate_limits, shadow_max_bytes, "
                              "shadow_tombstone_seconds)");
        }
    }
    if (!out.registry.empty() && out.policies_dir.empty()) {
        throw OptionError("plugin_opt_registry needs plugin_opt_policies_dir (the policies it attaches)");
    }
    if (out.authorization.anonymous_policies && out.policies_dir.empty()) {
        throw OptionError("plugin_opt_anonymous_policies needs plugin_opt_policies_dir");
    }
    if (out.rate_limits) {
        out.shadow_limits.requests_per_second_per_thing = 20;
    }
    return out;
}

std::string_view to_string(Profile profile) {
    return profile == Profile::aws_twin ? "aws-twin" : "mosquitto";
}

} // namespace hil::twin

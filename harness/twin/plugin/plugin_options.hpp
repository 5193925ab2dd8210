#pragma once
// The plugin's options, from the `plugin_opt_<key> <value>` lines of mosquitto.conf (Mosquitto
// passes them without the `plugin_opt_` prefix). README.md lists them; unknown keys and bad
// values are refused so a typo cannot silently change behaviour.

#include "hil/twin/authorizer.hpp"
#include "hil/twin/broker_rules.hpp"
#include "hil/twin/shadow_service.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hil::twin {

enum class Profile {
    aws_twin,  ///< AWS IoT Core's broker rules, policies, shadows
    mosquitto, ///< plain MQTT semantics (QoS 2 allowed, no policies, no limits), shadows on
};

struct PluginOptions {
    Profile profile = Profile::aws_twin;
    std::filesystem::path store_dir; ///< empty: shadows in memory only (lost with the broker)
    bool store_sync = true;          ///< fsync every shadow write
    std::filesystem::path registry;  ///< empty: no certificate registry, no policy checks
    std::filesystem::path policies_dir;
    AuthorizerOptions authorization;
    bool rate_limits = false; ///< AWS's per-connection publish and per-thing shadow rates
    ShadowLimits shadow_limits;
    BrokerLimits broker_limits;
};

/// A bad option; what() names it.
class OptionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses (key, value) pairs. Throws OptionError.
[[nodiscard]] PluginOptions
parse_plugin_options(const std::vector<std::pair<std::string, std::string>> &options);

[[nodiscard]] std::string_view to_string(Profile profile);

} // namespace hil::twin

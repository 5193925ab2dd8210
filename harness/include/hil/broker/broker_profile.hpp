#pragma once
// The embedded broker's profiles: which personality the aws-twin plugin gives Mosquitto
// (harness/twin/README.md). A run has a default profile (bench file, `--profile`); a scenario may
// pin the one it needs (`profile:`), and the virtual bench gives it a broker of that profile.

#include <optional>
#include <string_view>
#include <vector>

namespace hil {

enum class BrokerProfile {
    aws_twin,  ///< AWS IoT Core: registry and policies per certificate, QoS 2 closes, limits, shadows
    mosquitto, ///< plain MQTT semantics: QoS 2 allowed, no policies, no limits; shadows on
};

/// "aws-twin" / "mosquitto": the names bench files, `--profile` and scenarios use.
[[nodiscard]] std::string_view to_string(BrokerProfile profile);

/// The profile of that name, or nullopt.
[[nodiscard]] std::optional<BrokerProfile> parse_broker_profile(std::string_view name);

/// Every profile name the embedded broker knows, default first.
[[nodiscard]] const std::vector<std::string_view> &broker_profile_names();

} // namespace hil

#include "hil/broker/broker_profile.hpp"

namespace hil {

std::string_view to_string(BrokerProfile profile) {
    switch (profile) {
    case BrokerProfile::aws_twin: return "aws-twin";
    case BrokerProfile::mosquitto: return "mosquitto";
    }
    return "aws-twin";
}

std::optional<BrokerProfile> parse_broker_profile(std::string_view name) {
    if (name == "aws-twin") return BrokerProfile::aws_twin;
    if (name == "mosquitto") return BrokerProfile::mosquitto;
    return std::nullopt;
}

const std::vector<std::string_view> &broker_profile_names() {
    static const std::vector<std::string_view> names = {"aws-twin", "mosquitto"};
    return names;
}

} // namespace hil

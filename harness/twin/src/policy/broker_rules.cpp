#include "hil/twin/broker_rules.hpp"

#include <algorithm>

namespace hil::twin {

namespace {
/// Skips `<prefix><name>/` if `topic` starts with `prefix` and has a name level after it.
std::string_view skip_named_prefix(std::string_view topic, std::string_view prefix) {
    if (!topic.starts_with(prefix)) return topic;
    const auto slash = topic.find('/', prefix.size());
    if (slash == std::string_view::npos) return topic;
    return topic.substr(slash + 1);
}
} // namespace

std::string_view counted_part(std::string_view topic) {
    return skip_named_prefix(skip_named_prefix(topic, "$share/"), "$aws/rules/");
}

TopicViolation check_topic(std::string_view topic, const BrokerLimits &limits) {
    const auto counted = counted_part(topic);
    if (counted.size() > limits.max_topic_bytes) return TopicViolation::too_long;
    if (static_cast<std::size_t>(std::count(counted.begin(), counted.end(), '/')) >
        limits.max_topic_slashes) {
        return TopicViolation::too_many_levels;
    }
    return TopicViolation::none;
}

std::string_view describe(TopicViolation violation) {
    switch (violation) {
    case TopicViolation::none: return "ok";
    case TopicViolation::too_long: return "topic longer than AWS IoT Core's 256 bytes";
    case TopicViolation::too_many_levels: return "topic with more than AWS IoT Core's 7 slashes (8 levels)";
    }
    return "";
}

bool is_foreign_reserved_topic(std::string_view topic) {
    return topic.starts_with("$") && !topic.starts_with("$aws/") && !topic.starts_with("$share/");
}

} // namespace hil::twin

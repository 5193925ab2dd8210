#pragma once
// AWS IoT Core's broker limits (reference section B) as pure checks; the plugin applies them in
// the aws-twin profile.

#include <cstddef>
#include <string_view>

namespace hil::twin {

struct BrokerLimits {
    std::size_t max_topic_bytes = 256; ///< after the uncounted prefixes
    std::size_t max_topic_slashes = 7; ///< 8 levels, after the uncounted prefixes
    std::size_t max_client_id_bytes = 128;
    std::size_t max_payload_bytes = 131072; ///< 128 KB per PUBLISH
    int max_subscriptions = 50;             ///< per connection
    unsigned publishes_per_second = 100;    ///< per connection (only with rate limits on)
};

enum class TopicViolation { none, too_long, too_many_levels };

/// Checks a topic or filter against the limits, not counting a leading `$share/<name>/` and
/// `$aws/rules/<rule>/` (the Basic Ingest prefix), as AWS and aws-c-mqtt do.
[[nodiscard]] TopicViolation check_topic(std::string_view topic, const BrokerLimits &limits);

/// The part of `topic` that counts against the limits.
[[nodiscard]] std::string_view counted_part(std::string_view topic);

/// "topic longer than 256 bytes", ...
[[nodiscard]] std::string_view describe(TopicViolation violation);

/// A `$` topic or filter clients may not use: anything reserved except `$aws/...` (AWS's own
/// topics, still subject to policies) and `$share/...` (shared subscriptions).
[[nodiscard]] bool is_foreign_reserved_topic(std::string_view topic);

} // namespace hil::twin

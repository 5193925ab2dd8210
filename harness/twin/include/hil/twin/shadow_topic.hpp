#pragma once
// The MQTT topics of the Device Shadow service (reference A.1): parse a topic into
// {thing, shadow name, operation, kind} and build topics back. Pure functions, no state.
//
//   $aws/things/<T>/shadow/<op>[/<kind>]            classic (unnamed) shadow
//   $aws/things/<T>/shadow/name/<N>/<op>[/<kind>]   named shadow
//   <op>   = update | get | delete
//   <kind> = (none: a request) | accepted | rejected | delta (update only) | documents (update only)

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace hil::twin {

/// Which shadow: a thing name and, for a named shadow, its name (empty for the classic shadow).
struct ShadowKey {
    std::string thing;
    std::string name; ///< empty: the classic shadow

    [[nodiscard]] bool named() const { return !name.empty(); }
    auto operator<=>(const ShadowKey &) const = default;
};

enum class ShadowOperation { update, get, delete_ };

/// A request topic, or one of the response topics the service publishes.
enum class ShadowTopicKind { request, accepted, rejected, delta, documents };

struct ShadowTopic {
    ShadowKey key;
    ShadowOperation operation = ShadowOperation::update;
    ShadowTopicKind kind = ShadowTopicKind::request;
};

/// Thing names: 1-128 bytes of [a-zA-Z0-9:_-] (A.11).
[[nodiscard]] bool is_valid_thing_name(std::string_view name);
/// Shadow names: 1-64 bytes of [$a-zA-Z0-9:_-] (A.11, the API reference's pattern).
[[nodiscard]] bool is_valid_shadow_name(std::string_view name);

/// Parses a shadow topic (case-sensitive). Returns nullopt for anything that is not exactly one
/// of the topics of A.1 with a valid thing (and shadow) name, e.g. `$aws/things/T/shadow/get/delta`.
[[nodiscard]] std::optional<ShadowTopic> parse_shadow_topic(std::string_view topic);

/// `$aws/things/<T>/shadow` or `$aws/things/<T>/shadow/name/<N>`.
[[nodiscard]] std::string shadow_prefix(const ShadowKey &key);

/// The full topic: prefix, operation and (unless `kind` is request) the response kind.
[[nodiscard]] std::string shadow_topic(const ShadowKey &key, ShadowOperation operation,
                                       ShadowTopicKind kind = ShadowTopicKind::request);

/// "update", "get", "delete".
[[nodiscard]] std::string_view to_string(ShadowOperation operation);

} // namespace hil::twin

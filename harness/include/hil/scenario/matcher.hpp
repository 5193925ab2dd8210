#pragma once
// Matching observations against expectations: JSON subsets and MQTT topic filters. Every
// mismatch says why, so a failure can show the closest candidate and what differed.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace hil {

struct MatchResult {
    bool ok = true;
    std::string why; ///< when !ok: first difference, e.g. "at .color: expected \"red\", got \"blue\""
};

/// True if `actual` contains `expected`: objects by key (extra keys allowed), arrays element by
/// element with equal length, scalars by value (1 == 1.0).
[[nodiscard]] MatchResult json_contains(const nlohmann::json &actual, const nlohmann::json &expected);

/// MQTT 3.1.1 topic filter matching (`+` one level, `#` the rest). A filter without wildcards
/// matches only the identical topic.
[[nodiscard]] bool topic_matches(std::string_view filter, std::string_view topic);

} // namespace hil

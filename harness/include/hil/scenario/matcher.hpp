#pragma once
// Matching observations against expectations: JSON subsets and MQTT topic filters. Every
// mismatch says why, so a failure can show the closest candidate and what differed.

#include "hil/core/topic_filter.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include <string_view>

namespace hil {

struct MatchResult {
    bool ok = true;
    std::string why; ///< when !ok: first difference, e.g. "at .color: expected \"red\", got \"blue\""
};

/// True if `actual` contains `expected`: objects by key (extra keys allowed), arrays element by
/// element with equal length, scalars by value (1 == 1.0). An object whose keys all start with
/// `$` is a set of operators ($gt, $ge, $lt, $le, $ne, $regex — a search, anchor with ^ $), and
/// {"$absent": true} as a key's value means the key must not be there.
[[nodiscard]] MatchResult json_contains(const nlohmann::json &actual, const nlohmann::json &expected);

/// The value at `path` ("state.reported.color", "items[0].id", "" = the root), if there is one.
[[nodiscard]] std::optional<nlohmann::json> json_at_path(const nlohmann::json &root, const std::string &path);

} // namespace hil

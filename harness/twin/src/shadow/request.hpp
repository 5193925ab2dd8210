#pragma once
// Decoding and validating shadow requests (internal): UTF-8 (415), JSON (400), the update
// schema (400), nesting depth (400) and clientToken (400), each as one check of A.10's order.

#include "hil/twin/shadow_errors.hpp"
#include "hil/twin/shadow_store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hil::twin::detail {

/// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view bytes);

/// The payload as JSON, or nullopt if it is empty or not JSON. Never throws; iterative parser,
/// so any nesting depth is safe.
[[nodiscard]] std::optional<Json> parse_payload(std::string_view payload);

/// The request's clientToken if it may be echoed: a string of at most `max_bytes` bytes.
[[nodiscard]] std::optional<std::string> echoable_client_token(const Json &request, std::size_t max_bytes);

/// An invalid clientToken: present and not a string of at most `max_bytes` bytes (A.3.10).
[[nodiscard]] bool has_invalid_client_token(const Json &request, std::size_t max_bytes);

/// Step 2 of A.10's order for an update (an object): state present and an object or null;
/// desired/reported objects or null; no null inside an array (A.3.7); only desired/reported in
/// state; a valid clientToken. Returns the first failure.
[[nodiscard]] std::optional<ShadowError> check_update_schema(const Json &request,
                                                             std::size_t max_token_bytes);

/// Step 3: a non-empty object or array at level max_depth+1 or deeper, desired/reported being
/// level 1 (A.10's depth rule).
[[nodiscard]] bool exceeds_depth(const Json &state, int max_depth);

} // namespace hil::twin::detail

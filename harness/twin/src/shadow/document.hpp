#pragma once
// Shadow document algebra (internal): the merge of an update into a stored record (A.3), the
// metadata that mirrors it (A.9), the delta (A.5) and the size that counts against the limit
// (A.11). Inputs are validated requests (no null inside arrays, depth within the limit), so the
// recursion here is bounded.

#include "hil/twin/shadow_store.hpp"

#include <cstddef>
#include <cstdint>

namespace hil::twin::detail {

/// Metadata of a stored value: objects mirrored, arrays per element, every other leaf
/// {"timestamp": ts}. An empty object has empty metadata.
[[nodiscard]] Json metadata_of_value(const Json &value, std::int64_t ts);

/// Metadata of a request's state as echoed in update/accepted (A.4): like metadata_of_value,
/// and a null (a deletion) is a leaf too.
[[nodiscard]] Json metadata_of_request(const Json &value, std::int64_t ts);

/// Applies a validated request `state` (null, or an object of desired/reported each null or an
/// object) to `record`'s state and metadata, stamping written leaves with `ts` (A.3.2-A.3.7).
void apply_state(ShadowRecord &record, const Json &state, std::int64_t ts);

/// The delta of a stored state (A.5) with its metadata copied from desired's.
struct Delta {
    Json state = Json::object();
    Json metadata = Json::object();
    [[nodiscard]] bool empty() const { return state.empty(); }
};
[[nodiscard]] Delta compute_delta(const ShadowRecord &record);

/// Deep equality with objects compared as unordered maps and numbers by value (1 == 1.0).
[[nodiscard]] bool json_equal(const Json &a, const Json &b);

/// Bytes that count against the document size limit: compact desired plus compact reported.
[[nodiscard]] std::size_t document_bytes(const Json &state);

/// `{"desired"?, "reported"?}` in that order, from a stored state or metadata object.
[[nodiscard]] Json sections_in_order(const Json &object);

} // namespace hil::twin::detail

#pragma once
// MQTT 3.1.1 topic filters, shared by the cloud client's routing and the scenario matchers.

#include <string_view>

namespace hil {

/// MQTT 3.1.1 topic filter matching (`+` one level, `#` the rest). A filter without wildcards
/// matches only the identical topic.
[[nodiscard]] bool topic_matches(std::string_view filter, std::string_view topic);

} // namespace hil

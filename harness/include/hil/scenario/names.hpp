#pragma once
// The shared names registry (firmware/core/include/hil_names.def) as C++ lookups, so the harness
// never spells a name the firmware does not know.

#include <string_view>
#include <vector>

namespace hil::names {

[[nodiscard]] const std::vector<std::string_view> &events();
[[nodiscard]] const std::vector<std::string_view> &error_classes();
[[nodiscard]] const std::vector<std::string_view> &misbehaviours();
[[nodiscard]] const std::vector<std::string_view> &capabilities();

[[nodiscard]] bool contains(const std::vector<std::string_view> &names, std::string_view name);

/// The registry name closest to `name` (edit distance), or "" if none is close.
[[nodiscard]] std::string_view nearest(const std::vector<std::string_view> &names, std::string_view name);

} // namespace hil::names

#pragma once
// The console protocol's strings are byte strings (PROTOCOL.md §7.6): `\u0000`–`\u00ff` stand for
// one byte each. The harness works with UTF-8 text, so strings cross the console converted: a
// request's UTF-8 "é" (C3 A9) goes out as "\u00c3\u00a9" (two bytes, as the device must publish
// them), and a device's "\u00c3\u00a9" comes back as "é" — not as the two characters "Ã©".

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace hil::protocol {

/// UTF-8 text -> its bytes as code points U+0000..U+00FF (UTF-8 encoded, for the JSON writer).
[[nodiscard]] std::string to_byte_string(std::string_view utf8);

/// The inverse: code points up to U+00FF become one byte each, higher ones stay as they are. When
/// the bytes are not valid UTF-8 (a binary payload) the string is returned unchanged, so nothing
/// downstream ever holds invalid UTF-8.
[[nodiscard]] std::string from_byte_string(std::string_view decoded);

/// Applies the conversion to every string (not the keys) of a JSON value.
[[nodiscard]] nlohmann::json to_byte_strings(const nlohmann::json &value);
[[nodiscard]] nlohmann::json from_byte_strings(const nlohmann::json &value);

} // namespace hil::protocol

#pragma once
// The harness side of the console protocol (firmware/PROTOCOL.md v0): classifying device lines
// and formatting requests. Pure functions, no I/O.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace hil::protocol {

/// Protocol versions this harness speaks (the banner's `protocol`). Version 1 only adds commands
/// and events to version 0, so both are accepted; what a device lacks it answers with
/// proto.unknown_command.
inline constexpr int kMinVersion = 0;
inline constexpr int kMaxVersion = 1;

/// `@id ok {...}` or `@id err {...}`.
struct Answer {
    std::uint64_t id = 0;
    bool ok = false;
    nlohmann::json body = nlohmann::json::object();
};

/// `!name {...}`.
struct EventLine {
    std::string name;
    nlohmann::json payload = nlohmann::json::object();
};

/// Free-form log text.
struct LogLine {
    std::string text;
};

/// A line that starts like a protocol line but breaks the grammar.
struct Malformed {
    std::string text;
    std::string why;
};

using DeviceLine = std::variant<Answer, EventLine, LogLine, Malformed>;

/// Classifies one framed line received from the device.
[[nodiscard]] DeviceLine parse_device_line(std::string_view line);

/// `@id command {args}` (args omitted when empty). Throws std::invalid_argument for a command
/// name outside the grammar.
[[nodiscard]] std::string format_request(std::uint64_t id, std::string_view command,
                                         const nlohmann::json &args);

/// True if `name` follows the grammar's `name` rule (lower-case, digits, `_ . -`, max 48).
[[nodiscard]] bool is_valid_name(std::string_view name);

} // namespace hil::protocol

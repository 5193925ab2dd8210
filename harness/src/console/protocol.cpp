#include "hil/console/protocol.hpp"

#include "hil/console/byte_strings.hpp"

#include <stdexcept>

namespace hil::protocol {

namespace {
constexpr std::size_t kMaxName = 48;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

// Parses the optional " {json}" tail. Returns false (and sets why) on a grammar violation.
bool parse_object_tail(std::string_view tail, nlohmann::json &out, std::string &why) {
    if (tail.empty()) {
        out = nlohmann::json::object();
        return true;
    }
    if (tail.front() != ' ') {
        why = "expected a space before the JSON body";
        return false;
    }
    tail.remove_prefix(1);
    out = nlohmann::json::parse(tail, nullptr, false);
    if (out.is_discarded()) {
        why = "body is not valid JSON";
        return false;
    }
    if (!out.is_object()) {
        why = "body is not a JSON object";
        return false;
    }
    out = from_byte_strings(out);
    return true;
}

DeviceLine parse_answer(std::string_view line) {
    const std::string text(line);
    std::size_t pos = 1;
    std::uint64_t id = 0;
    while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && pos <= 9) {
        id = id * 10 + static_cast<std::uint64_t>(line[pos] - '0');
        ++pos;
    }
    if (pos == 1 || pos > 10 || id == 0) return Malformed{text, "answer without a valid id"};
    if (pos >= line.size() || line[pos] != ' ')
        return Malformed{text, "expected ' ok' or ' err' after the id"};
    ++pos;
    Answer answer;
    answer.id = id;
    auto rest = line.substr(pos);
    if (rest.starts_with("ok")) {
        answer.ok = true;
        rest.remove_prefix(2);
    } else if (rest.starts_with("err")) {
        answer.ok = false;
        rest.remove_prefix(3);
    } else {
        return Malformed{text, "expected 'ok' or 'err' after the id"};
    }
    std::string why;
    if (!parse_object_tail(rest, answer.body, why)) return Malformed{text, why};
    if (!answer.ok && !answer.body.contains("class")) return Malformed{text, "err answer without 'class'"};
    return answer;
}

DeviceLine parse_event(std::string_view line) {
    const std::string text(line);
    std::size_t end = 1;
    while (end < line.size() && line[end] != ' ') ++end;
    EventLine event;
    event.name = std::string(line.substr(1, end - 1));
    if (!is_valid_name(event.name)) return Malformed{text, "invalid event name"};
    if (end == line.size()) return Malformed{text, "event without a JSON body"};
    std::string why;
    if (!parse_object_tail(line.substr(end), event.payload, why)) return Malformed{text, why};
    return event;
}
} // namespace

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxName || name.front() < 'a' || name.front() > 'z') return false;
    for (const char c : name) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

DeviceLine parse_device_line(std::string_view line) {
    if (line.starts_with('@')) return parse_answer(line);
    if (line.starts_with('!')) return parse_event(line);
    return LogLine{std::string(line)};
}

std::string format_request(std::uint64_t id, std::string_view command, const nlohmann::json &args) {
    if (!is_valid_name(command)) {
        throw std::invalid_argument("'" + std::string(command) + "' is not a valid command name");
    }
    std::string line = "@" + std::to_string(id) + " " + std::string(command);
    if (args.is_object() && !args.empty()) {
        // The protocol is printable ASCII and its strings are byte strings: each byte of a UTF-8
        // character travels as its own \u00XX.
        line += " " + to_byte_strings(args).dump(-1, ' ', true);
    }
    return line;
}

} // namespace hil::protocol

#include "hil/console/byte_strings.hpp"

#include "hil/core/json_strings.hpp"

#include <cstdint>
#include <optional>

namespace hil::protocol {

namespace {

void append_utf8(std::string &out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The next code point of valid UTF-8 at `i` (advancing it); nullopt on a malformed sequence.
std::optional<std::uint32_t> next_code_point(std::string_view s, std::size_t &i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    const std::uint8_t lead = byte(i);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (lead < 0x80) {
        cp = lead;
    } else if ((lead & 0xE0) == 0xC0 && lead >= 0xC2) {
        extra = 1;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0 && lead <= 0xF4) {
        extra = 3;
        cp = lead & 0x07;
    } else {
        return std::nullopt;
    }
    if (i + extra >= s.size()) return std::nullopt; // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return std::nullopt;
    }
    i += extra + 1;
    return cp;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (!next_code_point(s, i)) return false;
    }
    return true;
}

} // namespace

std::string to_byte_string(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (const char c : utf8) append_utf8(out, static_cast<std::uint8_t>(c));
    return out;
}

std::string from_byte_string(std::string_view decoded) {
    std::string bytes;
    bytes.reserve(decoded.size());
    for (std::size_t i = 0; i < decoded.size();) {
        const auto cp = next_code_point(decoded, i);
        if (!cp) return std::string(decoded); // not UTF-8 to begin with: leave it alone
        if (*cp <= 0xFF)
            bytes += static_cast<char>(*cp);
        else
            append_utf8(bytes, *cp);
    }
    return valid_utf8(bytes) ? bytes : std::string(decoded);
}

nlohmann::json to_byte_strings(const nlohmann::json &value) {
    return map_json_strings(value, [](const std::string &s) { return to_byte_string(s); });
}

nlohmann::json from_byte_strings(const nlohmann::json &value) {
    return map_json_strings(value, [](const std::string &s) { return from_byte_string(s); });
}

} // namespace hil::protocol

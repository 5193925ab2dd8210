#include "condition.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

namespace hil::twin::detail {

namespace {
enum class Kind { string_equals, string_equals_ignore_case, string_like, boolean, ip_address, null };

struct OperatorInfo {
    std::string_view name;
    Kind kind;
    bool negated;
};

constexpr std::array<OperatorInfo, 14> kOperators = {{
    {"StringEquals", Kind::string_equals, false},
    {"StringNotEquals", Kind::string_equals, true},
    {"StringEqualsIgnoreCase", Kind::string_equals_ignore_case, false},
    {"StringNotEqualsIgnoreCase", Kind::string_equals_ignore_case, true},
    {"StringLike", Kind::string_like, false},
    {"StringNotLike", Kind::string_like, true},
    {"ArnEquals", Kind::string_equals, false},
    {"ArnNotEquals", Kind::string_equals, true},
    {"ArnLike", Kind::string_like, false},
    {"ArnNotLike", Kind::string_like, true},
    {"Bool", Kind::boolean, false},
    {"IpAddress", Kind::ip_address, false},
    {"NotIpAddress", Kind::ip_address, true},
    {"Null", Kind::null, false},
}};

const OperatorInfo *find_operator(std::string_view op) {
    for (const auto &info : kOperators) {
        if (info.name == op) return &info;
    }
    return nullptr;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// One value against the request's value; the value may hold policy variables.
bool value_matches(Kind kind, std::string_view pattern_text, std::string_view actual,
                   const RequestContext &context) {
    const auto pattern = resolve_pattern(pattern_text, context);
    if (!pattern) return false; // an unresolved variable matches nothing
    switch (kind) {
    case Kind::string_equals: return pattern->text == actual;
    case Kind::string_equals_ignore_case: return equals_ignore_case(pattern->text, actual);
    case Kind::string_like: return glob_match(*pattern, actual);
    case Kind::boolean: return equals_ignore_case(pattern->text, actual);
    case Kind::ip_address: return ip_in_cidr(actual, pattern->text);
    case Kind::null: return false;
    }
    return false;
}

bool parse_address(std::string_view text, std::array<unsigned char, 16> &bytes, int &bits) {
    const std::string copy(text);
    if (copy.find(':') != std::string::npos) {
        bits = 128;
        return inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1;
    }
    bits = 32;
    return inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1;
}
} // namespace

bool is_supported_condition_operator(std::string_view op) {
    return find_operator(op) != nullptr;
}

std::string supported_condition_operators() {
    std::string out;
    for (const auto &info : kOperators) {
        if (!out.empty()) out += ", ";
        out += info.name;
    }
    return out;
}

bool ip_in_cidr(std::string_view address, std::string_view cidr) {
    const auto slash = cidr.find('/');
    std::array<unsigned char, 16> net{};
    std::array<unsigned char, 16> addr{};
    int net_bits = 0;
    int addr_bits = 0;
    if (!parse_address(cidr.substr(0, slash), net, net_bits) || !parse_address(address, addr, addr_bits))
        return false;
    if (net_bits != addr_bits) return false;
    int prefix = net_bits;
    if (slash != std::string_view::npos) {
        const auto digits = cidr.substr(slash + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 || prefix > net_bits)
            return false;
    }
    for (int bit = 0; bit < prefix; ++bit) {
        const int byte = bit / 8;
        const unsigned char mask = static_cast<unsigned char>(0x80U >> (bit % 8));
        if ((net[static_cast<std::size_t>(byte)] & mask) != (addr[static_cast<std::size_t>(byte)] & mask)) {
            return false;
        }
    }
    return true;
}

bool condition_holds(const Condition &condition, const RequestContext &context) {
    const OperatorInfo *info = find_operator(condition.op);
    if (info == nullptr) return false;
    const auto found = context.values.find(condition.key);
    if (info->kind == Kind::null) {
        // {"Null": {"key": "true"}}: holds when the key is absent; "false": when present.
        const bool absent = found == context.values.end();
        return std::any_of(condition.values.begin(), condition.values.end(), [&](const std::string &v) {
            return equals_ignore_case(v, "true") ? absent : !absent;
        });
    }
    if (found == context.values.end()) return condition.if_exists || info->negated;
    const bool any = std::any_of(condition.values.begin(), condition.values.end(), [&](const std::string &v) {
        return value_matches(info->kind, v, found->second, context);
    });
    return info->negated ? !any : any;
}

} // namespace hil::twin::detail

#include "hil/scenario/matcher.hpp"

#include <regex>

namespace hil {

namespace {
std::string show(const nlohmann::json &value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

bool is_operator_object(const nlohmann::json &value) {
    if (!value.is_object() || value.empty()) return false;
    for (const auto &[key, item] : value.items()) {
        if (key.empty() || key[0] != '$') return false;
    }
    return true;
}

bool is_absent_marker(const nlohmann::json &value) {
    return value.is_object() && value.size() == 1 && value.contains("$absent");
}

MatchResult contains_at(const nlohmann::json &actual, const nlohmann::json &expected,
                        const std::string &path);

// `{$gt: 3, $lt: 9}`: every operator must hold.
MatchResult operators_hold(const nlohmann::json &actual, const nlohmann::json &ops,
                           const std::string &where) {
    for (const auto &[op, operand] : ops.items()) {
        bool ok = false;
        if (op == "$ne") {
            ok = !contains_at(actual, operand, where).ok;
        } else if (op == "$regex") {
            ok = actual.is_string() && operand.is_string() &&
                 std::regex_search(actual.get_ref<const std::string &>(),
                                   std::regex(operand.get<std::string>()));
        } else if (actual.is_number() && operand.is_number()) {
            const double a = actual.get<double>();
            const double b = operand.get<double>();
            ok = (op == "$gt" && a > b) || (op == "$ge" && a >= b) || (op == "$lt" && a < b) ||
                 (op == "$le" && a <= b);
        }
        if (!ok)
            return {false,
                    "at " + where + ": " + show(actual) + " does not satisfy " + op + " " + show(operand)};
    }
    return {};
}

MatchResult contains_at(const nlohmann::json &actual, const nlohmann::json &expected,
                        const std::string &path) {
    const std::string where = path.empty() ? "." : path;
    if (is_operator_object(expected)) return operators_hold(actual, expected, where);
    if (expected.is_object()) {
        if (!actual.is_object()) return {false, "at " + where + ": expected an object, got " + show(actual)};
        for (const auto &[key, value] : expected.items()) {
            const auto it = actual.find(key);
            if (is_absent_marker(value)) {
                if (it != actual.end())
                    return {false, "at " + path + "." + key + ": expected absent, got " + show(*it)};
                continue;
            }
            if (it == actual.end()) return {false, "at " + path + "." + key + ": missing"};
            auto sub = contains_at(*it, value, path + "." + key);
            if (!sub.ok) return sub;
        }
        return {};
    }
    if (expected.is_array()) {
        if (!actual.is_array() || actual.size() != expected.size()) {
            return {false, "at " + where + ": expected " + show(expected) + ", got " + show(actual)};
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            auto sub = contains_at(actual[i], expected[i], path + "[" + std::to_string(i) + "]");
            if (!sub.ok) return sub;
        }
        return {};
    }
    if (expected.is_number() && actual.is_number()) {
        if (actual.get<double>() == expected.get<double>()) return {};
    } else if (actual == expected) {
        return {};
    }
    return {false, "at " + where + ": expected " + show(expected) + ", got " + show(actual)};
}
} // namespace

MatchResult json_contains(const nlohmann::json &actual, const nlohmann::json &expected) {
    return contains_at(actual, expected, "");
}

std::optional<nlohmann::json> json_at_path(const nlohmann::json &root, const std::string &path) {
    const nlohmann::json *node = &root;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '.') ++pos;
        if (pos < path.size() && path[pos] == '[') {
            const std::size_t close = path.find(']', pos);
            if (close == std::string::npos || !node->is_array()) return std::nullopt;
            std::size_t index = 0;
            try {
                index = std::stoul(path.substr(pos + 1, close - pos - 1));
            } catch (const std::exception &) {
                return std::nullopt;
            }
            if (index >= node->size()) return std::nullopt;
            node = &(*node)[index];
            pos = close + 1;
            continue;
        }
        const std::size_t end = std::min(path.find_first_of(".[", pos), path.size());
        const std::string key = path.substr(pos, end - pos);
        if (!node->is_object() || !node->contains(key)) return std::nullopt;
        node = &(*node)[key];
        pos = end;
    }
    return *node;
}

} // namespace hil

#include "hil/scenario/matcher.hpp"

namespace hil {

namespace {
std::string show(const nlohmann::json &value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

MatchResult contains_at(const nlohmann::json &actual, const nlohmann::json &expected,
                        const std::string &path) {
    const std::string where = path.empty() ? "." : path;
    if (expected.is_object()) {
        if (!actual.is_object()) return {false, "at " + where + ": expected an object, got " + show(actual)};
        for (const auto &[key, value] : expected.items()) {
            const auto it = actual.find(key);
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

bool topic_matches(std::string_view filter, std::string_view topic) {
    std::size_t f = 0;
    std::size_t t = 0;
    while (f <= filter.size()) {
        const std::size_t f_end = std::min(filter.find('/', f), filter.size());
        const auto level = filter.substr(f, f_end - f);
        if (level == "#") return true; // matches the parent level and everything below
        if (t > topic.size()) return false;
        const std::size_t t_end = std::min(topic.find('/', t), topic.size());
        if (level != "+" && level != topic.substr(t, t_end - t)) return false;
        f = f_end + 1;
        t = t_end + 1;
        if (f > filter.size()) return t > topic.size();
    }
    return false;
}

} // namespace hil

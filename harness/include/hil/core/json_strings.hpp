#pragma once
// One walk over a JSON value that rewrites its strings (not its keys): used to substitute
// variables in scenario values and to turn console byte strings into UTF-8 text and back.

#include <nlohmann/json.hpp>

#include <string>

namespace hil {

/// A copy of `value` in which every string s became `rewrite(s)` (which may return any JSON).
template <class Rewrite>
nlohmann::json map_json_strings(const nlohmann::json &value, const Rewrite &rewrite) {
    if (value.is_string()) return rewrite(value.get_ref<const std::string &>());
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto &[key, item] : value.items()) out[key] = map_json_strings(item, rewrite);
        return out;
    }
    if (value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &item : value) out.push_back(map_json_strings(item, rewrite));
        return out;
    }
    return value;
}

} // namespace hil

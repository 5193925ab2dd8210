#pragma once
// The built-in toxics, one per file, and the attribute readers they share.

#include "hil/faults/toxic.hpp"

#include <stdexcept>

namespace hil::faults {

inline Millis millis_attr(const nlohmann::json &a, const char *key, Millis fallback) {
    if (!a.contains(key)) return fallback;
    const auto &v = a.at(key);
    if (v.is_number()) return Millis(v.get<long long>());
    if (v.is_string()) return parse_duration(v.get<std::string>());
    throw std::invalid_argument(std::string("'") + key + "' must be a duration");
}

inline std::size_t size_attr(const nlohmann::json &a, const char *key, std::size_t fallback) {
    if (!a.contains(key)) return fallback;
    const auto &v = a.at(key);
    if (!v.is_number_integer() || v.get<long long>() <= 0) {
        throw std::invalid_argument(std::string("'") + key + "' must be a positive number");
    }
    return v.get<std::size_t>();
}

std::unique_ptr<Toxic> make_latency(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_bandwidth(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_blackhole(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_limit_data(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_slicer(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_timeout(const nlohmann::json &attributes);
std::unique_ptr<Toxic> make_tls_gate(const nlohmann::json &attributes);

} // namespace hil::faults

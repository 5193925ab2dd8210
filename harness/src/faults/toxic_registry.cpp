// Toxic type names -> factories: the one place scenario YAML meets toxic classes.
#include "toxics/toxics.hpp"

#include <map>

namespace hil::faults {

const char *to_string(Direction d) {
    return d == Direction::upstream ? "upstream" : "downstream";
}

namespace {
using Factory = std::unique_ptr<Toxic> (*)(const nlohmann::json &);
const std::map<std::string, Factory> &registry() {
    static const std::map<std::string, Factory> factories = {
        {"bandwidth", make_bandwidth},   {"blackhole", make_blackhole}, {"latency", make_latency},
        {"limit_data", make_limit_data}, {"slicer", make_slicer},       {"timeout", make_timeout},
        {"tls_gate", make_tls_gate}};
    return factories;
}
} // namespace

const std::vector<std::string> &toxic_types() {
    static const std::vector<std::string> types = [] {
        std::vector<std::string> out;
        for (const auto &[name, factory] : registry()) out.push_back(name);
        return out;
    }();
    return types;
}

std::unique_ptr<Toxic> make_toxic(const std::string &type, const nlohmann::json &attributes) {
    const auto it = registry().find(type);
    if (it == registry().end()) {
        std::string known;
        for (const auto &t : toxic_types()) known += (known.empty() ? "" : ", ") + t;
        throw std::invalid_argument("unknown toxic '" + type + "' (known: " + known + ")");
    }
    return it->second(attributes);
}

} // namespace hil::faults

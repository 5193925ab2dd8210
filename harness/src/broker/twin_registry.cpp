#include "hil/broker/twin_registry.hpp"

#include <stdexcept>

namespace hil {

void TwinRegistry::add_certificate(const std::string &label, Certificate certificate) {
    if (const auto it = certificates_.find(label); it != certificates_.end()) {
        certificate.things.insert(it->second.things.begin(), it->second.things.end());
    }
    certificates_[label] = std::move(certificate);
}

void TwinRegistry::attach_thing(const std::string &label, const std::string &thing, Thing settings) {
    const auto it = certificates_.find(label);
    if (it == certificates_.end()) throw std::out_of_range("the registry has no certificate '" + label + "'");
    it->second.things.insert(thing);
    things_[thing] = std::move(settings);
}

void TwinRegistry::remove_thing(const std::string &thing) {
    things_.erase(thing);
    for (auto &[label, certificate] : certificates_) certificate.things.erase(thing);
}

nlohmann::json TwinRegistry::to_json() const {
    nlohmann::json certificates = nlohmann::json::array();
    for (const auto &[label, c] : certificates_) {
        certificates.push_back({{"comment", label},
                                {"fingerprint", c.fingerprint},
                                {"status", c.status},
                                {"policies", c.policies},
                                {"things", c.things}});
    }
    nlohmann::json things = nlohmann::json::object();
    for (const auto &[name, t] : things_) things[name] = {{"attributes", t.attributes}};
    return {{"certificates", certificates}, {"things", things}};
}

} // namespace hil

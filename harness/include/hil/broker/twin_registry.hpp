#pragma once
// The aws-twin plugin's certificate and thing registry, as the harness writes it
// (`<broker dir>/registry.json`; format in harness/twin/README.md, "Registry file"). A plain value:
// the EmbeddedBroker owns the live copy and makes Mosquitto re-read it (update_registry()).

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace hil {

class TwinRegistry {
  public:
    struct Certificate {
        std::string fingerprint;           ///< SHA-256 of the DER certificate, hex (colons allowed)
        std::string status = "ACTIVE";     ///< ACTIVE, INACTIVE or REVOKED
        std::vector<std::string> policies; ///< policy names (files in the policies directory)
        std::set<std::string> things;      ///< things the certificate is attached to
    };
    struct Thing {
        std::map<std::string, std::string> attributes; ///< `${iot:Connection.Thing.Attributes[k]}`
    };

    /// Adds a certificate under `label` (the registry's `comment`; how the harness names it), or
    /// replaces the one with that label, keeping its things.
    void add_certificate(const std::string &label, Certificate certificate);

    /// Creates `thing` (attributes replaced if it exists) and attaches it to the certificate
    /// `label`. Throws std::out_of_range if there is no such certificate.
    void attach_thing(const std::string &label, const std::string &thing, Thing settings = {});

    /// Removes `thing` and every attachment of it; unknown names are ignored.
    void remove_thing(const std::string &thing);

    [[nodiscard]] bool has_thing(const std::string &thing) const { return things_.count(thing) != 0; }
    [[nodiscard]] std::size_t thing_count() const { return things_.size(); }
    [[nodiscard]] const std::map<std::string, Certificate> &certificates() const { return certificates_; }

    /// The registry file's JSON (certificates in label order, things by name).
    [[nodiscard]] nlohmann::json to_json() const;

  private:
    std::map<std::string, Certificate> certificates_;
    std::map<std::string, Thing> things_;
};

} // namespace hil

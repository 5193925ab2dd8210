#pragma once
// What a running scenario may use, and nothing more: the devices, the cloud client and the
// broker endpoint of one execution. The virtual bench, a real kit or a remote broker all come
// through this interface, so the runner never names a driver.

#include "hil/cloud/cloud_client.hpp"
#include "hil/device/device_session.hpp"
#include "hil/scenario/model.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace hil {

/// Resources of one scenario execution (created before its first step, torn down after it).
class ScenarioBench {
  public:
    virtual ~ScenarioBench() = default;
    /// The device with this handle. Throws InfraError if there is none.
    virtual DeviceSession &device(const std::string &handle) = 0;
    virtual CloudClient &cloud() = 0;
    /// Arguments `mqtt.connect` gets for this device unless the scenario sets them: the broker
    /// endpoint, the run-derived client id and, on a TLS bench, `tls` and the credential slots.
    [[nodiscard]] virtual nlohmann::json connect_defaults(const std::string &handle) const = 0;
    /// Built-in variables of this execution (scenarios/README.md §4).
    [[nodiscard]] virtual const std::map<std::string, std::string, std::less<>> &variables() const = 0;
    /// Log files worth pointing a reader at (label -> path).
    [[nodiscard]] virtual std::map<std::string, std::string> logs() const = 0;
};

/// A bench: opens one ScenarioBench per execution and says what it can do.
class Bench {
  public:
    virtual ~Bench() = default;
    /// Capability names (registry) this bench offers, for `requires:`.
    [[nodiscard]] virtual std::set<std::string> capabilities() const = 0;
    /// Creates the resources of one execution: a device per handle, the cloud client. `run` is
    /// its unique run-derived name; logs go under `log_dir`. Throws InfraError.
    /// `misbehaviours` are added to the bench's own for this execution (negative controls);
    /// a bench whose devices cannot misbehave throws InfraError if asked to.
    virtual std::unique_ptr<ScenarioBench> open(const std::string &run, const std::string &log_dir,
                                                const std::vector<DeviceDecl> &devices,
                                                const std::vector<std::string> &misbehaviours) = 0;
};

} // namespace hil

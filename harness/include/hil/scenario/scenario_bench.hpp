#pragma once
// What a running scenario may use, and nothing more: the devices, the cloud client and the
// broker endpoint of one execution. The virtual bench, a real kit or a remote broker all come
// through this interface, so the runner never names a driver.

#include "hil/cloud/cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/device/device_session.hpp"
#include "hil/faults/faults.hpp"
#include "hil/scenario/model.hpp"

#include <filesystem>
#include <map>

#include <memory>
#include <optional>
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
    /// What `fault.*` steps act on. Throws InfraError on a bench without fault control.
    virtual Faults &faults() = 0;
    /// Broker side (`expect.absent: {session: ...}`): one description of each MQTT session the
    /// broker accepted for `client_id` since this execution opened. Waits until `until` for a
    /// first one; the answer is then complete up to the moment of the call (nothing the broker
    /// did before it is still in transit). Throws InfraError on a bench that cannot see its
    /// broker's sessions (the default).
    [[nodiscard]] virtual std::vector<std::string> broker_sessions(const std::string &client_id,
                                                                   Deadline until) {
        (void)client_id;
        (void)until;
        throw InfraError("this bench cannot see the MQTT sessions of its broker");
    }
};

/// What one execution needs from the bench.
struct ExecutionRequest {
    std::string run;                 ///< unique run-derived name (topics, client ids, context)
    std::filesystem::path log_dir;   ///< its console and device logs
    std::vector<DeviceDecl> devices; ///< a device per handle
    /// Added to the bench's own misbehaviours (negative controls); a bench whose devices cannot
    /// misbehave throws InfraError if asked to.
    std::vector<std::string> misbehaviours;
    /// The execution kills or pauses shared parts (the broker): the bench runs it alone.
    bool exclusive = false;
    /// The broker profile it needs (its scenario's `profile:`); "" = the bench's default.
    std::string profile;
};

/// A bench: opens one ScenarioBench per execution and says what it can do.
class Bench {
  public:
    virtual ~Bench() = default;
    /// Capability names (registry) this bench offers, for `requires:` (in its default profile).
    [[nodiscard]] virtual std::set<std::string> capabilities() const = 0;
    /// The broker profile executions get unless their scenario pins one; "" for a bench whose
    /// broker has no profiles.
    [[nodiscard]] virtual std::string default_profile() const { return ""; }
    /// The profile an execution of a scenario pinning `pin` ("" = none) runs on. The default:
    /// the pin, else default_profile(); a bench whose one broker ignores pins says its own.
    [[nodiscard]] virtual std::string profile_for(const std::string &pin) const {
        return pin.empty() ? default_profile() : pin;
    }
    /// What an execution on broker profile `profile` can use, or nullopt if the bench cannot give
    /// an execution that profile. The default: only its default profile.
    [[nodiscard]] virtual std::optional<std::set<std::string>>
    capabilities_for(const std::string &profile) const {
        if (profile.empty() || profile == default_profile()) return capabilities();
        return std::nullopt;
    }
    /// Creates the resources of one execution (devices, cloud client, fault links). Throws
    /// InfraError.
    virtual std::unique_ptr<ScenarioBench> open(const ExecutionRequest &request) = 0;
};

} // namespace hil

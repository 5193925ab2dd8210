#pragma once
// The virtual bench: the run's test PKI, the embedded broker (a plain listener and mutual-TLS
// listeners), and per scenario execution one virtual device per handle — credentials uploaded
// into its RAM slots — plus a Paho cloud client with its own identity. Everything runs on this
// machine, so every pull request can run the whole suite.
//
// Brokers: one per broker profile the run uses. The bench file's (or `--profile`'s) profile
// starts with the bench; a scenario pinning another one (`profile: mosquitto`) gets a second
// broker, started when the first such execution opens and shared by all of them
// (docs/decisions/0009-broker-profiles.md). In aws-twin every execution registers the things of
// its devices (attached to the run's device certificate) before they connect, and removes them
// when it ends.
//
// With profile `aws` or `external` (BenchConfig::remote) the devices and the cloud client go to
// a broker hil does not run, with the bench file's credentials: no PKI, no broker faults, no
// registry; the devices still reach it through their fault proxies (docs/decisions/0012).

#include "hil/bench/bench_config.hpp"
#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/pki/test_pki.hpp"
#include "hil/scenario/scenario_bench.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace hil {

/// The registry labels of the run's certificates in an aws-twin broker.
inline constexpr const char *kDeviceCertificate = "device";
inline constexpr const char *kCloudCertificate = "cloud";
/// The policy of the cloud client's certificate (fixtures/policies/application.json).
inline constexpr const char *kApplicationPolicy = "application";

/// A TLS listener of the embedded broker beside `tls`: its name (`${broker.<name>.port}`) and the
/// broker certificate it presents (a catalogue name; its chain file when it has one).
struct TlsListenerVariant {
    const char *name;
    const char *credential;
};
/// The test listeners, in the order the broker opens them (`rsa` only with RSA credentials).
[[nodiscard]] const std::vector<TlsListenerVariant> &tls_listener_variants();

/// Whether `scenario` needs the RSA credentials: an RSA identity, or the `rsa` listener.
[[nodiscard]] bool needs_rsa_credentials(const Scenario &scenario);

/// The status the aws-twin registry gives a device credential of the PKI: INACTIVE for
/// device_inactive, REVOKED for device_registry_revoked, ACTIVE for the others (a refusal of those
/// must be the TLS layer's, not the registry's).
[[nodiscard]] std::string registry_status(const std::string &credential);

/// The capabilities the embedded broker adds in `profile`: `qos2` in mosquitto; `aws-rules`,
/// and `policies` when clients have certificates (`tls`), in aws-twin.
[[nodiscard]] std::set<std::string> profile_capabilities(BrokerProfile profile, bool tls);

/// Options of an embedded broker for the run's PKI: the plain listener, the mutual-TLS listener
/// `tls` (with the CRL unless `check_crl` is off) and, with `test_listeners`, one per broker
/// certificate variant (tls_listener_variants()); in aws-twin the registry with every device
/// certificate of the PKI (registry_status(), policy `device_policy`, no things yet) and the
/// cloud certificate (`application`). Shared by the virtual bench and `hil broker up`.
[[nodiscard]] EmbeddedBrokerOptions run_broker_options(const BenchConfig &config, BrokerProfile profile,
                                                       const TestPki &pki, const std::filesystem::path &dir,
                                                       bool test_listeners = true);

class VirtualBench final : public Bench {
  public:
    /// Creates the PKI under `run_dir/pki` and starts the embedded broker of the default profile
    /// under `run_dir/broker`. Throws InfraError.
    VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                 std::vector<std::string> misbehaviours = {});
    ~VirtualBench() override;

    [[nodiscard]] std::set<std::string> capabilities() const override;
    [[nodiscard]] std::string default_profile() const override;
    [[nodiscard]] std::string profile_for(const std::string &pin) const override;
    [[nodiscard]] std::optional<std::set<std::string>>
    capabilities_for(const std::string &profile) const override;
    /// Throws InfraError (also when the broker of a pinned profile cannot start).
    std::unique_ptr<ScenarioBench> open(const ExecutionRequest &request) override;

    /// The broker of the default profile.
    [[nodiscard]] const EmbeddedBroker &broker() const;
    /// The run's test PKI. Throws InfraError for a broker hil does not run (aws, external).
    [[nodiscard]] const TestPki &pki() const;

  private:
    /// One broker of the run: started once, shared by the executions on its profile.
    struct BrokerSlot {
        std::mutex start; // the first execution starts it, the others wait
        std::unique_ptr<EmbeddedBroker> broker;
        std::string failed;    // why it could not start ("" if it did, or not tried)
        std::shared_mutex use; // shared by executions; exclusive for broker faults
        /// The cloud connection of the executions on this broker, made at the first of them.
        std::shared_ptr<PahoCloudConnection> cloud;
        std::mutex cloud_start;
    };
    EmbeddedBroker &started(BrokerProfile profile);
    /// BenchConfig::attach: the PKI and the broker of a running `hil broker up`.
    void attach_to(const std::filesystem::path &where);
    /// BenchConfig::remote: no PKI and no broker of our own.
    void use_remote(const RemoteBroker &remote);
    std::unique_ptr<ScenarioBench> open_remote(const ExecutionRequest &request,
                                               const std::vector<std::string> &misbehaviours);
    /// BenchConfig::remote: whether its broker serves an execution pinning `pin` ("" = none).
    [[nodiscard]] bool remote_serves(const std::string &pin) const;
    /// The slot's cloud connection, made from `options()` by the first execution that asks (its
    /// client id derived from `run`), shared by the others.
    std::shared_ptr<PahoCloudConnection> shared_cloud(BrokerSlot &slot, const std::string &run,
                                                      const std::function<PahoCloudOptions()> &options);

    BenchConfig config_;
    EventBus &bus_;
    std::filesystem::path run_dir_;
    std::vector<std::string> misbehaviours_;
    std::optional<TestPki> pki_;
    std::map<BrokerProfile, std::unique_ptr<BrokerSlot>> brokers_; // every profile; started lazily
    bool shadow_ = false;                                          // the twin plugin is there
    std::unique_ptr<BrokerSlot> remote_slot_; // BenchConfig::remote: its executions and cloud connection
    Credential remote_device_;                // BenchConfig::remote: the device identity's files
};

} // namespace hil

#pragma once
// The virtual bench: the run's test PKI, the embedded broker (one per run: a plain listener and
// mutual-TLS listeners), and per scenario execution one virtual device per handle — credentials
// uploaded into its RAM slots — plus a Paho cloud client with its own identity. Everything runs
// on this machine, so every pull request can run the whole suite.

#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/pki/test_pki.hpp"
#include "hil/scenario/scenario_bench.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include <string>
#include <vector>

namespace hil {

/// Settings of a bench file (fixtures/benches/*.yaml), v0 subset.
struct BenchConfig {
    std::string name = "virtual";
    std::string bind_address = "127.0.0.1"; ///< where the embedded broker listens
    std::string host_name = "localhost";    ///< the broker's name in its certificate; TLS clients use it
    bool tls = true;                        ///< devices and the cloud connect over mutual TLS
    bool require_client_certificate = true; ///< false only to prove a scenario catches a lax broker
    bool save_on_every_change = true;       ///< false: Mosquitto's default persistence (loses on kill -9)
    std::filesystem::path vdev;             ///< empty: default_vdev_path()
};

/// Reads a bench file. Throws ConfigError (file:line) for unknown keys or bad values.
[[nodiscard]] BenchConfig load_bench_file(const std::filesystem::path &file);

class VirtualBench final : public Bench {
  public:
    /// Creates the PKI under `run_dir/pki` and starts the embedded broker under
    /// `run_dir/broker`. Throws InfraError.
    VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                 std::vector<std::string> misbehaviours = {});
    ~VirtualBench() override;

    [[nodiscard]] std::set<std::string> capabilities() const override;
    std::unique_ptr<ScenarioBench> open(const ExecutionRequest &request) override;

    [[nodiscard]] const EmbeddedBroker &broker() const { return *broker_; }
    [[nodiscard]] const TestPki &pki() const { return *pki_; }

  private:
    BenchConfig config_;
    EventBus &bus_;
    std::vector<std::string> misbehaviours_;
    std::optional<TestPki> pki_;
    std::unique_ptr<EmbeddedBroker> broker_;
    std::shared_mutex broker_use_; // shared by executions; exclusive for broker faults
    bool shadow_ = false;          // the twin plugin (device shadow service) is loaded
    /// The run's one cloud connection, made at the first execution (its id names the run).
    std::shared_ptr<PahoCloudConnection> cloud_connection_;
    std::mutex cloud_connection_mutex_;
};

} // namespace hil

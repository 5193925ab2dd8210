#pragma once
// The virtual bench: the embedded broker (one per run), and per scenario execution one virtual
// device per handle plus a Paho cloud client. Everything runs on this machine, so every pull
// request can run the whole suite.

#include "hil/broker/embedded_broker.hpp"
#include "hil/scenario/scenario_bench.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hil {

/// Settings of a bench file (fixtures/benches/*.yaml), v0 subset.
struct BenchConfig {
    std::string name = "virtual";
    std::string bind_address = "127.0.0.1"; ///< where the embedded broker listens
    std::filesystem::path vdev;             ///< empty: default_vdev_path()
};

/// Reads a bench file. Throws ConfigError (file:line) for unknown keys or bad values.
[[nodiscard]] BenchConfig load_bench_file(const std::filesystem::path &file);

class VirtualBench final : public Bench {
  public:
    /// Starts the embedded broker under `run_dir/broker`. Throws InfraError.
    VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                 std::vector<std::string> misbehaviours = {});
    ~VirtualBench() override;

    [[nodiscard]] std::set<std::string> capabilities() const override;
    std::unique_ptr<ScenarioBench> open(const std::string &run, const std::string &log_dir,
                                        const std::vector<std::string> &device_handles) override;

    [[nodiscard]] const BrokerEndpoint &broker() const { return broker_->plain(); }

  private:
    BenchConfig config_;
    EventBus &bus_;
    std::vector<std::string> misbehaviours_;
    std::unique_ptr<EmbeddedBroker> broker_;
};

} // namespace hil

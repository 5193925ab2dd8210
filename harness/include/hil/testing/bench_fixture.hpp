#pragma once
// hil for GoogleTest users: a fixture that gives each test a bench — a virtual device (or the
// bench file's devices), the cloud client and the event stream — and helpers that wait for what
// the firmware does, with deadlines. Scenario files can also run as tests (run_scenario_file, and
// the CMake function hil_add_scenario_tests).
//
//   class Lamp : public hil::testing::BenchTest {};
//   TEST_F(Lamp, PublishesWhatItIsTold) {
//       cloud().subscribe("t/#", 1, within(5s));
//       ASSERT_TRUE(device().request("mqtt.connect", connect_args(), within(2s)));
//       expect_device_event("mqtt.connected", {}, 10s);
//   }

#include "hil/bench/virtual_bench.hpp"
#include "hil/cloud/shadow_client.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/scenario/result.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace hil::testing {

/// Where a test's run directory goes: $HIL_TEST_RUN_DIR/<suite>.<test> or a temporary directory.
[[nodiscard]] std::filesystem::path test_run_directory();

class BenchTest : public ::testing::Test {
  protected:
    /// Starts the bench (PKI, broker) and opens one execution with the device `dut` and a
    /// connected cloud client. Bench file: $HIL_BENCH, else the built-in virtual bench.
    void SetUp() override;
    void TearDown() override;

    [[nodiscard]] DeviceSession &device(const std::string &handle = "dut") {
        return execution_->device(handle);
    }
    [[nodiscard]] CloudClient &cloud() { return execution_->cloud(); }
    /// The shadow service as the application sees it (requests answered by clientToken).
    [[nodiscard]] ShadowClient &shadow() {
        if (!shadow_) shadow_.emplace(execution_->cloud(), *bus_, run_);
        return *shadow_;
    }
    /// Link, broker and device faults of this execution (see scenarios/README.md, Faults).
    [[nodiscard]] Faults &faults() { return execution_->faults(); }
    [[nodiscard]] EventBus &bus() { return *bus_; }
    /// Built-in variables of this execution (`run`, `thing`, `client_id`, `broker.url`, ...).
    [[nodiscard]] const std::string &var(const std::string &name) const;
    /// `mqtt.connect` arguments for a device of this bench (endpoint, identity, TLS slots).
    [[nodiscard]] nlohmann::json connect_args(const std::string &handle = "dut") const {
        return execution_->connect_defaults(handle);
    }
    /// A deadline `timeout` from now (scaled by the global timeout scale).
    [[nodiscard]] static Deadline within(Clock::duration timeout) { return Deadline::after(timeout); }

    /// Waits for a device event named `kind` whose payload contains `match` (JSON subset), from
    /// the start of the test. Records a GoogleTest failure with the nearby events on timeout.
    std::optional<Event> expect_device_event(const std::string &kind, const nlohmann::json &match,
                                             Clock::duration timeout, const std::string &handle = "dut");
    /// Waits for a cloud message on `topic_filter` whose JSON payload contains `match`.
    std::optional<Event> expect_cloud_message(const std::string &topic_filter, const nlohmann::json &match,
                                              Clock::duration timeout);

  private:
    std::unique_ptr<EventBus> bus_;
    std::unique_ptr<VirtualBench> bench_;
    std::unique_ptr<ScenarioBench> execution_;
    std::optional<ShadowClient> shadow_;
    std::string run_;
    std::uint64_t start_ = 1;
};

/// Runs one scenario file (every matrix case) on a fresh virtual bench; returns the results.
/// Throws ConfigError for a bad file and InfraError when the bench cannot start.
[[nodiscard]] std::vector<ScenarioResult> run_scenario_file(const std::filesystem::path &file,
                                                            const std::filesystem::path &run_dir);

} // namespace hil::testing

#pragma once
// Executes one validated scenario against a Bench and turns what happened into a verdict.
//
// Expectations are ordered per stream (FileCheck's CHECK): each expect.device looks at that
// device's events after the one its previous expectation matched, each expect.cloud likewise at
// cloud messages, starting at the beginning of the execution. Waits are event-driven with the
// step's deadline; nothing is polled.

#include "hil/core/event_bus.hpp"
#include "hil/scenario/model.hpp"
#include "hil/scenario/result.hpp"
#include "hil/scenario/scenario_bench.hpp"

#include <filesystem>
#include <string>

namespace hil {

class ScenarioRunner {
  public:
    ScenarioRunner(Bench &bench, EventBus &bus) : bench_(bench), bus_(bus) {}

    /// Runs `scenario` as execution `id` (unique in the run) with run-derived name `run`,
    /// writing its logs under `dir`. Never throws: an interruption (the bus was cancelled)
    /// is an ERROR with reason "interrupted", and the caller should stop the run.
    ScenarioResult run(const Scenario &scenario, const std::string &id, const std::string &run,
                       const std::filesystem::path &dir, const std::vector<std::string> &misbehaviours = {});

  private:
    Bench &bench_;
    EventBus &bus_;
};

/// The devices an execution needs: the scenario's `devices:`, or the implicit `dut` when it
/// talks to a device without declaring any.
[[nodiscard]] std::vector<DeviceDecl> device_declarations(const Scenario &scenario);

} // namespace hil

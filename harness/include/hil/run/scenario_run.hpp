#pragma once
// One run of scenarios, as every front end makes it — `hil run`, `hil selftest`, the Python
// module: load a selection, bring up the bench, execute the plan with N workers, and write the
// run directory (events.jsonl, per-execution logs, results.json, junit.xml). Front ends add only
// their own output through RunHooks (the CLI prints; Python hands back objects), so a run looks
// the same on disk whoever started it.

#include "hil/bench/bench_config.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/report/run_report.hpp"
#include "hil/run/exit_codes.hpp"
#include "hil/scenario/model.hpp"
#include "hil/scenario/selection.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hil {

/// The exit code for these verdicts: 3 if any ERROR, else 1 if any FAIL, else 0.
[[nodiscard]] int exit_code_for(const Tally &tally);

/// Every scenario of the files under `paths` (directories searched for *.yaml, includes left
/// out), in a stable order. Throws ConfigError with the problems of every file at once.
[[nodiscard]] std::vector<Scenario> load_scenarios(const std::vector<std::filesystem::path> &paths);

/// One planned execution as `hil list --json` prints it: id, name, file, tags, requires, kills,
/// profile, steps.
[[nodiscard]] nlohmann::json describe_execution(const Scenario &scenario, const PlannedExecution &planned);

/// Checks misbehaviour names against the registry. Throws UsageError with a "did you mean".
void check_misbehaviours(const std::vector<std::string> &names);

/// How a run executes; the bench file's settings are in `bench`.
struct RunSettings {
    BenchConfig bench;
    std::vector<std::string> misbehaviours;       ///< every virtual device starts with these
    int jobs = 1;                                 ///< executions at once (they share the broker)
    bool until_fail = false;                      ///< stop scheduling at the first FAIL or ERROR
    std::optional<std::filesystem::path> out_dir; ///< the run directory; default hil-runs/<run id>
};

/// What a front end sees of a run while it happens. Every member is optional.
struct RunHooks {
    /// The run directory and its event log exist; nothing has started yet.
    std::function<void(const RunReport &)> on_start;
    /// One execution finished (calls are serialised, in completion order).
    std::function<void(const ScenarioResult &)> on_result;
    /// Sees the finished report before it is written, and may add to results.json and change the
    /// exit code (`hil selftest`'s kill matrix). Not called for an interrupted or broken run.
    std::function<void(RunReport &, nlohmann::json &)> judge;
    /// The exit code of a run interrupted by cancelling the bus (the CLI: 128 + the signal).
    std::function<int()> interrupted_exit_code;
};

struct RunOutcome {
    RunReport report;       ///< report.exit_code is the run's exit code
    nlohmann::json results; ///< what results.json holds
};

/// Executes `plan` (executions of `scenarios`) on the bench `settings` describe, writing the
/// run directory. Throws UsageError if the run directory exists and is not empty. Everything
/// else — a bench that cannot start, an interruption (`bus.cancel()`) — is in the outcome, whose
/// files are written in every case: nothing seen is lost.
[[nodiscard]] RunOutcome execute_run(const std::vector<Scenario> &scenarios,
                                     const std::vector<PlannedExecution> &plan, const RunSettings &settings,
                                     EventBus &bus, const RunHooks &hooks = {});

} // namespace hil

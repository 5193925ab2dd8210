#include "run_command.hpp"

#include "selftest_judge.hpp"

#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/files.hpp"
#include "hil/core/signals.hpp"
#include "hil/report/run_report.hpp"
#include "hil/run/exit_codes.hpp"
#include "hil/run/scenario_run.hpp"
#include "hil/scenario/selection.hpp"

#include <cstdio>
#include <functional>
#include <iostream>

namespace hil::cli {

namespace {

/// Rounds `--until-fail` allows when `--repeat` does not say.
constexpr int kUntilFailRounds = 100;

void print_failure(const ScenarioResult &r);

void print_result(const ScenarioResult &result) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2f s", result.duration_ms / 1000.0);
    std::cout << to_string(result.verdict) << "  " << result.id << "  " << result.name << "  (" << duration
              << ")" << (result.verdict == Verdict::skip ? "  [" + result.reason + "]" : "") << std::endl;
    if (result.verdict == Verdict::fail || result.verdict == Verdict::error) print_failure(result);
}

void print_failure(const ScenarioResult &r) {
    std::cout << "  " << r.reason << "\n";
    if (r.failure && !r.failure->nearby.empty()) {
        std::cout << "  nearby:\n";
        for (const auto &item : r.failure->nearby) {
            std::cout << "    "
                      << (item.is_string()
                              ? item.get<std::string>()
                              : item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                      << "\n";
        }
    }
    if (!r.logs.empty()) {
        std::cout << "  logs:\n";
        for (const auto &[label, path] : r.logs) std::cout << "    " << label << ": " << path << "\n";
    }
}

std::vector<Scenario> load_selection(const SelectOptions &options) {
    return load_scenarios(options.paths);
}

std::vector<PlannedExecution> plan_for(const std::vector<Scenario> &scenarios, const SelectOptions &options,
                                       bool until_fail, bool repeat_given = true) {
    SelectionOptions selection = options.selection;
    if (!options.shard.empty()) parse_shard(options.shard, selection);
    if (until_fail && !repeat_given) selection.repeat = kUntilFailRounds;
    auto plan = plan_executions(scenarios, selection);
    if (plan.empty()) throw UsageError("the selection matched no scenario");
    return plan;
}

/// Runs `plan` on the bench and writes the run directory (hil::execute_run), printing each
/// result as it comes. `judge` (optional) sees the finished report before it is written: it may
/// add to results.json and decide the exit code.
int execute_plan(const std::vector<Scenario> &scenarios, const std::vector<PlannedExecution> &plan,
                 const RunOptions &options, EventBus &bus, const SignalWatcher &signals,
                 const std::function<void(RunReport &, nlohmann::json &)> &judge) {
    RunSettings settings;
    settings.bench = options.bench ? load_bench_file(*options.bench) : BenchConfig{};
    if (options.profile) apply_profile_option(*options.profile, settings.bench);
    settings.misbehaviours = options.misbehaviours;
    settings.jobs = options.jobs;
    settings.until_fail = options.until_fail;
    settings.out_dir = options.out_dir;
    if (options.verbose) {
        bus.add_sink([](const Event &e) {
            if (e.kind == "step.started") {
                std::cout << "  [" << e.context << "] step " << e.payload.value("index", 0) << " "
                          << e.payload.value("keyword", "") << " (" << e.payload.value("where", "") << ")"
                          << std::endl;
            }
        });
    }
    RunHooks hooks;
    hooks.on_start = [&](const RunReport &report) {
        std::cout << "hil run " << report.run_id << ": " << plan.size()
                  << " scenario execution(s), run directory " << report.run_dir.string() << std::endl;
    };
    hooks.on_result = print_result;
    hooks.judge = judge;
    hooks.interrupted_exit_code = [&signals] { return 128 + signals.received(); };
    const RunOutcome outcome = execute_run(scenarios, plan, settings, bus, hooks);
    const RunReport &report = outcome.report;
    if (!report.error.empty()) std::cerr << "hil: infrastructure error: " << report.error << std::endl;
    if (options.json)
        write_file_atomically(*options.json,
                              outcome.results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    if (options.junit) write_file_atomically(*options.junit, to_junit_xml(report));

    const Tally t = tally(report.scenarios);
    char summary[256];
    std::snprintf(summary, sizeof summary, "hil: %d passed, %d failed, %d errors, %d skipped in %.2f s%s",
                  t.passed, t.failed, t.errored, t.skipped, report.duration_ms / 1000.0,
                  report.interrupted ? " (interrupted)" : "");
    std::cout << summary << "\nhil: results " << (report.run_dir / "results.json").string() << std::endl;
    return report.exit_code;
}

} // namespace

int run_command(const RunOptions &options) {
    // Signals first: the mask must be in place before any thread exists.
    EventBus bus;
    SignalWatcher signals([&bus](int) { bus.cancel(); });
    set_timeout_scale(options.timeout_scale);
    check_misbehaviours(options.misbehaviours);
    // Load and validate everything before anything starts.
    const auto scenarios = load_selection(options.select);
    const auto plan = plan_for(scenarios, options.select, options.until_fail, options.repeat_given);
    return execute_plan(scenarios, plan, options, bus, signals, nullptr);
}

int selftest_command(const RunOptions &options) {
    EventBus bus;
    SignalWatcher signals([&bus](int) { bus.cancel(); });
    set_timeout_scale(options.timeout_scale);
    const auto scenarios = load_selection(options.select);
    // Each selected scenario once on the good device, then once per misbehaviour it claims to kill.
    std::vector<PlannedExecution> plan;
    for (const auto &good : plan_for(scenarios, options.select, false)) {
        plan.push_back(good);
        for (const auto &m : scenarios[good.scenario].kills) {
            PlannedExecution bad = good;
            bad.id = good.id + "!" + m;
            bad.misbehaviours = {m};
            plan.push_back(bad);
        }
    }
    return execute_plan(scenarios, plan, options, bus, signals, [&](RunReport &report, nlohmann::json &json) {
        const auto matrix = judge_kills(report.scenarios);
        json["selftest"] = matrix.json;
        std::cout << matrix.table;
        report.exit_code = matrix.ok ? kAllPassed : kScenarioFailed;
    });
}

int list_command(const SelectOptions &options, bool json) {
    const auto scenarios = load_selection(options);
    const auto plan = plan_for(scenarios, options, false);
    for (const auto &planned : plan) {
        const Scenario &sc = scenarios[planned.scenario];
        if (json) {
            std::cout << describe_execution(sc, planned).dump() << "\n";
            continue;
        }
        std::string tags;
        for (const auto &t : sc.tags) tags += (tags.empty() ? "" : ",") + t;
        std::string needs;
        for (const auto &r : sc.requires_) needs += (needs.empty() ? "" : ",") + r;
        std::cout << planned.id << "  " << sc.name << "  [tags: " << tags << "]"
                  << (needs.empty() ? "" : "  [requires: " + needs + "]")
                  << (sc.profile.empty() ? "" : "  [profile: " + sc.profile + "]") << "\n";
    }
    std::cout << std::flush;
    return kAllPassed;
}

} // namespace hil::cli

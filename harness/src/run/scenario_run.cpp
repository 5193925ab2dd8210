#include "hil/run/scenario_run.hpp"

#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/core/run_id.hpp"
#include "hil/scenario/loader.hpp"
#include "hil/scenario/names.hpp"
#include "hil/scenario/runner.hpp"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace hil {

namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace

int exit_code_for(const Tally &t) {
    if (t.errored > 0) return kInfraError;
    if (t.failed > 0) return kScenarioFailed;
    return kAllPassed;
}

std::vector<Scenario> load_scenarios(const std::vector<std::filesystem::path> &paths) {
    const auto files = discover_scenario_files(paths);
    std::vector<Scenario> scenarios;
    std::vector<ConfigIssue> issues;
    for (const auto &file : files) {
        try {
            for (auto &sc : load_scenario_file(file)) scenarios.push_back(std::move(sc));
        } catch (const ConfigError &e) {
            issues.insert(issues.end(), e.issues().begin(), e.issues().end());
        }
    }
    if (!issues.empty()) throw ConfigError(issues);
    return scenarios;
}

nlohmann::json describe_execution(const Scenario &sc, const PlannedExecution &planned) {
    return {{"id", planned.id},      {"name", sc.name},          {"file", sc.file},
            {"tags", sc.tags},       {"requires", sc.requires_}, {"kills", sc.kills},
            {"profile", sc.profile}, {"steps", sc.steps.size()}};
}

void check_misbehaviours(const std::vector<std::string> &requested) {
    for (const auto &m : requested) {
        if (!names::contains(names::misbehaviours(), m)) {
            const auto near = names::nearest(names::misbehaviours(), m);
            throw UsageError("unknown misbehaviour '" + m + "'" +
                             (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
        }
    }
}

RunOutcome execute_run(const std::vector<Scenario> &scenarios, const std::vector<PlannedExecution> &plan,
                       const RunSettings &settings, EventBus &bus, const RunHooks &hooks) {
    // RSA keys are the slowest part of a run's setup: made only when a planned scenario uses them.
    BenchConfig bench_config = settings.bench;
    bench_config.rsa_credentials = std::any_of(plan.begin(), plan.end(), [&](const PlannedExecution &p) {
        return needs_rsa_credentials(scenarios[p.scenario]);
    });

    // The run directory and its event log.
    RunOutcome outcome;
    RunReport &report = outcome.report;
    report.run_id = make_run_id();
    report.bench = bench_config.name;
    report.profile =
        bench_config.remote ? bench_config.remote->profile : std::string(to_string(bench_config.profile));
    report.misbehaviours = settings.misbehaviours;
    report.run_dir = settings.out_dir.value_or(std::filesystem::path("hil-runs") / report.run_id);
    if (std::filesystem::exists(report.run_dir) && !std::filesystem::is_empty(report.run_dir)) {
        // Appending to an earlier run's logs would mix two runs; never overwrite one either.
        throw UsageError("run directory " + report.run_dir.string() + " exists and is not empty");
    }
    std::filesystem::create_directories(report.run_dir);
    report.run_dir = std::filesystem::canonical(report.run_dir);
    record_events(bus, report.run_dir / "events.jsonl");
    report.started_at = utc_timestamp();
    const auto t0 = Clock::now();
    bus.publish(Source::harness, "hil", "run.started",
                {{"run_id", report.run_id}, {"executions", plan.size()}, {"pid", getpid()}});
    if (hooks.on_start) hooks.on_start(report);

    // Execute: `jobs` workers take the planned executions in order; each has its own devices,
    // cloud client and run-derived names, and they share the run's broker.
    int infra_exit = 0;
    try {
        VirtualBench bench(bench_config, report.run_dir, bus, settings.misbehaviours);
        ScenarioRunner runner(bench, bus);
        std::vector<std::optional<ScenarioResult>> results(plan.size());
        std::atomic<std::size_t> next{0};
        std::atomic<bool> stop{false};
        std::mutex result_mutex;
        auto worker = [&] {
            for (std::size_t i = next++; i < plan.size() && !stop && !bus.cancelled(); i = next++) {
                const auto &planned = plan[i];
                const std::string run_name = report.run_id + "-" + std::to_string(i + 1);
                auto result = runner.run(scenarios[planned.scenario], planned.id, run_name,
                                         report.run_dir / "scenarios" / planned.id, planned.misbehaviours);
                result.logs["events"] = (report.run_dir / "events.jsonl").string();
                if (settings.until_fail &&
                    (result.verdict == Verdict::fail || result.verdict == Verdict::error)) {
                    stop = true;
                }
                const std::lock_guard lock(result_mutex);
                if (hooks.on_result) hooks.on_result(result);
                results[i] = std::move(result);
            }
        };
        std::vector<std::thread> workers;
        for (int w = 1; w < settings.jobs; ++w) workers.emplace_back(worker);
        worker();
        for (auto &t : workers) t.join();
        for (auto &r : results) {
            if (r) report.scenarios.push_back(std::move(*r));
        }
    } catch (const Cancelled &) {
        // Interrupted while the bench itself was starting.
    } catch (const InfraError &e) {
        report.error = std::string(e.what()) + (e.log_path().empty() ? "" : " (log: " + e.log_path() + ")");
        infra_exit = kInfraError;
    } catch (const std::exception &e) {
        report.error = std::string("internal error: ") + e.what();
        infra_exit = kInfraError;
    }
    report.interrupted = bus.cancelled();

    // Report (also after an interruption: nothing seen is lost).
    report.finished_at = utc_timestamp();
    report.duration_ms = ms_between(t0, Clock::now());
    if (report.interrupted)
        report.exit_code = hooks.interrupted_exit_code ? hooks.interrupted_exit_code() : 128 + 2;
    else if (infra_exit != 0)
        report.exit_code = infra_exit;
    else
        report.exit_code = exit_code_for(tally(report.scenarios));
    outcome.results = to_results_json(report);
    if (hooks.judge && !report.interrupted && infra_exit == 0) {
        hooks.judge(report, outcome.results);
        outcome.results["exit_code"] = report.exit_code;
    }
    bus.publish(Source::harness, "hil", "run.finished", {{"exit_code", report.exit_code}});
    write_file_atomically(report.run_dir / "results.json",
                          outcome.results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    write_file_atomically(report.run_dir / "junit.xml", to_junit_xml(report));
    return outcome;
}

} // namespace hil

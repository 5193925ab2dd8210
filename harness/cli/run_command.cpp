#include "run_command.hpp"

#include "selftest_judge.hpp"

#include "exit_codes.hpp"
#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/files.hpp"
#include "hil/core/run_id.hpp"
#include "hil/core/signals.hpp"
#include "hil/report/run_report.hpp"
#include "hil/scenario/loader.hpp"
#include "hil/scenario/names.hpp"
#include "hil/scenario/runner.hpp"
#include "hil/scenario/selection.hpp"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace hil::cli {

namespace {

/// Rounds `--until-fail` allows when `--repeat` does not say.
constexpr int kUntilFailRounds = 100;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

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
    const auto files = discover_scenario_files(options.paths);
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

std::vector<PlannedExecution> plan_for(const std::vector<Scenario> &scenarios, const SelectOptions &options,
                                       bool until_fail, bool repeat_given = true) {
    SelectionOptions selection = options.selection;
    if (!options.shard.empty()) parse_shard(options.shard, selection);
    if (until_fail && !repeat_given) selection.repeat = kUntilFailRounds;
    auto plan = plan_executions(scenarios, selection);
    if (plan.empty()) throw UsageError("the selection matched no scenario");
    return plan;
}

int exit_code_for(const Tally &t) {
    if (t.errored > 0) return kInfraError;
    if (t.failed > 0) return kScenarioFailed;
    return kAllPassed;
}

/// `--profile P` over the bench file's: an embedded broker's profile, or the remote one the file
/// already describes (aws and external need their endpoint and credentials from a bench file).
void apply_profile_option(const std::string &name, BenchConfig &config) {
    if (config.remote) {
        if (name != config.remote->profile) {
            throw UsageError("--profile " + name + ": the bench file describes a broker with profile " +
                             config.remote->profile + ", which hil does not run");
        }
        return;
    }
    if (name == "aws" || name == "external") {
        throw UsageError(
            "--profile " + name +
            " needs a bench file with the broker's endpoint and credentials (docs/cli.md, Bench files)");
    }
    const auto profile = parse_broker_profile(name);
    if (!profile)
        throw UsageError("unknown broker profile '" + name + "' (known: aws-twin, mosquitto, aws, external)");
    config.profile = *profile;
}

/// Runs `plan` on the bench and writes the run directory. `judge` (optional) sees the finished
/// report before it is written: it may add to results.json and decide the exit code.
int execute_plan(const std::vector<Scenario> &scenarios, const std::vector<PlannedExecution> &plan,
                 const RunOptions &options, EventBus &bus, const SignalWatcher &signals,
                 const std::function<void(RunReport &, nlohmann::json &)> &judge) {
    BenchConfig bench_config = options.bench ? load_bench_file(*options.bench) : BenchConfig{};
    // RSA keys are the slowest part of a run's setup: made only when a planned scenario uses them.
    bench_config.rsa_credentials = std::any_of(plan.begin(), plan.end(), [&](const PlannedExecution &p) {
        return needs_rsa_credentials(scenarios[p.scenario]);
    });
    if (options.profile) apply_profile_option(*options.profile, bench_config);

    // The run directory and its event log.
    RunReport report;
    report.run_id = make_run_id();
    report.bench = bench_config.name;
    report.profile =
        bench_config.remote ? bench_config.remote->profile : std::string(to_string(bench_config.profile));
    report.misbehaviours = options.misbehaviours;
    report.run_dir = options.out_dir.value_or(std::filesystem::path("hil-runs") / report.run_id);
    if (std::filesystem::exists(report.run_dir) && !std::filesystem::is_empty(report.run_dir)) {
        // Appending to an earlier run's logs would mix two runs; never overwrite one either.
        throw UsageError("run directory " + report.run_dir.string() + " exists and is not empty");
    }
    std::filesystem::create_directories(report.run_dir);
    report.run_dir = std::filesystem::canonical(report.run_dir);
    std::ofstream events(report.run_dir / "events.jsonl", std::ios::trunc);
    bus.add_sink([&events, &bus](const Event &e) {
        events << to_jsonl(e, bus.started()) << '\n';
        events.flush(); // a killed hil still leaves every event it saw
    });
    if (options.verbose) {
        bus.add_sink([](const Event &e) {
            if (e.kind == "step.started") {
                std::cout << "  [" << e.context << "] step " << e.payload.value("index", 0) << " "
                          << e.payload.value("keyword", "") << " (" << e.payload.value("where", "") << ")"
                          << std::endl;
            }
        });
    }
    report.started_at = utc_timestamp();
    const auto t0 = Clock::now();
    bus.publish(Source::harness, "hil", "run.started",
                {{"run_id", report.run_id}, {"executions", plan.size()}, {"pid", getpid()}});
    std::cout << "hil run " << report.run_id << ": " << plan.size()
              << " scenario execution(s), run directory " << report.run_dir.string() << std::endl;

    // Execute: `jobs` workers take the planned executions in order; each has its own devices,
    // cloud client and run-derived names, and they share the run's broker.
    int infra_exit = 0;
    try {
        VirtualBench bench(bench_config, report.run_dir, bus, options.misbehaviours);
        ScenarioRunner runner(bench, bus);
        std::vector<std::optional<ScenarioResult>> results(plan.size());
        std::atomic<std::size_t> next{0};
        std::atomic<bool> stop{false};
        std::mutex print_mutex;
        auto worker = [&] {
            for (std::size_t i = next++; i < plan.size() && !stop && !bus.cancelled(); i = next++) {
                const auto &planned = plan[i];
                const std::string run_name = report.run_id + "-" + std::to_string(i + 1);
                auto result = runner.run(scenarios[planned.scenario], planned.id, run_name,
                                         report.run_dir / "scenarios" / planned.id, planned.misbehaviours);
                result.logs["events"] = (report.run_dir / "events.jsonl").string();
                if (options.until_fail &&
                    (result.verdict == Verdict::fail || result.verdict == Verdict::error)) {
                    stop = true;
                }
                const std::lock_guard lock(print_mutex);
                print_result(result);
                results[i] = std::move(result);
            }
        };
        std::vector<std::thread> workers;
        for (int w = 1; w < options.jobs; ++w) workers.emplace_back(worker);
        worker();
        for (auto &t : workers) t.join();
        for (auto &r : results) {
            if (r) report.scenarios.push_back(std::move(*r));
        }
    } catch (const Cancelled &) {
        // Interrupted while the bench itself was starting.
    } catch (const InfraError &e) {
        report.error = std::string(e.what()) + (e.log_path().empty() ? "" : " (log: " + e.log_path() + ")");
        std::cerr << "hil: infrastructure error: " << report.error << std::endl;
        infra_exit = kInfraError;
    } catch (const std::exception &e) {
        report.error = std::string("internal error: ") + e.what();
        std::cerr << "hil: " << report.error << std::endl;
        infra_exit = kInfraError;
    }
    report.interrupted = bus.cancelled();

    // Report (also after an interruption: nothing seen is lost).
    report.finished_at = utc_timestamp();
    report.duration_ms = ms_between(t0, Clock::now());
    const Tally t = tally(report.scenarios);
    if (report.interrupted)
        report.exit_code = 128 + signals.received();
    else if (infra_exit != 0)
        report.exit_code = infra_exit;
    else
        report.exit_code = exit_code_for(t);
    nlohmann::json results_json = to_results_json(report);
    if (judge && !report.interrupted && infra_exit == 0) {
        judge(report, results_json);
        results_json["exit_code"] = report.exit_code;
    }
    bus.publish(Source::harness, "hil", "run.finished", {{"exit_code", report.exit_code}});
    const auto results = results_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    write_file_atomically(report.run_dir / "results.json", results);
    const std::string junit = to_junit_xml(report);
    write_file_atomically(report.run_dir / "junit.xml", junit);
    if (options.json) write_file_atomically(*options.json, results);
    if (options.junit) write_file_atomically(*options.junit, junit);

    char summary[256];
    std::snprintf(summary, sizeof summary, "hil: %d passed, %d failed, %d errors, %d skipped in %.2f s%s",
                  t.passed, t.failed, t.errored, t.skipped, report.duration_ms / 1000.0,
                  report.interrupted ? " (interrupted)" : "");
    std::cout << summary << "\nhil: results " << (report.run_dir / "results.json").string() << std::endl;
    return report.exit_code;
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
            std::cout << nlohmann::json{{"id", planned.id},         {"name", sc.name},
                                        {"file", sc.file},          {"tags", sc.tags},
                                        {"requires", sc.requires_}, {"kills", sc.kills},
                                        {"profile", sc.profile},    {"steps", sc.steps.size()}}
                             .dump()
                      << "\n";
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

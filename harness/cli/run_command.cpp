#include "run_command.hpp"

#include "exit_codes.hpp"
#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/files.hpp"
#include "hil/core/signals.hpp"
#include "hil/report/run_report.hpp"
#include "hil/scenario/loader.hpp"
#include "hil/scenario/names.hpp"
#include "hil/scenario/runner.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include <unistd.h>

namespace hil::cli {

namespace {

std::string new_run_id() {
    static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789"; // no l/1/o/0 confusion
    std::random_device rd;
    std::string id;
    for (int i = 0; i < 6; ++i) id += kAlphabet[rd() % (sizeof kAlphabet - 1)];
    return id;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Unique, readable ids: the file's stem, with "#2", "#3" for repeated stems.
std::vector<std::string> scenario_ids(const std::vector<Scenario> &scenarios) {
    std::map<std::string, int> seen;
    std::vector<std::string> ids;
    for (const auto &sc : scenarios) {
        const std::string stem = std::filesystem::path(sc.file).stem().string();
        const int n = ++seen[stem];
        ids.push_back(n == 1 ? stem : stem + "#" + std::to_string(n));
    }
    return ids;
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

int exit_code_for(const Tally &t) {
    if (t.errored > 0) return kInfraError;
    if (t.failed > 0) return kScenarioFailed;
    return kAllPassed;
}

} // namespace

int run_command(const RunOptions &options) {
    // Signals first: the mask must be in place before any thread exists.
    EventBus bus;
    SignalWatcher signals([&bus](int) { bus.cancel(); });

    set_timeout_scale(options.timeout_scale);
    for (const auto &m : options.misbehaviours) {
        if (!names::contains(names::misbehaviours(), m)) {
            const auto near = names::nearest(names::misbehaviours(), m);
            throw UsageError("unknown misbehaviour '" + m + "'" +
                             (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
        }
    }

    // 1. Load and validate everything before anything starts.
    const auto files = discover_scenario_files(options.paths);
    std::vector<Scenario> scenarios;
    std::vector<ConfigIssue> issues;
    for (const auto &file : files) {
        try {
            scenarios.push_back(load_scenario_file(file));
        } catch (const ConfigError &e) {
            issues.insert(issues.end(), e.issues().begin(), e.issues().end());
        }
    }
    if (!issues.empty()) throw ConfigError(issues);
    if (scenarios.empty()) throw UsageError("the selection matched no scenario");
    const BenchConfig bench_config = options.bench ? load_bench_file(*options.bench) : BenchConfig{};

    // 2. The run directory and its event log.
    RunReport report;
    report.run_id = new_run_id();
    report.bench = bench_config.name;
    report.profile = "mosquitto";
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
                {{"run_id", report.run_id}, {"scenarios", scenarios.size()}, {"pid", getpid()}});
    std::cout << "hil run " << report.run_id << ": " << scenarios.size() << " scenario(s), run directory "
              << report.run_dir.string() << std::endl;

    // 3. Execute.
    int infra_exit = 0;
    try {
        VirtualBench bench(bench_config, report.run_dir, bus, options.misbehaviours);
        ScenarioRunner runner(bench, bus);
        const auto ids = scenario_ids(scenarios);
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
            const std::string run_name = report.run_id + "-" + std::to_string(i + 1);
            auto result = runner.run(scenarios[i], ids[i], run_name, report.run_dir / "scenarios" / ids[i]);
            result.logs["events"] = (report.run_dir / "events.jsonl").string();
            char duration[32];
            std::snprintf(duration, sizeof duration, "%.2f s", result.duration_ms / 1000.0);
            std::cout << to_string(result.verdict) << "  " << ids[i] << "  " << result.name << "  ("
                      << duration << ")"
                      << (result.verdict == Verdict::skip ? "  [" + result.reason + "]" : "") << std::endl;
            if (result.verdict == Verdict::fail || result.verdict == Verdict::error) print_failure(result);
            report.scenarios.push_back(std::move(result));
            if (bus.cancelled()) break;
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

    // 4. Report (also after an interruption: nothing seen is lost).
    report.finished_at = utc_timestamp();
    report.duration_ms = ms_between(t0, Clock::now());
    const Tally t = tally(report.scenarios);
    if (report.interrupted)
        report.exit_code = 128 + signals.received();
    else if (infra_exit != 0)
        report.exit_code = infra_exit;
    else
        report.exit_code = exit_code_for(t);
    bus.publish(Source::harness, "hil", "run.finished", {{"exit_code", report.exit_code}});
    const auto results =
        to_results_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
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

} // namespace hil::cli

// scenario.overhead: what one scenario execution costs beyond its own steps on the virtual bench
// (virtual device start, credentials, cloud client, teardown), against starting a bare virtual
// device and asking it one question — measured in the same run.
// suite.parallel: wall time of the smoke suite at -j 2 against -j 1 (the `hil` command itself).
#include "bench_support.hpp"
#include "benchmark.hpp"

#include "hil/bench/virtual_bench.hpp"
#include "hil/core/process.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/scenario/loader.hpp"
#include "hil/scenario/runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

namespace hil::bench {

namespace {
std::filesystem::path self_dir() {
    return std::filesystem::read_symlink("/proc/self/exe").parent_path();
}
} // namespace

Benchmark scenario_overhead_benchmark() {
    return {
        "scenario.overhead", "per-execution cost of a one-step scenario on the virtual bench (ms, median)",
        [](bool quick) {
            const int rounds = quick ? 3 : 15;
            const auto dir = scratch_dir("overhead");
            const auto scenario =
                load_scenario_text("name: one step\nsteps:\n  - device: sys.info\n", "bench.yaml").at(0);
            EventBus bus;
            Measurement m;
            m.unit = "ms";
            m.reference_name = "bare virtual device start + sys.info";
            m.higher_is_better = false;
            std::vector<double> executions;
            std::vector<double> bare;
            {
                VirtualBench bench(BenchConfig{}, dir, bus);
                ScenarioRunner runner(bench, bus);
                for (int i = 0; i < rounds; ++i) {
                    // Interleaved, so both see the same machine.
                    const auto t0 = Clock::now();
                    const auto result =
                        runner.run(scenario, "s" + std::to_string(i), "bench-" + std::to_string(i),
                                   dir / ("s" + std::to_string(i)));
                    if (result.verdict == Verdict::pass) executions.push_back(ms_since(t0));
                    const auto t1 = Clock::now();
                    VirtualDeviceOptions opts;
                    opts.log_dir = dir / ("bare" + std::to_string(i));
                    opts.context = "bare-" + std::to_string(i);
                    VirtualDevice device(opts, bus);
                    if (device.session().request("sys.info", {}, Deadline::after(std::chrono::seconds(2)))) {
                        bare.push_back(ms_since(t1));
                    }
                }
            }
            std::filesystem::remove_all(dir);
            if (executions.empty() || bare.empty()) return m;
            m.value = median(executions);
            m.reference = median(bare);
            m.extras = {{"target_ms", 150}, {"rounds", rounds}};
            return m;
        }};
}

Benchmark suite_parallel_benchmark() {
    return {"suite.parallel",
            "wall time of `hil run scenarios/smoke` at -j 2 against -j 1 (s; ratio target <= 0.8)",
            [](bool quick) {
                const std::string repeat = quick ? "2" : "6";
                const auto hil_exe = self_dir() / "hil";
                const auto suite = std::filesystem::path(HIL_SOURCE_DIR) / "scenarios" / "smoke";
                auto wall = [&](const std::string &jobs) {
                    const auto out = scratch_dir("suite-j" + jobs);
                    std::filesystem::remove_all(out);
                    ProcessSpec spec;
                    spec.name = "hil";
                    spec.argv = {hil_exe.string(), "run",  suite.string(), "-j",        jobs,
                                 "--repeat",       repeat, "--out",        out.string()};
                    spec.log_path = out.string() + ".log";
                    const auto t0 = Clock::now();
                    auto proc = ManagedProcess::start(spec, nullptr);
                    const auto status = proc->wait_exit(Deadline::after(std::chrono::minutes(5)));
                    const double seconds = ms_since(t0) / 1000.0;
                    return (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) ? seconds : 0.0;
                };
                Measurement m;
                m.unit = "s";
                m.reference_name = "same suite at -j 1";
                m.higher_is_better = false;
                m.reference = wall("1");
                m.value = wall("2");
                m.extras = {{"target_ratio", 0.8}, {"repeat", std::stoi(repeat)}};
                return m;
            }};
}

} // namespace hil::bench

// hil-bench: the single benchmark runner.
//   hil-bench --list            names and descriptions
//   hil-bench NAME [--json]     run one (JSON: name, value, unit, reference, ratio, ...)
//   hil-bench --all [--json]    run all (JSON: one object per line)
#include "benchmark.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace hil::bench {
std::vector<Benchmark> all_benchmarks() {
    return {framing_benchmark(),          match_latency_benchmark(),     scenario_overhead_benchmark(),
            suite_parallel_benchmark(),   console_roundtrip_benchmark(), ledger_benchmark(),
            shadow_roundtrip_benchmark(), plugin_overhead_benchmark()};
}
} // namespace hil::bench

int main(int argc, char **argv) {
    using namespace hil::bench;
    CLI::App app{
        "hil-bench: hil's benchmarks, each reported as a ratio against a reference measured in the same run"};
    bool list = false;
    bool all = false;
    bool json = false;
    bool quick = false;
    std::string name;
    app.add_flag("--list", list, "List the benchmarks");
    app.add_flag("--all", all, "Run every benchmark");
    app.add_flag("--json", json, "Print one JSON object per benchmark");
    app.add_flag("--quick", quick, "Small inputs (a smoke test, not a measurement)");
    app.add_option("name", name, "Benchmark to run");
    CLI11_PARSE(app, argc, argv);

    const auto benchmarks = all_benchmarks();
    if (list) {
        for (const auto &b : benchmarks) std::cout << b.name << "\t" << b.description << "\n";
        return 0;
    }
    std::vector<const Benchmark *> selected;
    for (const auto &b : benchmarks) {
        if (all || b.name == name) selected.push_back(&b);
    }
    if (selected.empty()) {
        std::cerr << "hil-bench: "
                  << (name.empty() ? "name a benchmark or use --all" : "no benchmark '" + name + "'")
                  << " (see --list)\n";
        return 2;
    }
    int status = 0;
    for (const auto *b : selected) {
        const Measurement m = b->run(quick);
        if (!m.failure.empty()) {
            std::cerr << "hil-bench: " << b->name << " FAILED: " << m.failure << "\n";
            status = 1;
        }
        if (json) {
            std::cout << nlohmann::json{{"name", b->name},
                                        {"value", m.value},
                                        {"unit", m.unit},
                                        {"reference", m.reference},
                                        {"reference_name", m.reference_name},
                                        {"ratio", m.ratio()},
                                        {"higher_is_better", m.higher_is_better},
                                        {"quick", quick},
                                        {"extras", m.extras},
                                        {"failure", m.failure}}
                             .dump()
                      << "\n";
        } else {
            std::cout << b->name << ": " << m.value << " " << m.unit << " vs " << m.reference_name << " "
                      << m.reference << " " << m.unit << " -> ratio " << m.ratio() << "\n";
        }
    }
    return status;
}

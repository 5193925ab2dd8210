#pragma once
// A hil benchmark measures one thing and, in the same run, a reference on the same input, so the
// ratio between them survives a noisy machine (absolute numbers do not).

#include <nlohmann/json.hpp>

#include <functional>

#include <string>
#include <vector>

namespace hil::bench {

struct Measurement {
    double value = 0;     ///< the measured quantity
    double reference = 0; ///< the reference, measured in the same run
    std::string unit;     ///< of value and reference
    std::string reference_name;
    bool higher_is_better = true;
    nlohmann::json extras = nlohmann::json::object(); ///< more numbers (percentiles, counts, targets)
    [[nodiscard]] double ratio() const { return reference > 0 ? value / reference : 0; }
};

struct Benchmark {
    std::string name;
    std::string description;
    std::function<Measurement(bool quick)> run;
};

/// Every benchmark of the runner (explicit registration, no static-initialisation order games).
std::vector<Benchmark> all_benchmarks();

// Registration functions, one per benchmark file.
Benchmark framing_benchmark();
Benchmark match_latency_benchmark();
Benchmark scenario_overhead_benchmark();
Benchmark suite_parallel_benchmark();

} // namespace hil::bench

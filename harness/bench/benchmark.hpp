#pragma once
// A hil benchmark measures one thing and, in the same run, a reference on the same input, so the
// ratio between them survives a noisy machine (absolute numbers do not).

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
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
    /// Non-empty: the measurement is invalid (e.g. messages were lost); hil-bench exits 1.
    std::string failure;
    [[nodiscard]] double ratio() const { return reference > 0 ? value / reference : 0; }
};

struct Benchmark {
    std::string name;
    std::string description;
    std::function<Measurement(bool quick)> run;
};

/// The p-quantile (0..1) of samples, nearest rank below; the samples must not be empty.
inline double percentile(std::vector<double> samples, double p) {
    std::sort(samples.begin(), samples.end());
    return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))];
}

inline double median(std::vector<double> samples) {
    return percentile(std::move(samples), 0.5);
}

inline double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

inline double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// Every benchmark of the runner (explicit registration, no static-initialisation order games).
std::vector<Benchmark> all_benchmarks();

// Registration functions, one per benchmark file.
Benchmark framing_benchmark();
Benchmark match_latency_benchmark();
Benchmark scenario_overhead_benchmark();
Benchmark suite_parallel_benchmark();
Benchmark console_roundtrip_benchmark();
Benchmark ledger_benchmark();
Benchmark shadow_roundtrip_benchmark();
Benchmark plugin_overhead_benchmark();

} // namespace hil::bench

#pragma once
// The outcome of one `hil run`, and its two machine-readable forms: results.json (schema in
// docs/results-format.md, `schema_version` below) and JUnit XML for CI systems.

#include "hil/scenario/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace hil {

/// Version of the results.json format. Additive changes keep it; anything else bumps it.
inline constexpr int kResultsSchemaVersion = 1;

struct RunReport {
    std::string run_id;
    std::string started_at; ///< RFC 3339 UTC
    std::string finished_at;
    double duration_ms = 0;
    std::string bench;                      ///< bench name
    std::string profile;                    ///< broker profile
    std::vector<std::string> misbehaviours; ///< virtual device started with these (negative controls)
    std::filesystem::path run_dir;
    bool interrupted = false;
    std::string error; ///< why the run could not execute (bench did not start, ...); "" if none
    int exit_code = 0;
    std::vector<ScenarioResult> scenarios;
};

/// Counts per verdict.
struct Tally {
    int passed = 0, failed = 0, errored = 0, skipped = 0;
    [[nodiscard]] int total() const { return passed + failed + errored + skipped; }
};
[[nodiscard]] Tally tally(const std::vector<ScenarioResult> &results);

[[nodiscard]] nlohmann::json to_results_json(const RunReport &report);
[[nodiscard]] std::string to_junit_xml(const RunReport &report);

} // namespace hil

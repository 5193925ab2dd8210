#pragma once
// `hil run` and `hil list`: load and validate every selected scenario, then list them or bring up
// the bench, execute, report.

#include "hil/scenario/selection.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hil::cli {

struct SelectOptions {
    std::vector<std::filesystem::path> paths;
    SelectionOptions selection;
    std::string shard; ///< "K/N" as given
};

struct RunOptions {
    SelectOptions select;
    std::optional<std::filesystem::path> out_dir; ///< run directory (default hil-runs/<run-id>)
    std::optional<std::filesystem::path> junit;   ///< extra JUnit XML copy
    std::optional<std::filesystem::path> json;    ///< extra results.json copy
    std::optional<std::filesystem::path> bench;   ///< bench file (default: built-in virtual bench)
    std::optional<std::string> profile;           ///< broker profile, instead of the bench file's
    std::vector<std::string> misbehaviours;       ///< start virtual devices with these
    double timeout_scale = 1.0;
    int jobs = 1;              ///< scenario executions at once
    bool until_fail = false;   ///< stop scheduling at the first FAIL or ERROR
    bool repeat_given = false; ///< --repeat was on the command line (else --until-fail allows 100 rounds)
    bool verbose = false;
};

/// Runs `hil run`; returns the process exit code (hil/run/exit_codes.hpp).
int run_command(const RunOptions &options);

/// Runs `hil selftest`: every selected scenario on the good virtual device (must PASS) and on each
/// misbehaviour it declares in `kills:` (must FAIL at an expectation step). Prints the kill
/// matrix, records it in results.json (`selftest`), exits 1 if a misbehaviour survives or a
/// scenario fails on the good device.
int selftest_command(const RunOptions &options);

/// Runs `hil list`; prints the selected executions (JSON lines with `json`).
int list_command(const SelectOptions &options, bool json);

} // namespace hil::cli

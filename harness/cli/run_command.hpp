#pragma once
// `hil run`: load and validate every selected scenario, bring up the bench, execute, report.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hil::cli {

struct RunOptions {
    std::vector<std::filesystem::path> paths;
    std::optional<std::filesystem::path> out_dir; ///< run directory (default hil-runs/<run-id>)
    std::optional<std::filesystem::path> junit;   ///< extra JUnit XML copy
    std::optional<std::filesystem::path> json;    ///< extra results.json copy
    std::optional<std::filesystem::path> bench;   ///< bench file (default: built-in virtual bench)
    std::vector<std::string> misbehaviours;       ///< start virtual devices with these
    double timeout_scale = 1.0;
    bool verbose = false;
};

/// Runs the command; returns the process exit code (exit_codes.hpp).
int run_command(const RunOptions &options);

} // namespace hil::cli

#pragma once
// Scenario files (schema v0, scenarios/README.md) -> validated model. Validation happens before
// anything starts and reports every problem of a file at once, each with file:line:column.

#include "hil/core/error.hpp"
#include "hil/scenario/model.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hil {

/// Version of the scenario schema this loader implements.
inline constexpr int kScenarioSchemaVersion = 0;

/// Parses and validates one scenario file: one Scenario, or one per case of its `matrix`.
/// Throws ConfigError with all of its problems.
[[nodiscard]] std::vector<Scenario> load_scenario_file(const std::filesystem::path &file);

/// Same, from text (`file` names it in messages). For tests and tools.
[[nodiscard]] std::vector<Scenario> load_scenario_text(const std::string &text, const std::string &file);

/// Expands the command line's paths: files as given, directories recursively (`*.yaml`, `*.yml`,
/// sorted). Throws UsageError for a path that does not exist.
[[nodiscard]] std::vector<std::filesystem::path>
discover_scenario_files(const std::vector<std::filesystem::path> &paths);

} // namespace hil

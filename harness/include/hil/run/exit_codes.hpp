#pragma once
// Exit codes of a run and of `hil` (docs/results-format.md). Scripts and CI depend on them:
// never renumber.

namespace hil {

enum ExitCode : int {
    kAllPassed = 0,      ///< every executed scenario passed (skips allowed)
    kScenarioFailed = 1, ///< at least one FAIL (and no infrastructure ERROR)
    kUsageError = 2,     ///< bad command line, scenario/bench file error, or nothing selected
    kInfraError = 3,     ///< the bench broke: broker, device or client could not run
    // 128 + signal number when interrupted (130 for SIGINT, 143 for SIGTERM).
};

} // namespace hil

#pragma once
// Verdicts. A failed expectation is a FAIL with context (what was expected, what was seen nearby,
// where the logs are), never an exception. Broken infrastructure during a scenario is ERROR; a
// scenario whose requirements the bench lacks is SKIP with the reason.

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hil {

enum class Verdict { pass, fail, error, skip };
[[nodiscard]] const char *to_string(Verdict verdict); ///< "PASS", "FAIL", "ERROR", "SKIP"

struct StepResult {
    int index = 0;       ///< 1-based position in the scenario
    std::string keyword; ///< "expect.cloud"
    std::string target;  ///< the step's main argument after substitution
    int line = 0;
    Verdict verdict = Verdict::pass;
    double duration_ms = 0;
    /// expect.*: time from the matching event's arrival to the step seeing it, when the event
    /// arrived while the step was waiting (the engine's reaction time).
    std::optional<double> latency_ms;
    std::string message;    ///< FAIL/ERROR: one-paragraph explanation
    nlohmann::json details; ///< step-specific facts (expect.delivery: the ledger summary)
};

/// The context of a FAIL, for people and for reports.
struct Failure {
    int step = 0;
    std::string where;                               ///< file:line of the step
    std::string expected;                            ///< the expectation in words
    std::string observed;                            ///< what came instead, in words
    nlohmann::json nearby = nlohmann::json::array(); ///< closest candidates / recent events
};

struct ScenarioResult {
    std::string id; ///< unique in the run: "<file stem>" or "<file stem>#<n>"
    std::string name;
    std::string file;
    std::string run; ///< the execution's run-derived name (topics, client ids)
    std::vector<std::string> tags;
    std::vector<std::string> misbehaviours; ///< the device ran with these (negative control)
    std::string profile; ///< the broker profile it ran on (or would have: SKIP); "" if the bench has none
    Verdict verdict = Verdict::pass;
    std::string reason; ///< SKIP/ERROR/FAIL summary line
    double duration_ms = 0;
    std::vector<StepResult> steps;
    std::optional<Failure> failure;
    std::map<std::string, std::string>
        logs; ///< label -> path: broker, events, console-<handle>, vdev-<handle>
};

} // namespace hil

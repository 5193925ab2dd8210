#pragma once
// Judging a selftest run: did every scenario pass on the good device, and did every misbehaviour
// it declares make it FAIL at an expectation step? (An ERROR, a crash or a skip is not a kill:
// only a wrong answer caught by an expectation proves the scenario can see the fault.)

#include "hil/scenario/result.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace hil::cli {

struct KillMatrix {
    bool ok = true;      ///< every good run passed and every misbehaviour was killed
    nlohmann::json json; ///< {"<scenario id>": {"good": "PASS", "kills": {"<m>": "killed"|...}}}
    std::string table;   ///< for people
};

/// Builds the matrix from results whose ids are "<id>" (good) and "<id>!<misbehaviour>".
[[nodiscard]] KillMatrix judge_kills(const std::vector<ScenarioResult> &results);

} // namespace hil::cli

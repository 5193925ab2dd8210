#include "selftest_judge.hpp"

#include <map>
#include <sstream>

namespace hil::cli {

namespace {
/// Steps whose FAIL is a verdict on the behaviour under test: expectations, groups of them, and
/// the shadow service's answer to an application request (`expect:` of cloud.shadow.*).
bool is_expectation(const std::string &keyword) {
    return keyword.rfind("expect.", 0) == 0 || keyword == "set" || keyword == "sequence" ||
           keyword.rfind("cloud.shadow.", 0) == 0;
}

std::string kill_outcome(const ScenarioResult &r) {
    if (r.verdict == Verdict::pass) return "survived";
    if (r.verdict != Verdict::fail) return std::string("not a kill (") + to_string(r.verdict) + ")";
    const bool at_expectation =
        r.failure && r.failure->step >= 1 && static_cast<std::size_t>(r.failure->step) <= r.steps.size() &&
        is_expectation(r.steps[static_cast<std::size_t>(r.failure->step) - 1].keyword);
    return at_expectation ? "killed" : "not a kill (failed outside an expectation)";
}
} // namespace

KillMatrix judge_kills(const std::vector<ScenarioResult> &results) {
    KillMatrix m;
    m.json = nlohmann::json::object();
    std::map<std::string, const ScenarioResult *> good;
    for (const auto &r : results) {
        const auto bang = r.id.find('!');
        if (bang == std::string::npos) {
            good[r.id] = &r;
            m.json[r.id]["good"] = to_string(r.verdict);
            m.json[r.id]["kills"] = nlohmann::json::object();
            if (r.verdict != Verdict::pass) m.ok = false;
        } else {
            const std::string outcome = kill_outcome(r);
            m.json[r.id.substr(0, bang)]["kills"][r.id.substr(bang + 1)] = outcome;
            if (outcome != "killed") m.ok = false;
        }
    }
    std::ostringstream table;
    table << "\nkill matrix (scenario: good run; misbehaviour -> outcome)\n";
    for (const auto &[id, entry] : m.json.items()) {
        table << "  " << id << ": " << entry.value("good", "?") << "\n";
        for (const auto &[misbehaviour, outcome] : entry["kills"].items()) {
            table << "      " << misbehaviour << " -> " << outcome.get<std::string>() << "\n";
        }
        if (entry["kills"].empty()) table << "      (declares no misbehaviour)\n";
    }
    table << (m.ok ? "selftest: every declared misbehaviour is caught\n"
                   : "selftest: FAILED (a misbehaviour survived or a scenario fails on the good device)\n");
    m.table = table.str();
    return m;
}

} // namespace hil::cli

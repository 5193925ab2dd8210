#include "hil/report/run_report.hpp"

#include <cstdio>

namespace hil {

Tally tally(const std::vector<ScenarioResult> &results) {
    Tally t;
    for (const auto &r : results) {
        switch (r.verdict) {
        case Verdict::pass: ++t.passed; break;
        case Verdict::fail: ++t.failed; break;
        case Verdict::error: ++t.errored; break;
        case Verdict::skip: ++t.skipped; break;
        }
    }
    return t;
}

namespace {
nlohmann::json step_json(const StepResult &s) {
    nlohmann::json j = {{"index", s.index},
                        {"keyword", s.keyword},
                        {"target", s.target},
                        {"line", s.line},
                        {"verdict", to_string(s.verdict)},
                        {"duration_ms", s.duration_ms}};
    if (s.latency_ms) j["latency_ms"] = *s.latency_ms;
    if (!s.message.empty()) j["message"] = s.message;
    if (!s.details.is_null()) j["details"] = s.details;
    return j;
}

nlohmann::json scenario_json(const ScenarioResult &r) {
    nlohmann::json j = {{"id", r.id},
                        {"name", r.name},
                        {"file", r.file},
                        {"run", r.run},
                        {"misbehaviours", r.misbehaviours},
                        {"profile", r.profile},
                        {"tags", r.tags},
                        {"verdict", to_string(r.verdict)},
                        {"reason", r.reason},
                        {"duration_ms", r.duration_ms},
                        {"logs", r.logs}};
    j["steps"] = nlohmann::json::array();
    for (const auto &s : r.steps) j["steps"].push_back(step_json(s));
    if (r.failure) {
        j["failure"] = {{"step", r.failure->step},
                        {"where", r.failure->where},
                        {"expected", r.failure->expected},
                        {"observed", r.failure->observed},
                        {"nearby", r.failure->nearby}};
    }
    return j;
}

std::string xml_escape(const std::string &text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default:
            // XML 1.0 forbids most control characters even when escaped.
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
                out += ' ';
            else
                out += c;
        }
    }
    return out;
}
} // namespace

nlohmann::json to_results_json(const RunReport &report) {
    const Tally t = tally(report.scenarios);
    nlohmann::json j = {{"schema_version", kResultsSchemaVersion},
                        {"tool", {{"name", "hil"}, {"version", HIL_VERSION}}},
                        {"run_id", report.run_id},
                        {"started_at", report.started_at},
                        {"finished_at", report.finished_at},
                        {"duration_ms", report.duration_ms},
                        {"bench", report.bench},
                        {"profile", report.profile},
                        {"misbehaviours", report.misbehaviours},
                        {"run_dir", report.run_dir.string()},
                        {"interrupted", report.interrupted},
                        {"error", report.error},
                        {"exit_code", report.exit_code},
                        {"summary",
                         {{"total", t.total()},
                          {"passed", t.passed},
                          {"failed", t.failed},
                          {"errored", t.errored},
                          {"skipped", t.skipped}}}};
    j["scenarios"] = nlohmann::json::array();
    for (const auto &r : report.scenarios) j["scenarios"].push_back(scenario_json(r));
    return j;
}

std::string to_junit_xml(const RunReport &report) {
    const Tally t = tally(report.scenarios);
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    char head[256];
    std::snprintf(
        head, sizeof head,
        "<testsuites name=\"hil\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
        t.total(), t.failed, t.errored, t.skipped, report.duration_ms / 1000.0);
    xml += head;
    xml += "  <testsuite name=\"hil." + xml_escape(report.bench) + "\" tests=\"" + std::to_string(t.total()) +
           "\" failures=\"" + std::to_string(t.failed) + "\" errors=\"" + std::to_string(t.errored) +
           "\" skipped=\"" + std::to_string(t.skipped) + "\" timestamp=\"" + xml_escape(report.started_at) +
           "\">\n";
    for (const auto &r : report.scenarios) {
        char time[32];
        std::snprintf(time, sizeof time, "%.3f", r.duration_ms / 1000.0);
        xml += "    <testcase classname=\"" + xml_escape(r.file) + "\" name=\"" + xml_escape(r.name) +
               "\" time=\"" + time + "\">\n";
        const std::string reason = xml_escape(r.reason);
        if (r.verdict == Verdict::fail) {
            xml += "      <failure message=\"" + reason + "\">" + reason + "</failure>\n";
        } else if (r.verdict == Verdict::error) {
            xml += "      <error message=\"" + reason + "\">" + reason + "</error>\n";
        } else if (r.verdict == Verdict::skip) {
            xml += "      <skipped message=\"" + reason + "\"/>\n";
        }
        std::string logs;
        for (const auto &[label, path] : r.logs) logs += label + ": " + path + "\n";
        if (!logs.empty()) xml += "      <system-out>" + xml_escape(logs) + "</system-out>\n";
        xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n</testsuites>\n";
    return xml;
}

} // namespace hil

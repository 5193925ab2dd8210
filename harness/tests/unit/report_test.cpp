#include "hil/core/clock.hpp"
#include "hil/report/run_report.hpp"

#include <gtest/gtest.h>

namespace hil {
namespace {

TEST(Duration, ParsesUnits) {
    EXPECT_EQ(parse_duration("250ms"), Millis(250));
    EXPECT_EQ(parse_duration("5s"), Millis(5000));
    EXPECT_EQ(parse_duration("1.5s"), Millis(1500));
    EXPECT_EQ(parse_duration("2m"), Millis(120000));
    EXPECT_EQ(parse_duration("3"), Millis(3000));
    EXPECT_THROW((void)parse_duration("5 parsecs"), std::invalid_argument);
    EXPECT_THROW((void)parse_duration("-1s"), std::invalid_argument);
    EXPECT_THROW((void)parse_duration(""), std::invalid_argument);
}

RunReport sample() {
    RunReport r;
    r.run_id = "k3f9q2";
    r.bench = "virtual";
    r.exit_code = 1;
    ScenarioResult pass;
    pass.id = "ok";
    pass.name = "passes";
    pass.file = "scenarios/smoke/ok.yaml";
    ScenarioResult fail;
    fail.id = "bad";
    fail.name = "fails <badly> & \"loudly\"";
    fail.verdict = Verdict::fail;
    fail.reason = "step 2: expected x; observed y";
    fail.failure = Failure{2, "bad.yaml:7", "x", "y", nlohmann::json::array()};
    fail.logs = {{"console-dut", "/tmp/c.log"}};
    ScenarioResult skip;
    skip.id = "skip";
    skip.verdict = Verdict::skip;
    skip.reason = "the bench lacks capability 'shadow'";
    r.scenarios = {pass, fail, skip};
    return r;
}

TEST(ResultsJson, HasSchemaVersionSummaryAndFailureContext) {
    const auto j = to_results_json(sample());
    EXPECT_EQ(j["schema_version"], kResultsSchemaVersion);
    EXPECT_EQ(j["summary"]["total"], 3);
    EXPECT_EQ(j["summary"]["passed"], 1);
    EXPECT_EQ(j["summary"]["failed"], 1);
    EXPECT_EQ(j["summary"]["skipped"], 1);
    EXPECT_EQ(j["scenarios"][1]["verdict"], "FAIL");
    EXPECT_EQ(j["scenarios"][1]["failure"]["where"], "bad.yaml:7");
    EXPECT_EQ(j["scenarios"][1]["logs"]["console-dut"], "/tmp/c.log");
    EXPECT_FALSE(j["scenarios"][0].contains("failure"));
}

TEST(JunitXml, CountsAndEscapes) {
    const auto xml = to_junit_xml(sample());
    EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("fails &lt;badly&gt; &amp; &quot;loudly&quot;"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<skipped message=\"the bench lacks capability 'shadow'\"/>"), std::string::npos);
    EXPECT_NE(xml.find("console-dut: /tmp/c.log"), std::string::npos);
}

} // namespace
} // namespace hil

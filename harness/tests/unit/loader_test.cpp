#include "hil/scenario/loader.hpp"

#include <gtest/gtest.h>

namespace hil {
namespace {

std::vector<ConfigIssue> issues_of(const std::string &text) {
    try {
        (void)load_scenario_text(text, "t.yaml");
    } catch (const ConfigError &e) {
        return e.issues();
    }
    return {};
}

bool has_issue(const std::vector<ConfigIssue> &issues, int line, const std::string &fragment) {
    for (const auto &i : issues) {
        if (i.line == line && i.message.find(fragment) != std::string::npos) return true;
    }
    return false;
}

std::string all(const std::vector<ConfigIssue> &issues) {
    std::string s;
    for (const auto &i : issues) s += i.to_string() + "\n";
    return s;
}

TEST(Loader, LoadsBothStepForms) {
    const auto sc = load_scenario_text(R"(name: demo
tags: [smoke, mqtt]
requires: [mqtt, qos1]
kills: [drop-publish]
steps:
  - device: mqtt.connect
  - expect.device: mqtt.connected
    within: 10s
  - cloud.subscribe: "hil/${run}/up"
    qos: 1
  - device: mqtt.publish
    args: {topic: "hil/${run}/up", payload: hello, qos: 1}
  - expect.cloud: {topic: "hil/${run}/up", payload: hello, within: 2s}
  - expect.device: {event: mqtt.message, match: {payload: hi}}
)",
                                       "t.yaml");
    EXPECT_EQ(sc.name, "demo");
    EXPECT_EQ(sc.tags, (std::vector<std::string>{"smoke", "mqtt"}));
    EXPECT_EQ(sc.kills, (std::vector<std::string>{"drop-publish"}));
    ASSERT_EQ(sc.steps.size(), 6u);
    EXPECT_EQ(sc.steps[0].kind, StepKind::device);
    EXPECT_EQ(sc.steps[0].target, "mqtt.connect");
    EXPECT_EQ(sc.steps[0].pos.line, 6);
    EXPECT_EQ(sc.steps[1].within, Millis(10000));
    EXPECT_EQ(sc.steps[2].qos, 1);
    EXPECT_EQ(sc.steps[3].args.at("qos"), 1); // plain scalars are typed
    EXPECT_EQ(sc.steps[3].args.at("payload"), "hello");
    EXPECT_EQ(sc.steps[4].kind, StepKind::expect_cloud);
    EXPECT_EQ(sc.steps[4].payload, "hello");
    EXPECT_EQ(sc.steps[4].within, Millis(2000));
    EXPECT_EQ(sc.steps[5].match->at("payload"), "hi");
    EXPECT_EQ(sc.steps[5].within, Millis(5000)); // default
}

TEST(Loader, ReportsEveryProblemOfAFileAtOnceWithPositions) {
    const auto issues = issues_of(R"(name: broken
colour: red
requires: [shadoww]
steps:
  - expect.clod: a/b
  - device: mqtt.connect
    wihtin: 5s
  - expect.cloud: "x/${rn}"
    qos: 3
  - cloud.publish: a/+
)");
    EXPECT_TRUE(has_issue(issues, 2, "unknown key 'colour'")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 3, "unknown capability 'shadoww' (did you mean 'shadow'?)")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 5, "unknown step 'expect.clod' (did you mean 'expect.cloud'?)"))
        << all(issues);
    EXPECT_TRUE(has_issue(issues, 7, "unknown option 'wihtin' for device (did you mean 'within'?)"))
        << all(issues);
    EXPECT_TRUE(has_issue(issues, 8, "undefined variable ${rn} (did you mean ${run}?)")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 9, "qos: expected 0, 1 or 2")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 10, "cannot contain '+' or '#'")) << all(issues);
    EXPECT_EQ(issues.size(), 7u) << all(issues);
    EXPECT_EQ(issues[0].column, 1);
}

TEST(Loader, YamlSyntaxErrorsHaveALine) {
    const auto issues = issues_of("name: x\nsteps:\n  - device: [unclosed\n");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_GE(issues[0].line, 3);
    EXPECT_NE(issues[0].message.find("YAML syntax error"), std::string::npos);
    EXPECT_NE(issues[0].to_string().find("t.yaml:"), std::string::npos);
}

TEST(Loader, RequiresNameAndSteps) {
    const auto issues = issues_of("description: nothing\n");
    EXPECT_TRUE(has_issue(issues, 1, "missing 'name'")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 1, "missing 'steps'")) << all(issues);
}

TEST(Loader, ReservedSchemaKeysAreNamedAsNotYetImplemented) {
    const auto issues = issues_of("name: m\nmatrix: {qos: [0, 1]}\nsteps:\n  - device: sys.info\n");
    EXPECT_TRUE(has_issue(issues, 2, "not implemented")) << all(issues);
}

TEST(Loader, DeviceExpectMustBeOkErrOrAClass) {
    const auto issues =
        issues_of("name: e\nsteps:\n  - device: mqtt.connect\n    expect: tls.server_untrustd\n");
    EXPECT_TRUE(has_issue(issues, 3, "did you mean 'tls.server_untrusted'")) << all(issues);
    const auto sc =
        load_scenario_text("name: e\nsteps:\n  - device: x.y\n    expect: proto.unknown_command\n", "t.yaml");
    EXPECT_EQ(sc.steps[0].expect_answer, "proto.unknown_command");
}

TEST(Loader, AnExplicitZeroWithinIsKept) {
    const auto sc =
        load_scenario_text("name: z\nsteps:\n  - expect.device: mqtt.connected\n    within: 0s\n", "t.yaml");
    EXPECT_EQ(sc.steps[0].within, Millis(0));
}

TEST(Loader, ReservedMatcherOperatorsAreRefusedNotTakenLiterally) {
    const auto issues = issues_of(R"(name: r
steps:
  - expect.device: mqtt.message
    match: {payload: {$regex: "^seq="}, topic: absent}
  - expect.device: mqtt.message
    match: {topic: "absent"}
)");
    EXPECT_TRUE(has_issue(issues, 4, "operator '$regex' is reserved")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "'absent' is reserved")) << all(issues);
    EXPECT_EQ(issues.size(), 2u) << all(issues); // the quoted "absent" is just text
}

TEST(Loader, OnlyDecimalNumbersAreTyped) {
    const auto sc = load_scenario_text(
        "name: n\nsteps:\n  - device: x\n    args: {a: 0x1A, b: -inf, c: 12, d: 1.5, e: '7', f: 1e3}\n",
        "t.yaml");
    const auto &args = sc.steps[0].args;
    EXPECT_EQ(args.at("a"), "0x1A");
    EXPECT_EQ(args.at("b"), "-inf");
    EXPECT_EQ(args.at("c"), 12);
    EXPECT_EQ(args.at("d"), 1.5);
    EXPECT_EQ(args.at("e"), "7");
    EXPECT_EQ(args.at("f"), "1e3");
}

} // namespace
} // namespace hil

#include "hil/scenario/loader.hpp"
#include "hil/scenario/runner.hpp"

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
                                       "t.yaml")
                        .at(0);
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

TEST(Loader, TlsGateGoesUpstreamAndRefusesTheOtherDirections) {
    const auto scenarios = load_scenario_text(R"(name: gate
steps:
  - fault.link.add: tls_gate
    attributes: {server_name: localhost, alpn: x-amzn-mqtt-ca}
)",
                                              "t.yaml");
    EXPECT_EQ(scenarios.at(0).steps.at(0).direction, "upstream");
    const auto issues = issues_of(R"(name: gate
steps:
  - fault.link.add: tls_gate
    direction: both
  - fault.link.add: tls_gate
    attributes: {sni: localhost}
)");
    EXPECT_TRUE(has_issue(issues, 4, "tls_gate reads what the client sends: expected upstream"))
        << all(issues);
    EXPECT_TRUE(has_issue(issues, 5, "tls_gate has no attribute 'sni'")) << all(issues);
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
    const auto issues = issues_of("name: m\nxfail: true\nsteps:\n  - device: sys.info\n");
    EXPECT_TRUE(has_issue(issues, 2, "not implemented")) << all(issues);
}

TEST(Loader, ProfilePinsABrokerProfileOfTheSchema) {
    const auto sc =
        load_scenario_text("name: m\nprofile: mosquitto\nsteps:\n  - device: sys.info\n", "t.yaml").at(0);
    EXPECT_EQ(sc.profile, "mosquitto");
    EXPECT_EQ(load_scenario_text("name: m\nsteps:\n  - device: sys.info\n", "t.yaml").at(0).profile, "");
    const auto issues = issues_of("name: m\nprofile: mosquito\nsteps:\n  - device: sys.info\n");
    EXPECT_TRUE(has_issue(issues, 2, "unknown broker profile 'mosquito' (did you mean 'mosquitto'?)"))
        << all(issues);
    EXPECT_TRUE(has_issue(issues_of("name: m\nprofile: [aws]\nsteps:\n  - device: sys.info\n"), 2,
                          "profile: expected a string"));
}

TEST(Loader, DeviceExpectMustBeOkErrOrAClass) {
    const auto issues =
        issues_of("name: e\nsteps:\n  - device: mqtt.connect\n    expect: tls.server_untrustd\n");
    EXPECT_TRUE(has_issue(issues, 3, "did you mean 'tls.server_untrusted'")) << all(issues);
    const auto sc =
        load_scenario_text("name: e\nsteps:\n  - device: x.y\n    expect: proto.unknown_command\n", "t.yaml")
            .at(0);
    EXPECT_EQ(sc.steps[0].expect_answer, "proto.unknown_command");
}

TEST(Loader, AnExplicitZeroWithinIsKept) {
    const auto sc =
        load_scenario_text("name: z\nsteps:\n  - expect.device: mqtt.connected\n    within: 0s\n", "t.yaml")
            .at(0);
    EXPECT_EQ(sc.steps[0].within, Millis(0));
}

TEST(Loader, MatcherOperatorsAndAbsentLoadWithTheirMeaning) {
    const auto sc = load_scenario_text(R"(name: r
steps:
  - expect.device: mqtt.message
    match: {payload: {$regex: "^seq="}, topic: absent, qos: {$ge: 1, $le: 2}}
  - expect.device: mqtt.message
    match: {topic: "absent"}
)",
                                       "t.yaml")
                        .at(0);
    EXPECT_EQ(sc.steps[0].match->at("payload"), (nlohmann::json{{"$regex", "^seq="}}));
    EXPECT_EQ(sc.steps[0].match->at("topic"), (nlohmann::json{{"$absent", true}}));
    EXPECT_EQ(sc.steps[1].match->at("topic"), "absent"); // quoted: the text
}

TEST(Loader, BadOperatorsRegexesAndCapturesAreReported) {
    const auto issues = issues_of(R"(name: r
steps:
  - expect.device: mqtt.message
    match: {qos: {$gtt: 1}, payload: {$regex: "(unclosed"}, seq: {$lt: many}}
    capture: {Bad-Name: seq, run: seq}
  - expect.serial: "[oops"
  - expect.absent: {topic: a/b}
  - expect.absent: {topic: a/b, event: mqtt.message, for: 1s}
)");
    EXPECT_TRUE(has_issue(issues, 4, "unknown operator '$gtt' (did you mean '$gt'?)")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "$regex is not a regular expression")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "$lt needs a number")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 5, "'Bad-Name' cannot be a variable name")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 5, "'run' cannot be a variable name")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 6, "not a regular expression")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 7, "needs 'for'")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 8, "give only one of 'topic', 'event', 'session'")) << all(issues);
}

TEST(Loader, MatcherShapesThatCouldNeverHoldAreRefused) {
    const auto issues = issues_of(R"(name: r
devices: {peer: {}}
steps:
  - expect.device: mqtt.message
    as: peer
    match: {qos: {$ne: 3, a: 1}}
  - expect.device: mqtt.message
    as: peer
    match: absent
  - device: sys.info
)");
    EXPECT_TRUE(has_issue(issues, 6, "either operators")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 9, "'absent' only works as the value of a key")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 10, "no device 'dut'")) << all(issues);
}

TEST(Loader, CapturedNamesAreVariablesOnlyAfterTheCapture) {
    const auto issues = issues_of(R"(name: c
steps:
  - device: mqtt.publish
    args: {topic: "t/${mid}"}
  - expect.device: mqtt.published
    capture: {mid: mid}
  - expect.device: mqtt.published
    match: {mid: "${mid}"}
)");
    ASSERT_EQ(issues.size(), 1u) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "undefined variable ${mid}")) << all(issues);
}

TEST(Loader, AbsentAndSerialSteps) {
    const auto sc = load_scenario_text(R"(name: a
steps:
  - expect.absent: {event: mqtt.disconnected, as: dut, for: 2s}
  - expect.absent: {topic: "hil/${run}/#", match: {seq: 3}, for: 500ms}
  - expect.serial: "RSSI (-?[0-9]+) dBm"
    capture: {rssi: "groups[0]"}
    within: 3s
)",
                                       "t.yaml")
                        .at(0);
    EXPECT_EQ(sc.steps[0].kind, StepKind::expect_absent);
    EXPECT_TRUE(sc.steps[0].absent_on_device);
    EXPECT_EQ(sc.steps[0].within, Millis(2000));
    EXPECT_FALSE(sc.steps[1].absent_on_device);
    EXPECT_EQ(sc.steps[1].target, "hil/${run}/#");
    EXPECT_EQ(sc.steps[2].kind, StepKind::expect_serial);
    EXPECT_EQ(sc.steps[2].captures.at("rssi"), "groups[0]");
}

TEST(Loader, OnlyDecimalNumbersAreTyped) {
    const auto sc =
        load_scenario_text(
            "name: n\nsteps:\n  - device: x\n    args: {a: 0x1A, b: -inf, c: 12, d: 1.5, e: '7', f: 1e3}\n",
            "t.yaml")
            .at(0);
    const auto &args = sc.steps[0].args;
    EXPECT_EQ(args.at("a"), "0x1A");
    EXPECT_EQ(args.at("b"), "-inf");
    EXPECT_EQ(args.at("c"), 12);
    EXPECT_EQ(args.at("d"), 1.5);
    EXPECT_EQ(args.at("e"), "7");
    EXPECT_EQ(args.at("f"), "1e3");
}

TEST(Loader, MatrixExpandsIntoTypedNamedCases) {
    const auto cases = load_scenario_text(R"(name: qos round trip
matrix:
  qos: [0, 1, 2]
  retain: [false, true]
steps:
  - cloud.subscribe: "hil/${run}/q${qos}"
    qos: ${qos}
  - device: mqtt.publish
    args: {topic: "hil/${run}/q${qos}", payload: "$${qos} is ${qos}", qos: "${qos}", retain: "${retain}"}
)",
                                          "t.yaml");
    ASSERT_EQ(cases.size(), 6u);
    EXPECT_EQ(cases[0].case_label, "qos=0,retain=false");
    EXPECT_EQ(cases[5].case_label, "qos=2,retain=true");
    EXPECT_EQ(cases[3].name, "qos round trip [qos=1,retain=true]");
    EXPECT_EQ(cases[3].steps[0].target, "hil/${run}/q1"); // run-time variables stay for later
    EXPECT_EQ(cases[3].steps[0].qos, 1);
    EXPECT_EQ(cases[3].steps[1].args.at("qos"), 1);
    EXPECT_EQ(cases[3].steps[1].args.at("retain"), true);
    EXPECT_EQ(cases[3].steps[1].args.at("payload"), "$${qos} is 1"); // the escape survives
}

TEST(Loader, MatrixProblemsAreReportedOnceWithPositions) {
    const auto issues = issues_of(R"(name: m
matrix:
  qos: [0, 1]
  run: [a]
steps:
  - device: mqtt.publish
    args: {qos: "${qos}", topic: "${nope}"}
)");
    EXPECT_TRUE(has_issue(issues, 4, "'run' cannot name an axis")) << all(issues);
    const auto per_case =
        issues_of("name: m\nmatrix: {qos: [0, 1]}\nsteps:\n  - device: x\n    args: {t: \"${nope}\"}\n");
    EXPECT_EQ(per_case.size(), 1u) << all(per_case);
    EXPECT_TRUE(has_issue(per_case, 5, "undefined variable ${nope}")) << all(per_case);
}

TEST(Loader, IdentityNamesADeviceCredentialOfThePki) {
    const auto sc = load_scenario_text(R"(name: i
matrix: {id: [device_expired, device_rsa]}
devices:
  dut: {identity: "${id}"}
  peer: {}
steps:
  - device: mqtt.connect
)",
                                       "t.yaml");
    ASSERT_EQ(sc.size(), 2u);
    EXPECT_EQ(sc[0].devices.at(0).identity, "device_expired");
    EXPECT_EQ(sc[1].devices.at(0).identity, "device_rsa");
    EXPECT_EQ(sc[0].devices.at(1).identity, ""); // the bench's `device`
}

TEST(Loader, AnUnknownIdentityIsRefusedWithTheNearestName) {
    const auto issues = issues_of(R"(name: i
devices:
  dut: {identity: device_expird}
  peer: {identity: broker_expired}
  other: {identity: [device]}
  last: {identity: "${thing}"}
steps:
  - device: mqtt.connect
)");
    EXPECT_TRUE(has_issue(issues, 3,
                          "identity: 'device_expird' is not a device credential of the test PKI "
                          "(did you mean 'device_expired'?)"))
        << all(issues);
    EXPECT_TRUE(has_issue(issues, 3, "known: device, device_ecdsa")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "'broker_expired' is not a device credential"))
        << all(issues); // a server's
    EXPECT_TRUE(has_issue(issues, 5, "expected the name of a device credential")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 6, "is not a device credential")) << all(issues); // no run-time names
}

TEST(Loader, AbsentSessionIsTheBrokersSideAndTakesOnlyFor) {
    const auto sc = load_scenario_text(R"(name: s
steps:
  - expect.absent: {session: "${client_id}", for: 0s}
)",
                                       "t.yaml")
                        .at(0);
    ASSERT_EQ(sc.steps.size(), 1u);
    EXPECT_TRUE(sc.steps[0].absent_session);
    EXPECT_FALSE(sc.steps[0].absent_on_device);
    EXPECT_EQ(sc.steps[0].target, "${client_id}");
    EXPECT_EQ(sc.steps[0].within.count(), 0);
    EXPECT_TRUE(device_declarations(sc).empty()); // it talks to the broker, not to a device

    const auto issues = issues_of(R"(name: s
steps:
  - expect.absent: {session: x, match: {a: 1}, for: 1s}
  - expect.absent: {session: x}
  - expect.absent: {session: x, event: mqtt.connected, for: 1s}
)");
    EXPECT_TRUE(has_issue(issues, 3, "with 'session': only 'for' applies")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 4, "needs 'for'")) << all(issues);
    EXPECT_TRUE(has_issue(issues, 5, "give only one of")) << all(issues);
}

TEST(Loader, AQuotedMatrixValueStaysAString) {
    const auto sc = load_scenario_text(R"(name: q
matrix: {tls: ["1.2"], n: [1.5], qos: [1]}
steps:
  - device: mqtt.connect
    args:
      tls_version: "${tls}"
      plain: ${tls}
      n: "${n}"
      qos: "${qos}"
      text: "v${tls}"
)",
                                       "t.yaml")
                        .at(0);
    const auto &args = sc.steps.at(0).args;
    EXPECT_EQ(args.at("tls_version"), "1.2");
    EXPECT_EQ(args.at("plain"), "1.2");
    EXPECT_EQ(args.at("n"), 1.5);
    EXPECT_EQ(args.at("qos"), 1);
    EXPECT_EQ(args.at("text"), "v1.2");
}

TEST(Loader, RecordsTheBuiltInVariablesAFileUses) {
    const auto sc = load_scenario_text(R"(name: b
steps:
  - device: mqtt.connect
    args: {port: "${broker.rsa.port}"}
  - expect.absent: {session: "${client_id}", for: 0s}
)",
                                       "t.yaml")
                        .at(0);
    EXPECT_EQ(sc.builtins, (std::set<std::string>{"broker.rsa.port", "client_id"}));
}

} // namespace
} // namespace hil

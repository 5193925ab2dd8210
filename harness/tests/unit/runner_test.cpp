// The runner against fakes: every step kind and matcher, passing and failing, with the context a
// failure reports. (End-to-end proof is in tests/system with the real parts.)
#include "../fakes/fake_bench.hpp"

#include "hil/scenario/loader.hpp"
#include "hil/scenario/runner.hpp"

#include <gtest/gtest.h>

#include <mutex>

namespace hil {
namespace {

using fakes::FakeBench;
using fakes::FakeScenarioBench;
using nlohmann::json;

struct Recorded {
    std::mutex mutex;
    std::vector<std::pair<std::string, json>> requests;
};

/// A scripted device: answers ok, and for some commands also prints events.
fakes::Responder lamp(Recorded &rec) {
    return [&rec](std::uint64_t id, const std::string &command, const json &args) {
        {
            const std::lock_guard lock(rec.mutex);
            rec.requests.emplace_back(command, args);
        }
        const std::string answer = "@" + std::to_string(id);
        if (command == "mqtt.connect")
            return std::vector<std::string>{answer + " ok", R"(!mqtt.connected {"session_present":false})"};
        if (command == "mqtt.publish") {
            return std::vector<std::string>{answer + R"( ok {"mid":7})",
                                            R"(!mqtt.published {"mid":7,"seq":1})"};
        }
        if (command == "silent") return std::vector<std::string>{};
        if (command == "refuse")
            return std::vector<std::string>{answer + R"( err {"class":"proto.bad_args","detail":"qos"})"};
        if (command == "garbled") return std::vector<std::string>{answer + R"( ok {"mid":)"};
        return std::vector<std::string>{answer + " ok"};
    };
}

class RunnerTest : public ::testing::Test {
  protected:
    ScenarioResult run(const std::string &yaml, std::set<std::string> caps = {"mqtt", "qos1"}) {
        bench_ = std::make_unique<FakeBench>(bus_, lamp(rec_), std::move(caps));
        bench_->on_open = on_open_;
        ScenarioRunner runner(*bench_, bus_);
        const auto scenario = load_scenario_text(yaml, "t.yaml").at(0);
        return runner.run(scenario, "t", "r" + std::to_string(++n_), "/tmp/hil-runner-test");
    }
    EventBus bus_;
    Recorded rec_;
    std::unique_ptr<FakeBench> bench_;
    std::function<void(FakeScenarioBench &)> on_open_;
    int n_ = 0;
};

TEST_F(RunnerTest, DeviceStepsAndEventExpectationsPass) {
    const auto r = run(R"(name: ok
steps:
  - device: mqtt.connect
  - expect.device: mqtt.connected
    match: {session_present: false}
  - device: mqtt.publish
    args: {topic: "t/${run}", payload: x, qos: 1}
  - expect.device: mqtt.published
    match: {mid: {$ge: 1}, seq: 1}
    capture: {mid: mid}
  - device: echo
    args: {mid: "${mid}"}
)");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
    ASSERT_EQ(rec_.requests.size(), 3u);
    EXPECT_EQ(rec_.requests[1].second.at("topic"), "t/r1");
    EXPECT_EQ(rec_.requests[2].second.at("mid"), 7); // a whole-reference capture keeps its type
    EXPECT_TRUE(r.steps[1].latency_ms.has_value() || r.steps[1].duration_ms < 50);
}

TEST_F(RunnerTest, ConnectGetsBenchDefaultsAndNullRemovesOne) {
    const auto r = run(R"(name: connect
steps:
  - device: mqtt.connect
    args: {cert_slot: null, keepalive: 5}
)");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
    const json &args = rec_.requests.at(0).second;
    EXPECT_EQ(args.at("host"), "broker.test");
    EXPECT_EQ(args.at("client_id"), "client-dut");
    EXPECT_EQ(args.at("keepalive"), 5);
    EXPECT_FALSE(args.contains("cert_slot"));
}

TEST_F(RunnerTest, AMissingAnswerFailsNamingTheRule) {
    const auto r = run("name: s\nsteps:\n  - device: silent\n    within: 100ms\n");
    ASSERT_EQ(r.verdict, Verdict::fail);
    EXPECT_NE(r.failure->observed.find("no answer"), std::string::npos);
    EXPECT_EQ(r.failure->where, "t.yaml:3:5");
}

TEST_F(RunnerTest, ExpectedAndUnexpectedRefusals) {
    EXPECT_EQ(run("name: a\nsteps:\n  - device: refuse\n    expect: proto.bad_args\n").verdict,
              Verdict::pass);
    EXPECT_EQ(run("name: b\nsteps:\n  - device: refuse\n    expect: err\n").verdict, Verdict::pass);
    const auto wrong_class = run("name: c\nsteps:\n  - device: refuse\n    expect: mqtt.refused\n");
    EXPECT_EQ(wrong_class.verdict, Verdict::fail);
    EXPECT_NE(wrong_class.failure->observed.find("proto.bad_args"), std::string::npos);
    const auto refused = run("name: d\nsteps:\n  - device: refuse\n");
    EXPECT_EQ(refused.verdict, Verdict::fail);
    EXPECT_NE(refused.failure->observed.find("err proto.bad_args: qos"), std::string::npos);
    const auto accepted = run("name: e\nsteps:\n  - device: echo\n    expect: err\n");
    EXPECT_EQ(accepted.verdict, Verdict::fail);
}

TEST_F(RunnerTest, AnswerBodiesMatchAndCapture) {
    // mqtt.publish answers {"mid":7}: the mid is captured, then compared at run time.
    const auto r = run(R"(name: a
steps:
  - device: mqtt.publish
    match: {mid: {$ge: 1}}
    capture: {m: mid}
  - device: echo
    args: {seen: "${m}"}
  - expect.device: mqtt.published
    match: {mid: {$le: "${m}"}}
)");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
    EXPECT_EQ(rec_.requests.at(1).second.at("seen"), 7);
    const auto wrong = run("name: b\nsteps:\n  - device: mqtt.publish\n    match: {mid: 8}\n");
    ASSERT_EQ(wrong.verdict, Verdict::fail);
    EXPECT_NE(wrong.failure->observed.find("{\"mid\":7}"), std::string::npos) << wrong.failure->observed;
    // An expected refusal's body ({class, detail}) can be matched too.
    EXPECT_EQ(run("name: c\nsteps:\n  - device: refuse\n    expect: err\n    match: {detail: qos}\n").verdict,
              Verdict::pass);
}

TEST_F(RunnerTest, AMismatchedEventShowsWhy) {
    const auto r = run(R"(name: m
steps:
  - device: mqtt.connect
  - expect.device: mqtt.connected
    match: {session_present: true}
    within: 100ms
)");
    ASSERT_EQ(r.verdict, Verdict::fail);
    EXPECT_EQ(r.failure->nearby.at(0).at("why"), "at .session_present: expected true, got false");
}

TEST_F(RunnerTest, ExpectationsAreOrderedPerStream) {
    // One mqtt.connected event cannot satisfy two expectations.
    const auto r = run(R"(name: o
steps:
  - device: mqtt.connect
  - expect.device: mqtt.connected
  - expect.device: mqtt.connected
    within: 100ms
)");
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_EQ(r.failure->step, 3);
}

TEST_F(RunnerTest, CloudStepsAndMessageExpectations) {
    const auto r = run(R"(name: c
steps:
  - cloud.subscribe: "t/${run}/#"
  - cloud.publish: "t/${run}/a"
    payload: '{"color":"red","n":3}'
    qos: 1
  - expect.cloud: "t/${run}/+"
    match: {color: red, n: {$lt: 4}, gone: absent}
    qos: 1
    capture: {topic: topic, color: payload.color}
  - cloud.publish: "${topic}/${color}"
    payload: again
  - expect.cloud: "t/${run}/a/red"
    payload: again
)");
    EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
}

TEST_F(RunnerTest, AMissingCloudMessageListsWhatArrived) {
    const auto r = run(R"(name: c
steps:
  - cloud.subscribe: "t/#"
  - cloud.publish: "t/telemetry"
    payload: x
  - expect.cloud: "t/status"
    within: 100ms
)");
    ASSERT_EQ(r.verdict, Verdict::fail);
    EXPECT_NE(r.failure->observed.find("arrived, on: t/telemetry"), std::string::npos) << r.failure->observed;
    EXPECT_EQ(r.failure->nearby.at(0).at("why"), "differs in topic t/telemetry");
}

TEST_F(RunnerTest, AbsenceHoldsAndIsBroken) {
    EXPECT_EQ(run("name: a\nsteps:\n  - expect.absent: {topic: t/x, for: 50ms}\n").verdict, Verdict::pass);
    const auto r = run(R"(name: b
steps:
  - cloud.subscribe: "t/#"
  - cloud.publish: t/x
  - expect.absent: {topic: "t/#", for: 1s}
)");
    ASSERT_EQ(r.verdict, Verdict::fail);
    EXPECT_LT(r.steps.back().duration_ms, 900); // fails when it arrives, not at the end
    on_open_ = [](FakeScenarioBench &b) {
        b.console("dut").emit(R"(!mqtt.disconnected {"reason":"net.closed"})");
    };
    EXPECT_EQ(run("name: c\nsteps:\n  - expect.absent: {event: mqtt.disconnected, for: 200ms}\n").verdict,
              Verdict::fail);
}

TEST_F(RunnerTest, SerialLinesWithCaptures) {
    on_open_ = [](FakeScenarioBench &b) { b.console("dut").emit("wifi: RSSI -48 dBm on channel 6"); };
    const auto r = run(R"yaml(name: s
steps:
  - expect.serial: "RSSI (-?[0-9]+) dBm on channel ([0-9]+)"
    capture: {rssi: "groups[0]", channel: "groups[1]"}
  - device: echo
    args: {rssi: "${rssi}", channel: "ch${channel}"}
)yaml");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
    EXPECT_EQ(rec_.requests.at(0).second.at("rssi"), -48);
    EXPECT_EQ(rec_.requests.at(0).second.at("channel"), "ch6");
    const auto missing = run("name: t\nsteps:\n  - expect.serial: \"^never$\"\n    within: 100ms\n");
    EXPECT_EQ(missing.verdict, Verdict::fail);
}

TEST_F(RunnerTest, ACaptureOfNothingFails) {
    const auto r = run(R"(name: c
steps:
  - device: mqtt.connect
  - expect.device: mqtt.connected
    capture: {x: no.such.path}
)");
    ASSERT_EQ(r.verdict, Verdict::fail);
    EXPECT_NE(r.failure->expected.find("no.such.path"), std::string::npos);
}

TEST_F(RunnerTest, MissingCapabilitiesSkipWithTheReason) {
    const auto r = run("name: s\nrequires: [shadow]\nsteps:\n  - device: echo\n");
    EXPECT_EQ(r.verdict, Verdict::skip);
    EXPECT_EQ(r.reason, "the bench lacks capability 'shadow'");
    EXPECT_TRUE(rec_.requests.empty());
}

TEST_F(RunnerTest, APinnedProfileGetsItsOwnCapabilitiesAndIsRecorded) {
    bench_ = std::make_unique<FakeBench>(bus_, lamp(rec_));
    bench_->set_profiles("aws-twin",
                         {{"aws-twin", {"mqtt", "qos1", "policies"}}, {"mosquitto", {"mqtt", "qos2"}}});
    ScenarioRunner runner(*bench_, bus_);
    const auto load = [](const std::string &yaml) { return load_scenario_text(yaml, "t.yaml").at(0); };
    const auto r =
        runner.run(load("name: p\nrequires: [qos2]\nprofile: mosquitto\nsteps:\n  - device: echo\n"), "p",
                   "r1", "/tmp/hil-runner-test");
    EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
    EXPECT_EQ(r.profile, "mosquitto");
    const auto skipped = runner.run(load("name: u\nrequires: [qos2]\nsteps:\n  - device: echo\n"), "u", "r2",
                                    "/tmp/hil-runner-test");
    EXPECT_EQ(skipped.verdict, Verdict::skip);
    EXPECT_EQ(skipped.reason, "the bench lacks capability 'qos2' (broker profile aws-twin)");
    EXPECT_EQ(skipped.profile, "aws-twin");
    const auto cannot = runner.run(load("name: a\nprofile: aws\nsteps:\n  - device: echo\n"), "a", "r3",
                                   "/tmp/hil-runner-test");
    EXPECT_EQ(cannot.verdict, Verdict::skip);
    EXPECT_EQ(cannot.reason, "the bench cannot give it the broker profile 'aws' it pins");
    EXPECT_EQ(bench_->opened_profiles, std::vector<std::string>{"mosquitto"}); // skips open nothing
}

TEST_F(RunnerTest, AnUnreadableAnswerIsAnErrorNotAVerdict) {
    // A malformed answer never arrives as an answer: the step sees no answer and fails; a device
    // handle the bench lacks is an infrastructure ERROR.
    EXPECT_EQ(run("name: g\nsteps:\n  - device: garbled\n    within: 100ms\n").verdict, Verdict::fail);
    const auto r = run("name: h\ndevices: {dut: {}, peer: {}}\nsteps:\n  - device: echo\n    as: peer\n");
    EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
}

TEST_F(RunnerTest, StepsStopAtTheFirstFailure) {
    const auto r = run("name: f\nsteps:\n  - device: refuse\n  - device: echo\n");
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_EQ(r.steps.size(), 1u);
    EXPECT_EQ(rec_.requests.size(), 1u);
}

} // namespace
} // namespace hil

namespace hil {
namespace {

/// A toy shadow service on the fake cloud: enough of A.4–A.8 to drive the cloud.shadow.* and
/// expect.shadow steps (the real rules are tested against the twin library).
void install_toy_shadow(FakeScenarioBench &bench) {
    auto doc = std::make_shared<nlohmann::json>();
    auto version = std::make_shared<int>(0);
    bench.fake_cloud().on_publish = [doc, version](fakes::FakeCloud &cloud, const std::string &topic,
                                                   const std::string &payload) {
        const auto slash = topic.rfind('/');
        const std::string base = topic.substr(0, slash);
        const std::string op = topic.substr(slash + 1);
        if (op != "update" && op != "get" && op != "delete") return;
        const auto request = nlohmann::json::parse(payload);
        nlohmann::json answer = {{"clientToken", request.value("clientToken", "")}};
        if (op == "update" && request.contains("version") && request["version"] != *version) {
            answer.update({{"code", 409}, {"message", "Version conflict"}});
            cloud.deliver(topic + "/rejected", answer.dump());
        } else if (op == "update") {
            doc->merge_patch(request["state"]);
            answer.update({{"state", request["state"]}, {"version", ++*version}});
            cloud.deliver(topic + "/accepted", answer.dump());
            cloud.deliver(topic + "/documents", nlohmann::json{{"current", {{"state", *doc}}}}.dump());
        } else if (doc->is_null()) {
            answer.update({{"code", 404}, {"message", "No shadow exists with name: 'x'"}});
            cloud.deliver(topic + "/rejected", answer.dump());
        } else if (op == "get") {
            answer.update({{"state", *doc}, {"version", *version}});
            cloud.deliver(topic + "/accepted", answer.dump());
        } else {
            *doc = nullptr;
            answer["version"] = *version;
            cloud.deliver(base + "/delete/accepted", answer.dump());
        }
    };
}

class ShadowStepTest : public RunnerTest {
  protected:
    void SetUp() override { on_open_ = install_toy_shadow; }
};

TEST_F(ShadowStepTest, UpdateGetDeleteWithExpectedAnswers) {
    const auto r = run(R"(name: s
steps:
  - cloud.shadow.get: {expect: 404}
  - cloud.shadow.update:
      reported: {color: red}
      desired: {color: blue}
    capture: {v: version}
  - cloud.shadow.update: {reported: {color: green}, version: 99, expect: 409}
  - cloud.shadow.get: {}
    capture: {seen: state.reported.color}
  - expect.shadow: {reported: {color: "${seen}"}, desired: {color: blue}}
  - cloud.shadow.delete: {shadow: config}
  - expect.shadow: {shadow: config, reported: absent}
)");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
}

TEST_F(ShadowStepTest, AWrongAnswerOrStateFailsWithWhatCame) {
    const auto rejected = run("name: s\nsteps:\n  - cloud.shadow.get: {}\n");
    ASSERT_EQ(rejected.verdict, Verdict::fail);
    EXPECT_NE(rejected.failure->observed.find("rejected: "), std::string::npos) << rejected.failure->observed;
    EXPECT_NE(rejected.failure->observed.find("404"), std::string::npos);
    const auto state = run(R"(name: t
steps:
  - cloud.shadow.update: {reported: {color: red}}
  - expect.shadow: {reported: {color: blue}, within: 200ms}
)");
    ASSERT_EQ(state.verdict, Verdict::fail);
    EXPECT_NE(state.failure->observed.find("\"red\""), std::string::npos) << state.failure->observed;
}

TEST_F(RunnerTest, SetsHoldInAnyOrderSequencesInTheirOrder) {
    on_open_ = [](FakeScenarioBench &b) {
        b.console("dut").emit(R"(!x.first {"n":1})");
        b.console("dut").emit(R"(!x.second {"n":2})");
    };
    const auto set = run(R"(name: s
steps:
  - set:
      - expect.device: x.second
      - expect.device: x.first
    within: 1s
  - expect.device: x.first
    within: 100ms
)");
    ASSERT_EQ(set.verdict, Verdict::fail) << "after the set, both events are behind the cursor";
    EXPECT_EQ(set.failure->where, "t.yaml:7:5");
    const auto sequence = run(R"(name: q
steps:
  - sequence:
      - expect.device: x.second
      - expect.device: x.first
    within: 300ms
)");
    ASSERT_EQ(sequence.verdict, Verdict::fail);
    EXPECT_NE(sequence.failure->expected.find("sequence item 2"), std::string::npos)
        << sequence.failure->expected;
}

TEST(LoaderGroups, OnlyExpectationsGoInside) {
    try {
        (void)load_scenario_text("name: g\nsteps:\n  - set:\n      - device: sys.info\n", "g.yaml");
        FAIL() << "an action inside a set was accepted";
    } catch (const ConfigError &e) {
        EXPECT_NE(std::string(e.what()).find("only expect.device"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace hil

namespace hil {
namespace {

class FaultStepTest : public RunnerTest {
  protected:
    void SetUp() override {
        on_open_ = [this](FakeScenarioBench &b) {
            calls_ = b.recorded_faults().calls;
            b.console("dut").emit(R"(!mqtt.published {"mid":3,"msg_seq":50})");
        };
    }
    std::shared_ptr<std::vector<std::string>> calls_;
};

TEST_F(FaultStepTest, EachFaultStepReachesTheBenchWithItsArguments) {
    const auto r = run(R"(name: f
steps:
  - fault.link.add: latency
    name: lag
    direction: upstream
    attributes: {latency: 100}
  - fault.link.add: blackhole
    name: partition
  - fault.link.remove: partition
  - fault.link.remove: lag
  - fault.link.reset: {}
    when: {event: mqtt.published, match: {msg_seq: 50}}
  - fault.broker.pause: {}
  - fault.broker.resume: {}
  - fault.broker.kill: {}
  - fault.broker.restart: {}
  - fault.device.kill: {}
  - fault.device.restart: {}
)");
    ASSERT_EQ(r.verdict, Verdict::pass) << r.reason;
    EXPECT_EQ(*calls_, (std::vector<std::string>{
                           "add_toxic dut lag", "add_toxic dut partition/upstream",
                           "add_toxic dut partition/downstream", "remove_toxic dut partition/upstream",
                           "remove_toxic dut partition/downstream", "remove_toxic dut lag", "reset_link dut",
                           "broker_pause", "broker_resume", "broker_kill", "broker_restart",
                           "device_kill dut", "device_restart dut"}));
}

TEST_F(FaultStepTest, ATriggerThatNeverComesIsAnErrorAndFiresNothing) {
    const auto r = run(R"(name: t
steps:
  - fault.link.reset: {}
    when: {event: mqtt.published, match: {msg_seq: 51}, within: 200ms}
)");
    EXPECT_EQ(r.verdict, Verdict::error);
    EXPECT_NE(r.reason.find("never happened"), std::string::npos) << r.reason;
    EXPECT_TRUE(calls_->empty());
    const auto unknown = run("name: u\nsteps:\n  - fault.link.remove: nothing\n");
    EXPECT_EQ(unknown.verdict, Verdict::error);
    EXPECT_NE(unknown.reason.find("no toxic 'nothing'"), std::string::npos) << unknown.reason;
}

} // namespace
} // namespace hil

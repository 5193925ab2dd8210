// A product team's C++ test of its firmware on a hil bench (the virtual device here).
#include <hil/testing/bench_fixture.hpp>

#include <gtest/gtest.h>

using namespace std::chrono_literals;

class DeviceOnBench : public hil::testing::BenchTest {};

TEST_F(DeviceOnBench, ReportsItsIdentity) {
    const auto info = device().request("sys.info", {}, within(2s));
    ASSERT_TRUE(info && info->ok);
    EXPECT_EQ(info->body["fw"], "hil-reference");
}

TEST_F(DeviceOnBench, PublishesWhatItIsToldToTheCloud) {
    const std::string topic = "hil/" + var("run") + "/up";
    cloud().subscribe(topic, 1, within(5s));
    ASSERT_TRUE(device().request("mqtt.connect", connect_args(), within(2s))->ok);
    expect_device_event("mqtt.connected", {}, 10s);
    ASSERT_TRUE(
        device()
            .request("mqtt.publish", {{"topic", topic}, {"payload", R"({"t":21.5})"}, {"qos", 1}}, within(2s))
            ->ok);
    const auto msg = expect_cloud_message(topic, {{"t", 21.5}}, 5s);
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->payload["qos"], 1);
}

TEST_F(DeviceOnBench, ShadowThroughALinkReset) {
    ASSERT_TRUE(device().request("mqtt.connect", connect_args(), within(2s))->ok);
    expect_device_event("mqtt.connected", {}, 10s);
    ASSERT_TRUE(device().request("lamp.start", {{"thing", var("thing")}}, within(2s))->ok);
    // Every accepted change of the document is published on update/documents: the application
    // learns from it when the lamp's report has been stored (the lamp's own event comes first).
    const std::string documents = hil::ShadowClient::topic_prefix(var("thing"), "") + "/update/documents";
    cloud().subscribe(documents, 1, within(5s));
    // The application sets a desired colour; the link drops; the lamp comes back and converges.
    const auto set = shadow().request(var("thing"), "", "update",
                                      {{"state", {{"desired", {{"color", "red"}}}}}}, within(5s));
    ASSERT_TRUE(set && set->accepted);
    expect_device_event("lamp.state", {{"color", "red"}}, 5s);
    ASSERT_TRUE(
        expect_cloud_message(documents, {{"current", {{"state", {{"reported", {{"color", "red"}}}}}}}}, 5s));
    const auto before_reset = bus().next_seq();
    faults().reset_link("dut");
    ASSERT_TRUE(bus().wait_for(
        before_reset, [](const hil::Event &e) { return e.kind == "mqtt.connected"; }, within(10s)));
    const auto doc = shadow().request(var("thing"), "", "get", nlohmann::json::object(), within(5s));
    ASSERT_TRUE(doc && doc->accepted);
    EXPECT_EQ(doc->body["state"]["reported"]["color"], "red");
}

TEST(ScenarioFiles, RunFromCpp) {
    const auto results =
        hil::testing::run_scenario_file(HIL_EXAMPLE_SCENARIO, hil::testing::test_run_directory());
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].verdict, hil::Verdict::pass) << results[0].reason;
}

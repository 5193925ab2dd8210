// The reference lamp on hil-vdev against a real Mosquitto, with a second hil-vdev playing the
// shadow service's part (it publishes the delta and watches the device's report). The full twin
// lives in the harness; this checks the device side end to end: topics, wildcards, QoS, tokens.
#include <gtest/gtest.h>

#include "vdev_harness.hpp"

#include <string>

using namespace vdevtest;

namespace {

bool has(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

void connect(Vdev &dev, uint16_t port, const std::string &id) {
    dev.request("mqtt.connect",
                R"({"host":"127.0.0.1","port":)" + std::to_string(port) + R"(,"client_id":")" + id + "\"}");
    ASSERT_FALSE(dev.out().expect("!mqtt.connected").empty());
}

} // namespace

TEST(VdevLamp, test_vdev_lamp_DeltaAppliedAndReported) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev cloud;
    connect(cloud, broker.port(), "hil-l-cloud");
    cloud.request("mqtt.subscribe", R"({"topic":"$aws/things/lamp-7/shadow/update","qos":1})");
    cloud.out().expect("!mqtt.subscribed");

    Vdev dut;
    connect(dut, broker.port(), "hil-l-dut");
    EXPECT_TRUE(has(dut.request("lamp.start", R"({"thing":"lamp-7"})"), R"("thing":"lamp-7")"));
    dut.out().expect("!mqtt.subscribed"); // the two response filters
    dut.out().expect("!mqtt.subscribed");

    cloud.request("mqtt.publish",
                  R"({"topic":"$aws/things/lamp-7/shadow/update/delta","qos":1,)"
                  R"("payload":"{\"version\":5,\"state\":{\"color\":\"red\",\"brightness\":300},)"
                  R"(\"clientToken\":\"cloud-1\"}"})");
    EXPECT_EQ(dut.out().expect("!lamp.invalid"),
              R"(!lamp.invalid {"field":"brightness","detail":"expected an integer 0..100","version":5})");
    EXPECT_EQ(
        dut.out().expect("!lamp.state"),
        R"(!lamp.state {"color":"red","brightness":50,"report_interval":60,"source":"delta","version":5})");
    EXPECT_EQ(dut.out().expect("!shadow.delta"),
              R"(!shadow.delta {"shadow":"","version":5,"client_token":"cloud-1","applied":1,"rejected":1})");
    std::string report = cloud.out().expect("!mqtt.message");
    EXPECT_TRUE(has(report, R"(\"reported\":{\"color\":\"red\",\"brightness\":50,\"report_interval\":60})"))
        << report;
    EXPECT_TRUE(has(report, R"(\"clientToken\":\"lamp-2\")")) << report;

    // An older version afterwards is dropped.
    cloud.request("mqtt.publish", R"({"topic":"$aws/things/lamp-7/shadow/update/delta","qos":1,)"
                                  R"("payload":"{\"version\":4,\"state\":{\"color\":\"blue\"}}"})");
    EXPECT_EQ(dut.out().expect("!shadow.delta"),
              R"(!shadow.delta {"shadow":"","version":4,"dropped":"stale","last_version":5})");
}

// Component tests of hil-vdev's MQTT session against a real Mosquitto: disconnect, unsubscribe,
// automatic reconnect across a broker restart (with and without a persistent session), the last
// will at a reboot, publish bursts in the ledger's payload format, QoS 2.
#include <gtest/gtest.h>

#include "hil_config_defaults.h"
#include "vdev_harness.hpp"

#include <set>
#include <string>

using namespace vdevtest;

namespace {

bool has(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

std::string connect_args(uint16_t port, const std::string &client_id, const std::string &extra = "") {
    return R"({"host":"127.0.0.1","port":)" + std::to_string(port) + R"(,"client_id":")" + client_id + "\"" +
           extra + "}";
}

class VdevSession : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_broker()) {
            GTEST_SKIP() << "mosquitto broker not found";
        }
    }
    static void connect(Vdev &dev, uint16_t port, const std::string &id, const std::string &extra = "") {
        ASSERT_TRUE(has(dev.request("mqtt.connect", connect_args(port, id, extra)), " ok"));
        std::string connected = dev.out().expect("!mqtt.connected");
        ASSERT_FALSE(connected.empty());
    }
};

} // namespace

TEST_F(VdevSession, test_vdev_DisconnectIsRequestedAndFinal) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-disc");
    EXPECT_EQ(dev.request("mqtt.disconnect"), "@2 ok");
    EXPECT_EQ(dev.out().expect("!mqtt.disconnected"),
              R"(!mqtt.disconnected {"reason":"mqtt.requested","detail":"DISCONNECT sent"})");
    EXPECT_TRUE(has(dev.request("sys.info"), R"("mqtt":"idle")"));
    // and it can connect again
    connect(dev, broker.port(), "hil-s-disc");
}

TEST_F(VdevSession, test_vdev_UnsubscribeStopsDelivery) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-unsub");
    dev.request("mqtt.subscribe", R"({"topic":"hil/u/old","qos":1})");
    dev.request("mqtt.subscribe", R"({"topic":"hil/u/new","qos":1})");
    dev.out().expect("!mqtt.subscribed");
    dev.out().expect("!mqtt.subscribed");
    EXPECT_TRUE(has(dev.request("mqtt.unsubscribe", R"({"topic":"hil/u/old"})"), R"( ok {"mid":3})"));
    EXPECT_EQ(dev.out().expect("!mqtt.unsubscribed"), R"(!mqtt.unsubscribed {"mid":3,"topic":"hil/u/old"})");
    // In order on one connection: had the old one been delivered, it would come first.
    dev.request("mqtt.publish", R"({"topic":"hil/u/old","payload":"1","qos":1})");
    dev.request("mqtt.publish", R"({"topic":"hil/u/new","payload":"2","qos":1})");
    std::string msg = dev.out().expect("!mqtt.message");
    EXPECT_TRUE(has(msg, R"("topic":"hil/u/new")")) << msg;
}

TEST_F(VdevSession, test_vdev_ReconnectAfterBrokerRestartKeepsPersistentSession) {
    BrokerOptions o;
    o.persistence = true;
    Broker broker(o);
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-persist", R"(,"clean_session":false,"reconnect_min_ms":100)");
    dev.request("mqtt.subscribe", R"({"topic":"hil/p/#","qos":1})");
    dev.out().expect("!mqtt.subscribed");
    broker.stop();
    EXPECT_TRUE(has(dev.out().expect("!mqtt.disconnected"), R"("reason":"net.closed")"));
    EXPECT_EQ(dev.out().expect("!mqtt.reconnecting"), R"(!mqtt.reconnecting {"attempt":1,"delay_ms":100})");
    ASSERT_TRUE(broker.start()) << broker.log();
    std::string connected = dev.out().expect("!mqtt.connected", 10s);
    EXPECT_TRUE(has(connected, R"({"session_present":true,"attempt":)")) << connected;
    // The broker kept the subscription: no re-subscription, and messages arrive.
    dev.request("mqtt.publish", R"({"topic":"hil/p/x","payload":"after","qos":1})");
    std::string msg = dev.out().expect("!mqtt.message");
    EXPECT_TRUE(has(msg, R"("payload":"after")")) << msg;
    EXPECT_FALSE(has(dev.out().transcript(), "!mqtt.subscribed {\"mid\":2"));
}

TEST_F(VdevSession, test_vdev_ReconnectWithoutSessionSubscribesAgain) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-resub", R"(,"reconnect_min_ms":100)");
    dev.request("mqtt.subscribe", R"({"topic":"hil/r/#","qos":1})");
    dev.out().expect("!mqtt.subscribed");
    broker.stop();
    dev.out().expect("!mqtt.disconnected");
    ASSERT_TRUE(broker.start()) << broker.log();
    std::string connected = dev.out().expect("!mqtt.connected", 10s);
    EXPECT_TRUE(has(connected, R"("session_present":false)")) << connected;
    EXPECT_TRUE(has(dev.out().expect("!mqtt.subscribed"), R"("granted_qos":1,"topic":"hil/r/#")"));
    dev.request("mqtt.publish", R"({"topic":"hil/r/x","payload":"again","qos":1})");
    EXPECT_TRUE(has(dev.out().expect("!mqtt.message"), R"("payload":"again")"));
}

TEST_F(VdevSession, test_vdev_RebootDropsConnectionBrokerSendsWill) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev observer;
    connect(observer, broker.port(), "hil-s-observer");
    observer.request("mqtt.subscribe", R"({"topic":"hil/will/#","qos":1})");
    observer.out().expect("!mqtt.subscribed");

    Vdev dut;
    ASSERT_TRUE(dut.upload(0, "secret\n"));
    connect(dut, broker.port(), "hil-s-dut",
            R"(,"will_topic":"hil/will/dut","will_payload":"offline","will_qos":1)");
    EXPECT_TRUE(has(dut.request("sys.reboot"), " ok"));
    EXPECT_TRUE(has(dut.out().expect("!sys.boot "), R"("protocol":1)"));
    std::string will = observer.out().expect("!mqtt.message");
    EXPECT_TRUE(has(will, R"("topic":"hil/will/dut","payload":"offline")")) << will;
    // Everything in RAM is gone: the session and the credential slots.
    EXPECT_TRUE(has(dut.request("sys.info"), R"("mqtt":"idle")"));
    EXPECT_TRUE(has(dut.request("cred.info"), R"({"slot":0,"size":0,"crc32":"00000000","committed":false})"));
}

TEST_F(VdevSession, test_vdev_BurstQos1EveryMessageAckedAndDelivered) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-burst");
    dev.request("mqtt.subscribe", R"({"topic":"hil/burst","qos":1})");
    dev.out().expect("!mqtt.subscribed");
    const int count = 200;
    EXPECT_EQ(
        dev.request("mqtt.burst", R"({"topic":"hil/burst","run":"run-7","count":200,"qos":1,"size":64})"),
        R"(@3 ok {"run":"run-7","count":200,"first_seq":1,"last_seq":200,"size":64})");
    std::set<int> acked;
    std::set<int> received;
    auto deadline = Clock::now() + 20s;
    while ((static_cast<int>(acked.size()) < count || static_cast<int>(received.size()) < count) &&
           Clock::now() < deadline) {
        auto line = dev.out().next(deadline);
        if (!line) {
            break;
        }
        if (line->rfind("!mqtt.published ", 0) == 0) {
            auto at = line->find(R"("msg_seq":)");
            ASSERT_NE(at, std::string::npos) << *line;
            acked.insert(std::stoi(line->substr(at + 10)));
        } else if (line->rfind("!mqtt.message ", 0) == 0) {
            auto at = line->find(R"(\"seq\":)");
            ASSERT_NE(at, std::string::npos) << *line;
            EXPECT_TRUE(has(*line, R"({\"run\":\"run-7\",\"seq\":)")) << *line;
            received.insert(std::stoi(line->substr(at + 8)));
        }
    }
    EXPECT_EQ(static_cast<int>(acked.size()), count);
    EXPECT_EQ(static_cast<int>(received.size()), count);
    EXPECT_EQ(*acked.begin(), 1);
    EXPECT_EQ(*acked.rbegin(), count);
    EXPECT_TRUE(has(dev.out().transcript(), R"(!mqtt.burst_done {"run":"run-7","count":200,"queued":200,)"));
}

TEST_F(VdevSession, test_vdev_Qos2RoundTrip) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    connect(dev, broker.port(), "hil-s-qos2");
    dev.request("mqtt.subscribe", R"({"topic":"hil/q2","qos":2})");
    EXPECT_TRUE(has(dev.out().expect("!mqtt.subscribed"), R"("granted_qos":2)"));
    EXPECT_TRUE(has(dev.request("mqtt.publish", R"({"topic":"hil/q2","payload":"exactly once","qos":2})"),
                    R"( ok {"mid":2})"));
    EXPECT_TRUE(has(dev.out().expect("!mqtt.published"), R"({"mid":2,)"));
    std::string msg = dev.out().expect("!mqtt.message");
    EXPECT_TRUE(has(msg, R"("qos":2)")) << msg;
}

TEST_F(VdevSession, test_vdev_MisbehaveQos2TwiceDuplicates) {
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev({"--misbehave", "qos2-twice"});
    connect(dev, broker.port(), "hil-s-q2x");
    dev.request("mqtt.subscribe", R"({"topic":"hil/q2x","qos":2})");
    dev.out().expect("!mqtt.subscribed");
    dev.request("mqtt.publish", R"({"topic":"hil/q2x","payload":"once?","qos":2})");
    EXPECT_TRUE(has(dev.out().expect("!mqtt.message"), R"("payload":"once?")"));
    EXPECT_TRUE(has(dev.out().expect("!mqtt.message"), R"("payload":"once?")"));
    // The console shows one publish, acknowledged once: the duplicate is the cloud's to find.
    dev.request("sys.info"); // everything written before its answer has been read now
    std::string seen = dev.out().transcript();
    size_t published = 0;
    for (auto pos = seen.find("!mqtt.published"); pos != std::string::npos;
         pos = seen.find("!mqtt.published", pos + 1)) {
        published++;
    }
    EXPECT_EQ(published, 1u) << seen;
}

TEST_F(VdevSession, test_vdev_WifiFixedLinkAndTime) {
    Vdev dev;
    EXPECT_EQ(dev.request("wifi.connect", R"({"ssid":"lab-ap","password":"pw"})"),
              R"(@1 ok {"connected":true,"ssid":"lab-ap","fixed":true})");
    EXPECT_EQ(dev.out().expect("!wifi."), R"(!wifi.connected {"ssid":"lab-ap","detail":"fixed link"})");
    EXPECT_TRUE(has(dev.request("sys.info"), R"("free_memory":)"));
}

namespace {

// A QoS 1 burst whose first messages are in flight when the broker crashes: the broker is paused
// (SIGSTOP) before the burst, so the window fills with unacknowledged messages, then killed
// (SIGKILL) and started again. Returns the msg_seq acknowledged once nothing more comes for 3 s.
std::set<int> burst_across_crash(const std::vector<std::string> &vdev_args, int count) {
    Broker broker;
    EXPECT_TRUE(broker.ready()) << broker.log();
    Vdev dev(vdev_args);
    dev.request("mqtt.connect", connect_args(broker.port(), "hil-s-crash", R"(,"reconnect_min_ms":50)"));
    EXPECT_FALSE(dev.out().expect("!mqtt.connected").empty());
    broker.pause();
    dev.request("mqtt.burst",
                R"({"topic":"hil/crash","run":"c1","count":)" + std::to_string(count) + R"(,"qos":1})");
    for (int i = 0; i < 5; i++) {
        dev.request("sys.info"); // each answer means another pass of the loop: the window is full
    }
    broker.kill_hard();
    EXPECT_TRUE(broker.start()) << broker.log();
    std::set<int> acked;
    while (auto line = dev.out().next(Clock::now() + 3s)) {
        if (line->rfind("!mqtt.published ", 0) == 0) {
            acked.insert(std::stoi(line->substr(line->find(R"("msg_seq":)") + 10)));
        }
    }
    EXPECT_NE(dev.out().transcript().find("!mqtt.burst_done"), std::string::npos) << dev.out().transcript();
    return acked;
}

} // namespace

TEST_F(VdevSession, test_vdev_InflightResentAfterBrokerCrash) {
    std::set<int> acked = burst_across_crash({}, 100);
    EXPECT_EQ(acked.size(), 100u) << "missing acks after the reconnect";
}

TEST_F(VdevSession, test_vdev_MisbehaveLoseInflightLosesAcks) {
    std::set<int> acked = burst_across_crash({"--misbehave", "lose-inflight"}, 100);
    EXPECT_EQ(acked.size(), 100u - HIL_BURST_WINDOW); // the window in flight at the crash: gone
}

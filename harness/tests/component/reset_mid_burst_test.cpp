// The delivery ledger on a real fault: the virtual device publishes a QoS 1 burst through the fault
// proxy to the real Mosquitto, the proxy resets the connection (RST to both sides) after the 50th
// acknowledgement, and the Paho cloud client records what arrives. With its session the device
// retransmits what was in flight: the ledger finds every message. With `lose-inflight` the same
// reset loses messages, and the ledger says which — so the test can fail.
#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/faults/fault_proxy.hpp"
#include "hil/ledger/ledger.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace hil {
namespace {

constexpr std::uint64_t kCount = 300;
constexpr std::uint64_t kResetAfter = 50;

struct BurstOutcome {
    LedgerSummary summary;
    LedgerVerdict at_least_once;
    std::size_t proxied_connections_after_reset = 0;
};

BurstOutcome burst_on(const std::filesystem::path &dir, const std::string &name,
                      std::vector<std::string> misbehaviours) {
    const auto soon = [] { return Deadline::after(std::chrono::seconds(10)); };
    EventBus bus;
    EmbeddedBrokerOptions broker_options;
    broker_options.dir = dir / "broker";
    broker_options.profile = BrokerProfile::mosquitto; // plain MQTT: this test is about the link
    EmbeddedBroker broker(broker_options, bus);
    faults::ProxyOptions link;
    link.name = "link-dut";
    link.upstream_port = broker.plain().port;
    faults::FaultProxy proxy(link, bus);

    PahoCloudOptions cloud_options;
    cloud_options.server_uri = broker.plain().uri();
    cloud_options.client_id = name + "-cloud";
    PahoCloudClient cloud(cloud_options, bus);
    cloud.connect(soon());
    const std::string topic = "hil/" + name + "/burst";
    cloud.subscribe(topic, 1, soon());

    VirtualDeviceOptions device_options;
    device_options.log_dir = dir;
    device_options.misbehaviours = std::move(misbehaviours);
    VirtualDevice device(device_options, bus);
    const auto connected = [&](std::uint64_t from) {
        return bus.wait_for(
            from, [](const Event &e) { return e.kind == "mqtt.connected"; }, soon());
    };
    auto from = bus.next_seq();
    EXPECT_TRUE(device.session()
                    .request("mqtt.connect",
                             {{"host", "127.0.0.1"},
                              {"port", proxy.port()},
                              {"client_id", name + "-dut"},
                              {"clean_session", false},
                              {"reconnect_min_ms", 50}},
                             soon())
                    .value_or(protocol::Answer{})
                    .ok);
    EXPECT_TRUE(connected(from));

    from = bus.next_seq();
    EXPECT_TRUE(
        device.session()
            .request("mqtt.burst", {{"topic", topic}, {"run", name}, {"count", kCount}, {"qos", 1}}, soon())
            .value_or(protocol::Answer{})
            .ok);
    const auto trigger = bus.wait_for(
        from,
        [](const Event &e) {
            return e.kind == "mqtt.published" && e.payload.value("msg_seq", std::uint64_t{0}) == kResetAfter;
        },
        soon());
    EXPECT_TRUE(trigger) << "the burst never reached message " << kResetAfter;
    const auto reset_at = bus.next_seq();
    proxy.reset_connections();
    EXPECT_TRUE(connected(reset_at)) << "the device did not reconnect after the reset";
    BurstOutcome outcome;
    outcome.proxied_connections_after_reset = proxy.connections();
    (void)bus.wait_for(
        from, [](const Event &e) { return e.kind == "mqtt.burst_done"; },
        Deadline::after(std::chrono::seconds(20)));
    // Receipts are judged once the last acknowledged message had time to arrive: wait for the
    // cloud client to see the highest sequence number (it comes last unless something was lost).
    (void)bus.wait_for(
        from,
        [](const Event &e) {
            const auto tag = e.kind == kCloudMessageKind
                                 ? parse_sequence_payload(e.payload.value("payload", ""))
                                 : std::nullopt;
            return tag && tag->seq == kCount;
        },
        Deadline::after(std::chrono::seconds(10)));

    DeliveryLedger ledger;
    for (std::uint64_t seq = 1; seq <= kCount; ++seq) ledger.sent(seq, Clock::now());
    for (const auto &e : bus.snapshot(from)) {
        if (e.kind == "mqtt.published" && e.payload.contains("msg_seq")) {
            ledger.acknowledged(e.payload.value("msg_seq", std::uint64_t{0}), e.at);
        } else if (e.kind == kCloudMessageKind) {
            if (const auto tag = parse_sequence_payload(e.payload.value("payload", ""))) {
                ledger.received(tag->seq, e.at, e.payload.value("dup", false));
            }
        }
    }
    outcome.summary = ledger.summary();
    outcome.at_least_once = ledger.check(Guarantee::at_least_once);
    return outcome;
}

/// One burst in its own directory, removed once the broker and the device are gone.
BurstOutcome burst_with_reset(const std::string &name, std::vector<std::string> misbehaviours) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("hil-reset-test-" + std::to_string(getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto outcome = burst_on(dir, name, std::move(misbehaviours));
    std::filesystem::remove_all(dir);
    return outcome;
}

TEST(ResetMidBurst, TheSessionRetransmitsAndTheLedgerFindsEveryMessage) {
    const auto outcome = burst_with_reset("keeps", {});
    EXPECT_EQ(outcome.proxied_connections_after_reset, 1u) << "the reconnect goes through the proxy";
    EXPECT_TRUE(outcome.at_least_once.holds) << outcome.at_least_once.explanation;
    EXPECT_EQ(outcome.summary.unique_received, kCount);
    EXPECT_EQ(outcome.summary.lost, 0u);
}

TEST(ResetMidBurst, LosingInFlightMessagesIsCaughtByTheLedger) {
    const auto outcome = burst_with_reset("loses", {"lose-inflight"});
    EXPECT_FALSE(outcome.at_least_once.holds);
    EXPECT_LT(outcome.summary.unique_received, kCount);
    EXPECT_GT(outcome.summary.lost + outcome.summary.unconfirmed, 0u) << outcome.summary.to_json().dump();
}

} // namespace
} // namespace hil

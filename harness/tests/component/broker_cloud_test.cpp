// The embedded Mosquitto and the Paho cloud client, for real, on loopback.
#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/pki/test_pki.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace hil {
namespace {

std::filesystem::path fresh_dir(const std::string &name) {
    auto dir = std::filesystem::temp_directory_path() / ("hil-component-" + std::to_string(getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// Plain Mosquitto (no twin plugin): what these tests are about.
EmbeddedBrokerOptions options_in(const std::filesystem::path &dir) {
    EmbeddedBrokerOptions o;
    o.dir = dir;
    o.profile = BrokerProfile::mosquitto;
    return o;
}

TEST(EmbeddedBroker, StartsOnAnEphemeralLoopbackPortAndLogsToTheRunDirectory) {
    EventBus bus;
    const auto dir = fresh_dir("start");
    EmbeddedBroker broker(options_in(dir), bus);
    EXPECT_EQ(broker.plain().host, "127.0.0.1");
    EXPECT_GT(broker.plain().port, 1024);
    std::ifstream conf(dir / "mosquitto.conf");
    std::stringstream text;
    text << conf.rdbuf();
    EXPECT_NE(text.str().find("listener " + std::to_string(broker.plain().port) + " 127.0.0.1"),
              std::string::npos);
    EXPECT_NE(text.str().find("user "), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(broker.log_path()));
    EXPECT_EQ(bus.snapshot(1, 0, [](const Event &e) { return e.kind == "broker.ready"; }).size(), 1u);
}

TEST(EmbeddedBroker, TwoBrokersGetTwoPorts) {
    EventBus bus;
    EmbeddedBroker a(options_in(fresh_dir("a")), bus);
    EmbeddedBroker b(options_in(fresh_dir("b")), bus);
    EXPECT_NE(a.plain().port, b.plain().port);
}

TEST(EmbeddedBroker, AMissingBinaryIsAnInfraError) {
    EventBus bus;
    auto o = options_in(fresh_dir("missing"));
    o.executable = "/nonexistent/mosquitto";
    EXPECT_THROW(EmbeddedBroker(o, bus), InfraError);
}

TEST(EmbeddedBroker, ABadBindAddressFailsWithTheReason) {
    EventBus bus;
    auto o = options_in(fresh_dir("badbind"));
    o.bind_address = "not-an-address";
    try {
        EmbeddedBroker broker(o, bus);
        FAIL() << "expected InfraError";
    } catch (const InfraError &e) {
        EXPECT_NE(std::string(e.what()).find("not-an-address"), std::string::npos);
    }
}

TEST(PahoCloudClient, PublishesAndReceivesThroughTheRealBroker) {
    EventBus bus;
    EmbeddedBroker broker(options_in(fresh_dir("paho")), bus);
    PahoCloudClient cloud({broker.plain().uri(), "hil-test-cloud", "cloud", 30, std::nullopt, ""}, bus);
    cloud.connect(Deadline::after(std::chrono::seconds(5)));
    cloud.subscribe("hil/test/#", 1, Deadline::after(std::chrono::seconds(5)));
    const auto from = bus.next_seq();
    cloud.publish("hil/test/a", "hello", 1, false, Deadline::after(std::chrono::seconds(5)));
    const auto got = bus.wait_for(
        from, [](const Event &e) { return e.kind == kCloudMessageKind; },
        Deadline::after(std::chrono::seconds(5)));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->payload["topic"], "hil/test/a");
    EXPECT_EQ(got->payload["payload"], "hello");
    EXPECT_EQ(got->payload["qos"], 1);
    EXPECT_EQ(got->source, Source::cloud);
}

TEST(PahoCloudConnection, RoutesEachMessageToTheExecutionWhoseSubscriptionMatches) {
    EventBus bus;
    EmbeddedBroker broker(options_in(fresh_dir("shared")), bus);
    const auto soon = [] { return Deadline::after(std::chrono::seconds(5)); };
    auto connection = std::make_shared<PahoCloudConnection>(
        PahoCloudOptions{broker.plain().uri(), "hil-test-shared", "cloud", 30, std::nullopt, ""}, bus);
    PahoCloudClient a(connection, "run-a");
    PahoCloudClient b(connection, "run-b");
    a.connect(soon());
    b.connect(soon()); // already connected: no second CONNECT
    a.subscribe("hil/run-a/#", 1, soon());
    b.subscribe("hil/run-b/#", 1, soon());
    const auto from = bus.next_seq();
    b.publish("hil/run-a/x", "for a", 1, false, soon());
    b.publish("hil/run-b/x", "for b", 1, false, soon());
    const auto message_to = [&](const std::string &context, const std::string &payload) {
        return bus.wait_for(
            from,
            [&](const Event &e) {
                return e.kind == kCloudMessageKind && e.context == context && e.payload["payload"] == payload;
            },
            soon());
    };
    EXPECT_TRUE(message_to("run-a", "for a"));
    EXPECT_TRUE(message_to("run-b", "for b"));
    for (const auto &e : bus.snapshot(from)) {
        if (e.kind != kCloudMessageKind) continue;
        EXPECT_EQ(e.context == "run-a", e.payload["topic"] == "hil/run-a/x") << e.payload.dump();
    }
    // Closing one execution unsubscribes its filter; the other keeps receiving.
    a.disconnect();
    const auto after = bus.next_seq();
    b.publish("hil/run-a/y", "late for a", 1, false, soon());
    b.publish("hil/run-b/y", "still for b", 1, false, soon());
    EXPECT_TRUE(message_to("run-b", "still for b"));
    EXPECT_TRUE(bus.snapshot(after, 0,
                             [](const Event &e) {
                                 return e.kind == kCloudMessageKind && e.payload["payload"] == "late for a";
                             })
                    .empty());
}

TEST(PahoCloudClient, ConnectToNothingFailsBeforeTheDeadline) {
    EventBus bus;
    PahoCloudClient cloud({"tcp://127.0.0.1:1", "hil-test-nobody", "cloud", 30, std::nullopt, ""}, bus);
    const auto t0 = Clock::now();
    EXPECT_THROW(cloud.connect(Deadline::after(std::chrono::seconds(5))), InfraError);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(6));
}

TEST(PahoCloudClient, ReportsABrokerThatDiesMidRun) {
    EventBus bus;
    EmbeddedBroker broker(options_in(fresh_dir("dies")), bus);
    PahoCloudClient cloud({broker.plain().uri(), "hil-test-dies", "cloud", 30, std::nullopt, ""}, bus);
    cloud.connect(Deadline::after(std::chrono::seconds(5)));
    const auto from = bus.next_seq();
    kill(broker.process().pid(), SIGKILL);
    const auto lost = bus.wait_for(
        from, [](const Event &e) { return e.kind == "cloud.disconnected"; },
        Deadline::after(std::chrono::seconds(10)));
    EXPECT_TRUE(lost);
    const auto exited = bus.wait_for(
        from, [](const Event &e) { return e.kind == "process.exited"; },
        Deadline::after(std::chrono::seconds(5)));
    ASSERT_TRUE(exited);
    EXPECT_EQ(exited->payload["status"], "killed by signal 9");
    EXPECT_THROW(cloud.publish("a", "b", 1, false, Deadline::after(std::chrono::seconds(2))), InfraError);
}

class MutualTls : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
        pki_ = std::make_unique<TestPki>(TestPki::create(dir_ / "pki", PkiOptions{}));
        auto o = options_in(dir_ / "broker");
        o.tls_listeners = {{"tls", pki_->ca().cert, pki_->broker().cert, pki_->broker().key, true, {}},
                           {"untrusted",
                            pki_->ca().cert,
                            pki_->get("broker_untrusted").cert,
                            pki_->get("broker_untrusted").key,
                            true,
                            {}}};
        broker_ = std::make_unique<EmbeddedBroker>(o, bus_);
    }
    PahoCloudOptions cloud_options(const std::string &endpoint, const std::string &id) const {
        PahoCloudOptions o{broker_->tls(endpoint).uri(), id, "cloud", 30, std::nullopt, ""};
        o.tls = CloudTls{pki_->ca().cert, pki_->cloud().cert, pki_->cloud().key, {}};
        return o;
    }
    EventBus bus_;
    std::filesystem::path dir_;
    std::unique_ptr<TestPki> pki_;
    std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(MutualTls, TlsEndpointsUseTheCertificatesHostName) {
    EXPECT_EQ(broker_->tls("tls").uri(), "ssl://localhost:" + std::to_string(broker_->tls("tls").port));
    EXPECT_EQ(broker_->endpoints().size(), 3u);
    EXPECT_THROW((void)broker_->tls("plain"), InfraError);
}

TEST_F(MutualTls, CloudClientExchangesMessagesOverMutualTls) {
    PahoCloudClient cloud(cloud_options("tls", "hil-tls-cloud"), bus_);
    cloud.connect(Deadline::after(std::chrono::seconds(10)));
    cloud.subscribe("hil/tls/#", 1, Deadline::after(std::chrono::seconds(5)));
    const auto from = bus_.next_seq();
    cloud.publish("hil/tls/a", "secret-free payload", 1, false, Deadline::after(std::chrono::seconds(5)));
    const auto got = bus_.wait_for(
        from, [](const Event &e) { return e.kind == kCloudMessageKind; },
        Deadline::after(std::chrono::seconds(5)));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->payload["payload"], "secret-free payload");
}

TEST_F(MutualTls, CloudClientRefusesABrokerCertificateFromAnotherCa) {
    PahoCloudClient cloud(cloud_options("untrusted", "hil-tls-untrusted"), bus_);
    EXPECT_THROW(cloud.connect(Deadline::after(std::chrono::seconds(10))), InfraError);
}

TEST_F(MutualTls, ThereIsNoInsecureCloudClient) {
    PahoCloudClient cloud({broker_->tls("tls").uri(), "hil-tls-none", "cloud", 30, std::nullopt, ""}, bus_);
    try {
        cloud.connect(Deadline::after(std::chrono::seconds(5)));
        FAIL() << "connected over TLS without an identity";
    } catch (const InfraError &e) {
        EXPECT_NE(std::string(e.what()).find("needs a TLS identity"), std::string::npos);
    }
}

// The broker side of `expect.absent: {session: ...}`: an accepted CONNECT is seen, a refused
// handshake is not, and sync_log() makes the answer complete without waiting out a window.
TEST_F(MutualTls, SessionsAreTheConnectsTheBrokerAccepted) {
    const auto from = bus_.next_seq();
    PahoCloudClient refused(cloud_options("untrusted", "hil-tls-refused"), bus_);
    EXPECT_THROW(refused.connect(Deadline::after(std::chrono::seconds(10))), InfraError);
    EXPECT_TRUE(broker_->sessions("hil-tls-refused", from, Deadline::after(std::chrono::seconds(0))).empty());

    PahoCloudClient cloud(cloud_options("tls", "hil-tls-session"), bus_);
    cloud.connect(Deadline::after(std::chrono::seconds(10)));
    const auto seen = broker_->sessions("hil-tls-session", from, Deadline::after(std::chrono::seconds(0)));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_NE(seen[0].find("New client connected from "), std::string::npos) << seen[0];
    EXPECT_TRUE(broker_->sessions("hil-tls-sess", from, Deadline::after(std::chrono::seconds(0))).empty());
}

TEST_F(MutualTls, ConfigHasOneListenerPerVariantRequiringCertificates) {
    const auto conf = read_text_file(dir_ / "broker" / "mosquitto.conf");
    EXPECT_NE(conf.find("listener " + std::to_string(broker_->tls("untrusted").port) + " 127.0.0.1"),
              std::string::npos);
    EXPECT_NE(conf.find("require_certificate true"), std::string::npos);
    EXPECT_NE(conf.find(pki_->get("broker_untrusted").cert.string()), std::string::npos);
}

// The aws-twin profile: a device certificate connects only as a registered thing, and a thing
// registered while the broker runs can connect as soon as update_registry() returns.
class AwsTwinBroker : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
        pki_ = std::make_unique<TestPki>(TestPki::create(dir_ / "pki", PkiOptions{}));
        EmbeddedBrokerOptions o;
        o.dir = dir_ / "broker";
        o.twin_plugin = default_twin_plugin_path();
        ASSERT_FALSE(o.twin_plugin.empty()) << "hil_aws_twin.so is not built beside the tests";
        o.policies_dir = default_policies_dir();
        o.tls_listeners = {{"tls", pki_->ca().cert, pki_->broker().cert, pki_->broker().key, true, {}}};
        o.registry.add_certificate("device", {pki_->device().sha256_fingerprint, "ACTIVE", {"device"}, {}});
        broker_ = std::make_unique<EmbeddedBroker>(o, bus_);
    }
    PahoCloudOptions device_options(const std::string &client_id) const {
        PahoCloudOptions o{broker_->tls("tls").uri(), client_id, client_id, 30, std::nullopt, ""};
        o.tls = CloudTls{pki_->ca().cert, pki_->device().cert, pki_->device().key, {}};
        return o;
    }
    EventBus bus_;
    std::filesystem::path dir_;
    std::unique_ptr<TestPki> pki_;
    std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(AwsTwinBroker, AThingRegisteredWhileRunningCanConnectAtOnce) {
    PahoCloudClient early(device_options("lamp-1"), bus_);
    EXPECT_THROW(early.connect(Deadline::after(std::chrono::seconds(5))), InfraError); // no such thing yet

    broker_->update_registry([](TwinRegistry &r) { r.attach_thing("device", "lamp-1"); });
    EXPECT_TRUE(broker_->registry().has_thing("lamp-1"));
    const auto reloaded = bus_.snapshot(1, 0, [](const Event &e) { return e.kind == "broker.registry"; });
    ASSERT_EQ(reloaded.size(), 1u);
    EXPECT_EQ(reloaded[0].payload["things"], 1);
    PahoCloudClient device(device_options("lamp-1"), bus_);
    device.connect(Deadline::after(std::chrono::seconds(5)));
    // Its own shadow is allowed; QoS 2 is not AWS: the client asks for QoS 1 (max_qos).
    device.subscribe("$aws/things/lamp-1/shadow/#", 1, Deadline::after(std::chrono::seconds(5)));

    PahoCloudClient other(device_options("lamp-2"), bus_); // the same certificate, not its thing
    EXPECT_THROW(other.connect(Deadline::after(std::chrono::seconds(5))), InfraError);
    EXPECT_NE(read_text_file(broker_->log_path()).find("refusing connection of 'lamp-2'"), std::string::npos);

    broker_->update_registry([](TwinRegistry &r) { r.remove_thing("lamp-1"); });
    EXPECT_FALSE(broker_->registry().has_thing("lamp-1"));
    EXPECT_EQ(read_text_file(broker_->registry_path()).find("lamp-1"), std::string::npos);
}

TEST_F(AwsTwinBroker, ConcurrentUpdatesAreEachConfirmedWithTheirOwnFile) {
    // Back-to-back reloads from several threads (as with -j N): each waits for the digest of its
    // own file, and a SIGHUP lost while Mosquitto finishes the previous reload is sent again.
    constexpr int kThreads = 4;
    constexpr int kUpdates = 10;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([this, t] {
            for (int u = 0; u < kUpdates; ++u) {
                const std::string thing = "lamp-" + std::to_string(t) + "-" + std::to_string(u);
                broker_->update_registry([&](TwinRegistry &r) { r.attach_thing("device", thing); });
            }
        });
    }
    for (auto &thread : threads) thread.join();
    EXPECT_EQ(broker_->registry().thing_count(), static_cast<std::size_t>(kThreads * kUpdates));
    const auto confirmed = bus_.snapshot(1, 0, [](const Event &e) { return e.kind == "broker.registry"; });
    EXPECT_EQ(confirmed.size(), static_cast<std::size_t>(kThreads * kUpdates));
    PahoCloudClient last(device_options("lamp-3-9"), bus_);
    last.connect(Deadline::after(std::chrono::seconds(5)));
}

TEST_F(AwsTwinBroker, ARegistryThePluginRefusesIsAnInfraErrorAndTheOldOneStays) {
    broker_->update_registry([](TwinRegistry &r) { r.attach_thing("device", "lamp-1"); });
    // A policy name that does not exist in the policies directory: the plugin keeps the old files.
    EXPECT_THROW(broker_->update_registry([&](TwinRegistry &r) {
        r.add_certificate("device", {pki_->device().sha256_fingerprint, "ACTIVE", {"no-such-policy"}, {}});
    }),
                 InfraError);
    EXPECT_EQ(broker_->registry().certificates().at("device").policies, std::vector<std::string>{"device"});
    PahoCloudClient device(device_options("lamp-1"), bus_);
    device.connect(Deadline::after(std::chrono::seconds(5)));
}

TEST_F(AwsTwinBroker, TheCloudClientSubscribesAtMostAtItsMaxQos) {
    broker_->update_registry([](TwinRegistry &r) { r.attach_thing("device", "lamp-1"); });
    auto options = device_options("lamp-1");
    options.max_qos = 1;
    PahoCloudClient device(options, bus_);
    device.connect(Deadline::after(std::chrono::seconds(5)));
    device.subscribe("hil/x/#", 2, Deadline::after(std::chrono::seconds(5))); // QoS 2 would be closed
    const auto subscribed = bus_.snapshot(1, 0, [](const Event &e) { return e.kind == "cloud.subscribed"; });
    ASSERT_EQ(subscribed.size(), 1u);
    EXPECT_EQ(subscribed[0].payload["qos"], 1);
    EXPECT_EQ(subscribed[0].payload["requested_qos"], 2);
    EXPECT_THROW(device.publish("hil/x/y", "z", 2, false, Deadline::after(std::chrono::seconds(2))),
                 InfraError);
    device.publish("hil/x/y", "z", 1, false, Deadline::after(std::chrono::seconds(5))); // still connected
}

} // namespace
} // namespace hil

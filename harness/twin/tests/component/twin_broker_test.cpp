// The plugin in the real /usr/sbin/mosquitto, on loopback, driven by libmosquitto: shadow flows
// get AWS-shaped answers, the aws-twin profile closes connections for QoS 2 and unauthorized
// actions, certificates are checked against the registry, shadows survive `kill -9`.
#include "broker_fixture.hpp"
#include "mqtt_client.hpp"
#include "test_certificates.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <iostream>

namespace hil::twin::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::filesystem::path kExamples = HIL_TWIN_EXAMPLES;
const std::string kPrefix = "$aws/things/lamp-1/shadow";

json body_of(const std::optional<Received> &message) {
    if (!message) return json();
    return json::parse(message->payload);
}

/// A broker with the plugin, a TLS listener, the example policies and a registry of generated
/// certificates: lamp-1 (device policy, ACTIVE), lamp-2 (INACTIVE), app (application policy);
/// `stranger` is signed by the same CA but not registered.
class TwinBroker : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fresh_directory("broker");
        pki_ = std::make_unique<TestPki>(dir_ / "pki");
        server_ = pki_->server();
        lamp_ = pki_->client("lamp-1");
        lamp2_ = pki_->client("lamp-2");
        app_ = pki_->client("app");
        stranger_ = pki_->client("stranger");
        observer_ = pki_->client("observer");
        std::filesystem::create_directories(dir_ / "policies");
        for (const auto &entry : std::filesystem::directory_iterator(kExamples / "policies")) {
            std::filesystem::copy_file(entry.path(), dir_ / "policies" / entry.path().filename());
        }
        // May subscribe to anything under sensors/, but receive only sensors/public/...
        std::ofstream(dir_ / "policies" / "observer.json") << R"({"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iot:Connect","Resource":"*"},
            {"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:*:*:topicfilter/sensors/*"},
            {"Effect":"Allow","Action":"iot:Receive","Resource":"arn:aws:iot:*:*:topic/sensors/public/*"}]})";
        write_registry("ACTIVE");
    }

    void write_registry(const std::string &lamp_status) {
        const json registry = {{"certificates",
                                {{{"fingerprint", lamp_.fingerprint},
                                  {"status", lamp_status},
                                  {"thing", "lamp-1"},
                                  {"policies", {"device"}}},
                                 {{"certificate_file", lamp2_.certfile.string()},
                                  {"status", "INACTIVE"},
                                  {"thing", "lamp-2"},
                                  {"policies", {"device"}}},
                                 {{"fingerprint", app_.fingerprint}, {"policies", {"application"}}},
                                 {{"fingerprint", observer_.fingerprint}, {"policies", {"observer"}}}}},
                               {"things", {{"lamp-1", {{"type", "lamp"}}}}}};
        std::ofstream(dir_ / "registry.json") << registry.dump(2);
    }

    void start(const std::string &profile = "aws-twin") {
        BrokerConfig config;
        config.dir = dir_;
        config.plugin_options = {{"profile", profile},
                                 {"store_dir", (dir_ / "shadows").string()},
                                 {"registry", (dir_ / "registry.json").string()},
                                 {"policies_dir", (dir_ / "policies").string()}};
        config.tls = TlsListener{pki_->ca_file(), server_.certfile, server_.keyfile};
        broker_ = std::make_unique<MosquittoBroker>(config);
    }

    ClientTls tls(const IssuedCertificate &cert) const {
        return {pki_->ca_file(), cert.certfile, cert.keyfile};
    }

    /// A plain-listener client (no certificate: unrestricted by default), connected.
    std::unique_ptr<MqttClient> plain(const std::string &id, int protocol = 4) {
        auto client = std::make_unique<MqttClient>(id, protocol);
        EXPECT_TRUE(client->connect(broker_->plain_port())) << broker_->log();
        return client;
    }

    void TearDown() override {
        if (HasFailure() && broker_) std::cerr << "---- broker log ----\n" << broker_->log();
        broker_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::filesystem::path dir_;
    std::unique_ptr<TestPki> pki_;
    IssuedCertificate server_, lamp_, lamp2_, app_, stranger_, observer_;
    std::unique_ptr<MosquittoBroker> broker_;
};

TEST_F(TwinBroker, UpdateGetDeleteFlowsGetAwsShapedAnswers) {
    start();
    auto client = plain("cloud-app");
    ASSERT_EQ(client->subscribe(kPrefix + "/#", 1), 1);

    ASSERT_TRUE(
        client->publish(kPrefix + "/update", R"({"state":{"desired":{"color":"red"}},"clientToken":"t1"})"));
    const json accepted = body_of(client->next(kPrefix + "/update/accepted"));
    EXPECT_EQ(accepted["state"], json::parse(R"({"desired":{"color":"red"}})"));
    EXPECT_EQ(accepted["version"], 1);
    EXPECT_EQ(accepted["clientToken"], "t1");
    EXPECT_TRUE(accepted["metadata"]["desired"]["color"]["timestamp"].is_number_integer());
    const json delta = body_of(client->next(kPrefix + "/update/delta"));
    EXPECT_EQ(delta["state"], json::parse(R"({"color":"red"})"));
    const json documents = body_of(client->next(kPrefix + "/update/documents"));
    EXPECT_TRUE(documents["previous"].is_null());
    EXPECT_EQ(documents["current"]["version"], 1);

    ASSERT_TRUE(client->publish(kPrefix + "/get", R"({"clientToken":"g"})"));
    const json got = body_of(client->next(kPrefix + "/get/accepted"));
    EXPECT_EQ(got["state"], json::parse(R"({"desired":{"color":"red"},"delta":{"color":"red"}})"));
    EXPECT_EQ(got["clientToken"], "g");

    ASSERT_TRUE(client->publish(kPrefix + "/delete", ""));
    EXPECT_EQ(body_of(client->next(kPrefix + "/delete/accepted"))["version"], 1);
    ASSERT_TRUE(client->publish(kPrefix + "/get", ""));
    EXPECT_EQ(client->next(kPrefix + "/get/rejected")->payload,
              R"({"code":404,"message":"No shadow exists with name: 'lamp-1'"})");
}

TEST_F(TwinBroker, NamedShadowsAndRejectionsThroughTheBroker) {
    start();
    auto client = plain("cloud-app");
    const std::string named = kPrefix + "/name/config";
    ASSERT_EQ(client->subscribe(named + "/update/rejected", 1), 1);
    ASSERT_EQ(client->subscribe(named + "/update/accepted", 1), 1);
    ASSERT_TRUE(client->publish(named + "/update", "{not json"));
    EXPECT_EQ(client->next(named + "/update/rejected")->payload, R"({"code":400,"message":"Invalid JSON"})");
    ASSERT_TRUE(client->publish(named + "/update", R"({"state":{"reported":{"a":1}}})"));
    EXPECT_EQ(body_of(client->next(named + "/update/accepted"))["version"], 1);
    ASSERT_TRUE(client->publish(named + "/update",
                                R"({"state":{"reported":{"a":2}},"version":7,"clientToken":"c"})"));
    EXPECT_EQ(client->next(named + "/update/rejected")->payload,
              R"({"code":409,"message":"Version conflict","clientToken":"c"})");
}

TEST_F(TwinBroker, Qos2PublishClosesTheConnectionInTheAwsTwinProfile) {
    start();
    auto client = plain("qos2-publisher");
    client->publish("devices/x", "hello", 2, false, 2s);
    EXPECT_TRUE(client->wait_closed(5s));
    EXPECT_TRUE(broker_->wait_for_log("QoS 2 PUBLISH to 'devices/x'", 5s)) << broker_->log();
}

TEST_F(TwinBroker, Qos2SubscribeClosesTheConnectionInTheAwsTwinProfile) {
    start();
    auto client = plain("qos2-subscriber");
    client->subscribe_async("devices/#", 2);
    EXPECT_TRUE(client->wait_closed(5s));
}

TEST_F(TwinBroker, Qos2WorksInTheMosquittoProfile) {
    start("mosquitto");
    auto client = plain("plain-mqtt");
    ASSERT_EQ(client->subscribe("devices/#", 2), 2);
    ASSERT_TRUE(client->publish("devices/x", "hello", 2));
    const auto message = client->next("devices/x");
    ASSERT_TRUE(message);
    EXPECT_EQ(message->qos, 2);
    // Shadows are on in this profile too.
    ASSERT_EQ(client->subscribe(kPrefix + "/update/accepted", 1), 1);
    ASSERT_TRUE(client->publish(kPrefix + "/update", R"({"state":{"reported":{"a":1}}})", 1));
    EXPECT_EQ(body_of(client->next(kPrefix + "/update/accepted"))["version"], 1);
}

TEST_F(TwinBroker, AnUnauthorizedPublishClosesTheConnection) {
    // A.10.20: an unauthorized MQTT publish to a shadow topic is refused by the broker, which
    // closes the connection; the shadow service never answers it.
    start();
    auto watcher = plain("watcher");
    ASSERT_EQ(watcher->subscribe("$aws/things/lamp-9/shadow/#", 1), 1);
    MqttClient lamp("lamp-1");
    ASSERT_TRUE(lamp.connect(broker_->tls_port(), tls(lamp_))) << broker_->log();
    ASSERT_TRUE(lamp.publish("devices/lamp-1/telemetry", "{}", 1)); // allowed by its policy
    lamp.publish("$aws/things/lamp-9/shadow/update", R"({"state":{"reported":{"a":1}}})", 1, false, 2s);
    EXPECT_TRUE(lamp.wait_closed(5s));
    EXPECT_TRUE(broker_->wait_for_log(
        "unauthorized: iot:Publish on arn:aws:iot:us-east-1:123456789012:topic/$aws/things/lamp-9", 5s))
        << broker_->log();
    EXPECT_TRUE(watcher->nothing_on("$aws/things/lamp-9/shadow/update/accepted", 300ms));
}

TEST_F(TwinBroker, AThingPolicyConfinesADeviceToItsOwnShadow) {
    start();
    MqttClient lamp("lamp-1");
    ASSERT_TRUE(lamp.connect(broker_->tls_port(), tls(lamp_))) << broker_->log();
    ASSERT_EQ(lamp.subscribe(kPrefix + "/update/accepted", 1), 1);
    ASSERT_TRUE(lamp.publish(kPrefix + "/update", R"({"state":{"reported":{"on":true}}})"));
    EXPECT_EQ(body_of(lamp.next(kPrefix + "/update/accepted"))["state"],
              json::parse(R"({"reported":{"on":true}})"));
    lamp.subscribe_async("$aws/things/lamp-2/shadow/update/accepted", 1);
    EXPECT_TRUE(lamp.wait_closed(5s));
}

TEST_F(TwinBroker, UnregisteredAndInactiveCertificatesAreClosedWithoutConnack) {
    start();
    MqttClient stranger("stranger");
    ASSERT_TRUE(stranger.start(broker_->tls_port(), tls(stranger_)));
    EXPECT_TRUE(stranger.wait_closed(5s));
    EXPECT_FALSE(stranger.got_connack());
    MqttClient inactive("lamp-2");
    ASSERT_TRUE(inactive.start(broker_->tls_port(), tls(lamp2_)));
    EXPECT_TRUE(inactive.wait_closed(5s));
    EXPECT_FALSE(inactive.got_connack());
    EXPECT_TRUE(broker_->wait_for_log("is INACTIVE", 5s)) << broker_->log();
    MqttClient wrong_id("not-lamp-1"); // ACTIVE certificate, but its policy allows only client/lamp-1
    ASSERT_TRUE(wrong_id.start(broker_->tls_port(), tls(lamp_)));
    EXPECT_TRUE(wrong_id.wait_closed(5s));
    EXPECT_FALSE(wrong_id.got_connack());
}

TEST_F(TwinBroker, ClientsCannotPublishToShadowResponseTopics) {
    start();
    auto watcher = plain("watcher");
    ASSERT_EQ(watcher->subscribe(kPrefix + "/update/accepted", 1), 1);
    auto forger = plain("forger");
    forger->publish(kPrefix + "/update/accepted", R"({"state":{}})", 1, false, 2s);
    EXPECT_TRUE(forger->wait_closed(5s));
    EXPECT_TRUE(watcher->nothing_on(kPrefix + "/update/accepted", 300ms));
}

TEST_F(TwinBroker, ShadowsSurviveKillDashNine) {
    start();
    {
        auto client = plain("writer");
        ASSERT_EQ(client->subscribe(kPrefix + "/update/accepted", 1), 1);
        ASSERT_TRUE(client->publish(kPrefix + "/update", R"({"state":{"reported":{"kept":1}}})"));
        ASSERT_TRUE(client->publish(kPrefix + "/update", R"({"state":{"reported":{"kept":2}}})"));
        ASSERT_TRUE(client->next(kPrefix + "/update/accepted"));
        ASSERT_EQ(body_of(client->next(kPrefix + "/update/accepted"))["version"], 2); // answered: durable
    }
    broker_->kill_hard();
    broker_.reset();
    start();
    auto reader = plain("reader");
    ASSERT_EQ(reader->subscribe(kPrefix + "/get/accepted", 1), 1);
    ASSERT_TRUE(reader->publish(kPrefix + "/get", ""));
    const json got = body_of(reader->next(kPrefix + "/get/accepted"));
    EXPECT_EQ(got["state"], json::parse(R"({"reported":{"kept":2}})"));
    EXPECT_EQ(got["version"], 2);
}

TEST_F(TwinBroker, RevokingACertificateAndReloadingDropsItsConnection) {
    start();
    MqttClient lamp("lamp-1");
    ASSERT_TRUE(lamp.connect(broker_->tls_port(), tls(lamp_))) << broker_->log();
    write_registry("REVOKED");
    broker_->signal(SIGHUP);
    EXPECT_TRUE(lamp.wait_closed(5s));
    EXPECT_TRUE(broker_->wait_for_log("certificate no longer ACTIVE after reload", 5s)) << broker_->log();
}

TEST_F(TwinBroker, ADeniedReceiveSilentlyDropsTheDelivery) {
    start();
    MqttClient observer("observer");
    ASSERT_TRUE(observer.connect(broker_->tls_port(), tls(observer_))) << broker_->log();
    ASSERT_EQ(observer.subscribe("sensors/#", 1), 1);
    MqttClient app("app");
    ASSERT_TRUE(app.connect(broker_->tls_port(), tls(app_))) << broker_->log();
    ASSERT_TRUE(app.publish("sensors/secret/x", "s", 1));
    ASSERT_TRUE(app.publish("sensors/public/x", "p", 1));
    const auto received = observer.next("sensors/public/x");
    ASSERT_TRUE(received);
    EXPECT_EQ(received->payload, "p");
    EXPECT_TRUE(observer.nothing_on("sensors/secret/x", 300ms)); // dropped silently: still connected
    EXPECT_FALSE(observer.wait_closed(200ms));
}

TEST_F(TwinBroker, APublishOver128KBClosesTheConnection) {
    start();
    auto watcher = plain("watcher");
    ASSERT_EQ(watcher->subscribe("big/#", 1), 1);
    auto client = plain("big-sender");
    ASSERT_TRUE(client->publish("big/ok", std::string(131072, 'x'), 1));
    EXPECT_TRUE(watcher->next("big/ok"));
    client->publish("big/too", std::string(131073, 'x'), 1, false, 2s);
    EXPECT_TRUE(client->wait_closed(5s));
    EXPECT_TRUE(watcher->nothing_on("big/too", 300ms));
}

TEST_F(TwinBroker, TopicsOverTheLevelAndLengthLimitsCloseTheConnection) {
    start();
    auto deep = plain("deep");
    deep->publish("1/2/3/4/5/6/7/8/9", "x", 1, false, 2s);
    EXPECT_TRUE(deep->wait_closed(5s));
    auto long_topic = plain("long");
    long_topic->subscribe_async(std::string(257, 't'), 1);
    EXPECT_TRUE(long_topic->wait_closed(5s));
    auto fine = plain("fine"); // the Basic Ingest prefix does not count
    EXPECT_TRUE(fine->publish("$aws/rules/my_rule/1/2/3/4/5/6/7/8", "x", 1));
}

TEST_F(TwinBroker, ClientIdTakeoverClosesOnlyTheOldConnection) {
    start();
    MqttClient first("same-id");
    first.set_will("wills/same-id", "gone", 2); // a QoS 2 will: refused when it fires, nobody is kicked
    ASSERT_TRUE(first.connect(broker_->plain_port()));
    MqttClient second("same-id");
    ASSERT_TRUE(second.connect(broker_->plain_port()));
    EXPECT_TRUE(first.wait_closed(5s));
    EXPECT_TRUE(broker_->wait_for_log(
        "refused for 'same-id', which is no longer connected (its will): QoS 2 PUBLISH", 5s))
        << broker_->log();
    EXPECT_FALSE(broker_->log().find("closing connection of 'same-id'") != std::string::npos)
        << broker_->log();
    EXPECT_FALSE(second.wait_closed(500ms));
    EXPECT_EQ(second.subscribe("wills/#", 1), 1);
}

TEST_F(TwinBroker, TheFiftyFirstSubscriptionIsRefusedAndTheConnectionStays) {
    start();
    auto client = plain("many-subs");
    for (int i = 0; i < 50; ++i) ASSERT_EQ(client->subscribe("subs/" + std::to_string(i), 1), 1) << i;
    EXPECT_EQ(client->subscribe("subs/50", 1), 128);
    EXPECT_FALSE(client->wait_closed(200ms));
}

TEST_F(TwinBroker, ReservedAndOverlongClientIdsAreClosedWithoutConnack) {
    start();
    MqttClient reserved("$reserved");
    ASSERT_TRUE(reserved.start(broker_->plain_port()));
    EXPECT_TRUE(reserved.wait_closed(5s));
    EXPECT_FALSE(reserved.got_connack());
    MqttClient longer(std::string(129, 'c'));
    ASSERT_TRUE(longer.start(broker_->plain_port()));
    EXPECT_TRUE(longer.wait_closed(5s));
    EXPECT_FALSE(longer.got_connack());
    MqttClient longest_allowed(std::string(128, 'c'));
    EXPECT_TRUE(longest_allowed.connect(broker_->plain_port()));
}

TEST_F(TwinBroker, Mqtt5ClientsAreClosedTheSameWay) {
    start();
    auto client = plain("v5-client", 5);
    client->publish("devices/x", "hello", 2, false, 2s);
    EXPECT_TRUE(client->wait_closed(5s));
}

} // namespace
} // namespace hil::twin::test

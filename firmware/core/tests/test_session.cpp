// The MQTT session in the core: mqtt.connect arguments (TLS slots, will, reconnect), disconnect,
// unsubscribe, automatic reconnect with backoff on a stepping clock, re-subscription, publish
// bursts, and the session misbehaviours. The port is a fake; outcomes are injected.
#include "fakes.hpp"
#include "hil_cred.h"
#include "hil_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

class Session : public ::testing::Test {
  protected:
    void SetUp() override {
        port = make_fake_port(&ctx);
        hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "host"};
        ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
    }

    std::vector<std::string> request(const std::string &line) {
        ctx.clear();
        EXPECT_EQ(feed(&dev, line + "\n"), HIL_DEVICE_OK);
        return ctx.lines();
    }
    std::string answer(const std::string &line) {
        auto out = request(line);
        return out.empty() ? std::string() : out[0];
    }

    // Put text into a slot and commit it.
    void slot(unsigned n, const std::string &text) {
        ASSERT_EQ(
            hil_cred_write(&dev.creds, n, 0, reinterpret_cast<const uint8_t *>(text.data()), text.size()),
            HIL_CRED_OK);
        ASSERT_EQ(hil_cred_commit(&dev.creds, n,
                                  hil_crc32(0, reinterpret_cast<const uint8_t *>(text.data()), text.size())),
                  HIL_CRED_OK);
    }

    void connect(const std::string &extra = "") {
        auto out = request(R"(@100 mqtt.connect {"host":"h","port":1883,"client_id":"c")" + extra + "}");
        ASSERT_EQ(out.back(), "@100 ok");
        ASSERT_EQ(hil_device_on_connected(&dev, false), HIL_DEVICE_OK);
        ctx.clear();
    }

    // Advance the fake clock and run the due work; returns what was written.
    std::vector<std::string> advance(uint64_t ms) {
        ctx.clear();
        ctx.now_ms += ms;
        EXPECT_EQ(hil_device_tick(&dev), HIL_DEVICE_OK);
        return ctx.lines();
    }

    hil_port_context ctx;
    hil_port_t port{};
    static hil_device_t dev;
};
hil_device_t Session::dev;

const std::string kConnect = R"(@1 mqtt.connect {"host":"broker.example","port":8883,"client_id":"dut")";

} // namespace

// ---- mqtt.connect: TLS arguments ---------------------------------------------------------------

TEST_F(Session, test_mqtt_connect_TlsSlotsReachThePort) {
    slot(0, "CA PEM");
    slot(1, "CERT PEM");
    slot(2, "KEY PEM");
    auto out = request(kConnect + R"(,"tls":true,"ca_slot":0,"cert_slot":1,"key_slot":2,"sni":"iot.example",)"
                                  R"("alpn":"x-amzn-mqtt-ca","tls_version":"1.3","verify_host":false})");
    ASSERT_EQ(out, std::vector<std::string>{"@1 ok"});
    ASSERT_EQ(ctx.connects.size(), 1u);
    const hil_port_connect_params_t &p = ctx.connects[0];
    EXPECT_TRUE(p.tls.enabled);
    EXPECT_TRUE(p.tls.verify_server);
    EXPECT_FALSE(p.tls.verify_host);
    EXPECT_EQ(p.tls.version, HIL_TLS_VERSION_1_3);
    EXPECT_EQ(ctx.connect_copies[0].ca, "CA PEM");
    EXPECT_EQ(ctx.connect_copies[0].cert, "CERT PEM");
    EXPECT_EQ(ctx.connect_copies[0].key, "KEY PEM");
    EXPECT_EQ(ctx.connect_copies[0].sni, "iot.example");
    EXPECT_EQ(ctx.connect_copies[0].alpn, "x-amzn-mqtt-ca");
    EXPECT_FALSE(p.resume);
}

TEST_F(Session, test_mqtt_connect_TlsDefaults) {
    slot(3, "CA");
    ASSERT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":3})"), "@1 ok");
    const hil_port_connect_params_t &p = ctx.connects[0];
    EXPECT_EQ(ctx.connect_copies[0].sni, "broker.example"); // sni defaults to host
    EXPECT_EQ(ctx.connect_copies[0].alpn, "");
    EXPECT_EQ(ctx.connect_copies[0].cert, "");
    EXPECT_EQ(p.tls.cert.len, 0u);
    EXPECT_TRUE(p.tls.verify_host);
    EXPECT_EQ(p.tls.version, HIL_TLS_VERSION_ANY);
}

TEST_F(Session, test_mqtt_connect_TlsArgumentErrors) {
    slot(0, "CA");
    slot(1, "CERT");
    const std::string bad = R"(@1 err {"class":"proto.bad_args","detail":")";
    EXPECT_EQ(answer(kConnect + R"(,"ca_slot":0})"), bad + R"(ca_slot: needs \"tls\":true"})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":false,"sni":"x"})"), bad + R"(sni: needs \"tls\":true"})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true})"), bad + R"x(ca_slot: missing (required with tls)"})x");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":2})"),
              bad + R"x(ca_slot: slot is not committed (cred.commit)"})x");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":4})"), bad + R"(ca_slot: out of range"})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"cert_slot":1})"),
              bad + R"(cert_slot, key_slot: give both or neither"})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"tls_version":"1.1"})"),
              bad + R"(tls_version: expected \"1.2\" or \"1.3\""})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"sni":""})"), bad + R"(sni: empty"})");
    EXPECT_EQ(answer(kConnect + R"(,"tls":"yes"})"), bad + R"(tls: expected a boolean"})");
    EXPECT_TRUE(ctx.connects.empty());
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Session, test_mqtt_connect_WillAndReconnectArguments) {
    ASSERT_EQ(answer(kConnect + R"(,"will_topic":"hil/dut/status","will_payload":"gone","will_qos":1,)"
                                R"("will_retain":true,"keepalive":5,"clean_session":false})"),
              "@1 ok");
    const hil_port_connect_params_t &p = ctx.connects[0];
    EXPECT_EQ(ctx.connect_copies[0].will_topic, "hil/dut/status");
    EXPECT_EQ(ctx.connect_copies[0].will_payload, "gone");
    EXPECT_EQ(p.will.qos, 1);
    EXPECT_TRUE(p.will.retain);
    EXPECT_EQ(p.keepalive_s, 5);
    EXPECT_FALSE(p.clean_session);
    EXPECT_FALSE(p.tls.enabled);
    hil_device_on_connect_failed(&dev, HIL_ERR_NET_UNREACHABLE, "refused");
    const std::string bad = R"(@2 err {"class":"proto.bad_args","detail":")";
    EXPECT_EQ(answer(R"(@2 mqtt.connect {"host":"h","port":1,"client_id":"c","will_qos":1})"),
              bad + R"(will_qos: needs will_topic"})");
    EXPECT_EQ(answer(R"(@2 mqtt.connect {"host":"h","port":1,"client_id":"c","reconnect_min_ms":500,)"
                     R"("reconnect_max_ms":100})"),
              bad + R"(reconnect_max_ms: less than reconnect_min_ms"})");
}

TEST_F(Session, test_mqtt_connect_FirstFailureIsFinal) {
    ASSERT_EQ(answer(kConnect + "}"), "@1 ok");
    ctx.clear();
    hil_device_on_connect_failed(&dev, HIL_ERR_TLS_SERVER_UNTRUSTED, "X509 error 19");
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{R"(!mqtt.connect_failed {"class":"tls.server_untrusted",)"
                                                    R"("detail":"X509 error 19"})"});
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1); // nothing scheduled
}

TEST_F(Session, test_mqtt_connect_LateOutcomesIgnored) {
    ctx.clear();
    EXPECT_EQ(hil_device_on_connected(&dev, true), HIL_DEVICE_OK);
    EXPECT_EQ(hil_device_on_connect_failed(&dev, HIL_ERR_NET_TIMEOUT, "x"), HIL_DEVICE_OK);
    EXPECT_EQ(hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x"), HIL_DEVICE_OK);
    EXPECT_TRUE(ctx.written.empty());
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Session, test_misbehave_TlsChecksOffInParams) {
    slot(0, "CA");
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_SKIP_SERVER_VERIFY, true);
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_SKIP_HOSTNAME_CHECK, true);
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_ALWAYS_CLEAN_SESSION, true);
    ASSERT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"clean_session":false})"), "@1 ok");
    EXPECT_FALSE(ctx.connects[0].tls.verify_server);
    EXPECT_FALSE(ctx.connects[0].tls.verify_host);
    EXPECT_TRUE(ctx.connects[0].clean_session);
}

TEST_F(Session, test_mqtt_connect_SniAndAlpnInParams) {
    slot(0, "CA");
    ASSERT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"alpn":"x-amzn-mqtt-ca"})"), "@1 ok");
    EXPECT_TRUE(ctx.connects[0].tls.send_sni);
    EXPECT_EQ(ctx.connect_copies[0].sni, "broker.example");
    EXPECT_EQ(ctx.connect_copies[0].alpn, "x-amzn-mqtt-ca");
}

TEST_F(Session, test_misbehave_SniAndAlpnOffInParams) {
    slot(0, "CA");
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_NO_SNI, true);
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_NO_ALPN, true);
    ASSERT_EQ(answer(kConnect + R"(,"tls":true,"ca_slot":0,"alpn":"x-amzn-mqtt-ca"})"), "@1 ok");
    EXPECT_FALSE(ctx.connects[0].tls.send_sni);
    EXPECT_EQ(ctx.connect_copies[0].sni, "broker.example"); // still the name the certificate must carry
    EXPECT_EQ(ctx.connect_copies[0].alpn, "");
}

// ---- disconnect, unsubscribe ---------------------------------------------------------------------

TEST_F(Session, test_mqtt_disconnect_RequestedNoReconnect) {
    connect();
    ctx.during_call = [&] { hil_device_on_disconnected(&dev, HIL_ERR_MQTT_REQUESTED, "DISCONNECT sent"); };
    auto out = request("@2 mqtt.disconnect");
    EXPECT_EQ(out, (std::vector<std::string>{"@2 ok", R"(!mqtt.disconnected {"reason":"mqtt.requested",)"
                                                      R"("detail":"DISCONNECT sent"})"}));
    EXPECT_EQ(ctx.disconnects, 1);
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1);
    EXPECT_EQ(answer("@3 mqtt.disconnect"),
              R"(@3 err {"class":"mqtt.not_connected","detail":"no MQTT session"})");
}

TEST_F(Session, test_mqtt_disconnect_NoReconnectEvenIfPortSaysClosed) {
    connect();
    request("@2 mqtt.disconnect");
    ctx.clear();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "closed first");
    EXPECT_EQ(ctx.lines().size(), 1u); // disconnected, no reconnecting
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Session, test_mqtt_disconnect_AbandonsAttempt) {
    ASSERT_EQ(answer(kConnect + "}"), "@1 ok");
    auto out = request("@2 mqtt.disconnect");
    EXPECT_EQ(out, (std::vector<std::string>{"@2 ok", R"(!mqtt.connect_failed {"class":"mqtt.requested",)"
                                                      R"("detail":"connect attempt abandoned"})"}));
    ctx.clear();
    hil_device_on_connected(&dev, false); // a late CONNACK of the abandoned attempt
    EXPECT_TRUE(ctx.written.empty());
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Session, test_mqtt_unsubscribe_ForgetsFilter) {
    connect();
    request(R"(@2 mqtt.subscribe {"topic":"a/#","qos":1})");
    ASSERT_TRUE(hil_device_subscribed(&dev, "a/#"));
    EXPECT_EQ(answer(R"(@3 mqtt.unsubscribe {"topic":"a/#"})"), R"(@3 ok {"mid":2})");
    EXPECT_EQ(ctx.unsubscribes, std::vector<std::string>{"a/#"});
    EXPECT_FALSE(hil_device_subscribed(&dev, "a/#"));
    ctx.clear();
    hil_device_on_unsubscribed(&dev, 2);
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{R"(!mqtt.unsubscribed {"mid":2,"topic":"a/#"})"});
    EXPECT_EQ(answer(R"(@4 mqtt.unsubscribe {})"),
              R"(@4 err {"class":"proto.bad_args","detail":"topic: missing"})");
}

TEST_F(Session, test_misbehave_IgnoreUnsubscribeSendsNothing) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_IGNORE_UNSUBSCRIBE, true);
    connect();
    request(R"(@2 mqtt.subscribe {"topic":"a/#","qos":1})");
    ctx.clear();
    const auto out = request(R"(@3 mqtt.unsubscribe {"topic":"a/#"})");
    // Looks like a real UNSUBACK to the harness, but the broker never heard of it.
    EXPECT_EQ(out, (std::vector<std::string>{R"(@3 ok {"mid":1})",
                                             R"(!mqtt.unsubscribed {"mid":1,"topic":"a/#"})"}));
    EXPECT_TRUE(ctx.unsubscribes.empty());
    EXPECT_FALSE(hil_device_subscribed(&dev, "a/#"));
}

TEST_F(Session, test_misbehave_NoWillConnectsWithoutIt) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_NO_WILL, true);
    ASSERT_EQ(answer(kConnect + R"(,"will_topic":"hil/dut/status","will_payload":"gone"})"), "@1 ok");
    EXPECT_EQ(ctx.connects[0].will.topic, nullptr);
}

TEST_F(Session, test_mqtt_subscribe_TableFull) {
    connect();
    for (unsigned i = 0; i < HIL_DEVICE_MAX_SUBSCRIPTIONS; i++) {
        ASSERT_EQ(answer(R"(@2 mqtt.subscribe {"topic":"t/)" + std::to_string(i) + "\"}").rfind("@2 ok", 0),
                  0u);
    }
    EXPECT_EQ(
        answer(R"(@3 mqtt.subscribe {"topic":"t/again"})"),
        R"x(@3 err {"class":"proto.busy","detail":"subscription table full (HIL_DEVICE_MAX_SUBSCRIPTIONS)"})x");
    // the same filter again only updates its QoS
    EXPECT_EQ(answer(R"(@4 mqtt.subscribe {"topic":"t/0","qos":2})").rfind("@4 ok", 0), 0u);
}

// ---- automatic reconnect ---------------------------------------------------------------------

TEST_F(Session, test_reconnect_BackoffDoublesUpToMax) {
    connect(R"(,"reconnect_min_ms":100,"reconnect_max_ms":350)");
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "peer closed");
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_RECONNECT_WAIT);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), 100);
    EXPECT_TRUE(advance(99).empty());
    EXPECT_EQ(ctx.connects.size(), 1u);
    advance(1);
    ASSERT_EQ(ctx.connects.size(), 2u);
    EXPECT_TRUE(ctx.connects[1].resume);
    EXPECT_EQ(ctx.connect_hosts[1], "h");
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_CONNECTING);

    ctx.clear();
    hil_device_on_connect_failed(&dev, HIL_ERR_NET_UNREACHABLE, "refused");
    EXPECT_EQ(ctx.lines(),
              (std::vector<std::string>{
                  R"(!mqtt.connect_failed {"class":"net.unreachable","attempt":1,"detail":"refused"})",
                  R"(!mqtt.reconnecting {"attempt":2,"delay_ms":200})"}));
    advance(200);
    ctx.clear();
    hil_device_on_connect_failed(&dev, HIL_ERR_NET_UNREACHABLE, "refused");
    EXPECT_EQ(ctx.lines()[1], R"(!mqtt.reconnecting {"attempt":3,"delay_ms":350})"); // 400 capped
    advance(350);
    ctx.clear();
    hil_device_on_connected(&dev, true);
    EXPECT_EQ(ctx.lines(),
              std::vector<std::string>{R"(!mqtt.connected {"session_present":true,"attempt":3})"});
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_CONNECTED);

    // The next outage starts again at the minimum.
    ctx.clear();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_TIMEOUT, "keepalive");
    EXPECT_EQ(ctx.lines()[1], R"(!mqtt.reconnecting {"attempt":1,"delay_ms":100})");
}

TEST_F(Session, test_reconnect_OffStaysIdle) {
    connect(R"(,"reconnect":false)");
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    EXPECT_EQ(ctx.lines().size(), 1u);
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Session, test_reconnect_ConnectDuringWaitReplacesIt) {
    connect();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    ASSERT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_RECONNECT_WAIT);
    EXPECT_EQ(answer(R"(@5 mqtt.connect {"host":"other","port":2,"client_id":"c2"})"), "@5 ok");
    EXPECT_EQ(ctx.connect_hosts.back(), "other");
    EXPECT_FALSE(ctx.connects.back().resume);
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_CONNECTING);
}

TEST_F(Session, test_reconnect_DisconnectCancelsWait) {
    connect();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    auto out = request("@6 mqtt.disconnect");
    EXPECT_EQ(out, (std::vector<std::string>{"@6 ok", R"(!mqtt.disconnected {"reason":"mqtt.requested",)"
                                                      R"("detail":"automatic reconnect cancelled"})"}));
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1);
}

TEST_F(Session, test_reconnect_ResubscribesWithoutSession) {
    connect();
    request(R"(@2 mqtt.subscribe {"topic":"a/#","qos":1})");
    request(R"(@3 mqtt.subscribe {"topic":"b","qos":2})");
    hil_device_on_subscribed(&dev, 1, 1);
    hil_device_on_subscribed(&dev, 2, 2);
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    advance(1000);
    ctx.subscribes.clear();
    hil_device_on_connected(&dev, false);
    EXPECT_EQ(ctx.subscribes, (std::vector<std::pair<std::string, uint8_t>>{{"a/#", 1}, {"b", 2}}));
    ctx.clear();
    hil_device_on_subscribed(&dev, 3, 1);
    EXPECT_EQ(ctx.lines()[0], R"(!mqtt.subscribed {"mid":3,"granted_qos":1,"topic":"a/#"})");

    // With a session present the broker kept them: nothing is sent.
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    advance(1000);
    ctx.subscribes.clear();
    hil_device_on_connected(&dev, true);
    EXPECT_TRUE(ctx.subscribes.empty());
}

TEST_F(Session, test_misbehave_NoResubscribe) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_NO_RESUBSCRIBE, true);
    connect();
    request(R"(@2 mqtt.subscribe {"topic":"a/#","qos":1})");
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    advance(1000);
    ctx.subscribes.clear();
    hil_device_on_connected(&dev, false);
    EXPECT_TRUE(ctx.subscribes.empty());
}

TEST_F(Session, test_misbehave_LoseInflightConnectsFresh) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_LOSE_INFLIGHT, true);
    connect();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    advance(1000);
    ASSERT_EQ(ctx.connects.size(), 2u);
    EXPECT_FALSE(ctx.connects[1].resume);
}

TEST_F(Session, test_reconnect_ClearedSlotIsBadCredentials) {
    slot(0, "CA");
    connect(R"(,"tls":true,"ca_slot":0)");
    hil_cred_clear(&dev.creds, 0);
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    auto out = advance(1000);
    EXPECT_EQ(ctx.connects.size(), 1u); // nothing sent
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], R"(!mqtt.connect_failed {"class":"tls.bad_credentials","attempt":1,)"
                      R"("detail":"a credential slot of this connection is no longer committed"})");
    EXPECT_EQ(out[1], R"(!mqtt.reconnecting {"attempt":2,"delay_ms":2000})");
}

TEST_F(Session, test_reconnect_PortRefusalCountsAsFailedAttempt) {
    connect();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    ctx.connect_result = HIL_PORT_FAILED;
    auto out = advance(1000);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], R"(!mqtt.connect_failed {"class":"mqtt.failed","attempt":1,)"
                      R"("detail":"the MQTT stack refused the attempt"})");
}

// ---- publish, QoS 2 misbehaviour ------------------------------------------------------------------

TEST_F(Session, test_misbehave_Qos2Twice) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_QOS2_TWICE, true);
    connect();
    EXPECT_EQ(answer(R"(@2 mqtt.publish {"topic":"t","payload":"p","qos":2})"), R"(@2 ok {"mid":1})");
    ASSERT_EQ(ctx.publishes.size(), 2u);
    EXPECT_EQ(ctx.publishes[1].payload, "p");
    ctx.clear();
    hil_device_on_published(&dev, 2); // the duplicate's PUBCOMP: not on the console
    hil_device_on_published(&dev, 1);
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{R"(!mqtt.published {"mid":1,"seq":1})"});
    request(R"(@3 mqtt.publish {"topic":"t","payload":"p","qos":1})");
    EXPECT_EQ(ctx.publishes.size(), 3u); // QoS 1: once
}

// ---- bursts -----------------------------------------------------------------------------------------

TEST_F(Session, test_mqtt_burst_PayloadFormatAndAcks) {
    connect();
    auto out = request(R"(@2 mqtt.burst {"topic":"hil/b","run":"r7","count":3,"qos":1,"size":40})");
    EXPECT_EQ(out, std::vector<std::string>{
                       R"(@2 ok {"run":"r7","count":3,"first_seq":1,"last_seq":3,"size":40})"});
    out = advance(0);
    ASSERT_EQ(ctx.publishes.size(), 3u);
    EXPECT_EQ(ctx.publishes[0].payload, R"({"run":"r7","seq":1,"pad":"xxxxxxxxxxx"})");
    EXPECT_EQ(ctx.publishes[2].payload.size(), 40u);
    EXPECT_EQ(ctx.publishes[2].qos, 1);
    EXPECT_EQ(out, std::vector<std::string>{R"(!mqtt.burst_done {"run":"r7","count":3,"queued":3,)"
                                            R"("first_seq":1,"last_seq":3})"});
    ctx.clear();
    hil_device_on_published(&dev, 2);
    hil_device_on_published(&dev, 1);
    EXPECT_EQ(ctx.lines(),
              (std::vector<std::string>{R"(!mqtt.published {"mid":2,"seq":1,"run":"r7","msg_seq":2})",
                                        R"(!mqtt.published {"mid":1,"seq":2,"run":"r7","msg_seq":1})"}));
}

TEST_F(Session, test_mqtt_burst_IntervalOnSteppingClock) {
    connect();
    request(R"(@2 mqtt.burst {"topic":"t","run":"r","count":3,"interval_ms":100})");
    advance(0);
    EXPECT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), 100);
    advance(99);
    EXPECT_EQ(ctx.publishes.size(), 1u);
    advance(1);
    EXPECT_EQ(ctx.publishes.size(), 2u);
    auto out = advance(100);
    EXPECT_EQ(ctx.publishes.size(), 3u);
    EXPECT_EQ(out.size(), 1u); // burst_done
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1);
}

TEST_F(Session, test_mqtt_burst_WindowWaitsForAcks) {
    connect();
    request(R"(@2 mqtt.burst {"topic":"t","run":"r","count":40,"qos":1})");
    for (int i = 0; i < 10; i++) {
        advance(0);
    }
    EXPECT_EQ(ctx.publishes.size(), static_cast<size_t>(HIL_BURST_WINDOW));
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1); // waits for an ack, not the clock
    hil_device_on_published(&dev, 1);
    EXPECT_EQ(hil_device_next_tick_ms(&dev), 0);
    advance(0);
    EXPECT_EQ(ctx.publishes.size(), static_cast<size_t>(HIL_BURST_WINDOW) + 1u);
}

TEST_F(Session, test_mqtt_burst_PausesWhileReconnectingStopsWhenIdle) {
    connect();
    request(R"(@2 mqtt.burst {"topic":"t","run":"r","count":100,"interval_ms":10})");
    advance(0);
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    advance(10);
    EXPECT_EQ(ctx.publishes.size(), 1u); // paused
    advance(990);                        // the reconnect attempt starts
    hil_device_on_connected(&dev, true);
    advance(0);
    EXPECT_EQ(ctx.publishes.size(), 2u);                           // resumed
    hil_device_on_disconnected(&dev, HIL_ERR_MQTT_REQUESTED, "x"); // no reconnect: stop
    auto out = advance(0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], R"(!mqtt.burst_done {"run":"r","count":100,"queued":2,"first_seq":1,"last_seq":100,)"
                      R"("stopped":"mqtt.not_connected"})");
}

TEST_F(Session, test_mqtt_burst_QoS0SentInsideCall) {
    connect();
    // libmosquitto reports a QoS 0 publish as sent from inside mosquitto_publish().
    ctx.during_call = [&] { hil_device_on_published(&dev, static_cast<uint16_t>(ctx.next_mid - 1)); };
    request(R"(@2 mqtt.burst {"topic":"t","run":"r","count":2})");
    auto out = advance(0);
    EXPECT_EQ(out,
              (std::vector<std::string>{R"(!mqtt.published {"mid":1,"seq":1,"run":"r","msg_seq":1})",
                                        R"(!mqtt.published {"mid":2,"seq":2,"run":"r","msg_seq":2})",
                                        R"(!mqtt.burst_done {"run":"r","count":2,"queued":2,"first_seq":1,)"
                                        R"("last_seq":2})"}));
}

TEST_F(Session, test_mqtt_burst_ArgumentErrors) {
    const std::string bad = R"(@2 err {"class":"proto.bad_args","detail":")";
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"r","count":1})"),
              R"(@2 err {"class":"mqtt.not_connected","detail":"no MQTT session"})");
    connect();
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"a b","count":1})"),
              bad + R"(run: expected 1..64 of [A-Za-z0-9_.:-]"})");
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"r","count":0})"), bad + R"(count: out of range"})");
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"r","count":10,"size":20})"),
              bad + R"(size: too small for the run id and sequence numbers"})");
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"r","count":1,"size":4096})"),
              bad + R"(size: out of range"})");
    EXPECT_EQ(answer(R"(@2 mqtt.burst {"topic":"t","run":"r","count":5})").rfind("@2 ok", 0), 0u);
    EXPECT_EQ(answer(R"(@3 mqtt.burst {"topic":"t","run":"r","count":5})"),
              R"(@3 err {"class":"proto.busy","detail":"a burst is running"})");
}

// ---- sys.* -----------------------------------------------------------------------------------------

TEST_F(Session, test_sys_time_set_ClockAndPort) {
    ctx.now_ms = 5000;
    EXPECT_EQ(answer(R"(@1 sys.time.set {"unix_ms":1767225600000})"), R"(@1 ok {"unix_ms":1767225600000})");
    EXPECT_EQ(ctx.times_set, std::vector<int64_t>{1767225600});
    ctx.now_ms = 6500;
    std::string info = answer("@2 sys.info");
    EXPECT_NE(info.find(R"("unix_ms":1767225601500)"), std::string::npos) << info;
    EXPECT_EQ(answer(R"(@3 sys.time.set {"unix_ms":5})"),
              R"(@3 err {"class":"proto.bad_args","detail":"unix_ms: out of range"})");
}

TEST_F(Session, test_sys_reboot_AfterAnswerRestOfInputLost) {
    connect();
    ctx.clear();
    feed(&dev, "@1 sys.reboot\n@2 sys.info\n");
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{"@1 ok"});
    EXPECT_EQ(ctx.reboots, 1);
}

TEST_F(Session, test_hil_device_reset_ForgetsSession) {
    slot(0, "CA");
    connect();
    request(R"(@2 mqtt.subscribe {"topic":"a"})");
    request(R"(@3 sys.time.set {"unix_ms":1767225600000})");
    ASSERT_EQ(hil_device_reset(&dev), HIL_DEVICE_OK);
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
    EXPECT_FALSE(hil_device_subscribed(&dev, "a"));
    EXPECT_FALSE(dev.creds.slots[0].committed);
    int64_t t = 0;
    EXPECT_FALSE(hil_device_unix_ms(&dev, &t));
    // The commands survive.
    EXPECT_EQ(answer("@4 sys.info").rfind("@4 ok", 0), 0u);
}

TEST_F(Session, test_wifi_FixedLinkOnPortWithoutWifi) {
    auto out = request(R"(@1 wifi.connect {"ssid":"lab","password":"secret"})");
    EXPECT_EQ(out, (std::vector<std::string>{R"(@1 ok {"connected":true,"ssid":"lab","fixed":true})",
                                             R"(!wifi.connected {"ssid":"lab","detail":"fixed link"})"}));
    EXPECT_EQ(ctx.written.find("secret"), std::string::npos);
    EXPECT_EQ(answer("@2 wifi.status"), R"(@2 ok {"connected":true,"ssid":"lab","fixed":true})");
    EXPECT_EQ(answer("@3 wifi.disconnect"),
              R"(@3 err {"class":"proto.busy","detail":"fixed network link: it cannot go down"})");
    EXPECT_EQ(answer(R"(@4 wifi.connect {})"),
              R"(@4 err {"class":"proto.bad_args","detail":"ssid: missing"})");
}

TEST_F(Session, test_wifi_PortWithWifi) {
    port = make_fake_port(&ctx, true, true);
    hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "CY8CPROTO-062-4343W"};
    ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
    EXPECT_EQ(answer("@1 wifi.status"), R"(@1 ok {"connected":false,"ssid":"","fixed":false})");
    EXPECT_EQ(request(R"(@2 wifi.connect {"ssid":"lab","password":"pw"})"),
              std::vector<std::string>{"@2 ok"});
    EXPECT_EQ(ctx.wifi_connects, (std::vector<std::pair<std::string, std::string>>{{"lab", "pw"}}));
    ctx.clear();
    hil_device_on_wifi(&dev, true, "192.168.1.20");
    EXPECT_EQ(ctx.lines(),
              std::vector<std::string>{R"(!wifi.connected {"ssid":"lab","detail":"192.168.1.20"})"});
    EXPECT_EQ(answer("@3 wifi.disconnect"), "@3 ok");
    ctx.clear();
    hil_device_on_wifi(&dev, false, "requested");
    EXPECT_EQ(ctx.lines(),
              std::vector<std::string>{R"(!wifi.disconnected {"ssid":"lab","reason":"requested"})"});
    ctx.wifi_result = HIL_PORT_BUSY;
    EXPECT_EQ(answer(R"(@4 wifi.connect {"ssid":"lab"})"),
              R"(@4 err {"class":"proto.busy","detail":"Wi-Fi connect in progress"})");
}

TEST_F(Session, test_sys_reboot_PortWithoutReset) {
    port = make_fake_port(&ctx, false);
    hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "host"};
    ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
    EXPECT_EQ(answer("@1 sys.reboot"), R"(@1 err {"class":"proto.busy","detail":"this port cannot reboot"})");
    EXPECT_EQ(answer("@2 mqtt.disconnect"),
              R"(@2 err {"class":"mqtt.not_connected","detail":"no MQTT session"})");
    EXPECT_EQ(answer(R"(@3 mqtt.unsubscribe {"topic":"a"})"),
              R"(@3 err {"class":"mqtt.failed","detail":"this port has no MQTT"})");
    EXPECT_EQ(answer(R"(@4 mqtt.burst {"topic":"a","run":"r","count":1})"),
              R"(@4 err {"class":"mqtt.failed","detail":"this port has no MQTT"})");
}

TEST_F(Session, test_hil_device_feed_PartialReadsOneAnswer) {
    // A request arriving in pieces, as a UART FIFO or pty delivers it, is answered once, whole.
    const std::string line = R"(@7 mqtt.connect {"host":"h","port":1,"client_id":"c"})"
                             "\r\n";
    ctx.clear();
    for (size_t at = 0; at < line.size(); at += 5) {
        ASSERT_EQ(feed(&dev, line.substr(at, 5)), HIL_DEVICE_OK);
        if (at + 5 < line.size()) {
            EXPECT_TRUE(ctx.written.empty()) << at;
        }
    }
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{"@7 ok"});
    EXPECT_EQ(ctx.connects.size(), 1u);
}

// The port names the negotiated TLS version; the event carries it (and nothing without the hook).
TEST_F(Session, test_connected_NamesTheNegotiatedTlsVersion) {
    port.tls_version = [](hil_port_context_t *) -> const char * { return "1.3"; };
    ASSERT_EQ(request(R"(@100 mqtt.connect {"host":"h","port":1883,"client_id":"c"})").back(), "@100 ok");
    ctx.clear();
    ASSERT_EQ(hil_device_on_connected(&dev, false), HIL_DEVICE_OK);
    EXPECT_EQ(ctx.lines(),
              std::vector<std::string>{R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})"});
}

TEST_F(Session, test_connected_PlainSessionHasNoTlsVersion) {
    port.tls_version = [](hil_port_context_t *) -> const char * { return nullptr; };
    ASSERT_EQ(request(R"(@100 mqtt.connect {"host":"h","port":1883,"client_id":"c"})").back(), "@100 ok");
    ctx.clear();
    ASSERT_EQ(hil_device_on_connected(&dev, false), HIL_DEVICE_OK);
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{R"(!mqtt.connected {"session_present":false})"});
}

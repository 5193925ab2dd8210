// The reference lamp and its shadow client on the core with a fake port: shadow topics and
// requests, delta handling (apply, reject, stale versions), reporting with a clientToken, sync on
// connect, telemetry on a stepping clock, and the application misbehaviours.
#include "fakes.hpp"
#include "hil_device.h"
#include "hil_lamp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

const std::string kPrefix = "$aws/things/lamp-1/shadow";

class Lamp : public ::testing::Test {
  protected:
    void SetUp() override {
        port = make_fake_port(&ctx);
        hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "host"};
        ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
        ASSERT_EQ(hil_lamp_init(&lamp, &dev), HIL_DEVICE_OK);
    }

    std::vector<std::string> request(const std::string &line) {
        ctx.clear();
        EXPECT_EQ(feed(&dev, line + "\n"), HIL_DEVICE_OK);
        return ctx.lines();
    }

    void connect() {
        request(R"(@100 mqtt.connect {"host":"h","port":1883,"client_id":"c"})");
        ASSERT_EQ(hil_device_on_connected(&dev, false), HIL_DEVICE_OK);
    }

    // Connected and started on thing lamp-1 (classic shadow), the sync done, output cleared.
    void start(const std::string &extra = "") {
        connect();
        auto out = request(R"(@101 lamp.start {"thing":"lamp-1")" + extra + "}");
        ASSERT_EQ(out[0].rfind("@101 ok", 0), 0u) << out[0];
        ctx.publishes.clear();
        ctx.clear();
    }

    std::vector<std::string> message(const std::string &topic, const std::string &payload) {
        ctx.clear();
        hil_device_on_message(&dev, topic.c_str(), reinterpret_cast<const uint8_t *>(payload.data()),
                              payload.size(), 1, false);
        std::vector<std::string> out;
        for (auto &l : ctx.lines()) {
            if (l.rfind("!mqtt.message", 0) != 0) {
                out.push_back(l);
            }
        }
        return out;
    }

    std::vector<hil_port_context::Publish> updates() const {
        std::vector<hil_port_context::Publish> out;
        for (auto &p : ctx.publishes) {
            if (p.topic.find("/update") != std::string::npos) {
                out.push_back(p);
            }
        }
        return out;
    }

    hil_port_context ctx;
    hil_port_t port{};
    static hil_device_t dev;
    static hil_lamp_t lamp;
};
hil_device_t Lamp::dev;
hil_lamp_t Lamp::lamp;

} // namespace

TEST_F(Lamp, test_lamp_start_SubscribesAndSyncs) {
    connect();
    ctx.subscribes.clear();
    auto out = request(R"(@1 lamp.start {"thing":"lamp-1"})");
    EXPECT_EQ(out[0], R"(@1 ok {"thing":"lamp-1","shadow":"","telemetry_topic":"lamp/lamp-1/telemetry"})");
    EXPECT_EQ(ctx.subscribes, (std::vector<std::pair<std::string, uint8_t>>{{kPrefix + "/+/+", 1},
                                                                            {kPrefix + "/name/+/+/+", 1}}));
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].topic, kPrefix + "/get");
    EXPECT_EQ(ctx.publishes[0].payload, R"({"clientToken":"lamp-1"})");
    EXPECT_EQ(ctx.publishes[0].qos, 1);
}

TEST_F(Lamp, test_lamp_start_NamedShadowAndErrors) {
    connect();
    request(R"(@1 lamp.start {"thing":"lamp-1","shadow":"light"})");
    EXPECT_EQ(ctx.publishes.back().topic, kPrefix + "/name/light/get");
    EXPECT_EQ(request(R"(@2 lamp.start {"thing":"a/b"})")[0],
              R"(@2 err {"class":"proto.bad_args","detail":"thing: expected 1..128 of [A-Za-z0-9:_-]"})");
    EXPECT_EQ(request(R"(@3 lamp.start {})")[0],
              R"(@3 err {"class":"proto.bad_args","detail":"thing: missing"})");
}

TEST_F(Lamp, test_lamp_GetDocumentDeltaAppliedAndReported) {
    start();
    auto out = message(kPrefix + "/get/accepted",
                       R"({"state":{"desired":{"color":"red"},"reported":{"color":"white"},)"
                       R"("delta":{"color":"red"}},"version":4,"clientToken":"lamp-1"})");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], R"(!shadow.accepted {"op":"get","shadow":"","version":4,"client_token":"lamp-1"})");
    EXPECT_EQ(
        out[1],
        R"(!lamp.state {"color":"red","brightness":50,"report_interval":60,"source":"get","version":4})");
    auto up = updates();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0].payload, R"({"state":{"reported":{"color":"red","brightness":50,"report_interval":60}},)"
                             R"("clientToken":"lamp-2"})");
}

TEST_F(Lamp, test_lamp_GetWithoutDeltaReportsState) {
    start();
    message(kPrefix + "/get/accepted", R"({"state":{"reported":{"color":"white"}},"version":2})");
    EXPECT_EQ(updates().size(), 1u);
    ctx.publishes.clear();
    auto out = message(kPrefix + "/get/rejected",
                       R"({"code":404,"message":"No shadow exists with name: 'lamp-1'"})");
    EXPECT_EQ(out[0], R"(!shadow.rejected {"op":"get","shadow":"","code":404,)"
                      R"("message":"No shadow exists with name: 'lamp-1'"})");
    EXPECT_EQ(updates().size(), 1u); // created by reporting
}

TEST_F(Lamp, test_lamp_DeltaValidAndInvalidValues) {
    start();
    auto out = message(kPrefix + "/update/delta",
                       R"({"version":7,"timestamp":1,"state":{"brightness":80,"color":"purple","x":1},)"
                       R"("metadata":{},"clientToken":"cloud-1"})");
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0],
              R"(!lamp.invalid {"field":"color","detail":"expected white, warm, red, green, blue, yellow, )"
              R"(cyan, magenta or #rrggbb","version":7})");
    EXPECT_EQ(out[1], R"(!lamp.invalid {"field":"x","detail":"unknown field","version":7})");
    EXPECT_EQ(
        out[2],
        R"(!lamp.state {"color":"white","brightness":80,"report_interval":60,"source":"delta","version":7})");
    EXPECT_EQ(out[3],
              R"(!shadow.delta {"shadow":"","version":7,"client_token":"cloud-1","applied":1,"rejected":2})");
    auto up = updates();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_NE(up[0].payload.find(R"("reported":{"color":"white","brightness":80,)"), std::string::npos);
}

TEST_F(Lamp, test_lamp_DeltaOnlyInvalidKeepsStateNoReport) {
    start();
    auto out = message(kPrefix + "/update/delta", R"({"version":3,"state":{"brightness":101}})");
    EXPECT_EQ(out[0],
              R"(!lamp.invalid {"field":"brightness","detail":"expected an integer 0..100","version":3})");
    EXPECT_EQ(out[1], R"(!shadow.delta {"shadow":"","version":3,"applied":0,"rejected":1})");
    EXPECT_TRUE(updates().empty()); // nothing to report: no update/delta loop
    EXPECT_EQ(lamp.state.brightness, 50);
}

TEST_F(Lamp, test_lamp_StaleAndRepeatedDeltasDropped) {
    start();
    message(kPrefix + "/update/delta", R"({"version":10,"state":{"brightness":10}})");
    ctx.publishes.clear();
    auto out = message(kPrefix + "/update/delta", R"({"version":9,"state":{"brightness":90}})");
    EXPECT_EQ(out, std::vector<std::string>{
                       R"(!shadow.delta {"shadow":"","version":9,"dropped":"stale","last_version":10})"});
    out = message(kPrefix + "/update/delta",
                  R"({"version":10,"state":{"brightness":90}})"); // a QoS 1 duplicate
    EXPECT_EQ(out[0], R"(!shadow.delta {"shadow":"","version":10,"dropped":"stale","last_version":10})");
    EXPECT_EQ(lamp.state.brightness, 10);
    EXPECT_TRUE(updates().empty());
}

TEST_F(Lamp, test_lamp_DeltaOfOtherShadowNotHandled) {
    start(R"(,"shadow":"light")");
    auto out = message(kPrefix + "/update/delta", R"({"version":1,"state":{"brightness":1}})");
    EXPECT_EQ(out, std::vector<std::string>{R"(!shadow.delta {"shadow":"","version":1,"handled":false})"});
    out = message(kPrefix + "/name/light/update/delta", R"({"version":1,"state":{"brightness":1}})");
    EXPECT_EQ(out.back(), R"(!shadow.delta {"shadow":"light","version":1,"applied":1,"rejected":0})");
    EXPECT_EQ(updates()[0].topic, kPrefix + "/name/light/update");
}

TEST_F(Lamp, test_lamp_UpdateAcceptedRejectedEvents) {
    start();
    auto out = message(kPrefix + "/update/accepted",
                       R"({"state":{"reported":{}},"version":12,"clientToken":"lamp-2"})");
    EXPECT_EQ(out, std::vector<std::string>{R"(!shadow.accepted {"op":"update","shadow":"","version":12,)"
                                            R"("client_token":"lamp-2"})"});
    out = message(kPrefix + "/name/cfg/update/rejected",
                  R"({"code":409,"message":"Version conflict","clientToken":"hil-1"})");
    EXPECT_EQ(out, std::vector<std::string>{R"(!shadow.rejected {"op":"update","shadow":"cfg","code":409,)"
                                            R"("client_token":"hil-1","message":"Version conflict"})"});
    out = message(kPrefix + "/delete/accepted", R"({"version":12,"timestamp":5})");
    EXPECT_EQ(out, std::vector<std::string>{R"(!shadow.accepted {"op":"delete","shadow":"","version":12})"});
    // other things, documents and garbage are not ours
    EXPECT_TRUE(message("$aws/things/other/shadow/update/delta", R"({"version":1,"state":{}})").empty());
    EXPECT_TRUE(message(kPrefix + "/update/documents", R"({"current":{}})").empty());
    EXPECT_TRUE(message(kPrefix + "/update/delta", "not json").empty());
}

TEST_F(Lamp, test_shadow_commands) {
    start();
    auto out = request(R"(@1 shadow.update {"shadow":"cfg","state":{"desired":{"a":1}},"version":3})");
    EXPECT_EQ(out[0], R"(@1 ok {"client_token":"hil-2","mid":4})");
    EXPECT_EQ(ctx.publishes.back().topic, kPrefix + "/name/cfg/update");
    EXPECT_EQ(ctx.publishes.back().payload,
              R"({"state":{"desired":{"a":1}},"clientToken":"hil-2","version":3})");
    out = request(R"(@2 shadow.get)");
    EXPECT_EQ(ctx.publishes.back().topic, kPrefix + "/get");
    out = request(R"(@3 shadow.delete {"shadow":"cfg"})");
    EXPECT_EQ(ctx.publishes.back().topic, kPrefix + "/name/cfg/delete");
    EXPECT_EQ(ctx.publishes.back().payload, R"({"clientToken":"hil-4"})");
    EXPECT_EQ(request(R"(@4 shadow.update {"state":3})")[0],
              R"(@4 err {"class":"proto.bad_args","detail":"state: expected an object"})");
    EXPECT_EQ(request(R"(@5 shadow.get {"shadow":"a b"})")[0],
              R"(@5 err {"class":"proto.bad_args","detail":"shadow: expected 1..64 of [A-Za-z0-9:_-]"})");
}

TEST_F(Lamp, test_shadow_commands_NeedThingAndSession) {
    EXPECT_EQ(request("@1 shadow.get")[0],
              R"x(@1 err {"class":"proto.busy","detail":"no thing (lamp.start)"})x");
    request(R"(@2 lamp.start {"thing":"lamp-1"})");
    EXPECT_EQ(request("@3 shadow.get")[0],
              R"(@3 err {"class":"mqtt.not_connected","detail":"no MQTT session"})");
}

TEST_F(Lamp, test_lamp_SyncAgainAfterReconnect) {
    start();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "x");
    ctx.now_ms += 1000;
    hil_device_tick(&dev);
    ctx.publishes.clear();
    ctx.subscribes.clear();
    hil_device_on_connected(&dev, false);
    // the core re-subscribes the shadow filters, then the lamp asks for its document
    EXPECT_EQ(ctx.subscribes.size(), 2u);
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].topic, kPrefix + "/get");
}

TEST_F(Lamp, test_lamp_set_ReportsAndValidates) {
    start();
    auto out = request(R"(@1 lamp.set {"color":"#00ff00","brightness":5})");
    EXPECT_EQ(out[0], R"(@1 ok {"color":"#00ff00","brightness":5,"report_interval":60})");
    EXPECT_EQ(out[1],
              R"(!lamp.state {"color":"#00ff00","brightness":5,"report_interval":60,"source":"console"})");
    EXPECT_EQ(updates().size(), 1u);
    EXPECT_EQ(request(R"(@2 lamp.set {"brightness":-1})")[0],
              R"(@2 err {"class":"proto.bad_args","detail":"brightness: expected an integer 0..100"})");
    EXPECT_EQ(request(R"(@3 lamp.status)")[0], R"(@3 ok {"started":true,"thing":"lamp-1","shadow":"",)"
                                               R"("color":"#00ff00","brightness":5,"report_interval":60,)"
                                               R"("last_version":-1})");
}

TEST_F(Lamp, test_lamp_TelemetryEveryInterval) {
    start();
    request(R"(@1 lamp.set {"report_interval":2})");
    ctx.publishes.clear();
    EXPECT_EQ(hil_device_next_tick_ms(&dev), 2000);
    ctx.now_ms += 1999;
    hil_device_tick(&dev);
    EXPECT_TRUE(ctx.publishes.empty());
    ctx.now_ms += 1;
    ctx.clear();
    hil_device_tick(&dev);
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].topic, "lamp/lamp-1/telemetry");
    EXPECT_EQ(ctx.publishes[0].payload.rfind(R"({"seq":1,"color":"white","brightness":50,"uptime_ms":)", 0),
              0u);
    EXPECT_EQ(ctx.lines().back().rfind(R"(!lamp.telemetry {"seq":1,"mid":)", 0), 0u);
    request(R"(@2 lamp.set {"report_interval":0})");
    EXPECT_EQ(hil_device_next_tick_ms(&dev), -1);
}

TEST_F(Lamp, test_misbehave_IgnoreDeltasSilent) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_IGNORE_DELTAS, true);
    start();
    auto out = message(kPrefix + "/update/delta", R"({"version":2,"state":{"brightness":1}})");
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(updates().empty());
    EXPECT_EQ(lamp.state.brightness, 50);
}

TEST_F(Lamp, test_misbehave_StaleReportOnce) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_STALE_REPORT, true);
    start();
    message(kPrefix + "/update/delta", R"({"version":2,"state":{"brightness":1}})");
    EXPECT_EQ(lamp.state.brightness, 1);
    auto up = updates();
    ASSERT_EQ(up.size(), 1u);
    EXPECT_NE(up[0].payload.find(R"("brightness":50)"), std::string::npos) << up[0].payload;
    // the cloud insists: nothing changes on the device, and it stays silent
    ctx.publishes.clear();
    message(kPrefix + "/update/delta", R"({"version":3,"state":{"brightness":1}})");
    EXPECT_TRUE(updates().empty());
}

TEST_F(Lamp, test_lamp_ResetForgetsEverything) {
    start();
    message(kPrefix + "/update/delta", R"({"version":2,"state":{"brightness":1}})");
    hil_device_reset(&dev);
    EXPECT_FALSE(lamp.started);
    EXPECT_EQ(lamp.state.brightness, 50);
    EXPECT_EQ(lamp.last_version, -1);
    EXPECT_EQ(request("@1 shadow.get")[0],
              R"x(@1 err {"class":"proto.busy","detail":"no thing (lamp.start)"})x");
}

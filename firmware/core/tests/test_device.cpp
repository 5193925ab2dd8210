// hil_device: banner, the console loop, v0 commands, MQTT outcome events, misbehaviours.
#include "fakes.hpp"
#include "hil_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

class Device : public ::testing::Test {
  protected:
    void SetUp() override { init(true); }

    void init(bool with_mqtt) {
        port = make_fake_port(&ctx, with_mqtt);
        hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "host"};
        ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
    }

    // Feed one request and return everything written in response.
    std::vector<std::string> request(const std::string &line) {
        ctx.clear();
        EXPECT_EQ(feed(&dev, line + "\n"), HIL_DEVICE_OK);
        return ctx.lines();
    }

    static size_t count_prefix(const std::vector<std::string> &lines, const std::string &p) {
        return static_cast<size_t>(
            std::count_if(lines.begin(), lines.end(), [&](auto &l) { return l.rfind(p, 0) == 0; }));
    }

    void connect() {
        auto out = request(R"(@100 mqtt.connect {"host":"h","port":1883,"client_id":"c"})");
        ASSERT_EQ(out.back(), "@100 ok");
        ASSERT_EQ(hil_device_on_connected(&dev, false), HIL_DEVICE_OK);
        ctx.clear();
    }

    hil_port_context ctx;
    hil_port_t port{};
    static hil_device_t dev; // large: static like on a board
};
hil_device_t Device::dev;

void product_cmd(void *user, const hil_json_obj_t *, hil_cmd_reply_t *reply) {
    auto *d = static_cast<hil_device_t *>(user);
    EXPECT_EQ(hil_event_emit(d, "lamp.changed", R"({"on":true})"), HIL_DEVICE_OK);
    hil_json_add_bool(&reply->body, "on", true);
}

} // namespace

TEST_F(Device, test_hil_device_start_Banner) {
    ASSERT_EQ(hil_device_start(&dev), HIL_DEVICE_OK);
    auto lines = ctx.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "hil-reference 0.1.0 starting");
    EXPECT_EQ(lines[1], R"(!sys.boot {"fw":"hil-reference","version":"0.1.0",)"
                        R"("build_id":"0123456789ab","board":"host","protocol":1})");
    // Each line is written in one call, so lines from one writer never interleave.
    EXPECT_EQ(ctx.write_sizes.size(), 2u);
}

TEST_F(Device, test_hil_device_init_BadParams) {
    hil_device_config_t cfg{"f", "v", "b", nullptr};
    EXPECT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_BAD_PARAM);
    hil_port_t no_console = port;
    no_console.console_write = nullptr;
    cfg.board = "x";
    EXPECT_EQ(hil_device_init(&dev, &no_console, &cfg), HIL_DEVICE_BAD_PARAM);
}

TEST_F(Device, test_sys_info_UptimeFromStart) {
    ctx.now_ms = 5000;
    hil_device_start(&dev);
    ctx.now_ms = 5250;
    auto out = request("@1 sys.info");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], R"(@1 ok {"fw":"hil-reference","version":"0.1.0","build_id":"0123456789ab",)"
                      R"("board":"host","protocol":1,"uptime_ms":250,"mqtt":"idle"})");
}

TEST_F(Device, test_hil_device_feed_ExactlyOneAnswerPerRequest) {
    ctx.clear();
    feed(&dev, "@1 sys.info\r\n@2 nope\n@3 sys.info {bad\n@4 mqtt.publish {}\n\n");
    auto lines = ctx.lines();
    for (const char *id : {"@1 ", "@2 ", "@3 ", "@4 "}) {
        EXPECT_EQ(count_prefix(lines, id), 1u) << id;
    }
    EXPECT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[1], R"(@2 err {"class":"proto.unknown_command","detail":"nope"})");
    EXPECT_EQ(lines[2].rfind(R"(@3 err {"class":"proto.syntax")", 0), 0u);
    EXPECT_EQ(lines[3], R"(@4 err {"class":"proto.bad_args","detail":"topic: missing"})");
}

TEST_F(Device, test_hil_device_feed_NoIdIsProtoError) {
    auto out = request("@x sys.info");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], R"(!proto.error {"detail":"bad request id","line":"@x sys.info"})");
    out = request("hello");
    EXPECT_EQ(out[0], R"(!proto.error {"detail":"not a request","line":"hello"})");
    out = request("@" + std::string(100, 'y'));
    EXPECT_EQ(out[0], R"(!proto.error {"detail":"bad request id","line":"@)" + std::string(63, 'y') + "\"}");
}

TEST_F(Device, test_hil_device_feed_GarbageAndOverlongReported) {
    ctx.clear();
    feed(&dev, std::string("\x01\x02@1 sys.info\n", 14));
    feed(&dev, std::string(HIL_PROTO_MAX_LINE + 10, 'a') + "\n@2 sys.info\n");
    auto lines = ctx.lines();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], R"(!proto.error {"detail":"garbage","bytes":2})");
    EXPECT_EQ(lines[1].rfind(R"(!proto.error {"detail":"overlong","line":"aaaa)", 0), 0u);
    EXPECT_EQ(lines[2].rfind("@2 ok ", 0), 0u);
    EXPECT_EQ(dev.garbage_lines, 1u);
    EXPECT_EQ(dev.overlong_lines, 1u);
}

TEST_F(Device, test_mqtt_connect_DefaultsAndAnswer) {
    auto out = request(R"(@2 mqtt.connect {"host":"127.0.0.1","port":40123,"client_id":"dut"})");
    ASSERT_EQ(out, std::vector<std::string>{"@2 ok"});
    ASSERT_EQ(ctx.connects.size(), 1u);
    EXPECT_EQ(ctx.connect_hosts[0], "127.0.0.1");
    EXPECT_EQ(ctx.connect_client_ids[0], "dut");
    EXPECT_EQ(ctx.connects[0].port, 40123);
    EXPECT_EQ(ctx.connects[0].keepalive_s, 60);
    EXPECT_TRUE(ctx.connects[0].clean_session);
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_CONNECTING);

    out = request(R"(@3 mqtt.connect {"host":"h","port":1,"client_id":"x"})");
    EXPECT_EQ(out[0], R"(@3 err {"class":"proto.busy","detail":"connect in progress"})");

    ctx.clear();
    hil_device_on_connected(&dev, true);
    EXPECT_EQ(ctx.lines(), std::vector<std::string>{R"(!mqtt.connected {"session_present":true})"});
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_CONNECTED);
}

TEST_F(Device, test_mqtt_connect_BadArgs) {
    EXPECT_EQ(request(R"(@1 mqtt.connect {"port":1,"client_id":"x"})")[0],
              R"(@1 err {"class":"proto.bad_args","detail":"host: missing"})");
    EXPECT_EQ(request(R"(@2 mqtt.connect {"host":"h","port":0,"client_id":"x"})")[0],
              R"(@2 err {"class":"proto.bad_args","detail":"port: out of range"})");
    EXPECT_EQ(request(R"(@3 mqtt.connect {"host":"h","port":"1","client_id":"x"})")[0],
              R"(@3 err {"class":"proto.bad_args","detail":"port: expected an integer"})");
    EXPECT_EQ(request(R"(@4 mqtt.connect {"host":"h","port":1,"client_id":"x","clean_session":1})")[0],
              R"(@4 err {"class":"proto.bad_args","detail":"clean_session: expected a boolean"})");
    EXPECT_EQ(request(R"(@5 mqtt.connect {"host":"","port":1,"client_id":"x"})")[0],
              R"(@5 err {"class":"proto.bad_args","detail":"host: empty"})");
    EXPECT_TRUE(ctx.connects.empty());
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Device, test_mqtt_connect_FailureInsideCallIsWrittenAfterAnswer) {
    ctx.during_call = [&] {
        hil_device_on_connect_failed(&dev, HIL_ERR_NET_UNREACHABLE, "Connection refused");
    };
    auto out = request(R"(@2 mqtt.connect {"host":"h","port":1,"client_id":"x"})");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], "@2 ok");
    EXPECT_EQ(out[1], R"(!mqtt.connect_failed {"class":"net.unreachable",)"
                      R"("detail":"Connection refused"})");
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Device, test_mqtt_connect_PortRefusal) {
    ctx.connect_result = HIL_PORT_FAILED;
    auto out = request(R"(@2 mqtt.connect {"host":"h","port":1,"client_id":"x"})");
    EXPECT_EQ(out[0], R"(@2 err {"class":"mqtt.failed",)"
                      R"("detail":"the MQTT stack refused the operation"})");
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_IDLE);
}

TEST_F(Device, test_mqtt_commands_NoMqttInPort) {
    init(false);
    EXPECT_EQ(request(R"(@1 mqtt.connect {"host":"h","port":1,"client_id":"x"})")[0],
              R"(@1 err {"class":"mqtt.failed","detail":"this port has no MQTT"})");
}

TEST_F(Device, test_mqtt_publish_NotConnected) {
    EXPECT_EQ(request(R"(@1 mqtt.publish {"topic":"t","payload":"p"})")[0],
              R"(@1 err {"class":"mqtt.not_connected","detail":"no MQTT session"})");
    EXPECT_TRUE(ctx.publishes.empty());
}

TEST_F(Device, test_mqtt_publish_AnswerThenPublishedEvent) {
    connect();
    ctx.during_call = [&] { hil_device_on_published(&dev, 1); }; // QoS 0: sent inside the call
    auto out = request(R"(@3 mqtt.publish {"topic":"hil/up","payload":"hello","qos":1,"retain":true})");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], R"(@3 ok {"mid":1})");
    EXPECT_EQ(out[1], R"(!mqtt.published {"mid":1,"seq":1})");
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].topic, "hil/up");
    EXPECT_EQ(ctx.publishes[0].payload, "hello");
    EXPECT_EQ(ctx.publishes[0].qos, 1);
    EXPECT_TRUE(ctx.publishes[0].retain);
}

TEST_F(Device, test_mqtt_publish_BinaryPayloadAndBadArgs) {
    connect();
    request(R"(@1 mqtt.publish {"topic":"t","payload":"a\u0000\u00ff"})");
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].payload, std::string("a\0\xff", 3));
    EXPECT_EQ(request(R"(@2 mqtt.publish {"topic":"t","payload":"p","qos":3})")[0],
              R"(@2 err {"class":"proto.bad_args","detail":"qos: out of range"})");
    EXPECT_EQ(request(R"(@3 mqtt.publish {"topic":"t"})")[0],
              R"(@3 err {"class":"proto.bad_args","detail":"payload: missing"})");
    ctx.publish_result = HIL_PORT_BAD_PARAM;
    EXPECT_EQ(request(R"(@4 mqtt.publish {"topic":"t/#","payload":""})")[0],
              R"(@4 err {"class":"proto.bad_args","detail":"topic: rejected by the MQTT stack"})");
}

TEST_F(Device, test_mqtt_subscribe_AnswerAndSuback) {
    connect();
    auto out = request(R"(@5 mqtt.subscribe {"topic":"hil/#","qos":2})");
    EXPECT_EQ(out, std::vector<std::string>{R"(@5 ok {"mid":1})"});
    ASSERT_EQ(ctx.subscribes.size(), 1u);
    EXPECT_EQ(ctx.subscribes[0].first, "hil/#");
    EXPECT_EQ(ctx.subscribes[0].second, 2);
    ctx.clear();
    hil_device_on_subscribed(&dev, 1, 128);
    EXPECT_EQ(ctx.lines()[0], R"(!mqtt.subscribed {"mid":1,"granted_qos":128,"topic":"hil/#"})");
    EXPECT_FALSE(hil_device_subscribed(&dev, "hil/#")); // refused: not subscribed again later
}

TEST_F(Device, test_on_message_EscapedPayloadAndSeq) {
    const uint8_t payload[] = {'h', 'i', 0x00, 0xff, '"'};
    hil_device_on_message(&dev, "a/b", payload, sizeof(payload), 1, true);
    hil_device_on_message(&dev, "a/b", nullptr, 0, 0, false);
    auto lines = ctx.lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], R"(!mqtt.message {"qos":1,"retain":true,"seq":1,"topic":"a/b",)"
                        R"("payload":"hi\u0000\u00ff\""})");
    EXPECT_EQ(lines[1], R"(!mqtt.message {"qos":0,"retain":false,"seq":2,"topic":"a/b",)"
                        R"("payload":""})");
}

TEST_F(Device, test_on_message_LongPayloadIsTruncatedWithinOneLine) {
    std::string payload(2000, 'z');
    hil_device_on_message(&dev, "t", reinterpret_cast<const uint8_t *>(payload.data()), payload.size(), 0,
                          false);
    auto lines = ctx.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_LE(lines[0].size(), HIL_PROTO_MAX_LINE);
    EXPECT_NE(lines[0].find(R"("truncated":true,"payload_len":2000})"), std::string::npos);
}

TEST_F(Device, test_on_disconnected_ReasonIsErrorClass) {
    connect();
    hil_device_on_disconnected(&dev, HIL_ERR_NET_CLOSED, "peer closed");
    EXPECT_EQ(ctx.lines()[0], R"(!mqtt.disconnected {"reason":"net.closed","detail":"peer closed"})");
    // reconnect is on by default: the next attempt is scheduled
    EXPECT_EQ(ctx.lines()[1], R"(!mqtt.reconnecting {"attempt":1,"delay_ms":1000})");
    EXPECT_EQ(hil_device_mqtt_state(&dev), HIL_MQTT_RECONNECT_WAIT);
}

TEST_F(Device, test_misbehave_DropPublish) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_DROP_PUBLISH, true);
    connect();
    EXPECT_EQ(request(R"(@1 mqtt.publish {"topic":"t","payload":"p"})")[0], R"(@1 ok {"mid":1})");
    EXPECT_EQ(request(R"(@2 mqtt.publish {"topic":"t","payload":"p"})")[0], R"(@2 ok {"mid":2})");
    EXPECT_TRUE(ctx.publishes.empty());
}

TEST_F(Device, test_misbehave_WrongTopic) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_WRONG_TOPIC, true);
    connect();
    request(R"(@1 mqtt.publish {"topic":"hil/up","payload":"p"})");
    ASSERT_EQ(ctx.publishes.size(), 1u);
    EXPECT_EQ(ctx.publishes[0].topic, "hil/up/x");
}

TEST_F(Device, test_misbehave_CorruptPayload) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_CORRUPT_PAYLOAD, true);
    connect();
    request(R"(@1 mqtt.publish {"topic":"t","payload":"hello"})");
    request(R"(@2 mqtt.publish {"topic":"t","payload":""})");
    ASSERT_EQ(ctx.publishes.size(), 2u);
    EXPECT_EQ(ctx.publishes[0].payload, "helln");
    EXPECT_EQ(ctx.publishes[1].payload, "");
}

TEST_F(Device, test_misbehave_IgnoreMessages) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_IGNORE_MESSAGES, true);
    const uint8_t p[] = {'x'};
    EXPECT_EQ(hil_device_on_message(&dev, "t", p, 1, 0, false), HIL_DEVICE_OK);
    EXPECT_TRUE(ctx.written.empty());
}

TEST_F(Device, test_misbehave_NoConnectedEvent) {
    hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE_NO_CONNECTED_EVENT, true);
    request(R"(@1 mqtt.connect {"host":"h","port":1,"client_id":"x"})");
    ctx.clear();
    hil_device_on_connected(&dev, false);
    EXPECT_TRUE(ctx.written.empty());
    // The session is still usable: publish works.
    EXPECT_EQ(request(R"(@2 mqtt.publish {"topic":"t","payload":"p"})")[0], R"(@2 ok {"mid":1})");
}

TEST_F(Device, test_hil_device_set_misbehaviour_OutOfRange) {
    EXPECT_EQ(hil_device_set_misbehaviour(&dev, HIL_MISBEHAVE__COUNT, true), HIL_DEVICE_BAD_PARAM);
}

TEST_F(Device, test_product_command_RegisteredAndEventAfterAnswer) {
    ASSERT_EQ(hil_cmd_register(hil_device_commands(&dev), "lamp.on", product_cmd, &dev), HIL_CMD_OK);
    auto out = request("@9 lamp.on");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], R"(@9 ok {"on":true})");
    EXPECT_EQ(out[1], R"(!lamp.changed {"on":true})");
}

TEST_F(Device, test_hil_event_emit_Rejects) {
    EXPECT_EQ(hil_event_emit(&dev, "Bad", "{}"), HIL_DEVICE_BAD_PARAM);
    EXPECT_EQ(hil_event_emit(nullptr, "a", "{}"), HIL_DEVICE_BAD_PARAM);
    std::string big = "{\"x\":\"" + std::string(HIL_PROTO_MAX_LINE, 'x') + "\"}";
    EXPECT_EQ(hil_event_emit(&dev, "a", big.c_str()), HIL_DEVICE_NO_SPACE);
    EXPECT_TRUE(ctx.written.empty());
}

TEST_F(Device, test_hil_device_log_NeverLooksLikeProtocol) {
    hil_device_log(&dev, "@1 ok");
    hil_device_log(&dev, "!sys.boot {}");
    hil_device_log(&dev, "bell\x07");
    auto lines = ctx.lines();
    EXPECT_EQ(lines, (std::vector<std::string>{" @1 ok", " !sys.boot {}", "bell?"}));
}

TEST_F(Device, test_hil_device_feed_ConsoleFailureIsIo) {
    ctx.console_fails = true;
    EXPECT_EQ(feed(&dev, "@1 sys.info\n"), HIL_DEVICE_IO);
    EXPECT_EQ(hil_device_start(&dev), HIL_DEVICE_IO);
}

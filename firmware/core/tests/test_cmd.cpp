// hil_cmd: registry, argument helpers, dispatch (exactly one answer), event formatting.
#include "hil_cmd.h"

#include <gtest/gtest.h>

#include <string>

namespace {

int g_calls = 0;

void handler_ok_body(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    (void)user;
    (void)args;
    g_calls++;
    hil_json_add_int(&reply->body, "n", 5);
}

void handler_empty(void *, const hil_json_obj_t *, hil_cmd_reply_t *) {
    g_calls++;
}

void handler_args(void *, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    char name[16] = "";
    int64_t count = 3;
    bool flag = false;
    g_calls++;
    if (hil_cmd_arg_string(reply, args, "name", true, name, sizeof(name), nullptr) &&
        hil_cmd_arg_int(reply, args, "count", false, 1, 10, &count) &&
        hil_cmd_arg_bool(reply, args, "flag", false, &flag)) {
        hil_json_add_string(&reply->body, "name", name);
        hil_json_add_int(&reply->body, "count", count);
        hil_json_add_bool(&reply->body, "flag", flag);
    }
}

// Writes a body and then fails: the error must win, with one answer.
void handler_body_then_error(void *, const hil_json_obj_t *, hil_cmd_reply_t *reply) {
    g_calls++;
    hil_json_add_int(&reply->body, "n", 1);
    hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "first");
    hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "second");
}

void handler_huge(void *, const hil_json_obj_t *, hil_cmd_reply_t *reply) {
    g_calls++;
    std::string big(600, 'x');
    hil_json_add_string(&reply->body, "big", big.c_str());
}

class Cmd : public ::testing::Test {
  protected:
    void SetUp() override {
        g_calls = 0;
        hil_cmd_registry_init(&reg);
        ASSERT_EQ(hil_cmd_register(&reg, "t.body", handler_ok_body, nullptr), HIL_CMD_OK);
        ASSERT_EQ(hil_cmd_register(&reg, "t.empty", handler_empty, nullptr), HIL_CMD_OK);
        ASSERT_EQ(hil_cmd_register(&reg, "t.args", handler_args, nullptr), HIL_CMD_OK);
        ASSERT_EQ(hil_cmd_register(&reg, "t.err", handler_body_then_error, nullptr), HIL_CMD_OK);
        ASSERT_EQ(hil_cmd_register(&reg, "t.huge", handler_huge, nullptr), HIL_CMD_OK);
    }

    std::string dispatch(const std::string &line) {
        hil_request_t req;
        EXPECT_EQ(hil_request_parse(line.data(), line.size(), &req), HIL_PROTO_OK) << line;
        char answer[HIL_PROTO_MAX_LINE + 1];
        size_t len = 0;
        EXPECT_EQ(hil_cmd_dispatch(&reg, &req, &reply, answer, sizeof(answer), &len), HIL_CMD_OK);
        EXPECT_LE(len, HIL_PROTO_MAX_LINE);
        EXPECT_EQ(std::string(answer).size(), len);
        return std::string(answer, len);
    }

    hil_cmd_registry_t reg{};
    hil_cmd_reply_t reply{};
};

} // namespace

TEST_F(Cmd, test_hil_cmd_register_Rejects) {
    EXPECT_EQ(hil_cmd_register(&reg, "t.body", handler_empty, nullptr), HIL_CMD_DUPLICATE);
    EXPECT_EQ(hil_cmd_register(&reg, "Bad", handler_empty, nullptr), HIL_CMD_BAD_NAME);
    EXPECT_EQ(hil_cmd_register(&reg, "ok.name", nullptr, nullptr), HIL_CMD_BAD_PARAM);
    EXPECT_EQ(hil_cmd_register(nullptr, "ok.name", handler_empty, nullptr), HIL_CMD_BAD_PARAM);
}

TEST_F(Cmd, test_hil_cmd_register_Full) {
    static char names[HIL_CMD_MAX_COMMANDS][8];
    hil_cmd_status_t last = HIL_CMD_OK;
    for (size_t i = 0; i < HIL_CMD_MAX_COMMANDS; i++) {
        snprintf(names[i], sizeof(names[i]), "c%zu", i);
        last = hil_cmd_register(&reg, names[i], handler_empty, nullptr);
    }
    EXPECT_EQ(last, HIL_CMD_FULL);
    EXPECT_EQ(reg.count, HIL_CMD_MAX_COMMANDS);
}

TEST_F(Cmd, test_hil_cmd_find_ByName) {
    ASSERT_NE(hil_cmd_find(&reg, "t.args"), nullptr);
    EXPECT_EQ(hil_cmd_find(&reg, "t.nope"), nullptr);
    EXPECT_EQ(hil_cmd_find(nullptr, "t.args"), nullptr);
}

TEST_F(Cmd, test_hil_cmd_dispatch_OkWithBody) {
    EXPECT_EQ(dispatch("@3 t.body"), R"(@3 ok {"n":5})");
    EXPECT_EQ(g_calls, 1);
}

TEST_F(Cmd, test_hil_cmd_dispatch_OkWithoutBody) {
    EXPECT_EQ(dispatch("@4 t.empty"), "@4 ok");
}

TEST_F(Cmd, test_hil_cmd_dispatch_UnknownCommand) {
    EXPECT_EQ(dispatch("@5 t.nope"), R"(@5 err {"class":"proto.unknown_command","detail":"t.nope"})");
    EXPECT_EQ(g_calls, 0);
}

TEST_F(Cmd, test_hil_cmd_dispatch_ArgsDefaultsAndValues) {
    EXPECT_EQ(dispatch(R"(@6 t.args {"name":"a"})"), R"(@6 ok {"name":"a","count":3,"flag":false})");
    EXPECT_EQ(dispatch(R"(@7 t.args {"name":"b","count":10,"flag":true,"extra":[1]})"),
              R"(@7 ok {"name":"b","count":10,"flag":true})");
}

TEST_F(Cmd, test_hil_cmd_dispatch_BadArgsNameTheField) {
    EXPECT_EQ(dispatch("@8 t.args"), R"(@8 err {"class":"proto.bad_args","detail":"name: missing"})");
    EXPECT_EQ(dispatch(R"(@9 t.args {"name":1})"),
              R"(@9 err {"class":"proto.bad_args","detail":"name: expected a string"})");
    EXPECT_EQ(dispatch(R"(@10 t.args {"name":"a","count":11})"),
              R"(@10 err {"class":"proto.bad_args","detail":"count: out of range"})");
    EXPECT_EQ(dispatch(R"(@11 t.args {"name":"a","flag":"yes"})"),
              R"(@11 err {"class":"proto.bad_args","detail":"flag: expected a boolean"})");
    EXPECT_EQ(dispatch(R"(@12 t.args {"name":"0123456789abcdefXX"})"),
              R"(@12 err {"class":"proto.bad_args","detail":"name: too long"})");
}

TEST_F(Cmd, test_hil_cmd_dispatch_ErrorWinsFirstErrorKept) {
    EXPECT_EQ(dispatch("@13 t.err"), R"(@13 err {"class":"mqtt.failed","detail":"first"})");
}

TEST_F(Cmd, test_hil_cmd_dispatch_BodyTooLongStillOneAnswer) {
    EXPECT_EQ(dispatch("@999999999 t.huge"),
              R"(@999999999 err {"class":"proto.busy","detail":"answer too long"})");
}

TEST_F(Cmd, test_hil_cmd_format_error_LongDetailIsCut) {
    char answer[HIL_PROTO_MAX_LINE + 1];
    size_t len = 0;
    std::string detail(2000, 'd');
    ASSERT_EQ(hil_cmd_format_error("1", HIL_ERR_PROTO_SYNTAX, detail.c_str(), answer, sizeof(answer), &len),
              HIL_CMD_OK);
    EXPECT_LE(len, HIL_PROTO_MAX_LINE);
    EXPECT_EQ(answer[len - 1], '}');
}

TEST(Event, test_hil_event_format_Good) {
    char line[HIL_PROTO_MAX_LINE + 1];
    size_t len = 0;
    ASSERT_EQ(hil_event_format("lamp.changed", R"({"on":true})", line, sizeof(line), &len), HIL_CMD_OK);
    EXPECT_STREQ(line, R"(!lamp.changed {"on":true})");
}

TEST(Event, test_hil_event_format_Rejects) {
    char line[HIL_PROTO_MAX_LINE + 1];
    size_t len = 0;
    EXPECT_EQ(hil_event_format("Bad", "{}", line, sizeof(line), &len), HIL_CMD_BAD_NAME);
    EXPECT_EQ(hil_event_format("a", "[]", line, sizeof(line), &len), HIL_CMD_BAD_PARAM);
    EXPECT_EQ(hil_event_format("a", "{\n}", line, sizeof(line), &len), HIL_CMD_BAD_PARAM);
    std::string big = "{\"x\":\"" + std::string(HIL_PROTO_MAX_LINE, 'x') + "\"}";
    EXPECT_EQ(hil_event_format("a", big.c_str(), line, sizeof(line), &len), HIL_CMD_NO_SPACE);
}

TEST(Names, test_hil_names_RegistryLookups) {
    EXPECT_STREQ(hil_event_name(HIL_EVENT_SYS_BOOT), "sys.boot");
    EXPECT_STREQ(hil_error_class_name(HIL_ERR_NET_UNREACHABLE), "net.unreachable");
    EXPECT_EQ(hil_event_name(HIL_EVENT__COUNT), nullptr);
    hil_misbehaviour_t mb = HIL_MISBEHAVE__COUNT;
    ASSERT_TRUE(hil_misbehaviour_from_name("drop-publish", &mb));
    EXPECT_EQ(mb, HIL_MISBEHAVE_DROP_PUBLISH);
    EXPECT_FALSE(hil_misbehaviour_from_name("nope", &mb));
    EXPECT_STREQ(hil_misbehaviour_name(HIL_MISBEHAVE_WRONG_TOPIC), "wrong-topic");
}

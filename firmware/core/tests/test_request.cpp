// hil_request_parse and hil_proto_name_valid.
#include "hil_proto.h"

#include <gtest/gtest.h>

#include <string>

namespace {
hil_proto_status_t parse(const std::string &line, hil_request_t &req) {
    return hil_request_parse(line.data(), line.size(), &req);
}
} // namespace

TEST(Request, test_hil_request_parse_Good) {
    hil_request_t req;
    const std::string line = R"(@42 mqtt.publish {"topic":"a","qos":1})"; // req points into it
    ASSERT_EQ(parse(line, req), HIL_PROTO_OK);
    EXPECT_STREQ(req.id, "42");
    EXPECT_STREQ(req.command, "mqtt.publish");
    EXPECT_EQ(std::string(req.args, req.args_len), R"({"topic":"a","qos":1})");
}

TEST(Request, test_hil_request_parse_NoArgsMeansEmptyObject) {
    hil_request_t req;
    ASSERT_EQ(parse("@1 sys.info", req), HIL_PROTO_OK);
    EXPECT_STREQ(req.command, "sys.info");
    EXPECT_EQ(std::string(req.args, req.args_len), "{}");
}

TEST(Request, test_hil_request_parse_TrailingWhitespaceAccepted) {
    hil_request_t req;
    EXPECT_EQ(parse("@1 sys.info  ", req), HIL_PROTO_OK);
    EXPECT_EQ(parse("@1 sys.info {} ", req), HIL_PROTO_OK);
}

TEST(Request, test_hil_request_parse_MaxIdEchoedVerbatim) {
    hil_request_t req;
    ASSERT_EQ(parse("@999999999 sys.info", req), HIL_PROTO_OK);
    EXPECT_STREQ(req.id, "999999999");
    ASSERT_EQ(parse("@007 sys.info", req), HIL_PROTO_OK);
    EXPECT_STREQ(req.id, "007");
}

TEST(Request, test_hil_request_parse_BadIdIsNoId) {
    hil_request_t req;
    EXPECT_EQ(parse("@ sys.info", req), HIL_PROTO_NO_ID);
    EXPECT_EQ(parse("@0 sys.info", req), HIL_PROTO_NO_ID);
    EXPECT_EQ(parse("@1234567890 sys.info", req), HIL_PROTO_NO_ID);
    EXPECT_EQ(parse("@12a sys.info", req), HIL_PROTO_NO_ID);
    EXPECT_EQ(parse("sys.info", req), HIL_PROTO_NO_ID);
    EXPECT_EQ(parse("", req), HIL_PROTO_NO_ID);
    EXPECT_STREQ(req.id, "");
}

TEST(Request, test_hil_request_parse_BadCommandIsSyntaxWithId) {
    hil_request_t req;
    EXPECT_EQ(parse("@7", req), HIL_PROTO_SYNTAX);
    EXPECT_STREQ(req.id, "7");
    EXPECT_EQ(parse("@7 Sys.Info", req), HIL_PROTO_SYNTAX);
    EXPECT_EQ(parse("@7 9abc", req), HIL_PROTO_SYNTAX);
    EXPECT_EQ(parse("@7 " + std::string(HIL_PROTO_MAX_NAME + 1, 'a'), req), HIL_PROTO_SYNTAX);
    EXPECT_EQ(parse("@7 " + std::string(HIL_PROTO_MAX_NAME, 'a'), req), HIL_PROTO_OK);
}

TEST(Request, test_hil_request_parse_BadJsonIsSyntaxWithId) {
    hil_request_t req;
    EXPECT_EQ(parse(R"(@8 sys.info {"a":)", req), HIL_PROTO_SYNTAX);
    EXPECT_STREQ(req.id, "8");
    EXPECT_EQ(parse(R"(@8 sys.info [1])", req), HIL_PROTO_SYNTAX);
    EXPECT_EQ(parse(R"(@8 sys.info {} {})", req), HIL_PROTO_SYNTAX);
    EXPECT_EQ(parse(R"(@8 sys.info {'a':1})", req), HIL_PROTO_SYNTAX);
}

TEST(Request, test_hil_request_parse_NullArgs) {
    hil_request_t req;
    EXPECT_EQ(hil_request_parse(nullptr, 0, &req), HIL_PROTO_BAD_PARAM);
    EXPECT_EQ(hil_request_parse("@1 a", 4, nullptr), HIL_PROTO_BAD_PARAM);
}

TEST(Request, test_hil_proto_name_valid_Grammar) {
    EXPECT_TRUE(hil_proto_name_valid("a", 1));
    EXPECT_TRUE(hil_proto_name_valid("lamp.set_color-2", 16));
    EXPECT_FALSE(hil_proto_name_valid("", 0));
    EXPECT_FALSE(hil_proto_name_valid("_a", 2));
    EXPECT_FALSE(hil_proto_name_valid("a b", 3));
    EXPECT_FALSE(hil_proto_name_valid(nullptr, 1));
}

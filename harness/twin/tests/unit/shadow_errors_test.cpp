// Reference A.10: every error code with its exact text (compared byte for byte) and the order
// of the checks. Each request has exactly one fault, except in the order tests.
#include "shadow_fixture.hpp"

namespace hil::twin::test {
namespace {

class ShadowErrors : public ShadowTest {};

TEST_F(ShadowErrors, A_10_ErrorBodyIsCodeMessageAndTheClientTokenOnly) {
    const auto replies = update_raw(R"({"clientToken":"abc"})");
    EXPECT_EQ(replies.messages.at(0).topic, "$aws/things/lamp-1/shadow/update/rejected");
    EXPECT_EQ(replies.messages.at(0).payload,
              R"({"code":400,"message":"Missing required node: state","clientToken":"abc"})");
    const auto missing = get();
    EXPECT_EQ(missing.messages.at(0).payload,
              R"({"code":404,"message":"No shadow exists with name: 'lamp-1'"})");
}

TEST_F(ShadowErrors, A_10_1_InvalidJson) {
    for (const char *bad :
         {"", "{", "{\"state\":}", "nul", "{\"a\":1} x", "[1]", "\"s\"", "5", "null", "{'a':1}"}) {
        expect_error(update_raw(bad), "update/rejected", 400, "Invalid JSON");
    }
}

TEST_F(ShadowErrors, A_10_2_MissingRequiredNodeState) {
    expect_error(update_raw(R"({"desired":{"a":1}})"), "update/rejected", 400,
                 "Missing required node: state");
    expect_error(update_raw("{}"), "update/rejected", 400, "Missing required node: state");
}

TEST_F(ShadowErrors, A_10_3_StateNodeMustBeAnObject) {
    for (const char *state : {"\"s\"", "1", "[]", "true"}) {
        expect_error(update_raw(std::string(R"({"state":)") + state + "}"), "update/rejected", 400,
                     "State node must be an object");
    }
}

TEST_F(ShadowErrors, A_10_4_DesiredNodeMustBeAnObject) {
    for (const char *value : {"\"s\"", "1", "[1]", "false"}) {
        expect_error(update_raw(std::string(R"({"state":{"desired":)") + value + "}}"), "update/rejected",
                     400, "Desired node must be an object");
    }
}

TEST_F(ShadowErrors, A_10_5_ReportedNodeMustBeAnObject) {
    for (const char *value : {"\"s\"", "2.5", "[]", "true"}) {
        expect_error(update_raw(std::string(R"({"state":{"reported":)") + value + "}}"), "update/rejected",
                     400, "Reported node must be an object");
    }
}

TEST_F(ShadowErrors, A_10_6_InvalidVersion) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    for (const char *version : {"\"1\"", "1.5", "1.0", "true", "null", "{}"}) {
        expect_error(update_raw(std::string(R"({"state":{"reported":{"a":2}},"version":)") + version + "}"),
                     "update/rejected", 400, "Invalid version");
    }
}

TEST_F(ShadowErrors, A_10_7_InvalidClientToken) {
    expect_error(update({{"state", {{"reported", {{"a", 1}}}}}, {"clientToken", std::string(65, 'x')}}),
                 "update/rejected", 400, "Invalid clientToken");
    expect_error(update({{"state", {{"reported", {{"a", 1}}}}}, {"clientToken", json::array()}}),
                 "update/rejected", 400, "Invalid clientToken");
}

TEST_F(ShadowErrors, A_10_8_TooManyLevelsOfNesting) {
    // desired/reported are level 1; a non-empty object or array at level 7 is an error.
    EXPECT_TRUE(
        update_raw(R"({"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}}})").on("update/accepted"));
    expect_error(update_raw(R"({"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}}})"),
                 "update/rejected", 400, "JSON contains too many levels of nesting; maximum is 6");
    expect_error(update_raw(R"({"state":{"desired":{"a":{"b":{"c":{"d":{"e":{"f":[1]}}}}}}}})"),
                 "update/rejected", 400, "JSON contains too many levels of nesting; maximum is 6");
    // An empty object or array at level 7 is not "too deep".
    EXPECT_TRUE(
        update_raw(R"({"state":{"desired":{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}}})").on("update/accepted"));
    EXPECT_TRUE(
        update_raw(R"({"state":{"desired":{"a":{"b":{"c":{"d":{"e":{"f":[]}}}}}}}})").on("update/accepted"));
    // Arrays count as levels too.
    expect_error(update_raw(R"({"state":{"desired":{"a":[[[[[[1]]]]]]}}})"), "update/rejected", 400,
                 "JSON contains too many levels of nesting; maximum is 6");
}

TEST_F(ShadowErrors, A_10_8_AVeryDeepDocumentIsRejectedNotCrashed) {
    std::string deep = R"({"state":{"reported":)";
    for (int i = 0; i < 100000; ++i) deep += R"({"a":)";
    deep += "1";
    for (int i = 0; i < 100000; ++i) deep += "}";
    deep += "}}";
    expect_error(update_raw(deep), "update/rejected", 400,
                 "JSON contains too many levels of nesting; maximum is 6");
    std::string arrays =
        R"({"state":{"reported":{"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}}}";
    expect_error(update_raw(arrays), "update/rejected", 400,
                 "JSON contains too many levels of nesting; maximum is 6");
}

TEST_F(ShadowErrors, A_10_9_StateContainsAnInvalidNode) {
    expect_error(update_raw(R"({"state":{"delta":{"a":1}}})"), "update/rejected", 400,
                 "State contains an invalid node: 'delta'");
    expect_error(update_raw(R"({"state":{"reported":{"a":1},"Desired":{}}})"), "update/rejected", 400,
                 "State contains an invalid node: 'Desired'");
    // The first invalid node in document order is named.
    expect_error(update_raw(R"({"state":{"zeta":1,"alpha":2}})"), "update/rejected", 400,
                 "State contains an invalid node: 'zeta'");
}

TEST_F(ShadowErrors, A_10_10_A_10_11_A_10_12_NoRestOnlyErrorsOverMqtt) {
    // 401 Unauthorized and 403 Forbidden are REST/IAM answers (A.10.10, A.10.11): over MQTT an
    // unauthorized request never reaches the service (the broker closes the connection, A.10.20).
    // 404 Thing not found (A.10.12) is not emitted: shadows need no registered thing.
    std::vector<Replies> all;
    all.push_back(update_raw("{"));
    all.push_back(update_raw(R"({"state":{"x":1}})"));
    all.push_back(get());
    all.push_back(remove());
    all.push_back(send("$aws/things/not-in-any-registry/shadow/get", ""));
    all.push_back(update({{"state", {{"reported", {{"a", 1}}}}}}));
    for (const auto &replies : all) {
        for (const auto &m : replies.messages) {
            const json body = json::parse(m.payload);
            if (!body.contains("code")) continue;
            EXPECT_NE(body["code"], 401) << m.payload;
            EXPECT_NE(body["code"], 403) << m.payload;
            EXPECT_NE(body["message"], "Thing not found") << m.payload;
        }
    }
}

TEST_F(ShadowErrors, A_10_13_NoShadowExistsClassic) {
    expect_error(get(), "get/rejected", 404, "No shadow exists with name: 'lamp-1'");
    expect_error(remove(), "delete/rejected", 404, "No shadow exists with name: 'lamp-1'");
}

TEST_F(ShadowErrors, A_10_14_NoShadowExistsNamedPrefix) {
    const auto replies = get("", "config");
    ASSERT_EQ(replies.messages.size(), 1U);
    EXPECT_EQ(replies.messages[0].topic, "$aws/things/lamp-1/shadow/name/config/get/rejected");
    const json body = json::parse(replies.messages[0].payload);
    EXPECT_EQ(body["code"], 404);
    // [UNSURE in the reference] docs: 'simShadow1'; field report: '<thing>~<shadow>'. Prefix only.
    EXPECT_TRUE(body["message"].get<std::string>().starts_with("No shadow exists with name: '")) << body;
    EXPECT_EQ(body["message"], "No shadow exists with name: 'lamp-1~config'"); // the twin's choice
}

TEST_F(ShadowErrors, A_10_15_VersionConflict) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    expect_error(update_raw(R"({"state":{"reported":{"a":2}},"version":2})"), "update/rejected", 409,
                 "Version conflict");
}

TEST_F(ShadowErrors, A_10_16_PayloadTooLarge) {
    const auto replies = update({{"state", {{"reported", {{"big", std::string(8200, 'x')}}}}}});
    expect_error(replies, "update/rejected", 413, "The payload exceeds the maximum size allowed");
}

TEST_F(ShadowErrors, A_10_17_NotUtf8) {
    // Invalid UTF-8 anywhere in the payload, in a string or not.
    for (const std::string &bad :
         {std::string("{\"state\":{\"reported\":{\"a\":\"\xff\"}}}"),
          std::string("{\"state\":{\"reported\":{\"a\":\"\xc0\xaf\"}}}"),     // overlong
          std::string("{\"state\":{\"reported\":{\"a\":\"\xed\xa0\x80\"}}}"), // surrogate
          std::string("{\"state\":{\"reported\":{\"a\":\"\xe2\x82\"}}}"),     // truncated
          std::string("\xfe\xff")}) {
        expect_error(update_raw(bad), "update/rejected", 415,
                     "Unsupported documented encoding; supported encoding is UTF-8");
    }
    EXPECT_TRUE(update_raw("{\"state\":{\"reported\":{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x92\xa1\"}}}")
                    .on("update/accepted"));
}

class ShadowRateLimited : public ShadowTest {
  protected:
    ShadowRateLimited() : ShadowTest(limited()) {}
    static ShadowLimits limited() {
        ShadowLimits limits;
        limits.requests_per_second_per_thing = 20;
        return limits;
    }
};

TEST_F(ShadowRateLimited, A_10_18_TooManyRequests) {
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(update({{"state", {{"reported", {{"n", i}}}}}}).on("update/accepted"));
    const auto replies = update(json::parse(R"({"state":{"reported":{"n":99}},"clientToken":"r"})"));
    // The text is undocumented: the code is what counts (the twin uses Greengrass's text).
    expect_error(replies, "update/rejected", 429, "Too Many Requests");
    EXPECT_EQ(replies.at("update/rejected")["clientToken"], "r");
}

/// A store whose every operation fails, as a full disk would.
class BrokenStore final : public ShadowStore {
  public:
    std::optional<ShadowRecord> load(const ShadowKey &) override { throw StoreError("disk on fire"); }
    void save(const ShadowKey &, const ShadowRecord &) override { throw StoreError("disk on fire"); }
    void erase(const ShadowKey &) override { throw StoreError("disk on fire"); }
};

TEST(ShadowStoreFailure, A_10_19_InternalServiceFailure) {
    BrokenStore store;
    ShadowService service(store);
    const auto now = std::chrono::system_clock::now();
    for (const char *op : {"update", "get", "delete"}) {
        const auto replies = service.handle(std::string("$aws/things/t/shadow/") + op,
                                            R"({"state":{"reported":{"a":1}},"clientToken":"z"})", now);
        ASSERT_EQ(replies.size(), 1U) << op;
        EXPECT_EQ(replies[0].topic, std::string("$aws/things/t/shadow/") + op + "/rejected");
        EXPECT_EQ(replies[0].payload,
                  R"({"code":500,"message":"Internal service failure","clientToken":"z"})");
    }
}

TEST_F(ShadowErrors, A_10_21_OrderJsonBeforeSchema) {
    expect_error(update_raw(R"({"state":{"delta":1}, )"), "update/rejected", 400, "Invalid JSON");
}

TEST_F(ShadowErrors, A_10_21_OrderSchemaBeforeDepthVersionAndSize) {
    const std::string deep = R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}})";
    expect_error(update_raw(R"({"state":{"bad":1,"reported":)" + deep + R"(},"version":"x"})"),
                 "update/rejected", 400, "State contains an invalid node: 'bad'");
    expect_error(update_raw(R"({"state":{"reported":)" + deep + R"(},"clientToken":5})"), "update/rejected",
                 400, "Invalid clientToken");
    // Within the schema step: state, then desired/reported types, then invalid nodes, then clientToken.
    expect_error(update_raw(R"({"state":{"zzz":1,"desired":5},"clientToken":5})"), "update/rejected", 400,
                 "Desired node must be an object");
}

TEST_F(ShadowErrors, A_10_21_OrderDepthBeforeVersion) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    const std::string deep = R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}})";
    expect_error(update_raw(R"({"state":{"reported":)" + deep + R"(},"version":"x"})"), "update/rejected",
                 400, "JSON contains too many levels of nesting; maximum is 6");
}

TEST_F(ShadowErrors, A_10_21_OrderVersionBeforeSize) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    const json big = {{"state", {{"reported", {{"big", std::string(9000, 'x')}}}}}, {"version", 5}};
    expect_error(update(big), "update/rejected", 409, "Version conflict");
    const json invalid = {{"state", {{"reported", {{"big", std::string(9000, 'x')}}}}}, {"version", "5"}};
    expect_error(update(invalid), "update/rejected", 400, "Invalid version");
}

TEST_F(ShadowErrors, A_10_21_EncodingIsCheckedBeforeJson) {
    // Not in the reference's list: a payload that is not UTF-8 cannot be judged as JSON.
    expect_error(update_raw("{\"state\":\xff"), "update/rejected", 415,
                 "Unsupported documented encoding; supported encoding is UTF-8");
}

} // namespace
} // namespace hil::twin::test

// Reference A.11 (limits).
#include "shadow_fixture.hpp"

namespace hil::twin::test {
namespace {

/// {"f":"xxx..."} whose compact form is exactly `bytes` long.
json object_of_size(std::size_t bytes) {
    return {{"f", std::string(bytes - 8, 'x')}};
}

class ShadowLimitsTest : public ShadowTest {};

TEST_F(ShadowLimitsTest, A_11_1_TheDocumentLimitIs8192BytesOfDesiredPlusReported) {
    EXPECT_TRUE(update({{"state", {{"reported", object_of_size(8192)}}}}).on("update/accepted"));
    update(json::parse(R"({"state":{"reported":null}})"));
    expect_error(update({{"state", {{"reported", object_of_size(8193)}}}}), "update/rejected", 413,
                 "The payload exceeds the maximum size allowed");
    // Both sections count together.
    EXPECT_TRUE(update({{"state", {{"reported", object_of_size(4096)}, {"desired", object_of_size(4096)}}}})
                    .on("update/accepted"));
}

TEST_F(ShadowLimitsTest, A_11_1_TheMergedDocumentCountsNotThePayload) {
    update({{"state", {{"reported", object_of_size(8190)}}}});
    const auto replies =
        update(json::parse(R"({"state":{"desired":{"a":1}}})")); // a few bytes: over the limit
    expect_error(replies, "update/rejected", 413, "The payload exceeds the maximum size allowed");
    EXPECT_EQ(get().at("get/accepted")["version"], 1); // unchanged
}

TEST_F(ShadowLimitsTest, A_11_1_AnUpdateThatShrinksTheDocumentIsAccepted) {
    update({{"state", {{"reported", object_of_size(8192)}}}});
    EXPECT_TRUE(update(json::parse(R"({"state":{"reported":{"f":"small"}}})")).on("update/accepted"));
}

TEST_F(ShadowLimitsTest, A_11_2_NestingDepthIs6WithTheSectionAsLevel1) {
    // See also A.10.8: reported.a.b.c.d.e = {"f":1} is accepted, one more level is rejected.
    EXPECT_TRUE(
        update_raw(R"({"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}}})").on("update/accepted"));
    expect_error(update_raw(R"({"state":{"reported":{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}}})"),
                 "update/rejected", 400, "JSON contains too many levels of nesting; maximum is 6");
}

TEST_F(ShadowLimitsTest, A_11_5_ClientTokenAtMost64Bytes) {
    // Bytes, not characters: 32 two-byte characters are 64 bytes.
    std::string two_byte;
    for (int i = 0; i < 32; ++i) two_byte += "\xc3\xa9";
    EXPECT_EQ(update({{"state", {{"reported", {{"a", 1}}}}}, {"clientToken", two_byte}})
                  .at("update/accepted")["clientToken"],
              two_byte);
    expect_error(update({{"state", {{"reported", {{"a", 1}}}}}, {"clientToken", two_byte + "x"}}),
                 "update/rejected", 400, "Invalid clientToken");
}

TEST_F(ShadowLimitsTest, A_11_7_RateLimitsAreOffByDefault) {
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(update({{"state", {{"reported", {{"n", i}}}}}}).on("update/accepted"));
}

TEST_F(ShadowLimitsTest, A_11_8_InFlightRequestsNeverPileUp) {
    // Up to 10 in-flight requests per connection: the service answers each request before the
    // broker reads the next, so a burst never has more than one in flight and never sees 429.
    for (int i = 0; i < 11; ++i) {
        const auto replies = get();
        ASSERT_EQ(replies.messages.size(), 1U);
        EXPECT_NE(json::parse(replies.messages[0].payload).value("code", 0), 429);
    }
}

class ShadowThingRate : public ShadowTest {
  protected:
    ShadowThingRate() : ShadowTest(limits()) {}
    static ShadowLimits limits() {
        ShadowLimits l;
        l.requests_per_second_per_thing = 20;
        return l;
    }
};

TEST_F(ShadowThingRate, A_11_7_TwentyRequestsPerSecondPerThing) {
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(update({{"state", {{"reported", {{"n", i}}}}}}).on("update/accepted"));
    EXPECT_EQ(get().at("get/rejected")["code"], 429);
    // Another thing has its own budget; the next second starts afresh.
    EXPECT_TRUE(
        send("$aws/things/other/shadow/update", R"({"state":{"reported":{"a":1}}})").on("update/accepted"));
    advance(1s);
    EXPECT_TRUE(get().on("get/accepted"));
}

class ShadowAccountRate : public ShadowTest {
  protected:
    ShadowAccountRate() : ShadowTest(limits()) {}
    static ShadowLimits limits() {
        ShadowLimits l;
        l.requests_per_second_per_account = 5;
        return l;
    }
};

TEST_F(ShadowAccountRate, A_11_9_AnAccountWideRateCanBeSet) {
    // [UNSURE in the reference] 4000/s or 400/s by region; off by default, settable for tests.
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(send("$aws/things/t" + std::to_string(i) + "/shadow/update", R"({"state":{}})")
                        .on("update/accepted"));
    }
    EXPECT_EQ(send("$aws/things/t9/shadow/update", R"({"state":{}})").at("update/rejected")["code"], 429);
}

class ShadowLargerDocuments : public ShadowTest {
  protected:
    ShadowLargerDocuments() : ShadowTest(limits()) {}
    static ShadowLimits limits() {
        ShadowLimits l;
        l.max_document_bytes = 30 * 1024;
        return l;
    }
};

TEST_F(ShadowLargerDocuments, A_11_10_TheSizeLimitIsAdjustable) {
    EXPECT_EQ(ShadowLimits{}.max_document_bytes, 8192U); // the default
    EXPECT_TRUE(update({{"state", {{"reported", object_of_size(20000)}}}}).on("update/accepted"));
}

} // namespace
} // namespace hil::twin::test

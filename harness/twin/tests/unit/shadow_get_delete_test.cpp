// Reference A.7 (GET) and A.8 (DELETE).
#include "shadow_fixture.hpp"

namespace hil::twin::test {
namespace {

class ShadowGetDelete : public ShadowTest {};

TEST_F(ShadowGetDelete, A_7_1_GetAcceptedBody) {
    update(json::parse(R"({"state":{"desired":{"a":2},"reported":{"a":1,"b":1}}})"));
    const std::int64_t written = now_seconds();
    advance(10s);
    const json got = get(R"({"clientToken":"2b68"})").at("get/accepted");
    EXPECT_EQ(
        got,
        (json{{"state", {{"desired", {{"a", 2}}}, {"reported", {{"a", 1}, {"b", 1}}}, {"delta", {{"a", 2}}}}},
              {"metadata",
               {{"desired", {{"a", {{"timestamp", written}}}}},
                {"reported", {{"a", {{"timestamp", written}}}, {"b", {{"timestamp", written}}}}}}},
              {"version", 1},
              {"timestamp", now_seconds()}, // the time of the response, not of the update
              {"clientToken", "2b68"}}));
}

TEST_F(ShadowGetDelete, A_7_2_DeltaOnlyWhenNonEmpty) {
    update(json::parse(R"({"state":{"desired":{"a":1},"reported":{"a":1}}})"));
    EXPECT_FALSE(state().contains("delta"));
}

TEST_F(ShadowGetDelete, A_7_3_MetadataDeltaIsNotPromised) {
    // [UNSURE in the reference] documentation examples show metadata.delta, Greengrass omits it;
    // the twin omits it. Only desired and reported metadata are asserted.
    update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    const json metadata = get().at("get/accepted")["metadata"];
    EXPECT_TRUE(metadata.contains("desired"));
    EXPECT_FALSE(metadata.contains("reported"));
}

TEST_F(ShadowGetDelete, A_7_4_AnExistingEmptyShadow) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    update(json::parse(R"({"state":null})"));
    const json got = get().at("get/accepted");
    EXPECT_EQ(got["state"], json::object());
    EXPECT_EQ(got["metadata"], json::object());
    EXPECT_EQ(got["version"], 2);
}

TEST_F(ShadowGetDelete, A_7_5_GetOnAMissingOrDeletedShadowIs404) {
    expect_error(get(), "get/rejected", 404, "No shadow exists with name: 'lamp-1'");
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    remove();
    expect_error(get(R"({"clientToken":"x"})"), "get/rejected", 404, "No shadow exists with name: 'lamp-1'");
    EXPECT_EQ(get(R"({"clientToken":"x"})").at("get/rejected")["clientToken"], "x");
}

TEST_F(ShadowGetDelete, A_8_1_DeleteAnswersTheLastVersionWithoutIncrementingIt) {
    for (int i = 0; i < 9; ++i) update({{"state", {{"reported", {{"n", i}}}}}});
    EXPECT_EQ(get().at("get/accepted")["version"], 9);
    const json deleted = remove(R"({"clientToken":"4958"})").at("delete/accepted");
    EXPECT_EQ(deleted, (json{{"version", 9}, {"timestamp", now_seconds()}, {"clientToken", "4958"}}));
}

TEST_F(ShadowGetDelete, A_8_1_DeleteIgnoresEverythingButTheClientToken) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    const auto replies = remove(R"({"state":{"bogus":1},"version":77,"clientToken":"k"})");
    EXPECT_EQ(replies.at("delete/accepted")["version"], 1);
}

TEST_F(ShadowGetDelete, A_8_2_AfterADeleteGetAndDeleteAre404) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    EXPECT_TRUE(remove().on("delete/accepted"));
    expect_error(get(), "get/rejected", 404, "No shadow exists with name: 'lamp-1'");
    expect_error(remove(), "delete/rejected", 404, "No shadow exists with name: 'lamp-1'");
}

TEST_F(ShadowGetDelete, A_8_3_ARecreatedShadowContinuesTheVersionWithin48Hours) {
    for (int i = 0; i < 3; ++i) update({{"state", {{"reported", {{"n", i}}}}}});
    remove();
    advance(47h);
    const auto recreated = update(json::parse(R"({"state":{"reported":{"fresh":true}}})"));
    EXPECT_EQ(recreated.at("update/accepted")["version"], 4);
    EXPECT_TRUE(recreated.at("update/documents")["previous"].is_null());
    EXPECT_EQ(state(), json::parse(R"({"reported":{"fresh":true}})")); // nothing of the old document
}

TEST_F(ShadowGetDelete, A_8_3_AfterTheTombstoneLifetimeTheVersionRestarts) {
    for (int i = 0; i < 3; ++i) update({{"state", {{"reported", {{"n", i}}}}}});
    remove();
    advance(48h);
    EXPECT_EQ(update(json::parse(R"({"state":{"reported":{"a":1}}})")).at("update/accepted")["version"], 1);
}

TEST_F(ShadowGetDelete, A_8_4_DeleteOfAMissingShadowIs404) {
    expect_error(remove(), "delete/rejected", 404, "No shadow exists with name: 'lamp-1'");
}

TEST_F(ShadowGetDelete, A_8_5_NullingStateIsNotADelete) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    update(json::parse(R"({"state":null})"));
    EXPECT_TRUE(get().on("get/accepted"));
    EXPECT_TRUE(remove().on("delete/accepted"));
}

TEST_F(ShadowGetDelete, A_8_DeletingANamedShadowLeavesTheOthers) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    update(json::parse(R"({"state":{"reported":{"b":1}}})"), "cfg");
    EXPECT_EQ(remove("", "cfg").topics(),
              std::vector<std::string>{"$aws/things/lamp-1/shadow/name/cfg/delete/accepted"});
    EXPECT_TRUE(get().on("get/accepted"));
    EXPECT_TRUE(get("", "cfg").on("get/rejected"));
}

TEST_F(ShadowGetDelete, A_7_GetAndDeleteAcceptAnEmptyPayloadOrAnObject) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    EXPECT_TRUE(get("").on("get/accepted"));
    EXPECT_TRUE(get("{}").on("get/accepted"));
    expect_error(get("not json"), "get/rejected", 400, "Invalid JSON");
    expect_error(get("[1]"), "get/rejected", 400, "Invalid JSON");
    expect_error(remove("{"), "delete/rejected", 400, "Invalid JSON");
    expect_error(get("\xff"), "get/rejected", 415,
                 "Unsupported documented encoding; supported encoding is UTF-8");
}

} // namespace
} // namespace hil::twin::test

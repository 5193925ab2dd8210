// Reference A.4 (update/accepted), A.5 (delta) and A.6 (update/documents) bodies.
#include "shadow_fixture.hpp"

namespace hil::twin::test {
namespace {

class ShadowBodies : public ShadowTest {};

TEST_F(ShadowBodies, A_4_AcceptedBodyIsStateMetadataVersionTimestampToken) {
    const auto replies =
        update(json::parse(R"({"state":{"reported":{"Color":"green"}},"clientToken":"c1"})"));
    const std::int64_t t = now_seconds();
    // The AWS capture of A.4: {"clientToken":"…","state":{"reported":{"Color":"green"}},
    //  "metadata":{"reported":{"Color":{"timestamp":…}}},"timestamp":…,"version":1}
    EXPECT_EQ(replies.at("update/accepted"),
              (json{{"state", {{"reported", {{"Color", "green"}}}}},
                    {"metadata", {{"reported", {{"Color", {{"timestamp", t}}}}}}},
                    {"version", 1},
                    {"timestamp", t},
                    {"clientToken", "c1"}}));
}

TEST_F(ShadowBodies, A_4_1_AcceptedHoldsOnlyTheRequestsFieldsNotTheMergedDocument) {
    update(json::parse(R"({"state":{"desired":{"a":1},"reported":{"a":1,"b":2}}})"));
    const json accepted = update(json::parse(R"({"state":{"reported":{"b":3}}})")).at("update/accepted");
    EXPECT_EQ(accepted["state"], json::parse(R"({"reported":{"b":3}})"));
    EXPECT_EQ(accepted["metadata"], (json{{"reported", {{"b", {{"timestamp", now_seconds()}}}}}}));
}

TEST_F(ShadowBodies, A_4_1_AcceptedEchoesTheStateAsSentIncludingEmptySections) {
    const json request = json::parse(R"({"state":{"desired":{},"reported":{"x":{"y":[1,2]}}}})");
    const json accepted = update(request).at("update/accepted");
    EXPECT_EQ(accepted["state"], request["state"]);
}

TEST_F(ShadowBodies, A_4_2_ANullIsEchoedAsNullWithALeafTimestamp) {
    update(json::parse(R"({"state":{"desired":{"a":1,"b":{"c":1}}}})"));
    const json accepted =
        update(json::parse(R"({"state":{"desired":{"a":null,"b":{"c":null}}}})")).at("update/accepted");
    const std::int64_t t = now_seconds();
    EXPECT_EQ(accepted["state"], json::parse(R"({"desired":{"a":null,"b":{"c":null}}})"));
    EXPECT_EQ(accepted["metadata"],
              (json{{"desired", {{"a", {{"timestamp", t}}}, {"b", {{"c", {{"timestamp", t}}}}}}}}));
    const json section_null = update(json::parse(R"({"state":{"desired":null}})")).at("update/accepted");
    EXPECT_EQ(section_null["metadata"], (json{{"desired", {{"timestamp", t}}}}));
}

TEST_F(ShadowBodies, A_4_3_ArrayMetadataIsAnArrayOfPerElementTimestamps) {
    const json accepted =
        update(json::parse(R"({"state":{"reported":{"colors":["r","g","b"]}}})")).at("update/accepted");
    const json leaf = {{"timestamp", now_seconds()}};
    EXPECT_EQ(accepted["metadata"]["reported"]["colors"], json::array({leaf, leaf, leaf}));
}

TEST_F(ShadowBodies, A_4_4_NullStateAcceptedBody) {
    const json accepted = update(json::parse(R"({"state":null})")).at("update/accepted");
    EXPECT_EQ(accepted.dump(),
              json::parse(R"({"state":null,"metadata":{"timestamp":)" + std::to_string(now_seconds()) +
                          R"(},"timestamp":)" + std::to_string(now_seconds()) + R"(,"version":1})")
                  .dump());
}

TEST_F(ShadowBodies, A_5_1_DeltaHasDesiredValuesMissingOrDifferentInReported) {
    update(json::parse(R"({"state":{"reported":{"same":1,"diff":1,"obj":{"x":1,"y":2},"arr":[1,2]}}})"));
    const auto replies = update(json::parse(
        R"({"state":{"desired":{"same":1,"diff":2,"new":"n","obj":{"x":1,"y":3},"arr":[1,2,3],"type":{"a":1}}}})"));
    // Objects recurse and keep the path to the root; arrays are compared and delivered whole.
    EXPECT_EQ(replies.at("update/delta")["state"],
              json::parse(R"({"diff":2,"new":"n","obj":{"y":3},"arr":[1,2,3],"type":{"a":1}})"));
}

TEST_F(ShadowBodies, A_5_1_PathDownToTheRoot) {
    update(json::parse(R"({"state":{"reported":{"lights":{"color":{"r":255,"g":0}}}}})"));
    const auto replies =
        update(json::parse(R"({"state":{"desired":{"lights":{"color":{"r":255,"g":255}}}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"lights":{"color":{"g":255}}})"));
}

TEST_F(ShadowBodies, A_5_1_ArraysOfObjectsCompareAsValuesWhateverTheKeyOrder) {
    update(json::parse(R"({"state":{"reported":{"arr":[{"a":1,"b":2}]}}})"));
    const auto replies = update_raw(R"({"state":{"desired":{"arr":[{"b":2,"a":1}]}}})");
    EXPECT_FALSE(replies.on("update/delta")) << replies.describe();
}

TEST_F(ShadowBodies, A_5_2_KeysOnlyInReportedNeverAppearInTheDelta) {
    update(json::parse(R"({"state":{"reported":{"extra":1,"a":0}}})"));
    const auto replies = update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"a":1})"));
}

TEST_F(ShadowBodies, A_5_3_WithoutReportedTheDeltaIsDesiredIncludingEmptyObjects) {
    const auto replies = update(json::parse(R"({"state":{"desired":{"a":1,"e":{},"n":{"m":{}}}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"a":1,"e":{},"n":{"m":{}}})"));
    EXPECT_EQ(state()["delta"], json::parse(R"({"a":1,"e":{},"n":{"m":{}}})"));
}

TEST_F(ShadowBodies, A_5_4_MatchingSectionsAreNeverCleared) {
    update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    EXPECT_EQ(state(), json::parse(R"({"desired":{"a":1},"reported":{"a":1}})"));
}

TEST_F(ShadowBodies, A_5_5_NumbersCompareByValue) {
    // [UNSURE in the reference] Greengrass compares numerically; so does the twin.
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    const auto replies = update_raw(R"({"state":{"desired":{"a":1.0}}})");
    EXPECT_FALSE(replies.on("update/delta")) << replies.describe();
}

TEST_F(ShadowBodies, A_5_6_AReportedOnlyUpdateThatDisagreesGetsTheDelta) {
    update(json::parse(R"({"state":{"desired":{"Status":"Great"}}})"));
    update(json::parse(R"({"state":{"reported":{"Status":"Great"}}})"));
    const auto replies = update(json::parse(R"({"state":{"reported":{"Status":"Awful"}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"Status":"Great"})"));
}

TEST_F(ShadowBodies, A_5_7_NoDeltaWhenInSync) {
    update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    const auto replies = update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    EXPECT_FALSE(replies.on("update/delta")) << replies.describe();
    EXPECT_TRUE(replies.on("update/accepted"));
    EXPECT_TRUE(replies.on("update/documents"));
    EXPECT_FALSE(state().contains("delta"));
}

TEST_F(ShadowBodies, A_5_8_TheDeltaListsAllOutOfSyncKeys) {
    update(json::parse(R"({"state":{"desired":{"a":1,"b":2}}})"));
    const auto replies = update(json::parse(R"({"state":{"desired":{"c":3}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"a":1,"b":2,"c":3})"));
}

TEST_F(ShadowBodies, A_5_9_ADeltaIsPublishedWheneverItIsNonEmpty) {
    // [UNSURE in the reference] even when the update did not touch the delta (Greengrass's rule).
    update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    const auto replies = update(json::parse(R"({"state":{"reported":{"unrelated":1}}})"));
    EXPECT_EQ(replies.at("update/delta")["state"], json::parse(R"({"a":1})"));
}

TEST_F(ShadowBodies, A_5_10_DeltaBodyWithMetadataFromDesired) {
    update(json::parse(R"({"state":{"desired":{"Status":"Great","n":{"x":1}}}})"));
    const std::int64_t desired_at = now_seconds();
    advance(54s);
    const auto replies =
        update(json::parse(R"({"state":{"reported":{"Status":"Awful"}},"clientToken":"55c6"})"));
    const json delta = replies.at("update/delta");
    // The metadata timestamp is the desired value's, older than the message's timestamp.
    EXPECT_EQ(delta,
              (json{{"state", {{"Status", "Great"}, {"n", {{"x", 1}}}}},
                    {"metadata",
                     {{"Status", {{"timestamp", desired_at}}}, {"n", {{"x", {{"timestamp", desired_at}}}}}}},
                    {"version", 2},
                    {"timestamp", now_seconds()},
                    {"clientToken", "55c6"}}));
}

TEST_F(ShadowBodies, A_5_11_EveryDeltaCarriesItsVersionForOrdering) {
    // Messages may arrive out of order; clients drop deltas older than one they have seen.
    std::int64_t last = 0;
    for (int i = 0; i < 3; ++i) {
        const auto replies = update({{"state", {{"desired", {{"n", i}}}}}});
        const std::int64_t version = replies.at("update/delta")["version"];
        EXPECT_GT(version, last);
        EXPECT_EQ(version, replies.at("update/accepted")["version"]);
        last = version;
    }
}

TEST_F(ShadowBodies, A_6_DocumentsAfterEveryAcceptedUpdate) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    const std::int64_t first = now_seconds();
    advance(3s);
    const auto replies = update(json::parse(R"({"state":{"reported":{"b":2}},"clientToken":"d"})"));
    const json documents = replies.at("update/documents");
    const std::int64_t t = now_seconds();
    EXPECT_EQ(
        documents,
        (json{{"previous",
               {{"state", {{"reported", {{"a", 1}}}}},
                {"metadata", {{"reported", {{"a", {{"timestamp", first}}}}}}},
                {"version", 1}}},
              {"current",
               {{"state", {{"reported", {{"a", 1}, {"b", 2}}}}},
                {"metadata", {{"reported", {{"a", {{"timestamp", first}}}, {"b", {{"timestamp", t}}}}}}},
                {"version", 2}}},
              {"timestamp", t},
              {"clientToken", "d"}}));
}

TEST_F(ShadowBodies, A_6_1_PreviousIsNullWhenTheUpdateCreatedTheShadow) {
    const json documents = update(json::parse(R"({"state":{"reported":{"a":1}}})")).at("update/documents");
    ASSERT_TRUE(documents.contains("previous"));
    EXPECT_TRUE(documents["previous"].is_null());
    EXPECT_EQ(documents["current"]["version"], 1);
}

TEST_F(ShadowBodies, A_6_2_DocumentsNeverHoldTheDelta) {
    update(json::parse(R"({"state":{"desired":{"a":1}}})"));
    const json documents = update(json::parse(R"({"state":{"reported":{"a":0}}})")).at("update/documents");
    EXPECT_EQ(documents["previous"]["state"], json::parse(R"({"desired":{"a":1}})"));
    EXPECT_EQ(documents["current"]["state"], json::parse(R"({"desired":{"a":1},"reported":{"a":0}})"));
    EXPECT_FALSE(documents["current"]["metadata"].contains("delta"));
}

TEST_F(ShadowBodies, A_6_3_AnEmptySectionIsOmitted) {
    update(json::parse(R"({"state":{"desired":{"a":1},"reported":{"b":1}}})"));
    const json documents = update(json::parse(R"({"state":{"desired":{"a":null}}})")).at("update/documents");
    EXPECT_EQ(documents["current"]["state"], json::parse(R"({"reported":{"b":1}})"));
    EXPECT_FALSE(documents["current"]["metadata"].contains("desired"));
}

} // namespace
} // namespace hil::twin::test

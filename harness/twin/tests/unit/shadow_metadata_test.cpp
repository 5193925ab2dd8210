// Reference A.9 (metadata and timestamps).
#include "shadow_fixture.hpp"

#include <cstdlib>

namespace hil::twin::test {
namespace {

class ShadowMetadata : public ShadowTest {};

TEST_F(ShadowMetadata, A_9_1_EveryLeafHasAnIntegerTimestampMirroringTheTree) {
    update(json::parse(
        R"({"state":{"reported":{"s":"x","n":1.5,"b":false,"o":{"p":{"q":1}},"a":[1,{"k":2}],"e":{}}}})"));
    const json meta = get().at("get/accepted")["metadata"]["reported"];
    const json leaf = {{"timestamp", now_seconds()}};
    EXPECT_EQ(meta, (json{{"s", leaf},
                          {"n", leaf},
                          {"b", leaf},
                          {"o", {{"p", {{"q", leaf}}}}},
                          {"a", json::array({leaf, {{"k", leaf}}})},
                          {"e", json::object()}}));
    EXPECT_TRUE(meta["s"]["timestamp"].is_number_integer());
}

TEST_F(ShadowMetadata, A_9_2_OnlyWrittenLeavesGetANewTimestamp) {
    update(json::parse(R"({"state":{"reported":{"Color":"red","Status":"ok","n":{"a":1,"b":1}}}})"));
    const std::int64_t first = now_seconds();
    advance(100s);
    update(json::parse(R"({"state":{"reported":{"Status":"ok","n":{"b":2}}}})")); // same value: still written
    const json meta = get().at("get/accepted")["metadata"]["reported"];
    EXPECT_EQ(meta["Color"]["timestamp"], first);
    EXPECT_EQ(meta["Status"]["timestamp"], now_seconds());
    EXPECT_EQ(meta["n"]["a"]["timestamp"], first);
    EXPECT_EQ(meta["n"]["b"]["timestamp"], now_seconds());
}

TEST_F(ShadowMetadata, A_9_3_DeletingAKeyRemovesItsMetadata) {
    update(json::parse(R"({"state":{"reported":{"a":1,"b":{"c":1,"d":1}}}})"));
    update(json::parse(R"({"state":{"reported":{"a":null,"b":{"c":null}}}})"));
    const json meta = get().at("get/accepted")["metadata"]["reported"];
    EXPECT_FALSE(meta.contains("a"));
    EXPECT_FALSE(meta["b"].contains("c"));
    EXPECT_TRUE(meta["b"].contains("d"));
}

TEST_F(ShadowMetadata, A_9_3_ReplacingAnObjectByAScalarReplacesItsMetadata) {
    update(json::parse(R"({"state":{"reported":{"a":{"x":1}}}})"));
    update(json::parse(R"({"state":{"reported":{"a":5}}})"));
    EXPECT_EQ(get().at("get/accepted")["metadata"]["reported"]["a"], (json{{"timestamp", now_seconds()}}));
}

TEST_F(ShadowMetadata, A_9_4_TheTopLevelTimestampIsWhenTheMessageWasGenerated) {
    update(json::parse(R"({"state":{"reported":{"a":1}}})"));
    advance(30s);
    EXPECT_EQ(get().at("get/accepted")["timestamp"], now_seconds());
    EXPECT_EQ(remove().at("delete/accepted")["timestamp"], now_seconds());
}

TEST_F(ShadowMetadata, A_9_5_MetadataDoesNotCountTowardsTheSizeLimit) {
    // 8192 bytes of compact desired+reported is accepted however large its metadata is.
    json values = json::object();
    for (int i = 0; i < 800; ++i) values["k" + std::to_string(i)] = 1;
    values["f"] = std::string(8192 - values.dump().size() - 7, 'x'); // ,"f":"..." adds 7 + n bytes
    ASSERT_EQ(values.dump().size(), 8192U);
    const json request = {{"state", {{"reported", values}}}};
    const auto replies = update(request);
    EXPECT_TRUE(replies.on("update/accepted")) << replies.describe().substr(0, 200);
    EXPECT_GT(get().at("get/accepted")["metadata"].dump().size(), 8192U);
}

TEST_F(ShadowMetadata, A_9_6_TimestampsAreIntegersAndMonotonic) {
    std::int64_t last = 0;
    for (int i = 0; i < 3; ++i) {
        advance(1s);
        const json accepted = update({{"state", {{"reported", {{"n", i}}}}}}).at("update/accepted");
        ASSERT_TRUE(accepted["timestamp"].is_number_integer());
        EXPECT_GT(accepted["timestamp"].get<std::int64_t>(), last);
        last = accepted["timestamp"];
    }
}

TEST(ShadowWallClock, A_9_6_TimestampsAreEpochSecondsNearTheWallClock) {
    MemoryShadowStore store;
    ShadowService service(store);
    const auto now = std::chrono::system_clock::now();
    const auto replies =
        service.handle("$aws/things/t/shadow/update", R"({"state":{"reported":{"a":1}}})", now);
    ASSERT_FALSE(replies.empty());
    const std::int64_t ts = json::parse(replies.front().payload)["timestamp"];
    const std::int64_t wall =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    EXPECT_LE(std::abs(ts - wall), 1);
}

} // namespace
} // namespace hil::twin::test

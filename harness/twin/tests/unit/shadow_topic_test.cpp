// Reference A.1 (topics) and the name limits of A.11.
#include "shadow_fixture.hpp"

#include "hil/twin/shadow_topic.hpp"

namespace hil::twin::test {
namespace {

TEST(ShadowTopic, A_1_ParsesEveryClassicTopic) {
    struct Case {
        const char *topic;
        ShadowOperation operation;
        ShadowTopicKind kind;
    };
    const Case cases[] = {
        {"$aws/things/T/shadow/update", ShadowOperation::update, ShadowTopicKind::request},
        {"$aws/things/T/shadow/update/accepted", ShadowOperation::update, ShadowTopicKind::accepted},
        {"$aws/things/T/shadow/update/rejected", ShadowOperation::update, ShadowTopicKind::rejected},
        {"$aws/things/T/shadow/update/delta", ShadowOperation::update, ShadowTopicKind::delta},
        {"$aws/things/T/shadow/update/documents", ShadowOperation::update, ShadowTopicKind::documents},
        {"$aws/things/T/shadow/get", ShadowOperation::get, ShadowTopicKind::request},
        {"$aws/things/T/shadow/get/accepted", ShadowOperation::get, ShadowTopicKind::accepted},
        {"$aws/things/T/shadow/get/rejected", ShadowOperation::get, ShadowTopicKind::rejected},
        {"$aws/things/T/shadow/delete", ShadowOperation::delete_, ShadowTopicKind::request},
        {"$aws/things/T/shadow/delete/accepted", ShadowOperation::delete_, ShadowTopicKind::accepted},
        {"$aws/things/T/shadow/delete/rejected", ShadowOperation::delete_, ShadowTopicKind::rejected},
    };
    for (const auto &c : cases) {
        const auto parsed = parse_shadow_topic(c.topic);
        ASSERT_TRUE(parsed) << c.topic;
        EXPECT_EQ(parsed->key.thing, "T");
        EXPECT_FALSE(parsed->key.named());
        EXPECT_EQ(parsed->operation, c.operation) << c.topic;
        EXPECT_EQ(parsed->kind, c.kind) << c.topic;
        EXPECT_EQ(shadow_topic(parsed->key, parsed->operation, parsed->kind), c.topic); // round trip
    }
}

TEST(ShadowTopic, A_1_NamedShadowsDifferOnlyInThePrefix) {
    const auto parsed = parse_shadow_topic("$aws/things/lamp-1/shadow/name/config/update/documents");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->key.thing, "lamp-1");
    EXPECT_EQ(parsed->key.name, "config");
    EXPECT_EQ(parsed->operation, ShadowOperation::update);
    EXPECT_EQ(parsed->kind, ShadowTopicKind::documents);
    EXPECT_EQ(shadow_prefix(parsed->key), "$aws/things/lamp-1/shadow/name/config");
}

TEST(ShadowTopic, A_1_RejectsWhatIsNotAShadowTopic) {
    for (const char *topic : {
             "$aws/things/T/shadow",                   // no operation
             "$aws/things/T/shadow/get/delta",         // delta exists for update only
             "$aws/things/T/shadow/delete/documents",  // documents exist for update only
             "$aws/things/T/shadow/update/accepted/x", // too deep
             "$aws/things/T/shadow/Update",            // topics are case sensitive
             "$AWS/things/T/shadow/update",            //
             "$aws/things/T/shadow/name/update",       // named without a name
             "$aws/things/T/shadow/name//update",      // empty shadow name
             "$aws/things//shadow/update",             // empty thing name
             "$aws/things/T/shadows/update",           //
             "aws/things/T/shadow/update",             //
             "$aws/things/T/shadow/update/",           // empty kind level
         }) {
        EXPECT_FALSE(parse_shadow_topic(topic)) << topic;
    }
}

TEST(ShadowTopic, A_11_3_ThingNamesAre1To128BytesOfTheDocumentedCharacters) {
    EXPECT_TRUE(is_valid_thing_name("a"));
    EXPECT_TRUE(is_valid_thing_name("Lamp_1:kitchen-2"));
    EXPECT_TRUE(is_valid_thing_name(std::string(128, 'x')));
    EXPECT_FALSE(is_valid_thing_name(std::string(129, 'x')));
    EXPECT_FALSE(is_valid_thing_name(""));
    for (const char *bad : {"a.b", "a b", "a/b", "a+b", "a#b", "a$b", "\xc3\xa9"}) {
        EXPECT_FALSE(is_valid_thing_name(bad)) << bad;
        EXPECT_FALSE(parse_shadow_topic(std::string("$aws/things/") + bad + "/shadow/update")) << bad;
    }
}

TEST(ShadowTopic, A_11_4_ShadowNamesAre1To64BytesAndMayHoldDollar) {
    EXPECT_TRUE(is_valid_shadow_name("$config"));
    EXPECT_TRUE(is_valid_shadow_name(std::string(64, 'n')));
    EXPECT_FALSE(is_valid_shadow_name(std::string(65, 'n')));
    EXPECT_FALSE(is_valid_shadow_name(""));
    EXPECT_FALSE(is_valid_shadow_name("a.b"));
    EXPECT_TRUE(parse_shadow_topic("$aws/things/T/shadow/name/$x/get"));
    EXPECT_FALSE(parse_shadow_topic("$aws/things/T/shadow/name/" + std::string(65, 'n') + "/get"));
}

class ShadowTopicService : public ShadowTest {};

TEST_F(ShadowTopicService, A_11_6_NamedShadowsAreIndependentOfEachOtherAndOfTheClassicOne) {
    // A.11.6: named shadows per thing are unlimited, there is one classic shadow.
    update({{"state", {{"reported", {{"c", 0}}}}}});
    for (int i = 0; i < 50; ++i) {
        const auto replies = update({{"state", {{"reported", {{"n", i}}}}}}, "s" + std::to_string(i));
        ASSERT_EQ(replies.at("update/accepted")["version"], 1) << i;
    }
    EXPECT_EQ(get("", "s7").at("get/accepted")["state"], json::parse(R"({"reported":{"n":7}})"));
    EXPECT_EQ(state(), json::parse(R"({"reported":{"c":0}})"));
    const auto replies = get("", "s7");
    EXPECT_EQ(replies.topics(), std::vector<std::string>{"$aws/things/lamp-1/shadow/name/s7/get/accepted"});
}

TEST_F(ShadowTopicService, A_1_ResponseTopicsAndOtherTopicsGetNoAnswer) {
    EXPECT_TRUE(send(prefix() + "/update/accepted", R"({"state":{}})").messages.empty());
    EXPECT_TRUE(send(prefix() + "/update/delta", R"({"state":{}})").messages.empty());
    EXPECT_TRUE(send("sensors/lamp-1", R"({"state":{}})").messages.empty());
}

TEST_F(ShadowTopicService, A_1_ShadowsNeedNoRegisteredThing) {
    // A.1 / A.10.12: any valid thing name works; the twin never answers 404 "Thing not found".
    const auto replies =
        send("$aws/things/never-registered/shadow/update", R"({"state":{"reported":{"a":1}}})");
    EXPECT_TRUE(replies.on("update/accepted")) << replies.describe();
}

} // namespace
} // namespace hil::twin::test

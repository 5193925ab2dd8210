#include "hil/scenario/matcher.hpp"
#include "hil/scenario/template.hpp"

#include <gtest/gtest.h>

namespace hil {
namespace {

using nlohmann::json;

TEST(JsonContains, ObjectsAreMatchedAsSubsets) {
    const json actual = {{"state", {{"reported", {{"color", "red"}, {"brightness", 3}}}}}, {"version", 4}};
    EXPECT_TRUE(json_contains(actual, {{"state", {{"reported", {{"color", "red"}}}}}}).ok);
    const auto miss = json_contains(actual, {{"state", {{"reported", {{"color", "blue"}}}}}});
    EXPECT_FALSE(miss.ok);
    EXPECT_EQ(miss.why, R"(at .state.reported.color: expected "blue", got "red")");
    EXPECT_EQ(json_contains(actual, {{"clientToken", "x"}}).why, "at .clientToken: missing");
}

TEST(JsonContains, NumbersCompareByValueAndArraysByElement) {
    EXPECT_TRUE(json_contains(json(1), json(1.0)).ok);
    EXPECT_FALSE(json_contains(json(1), json("1")).ok);
    EXPECT_TRUE(json_contains(json::array({1, 2}), json::array({1, 2})).ok);
    EXPECT_FALSE(json_contains(json::array({1, 2, 3}), json::array({1, 2})).ok);
}

TEST(JsonContains, OperatorsAndAbsent) {
    const json actual = {{"seq", 7}, {"id", "hil-k3-dut"}, {"state", {{"reported", {{"color", "red"}}}}}};
    EXPECT_TRUE(json_contains(actual, {{"seq", {{"$gt", 6}, {"$le", 7}}}}).ok);
    EXPECT_FALSE(json_contains(actual, {{"seq", {{"$gt", 7}}}}).ok);
    EXPECT_EQ(json_contains(actual, {{"seq", {{"$lt", 3}}}}).why, "at .seq: 7 does not satisfy $lt 3");
    EXPECT_TRUE(json_contains(actual, {{"id", {{"$regex", "^hil-.*-dut$"}}}}).ok);
    EXPECT_FALSE(json_contains(actual, {{"id", {{"$regex", "^cloud"}}}}).ok);
    EXPECT_FALSE(json_contains(actual, {{"seq", {{"$regex", "7"}}}}).ok); // numbers are not text
    EXPECT_TRUE(json_contains(actual, {{"seq", {{"$ne", 8}}}}).ok);
    EXPECT_FALSE(json_contains(actual, {{"seq", {{"$ne", 7}}}}).ok);
    EXPECT_TRUE(json_contains(actual, {{"state", {{"delta", {{"$absent", true}}}}}}).ok);
    EXPECT_EQ(json_contains(actual, {{"state", {{"reported", {{"$absent", true}}}}}}).why,
              R"(at .state.reported: expected absent, got {"color":"red"})");
}

TEST(JsonAtPath, FollowsKeysAndIndexes) {
    const json doc = {{"a", {{"b", json::array({10, {{"c", "x"}}})}}}};
    EXPECT_EQ(json_at_path(doc, "a.b[0]"), json(10));
    EXPECT_EQ(json_at_path(doc, "a.b[1].c"), json("x"));
    EXPECT_EQ(json_at_path(doc, ""), doc);
    EXPECT_FALSE(json_at_path(doc, "a.b[2]"));
    EXPECT_FALSE(json_at_path(doc, "a.z"));
}

TEST(TopicMatches, FollowsMqttFilterRules) {
    EXPECT_TRUE(topic_matches("a/b", "a/b"));
    EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
    EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
    EXPECT_TRUE(topic_matches("a/+/c", "a/x/c"));
    EXPECT_FALSE(topic_matches("a/+", "a"));
    EXPECT_TRUE(topic_matches("a/#", "a"));
    EXPECT_TRUE(topic_matches("a/#", "a/b/c"));
    EXPECT_TRUE(topic_matches("#", "anything/at/all"));
    EXPECT_TRUE(topic_matches("+/+", "/x"));
}

TEST(Template, SubstitutesKnownVariables) {
    const Variables vars = {{"run", "k3f9q2-1"}, {"thing", "hil-k3f9q2-1-dut"}};
    EXPECT_EQ(substitute("hil/${run}/up", vars), "hil/k3f9q2-1/up");
    EXPECT_EQ(substitute("$${run} costs $5", vars), "${run} costs $5");
    EXPECT_THROW((void)substitute("${nope}", vars), std::out_of_range);
    const json doc = {{"topic", "t/${thing}"}, {"n", 1}};
    EXPECT_EQ(substitute_json(doc, vars), (json{{"topic", "t/hil-k3f9q2-1-dut"}, {"n", 1}}));
}

TEST(Template, SubstituteKnownLeavesTheRestAlone) {
    const Variables matrix = {{"qos", "1"}};
    EXPECT_EQ(substitute_known("hil/${run}/q${qos} $${qos} $5", matrix), "hil/${run}/q1 $${qos} $5");
    EXPECT_EQ(substitute_known("${unterminated", matrix), "${unterminated");
}

TEST(Template, ReportsReferencesAndSyntaxErrors) {
    std::string error;
    EXPECT_EQ(referenced_variables("${a}/${b.c}", error), (std::vector<std::string>{"a", "b.c"}));
    EXPECT_TRUE(error.empty());
    (void)referenced_variables("oops ${run", error);
    EXPECT_NE(error.find("unterminated"), std::string::npos);
}

} // namespace
} // namespace hil

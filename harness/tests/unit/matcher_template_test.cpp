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

TEST(Template, ReportsReferencesAndSyntaxErrors) {
    std::string error;
    EXPECT_EQ(referenced_variables("${a}/${b.c}", error), (std::vector<std::string>{"a", "b.c"}));
    EXPECT_TRUE(error.empty());
    (void)referenced_variables("oops ${run", error);
    EXPECT_NE(error.find("unterminated"), std::string::npos);
}

} // namespace
} // namespace hil

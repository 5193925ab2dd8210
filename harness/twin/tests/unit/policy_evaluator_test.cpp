// Reference D, evaluation: default deny, Allow, explicit Deny wins, NotResource/NotAction,
// `*` and `?` wildcards, `+` and `#` literal, policy variables, conditions.
#include "hil/twin/policy_evaluator.hpp"

#include <gtest/gtest.h>

namespace hil::twin {
namespace {

const std::string kArn = "arn:aws:iot:us-east-1:123456789012:";

Policy policy(const std::string &statements, const std::string &name = "p") {
    return parse_policy(R"({"Version":"2012-10-17","Statement":[)" + statements + "]}", name);
}

RequestContext context(std::string client_id = "dev-1") {
    RequestContext c;
    c.values["iot:ClientId"] = std::move(client_id);
    return c;
}

Decision decide(const std::vector<Policy> &policies, const std::string &action, const std::string &resource,
                const RequestContext &c = context()) {
    std::vector<const Policy *> pointers;
    for (const auto &p : policies) pointers.push_back(&p);
    return evaluate(pointers, action, resource, c).decision;
}

TEST(PolicyEvaluator, D_EverythingIsDeniedByDefault) {
    EXPECT_EQ(decide({}, "iot:Connect", kArn + "client/dev-1"), Decision::implicit_deny);
    const Policy other = policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":"*"})");
    EXPECT_EQ(decide({other}, "iot:Connect", kArn + "client/dev-1"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_AnyAllowInAnyPolicyAllows) {
    const Policy a =
        policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn + R"(topic/a"})", "a");
    const Policy b =
        policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn + R"(topic/b"})", "b");
    EXPECT_EQ(decide({a, b}, "iot:Publish", kArn + "topic/b"), Decision::allow);
    EXPECT_EQ(decide({a, b}, "iot:Publish", kArn + "topic/c"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_AnExplicitDenyOverridesEveryAllow) {
    const Policy allow = policy(R"({"Effect":"Allow","Action":"iot:*","Resource":"*"})", "allow");
    const Policy deny = policy(
        R"({"Effect":"Deny","Action":"iot:Publish","Resource":")" + kArn + R"(topic/secret/*"})", "deny");
    EXPECT_EQ(decide({allow, deny}, "iot:Publish", kArn + "topic/secret/x"), Decision::explicit_deny);
    EXPECT_EQ(decide({deny, allow}, "iot:Publish", kArn + "topic/secret/x"), Decision::explicit_deny);
    EXPECT_EQ(decide({allow, deny}, "iot:Publish", kArn + "topic/open"), Decision::allow);
    EXPECT_EQ(decide({allow, deny}, "iot:Subscribe", kArn + "topicfilter/secret/x"), Decision::allow);
}

TEST(PolicyEvaluator, D_EvaluationNamesTheDecidingStatement) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*"},
                               {"Effect":"Deny","Action":"iot:Publish","Resource":"*"})",
                            "named");
    const auto e = evaluate({&p}, "iot:Publish", kArn + "topic/x", context());
    EXPECT_EQ(e.decision, Decision::explicit_deny);
    EXPECT_EQ(e.policy, &p);
    EXPECT_EQ(e.statement, 1U);
}

TEST(PolicyEvaluator, D_StarMatchesAnyRunIncludingSlashAndQuestionOneCharacter) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":[")" + kArn +
                            R"(topic/a/*","arn:aws:iot:*:*:topic/b/?/c"]})");
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/a/x/y/z"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/a/"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/a"), Decision::implicit_deny);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/b/1/c"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/b/12/c"), Decision::implicit_deny);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/b//c"), Decision::implicit_deny);
    EXPECT_EQ(decide({p}, "iot:Publish", "arn:aws:iot:eu-west-1:999:topic/b/x/c"), Decision::allow);
}

TEST(PolicyEvaluator, D_PlusAndHashAreLiteral) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":[")" + kArn +
                            R"(topicfilter/some/+/topic",")" + kArn + R"(topicfilter/a/*"]})");
    EXPECT_EQ(decide({p}, "iot:Subscribe", kArn + "topicfilter/some/+/topic"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Subscribe", kArn + "topicfilter/some/x/topic"), Decision::implicit_deny);
    EXPECT_EQ(decide({p}, "iot:Subscribe", kArn + "topicfilter/a/#"),
              Decision::allow); // a/* allows the filter a/#
    const Policy hash =
        policy(R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":")" + kArn + R"(topicfilter/x/#"})");
    EXPECT_EQ(decide({hash}, "iot:Subscribe", kArn + "topicfilter/x/#"), Decision::allow);
    EXPECT_EQ(decide({hash}, "iot:Subscribe", kArn + "topicfilter/x/y"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_DenyingASubscribeSubtreeDoesNotStopAWildcardSubscriber) {
    // The documented consequence: only a Receive Deny stops a/# from receiving a/restricted/x.
    const Policy p =
        policy(R"({"Effect":"Allow","Action":["iot:Subscribe"],"Resource":")" + kArn + R"(topicfilter/a/*"},
        {"Effect":"Deny","Action":"iot:Subscribe","Resource":")" +
               kArn + R"(topicfilter/a/restricted/*"},
        {"Effect":"Allow","Action":"iot:Receive","Resource":")" +
               kArn + R"(topic/a/*"})");
    EXPECT_EQ(decide({p}, "iot:Subscribe", kArn + "topicfilter/a/#"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Receive", kArn + "topic/a/restricted/x"), Decision::allow);
    const Policy receive_deny = policy(
        R"({"Effect":"Deny","Action":"iot:Receive","Resource":")" + kArn + R"(topic/a/restricted/*"})", "rd");
    EXPECT_EQ(decide({p, receive_deny}, "iot:Receive", kArn + "topic/a/restricted/x"),
              Decision::explicit_deny);
}

TEST(PolicyEvaluator, D_NotResourceAppliesToEveryOtherResource) {
    const Policy allow_all = policy(R"({"Effect":"Allow","Action":"iot:Receive","Resource":"*"})", "all");
    const Policy p =
        policy(R"({"Effect":"Deny","Action":"iot:Receive","NotResource":")" + kArn + R"(topic/public/*"})");
    EXPECT_EQ(decide({allow_all, p}, "iot:Receive", kArn + "topic/public/x"), Decision::allow);
    EXPECT_EQ(decide({allow_all, p}, "iot:Receive", kArn + "topic/private/x"), Decision::explicit_deny);
    const Policy allow_not =
        policy(R"({"Effect":"Allow","Action":"iot:Publish","NotResource":")" + kArn + R"(topic/x"})");
    EXPECT_EQ(decide({allow_not}, "iot:Publish", kArn + "topic/y"), Decision::allow);
    EXPECT_EQ(decide({allow_not}, "iot:Publish", kArn + "topic/x"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_NotActionAndActionWildcardsCaseInsensitive) {
    const Policy p = policy(R"({"Effect":"Allow","NotAction":"iot:Publish","Resource":"*"})");
    EXPECT_EQ(decide({p}, "iot:Subscribe", kArn + "topicfilter/x"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/x"), Decision::implicit_deny);
    const Policy w = policy(R"({"Effect":"Allow","Action":"IOT:pub*","Resource":"*"})");
    EXPECT_EQ(decide({w}, "iot:Publish", kArn + "topic/x"), Decision::allow);
    EXPECT_EQ(decide({w}, "iot:Receive", kArn + "topic/x"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_ClientIdVariable) {
    const Policy p = policy(R"({"Effect":"Allow","Action":["iot:Connect"],"Resource":")" + kArn +
                            R"(client/${iot:ClientId}"},
        {"Effect":"Allow","Action":"iot:Publish","Resource":")" +
                            kArn + R"(topic/devices/${iot:ClientId}/*"})");
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-1"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/devices/dev-1/t"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/devices/dev-2/t"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_VariableValuesAreLiteralNotWildcards) {
    // A client ID of "*" must not turn ${iot:ClientId} into a wildcard.
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn +
                            R"(topic/devices/${iot:ClientId}"})");
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/devices/*", context("*")), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/devices/other", context("*")),
              Decision::implicit_deny);
    // ... while a client ID of "+" does widen a topicfilter grant to the literal filter "+".
    const Policy f = policy(R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":")" + kArn +
                            R"(topicfilter/devices/${iot:ClientId}"})");
    EXPECT_EQ(decide({f}, "iot:Subscribe", kArn + "topicfilter/devices/+", context("+")), Decision::allow);
}

TEST(PolicyEvaluator, D_ThingNameVariableResolvesOnlyWhenKnown) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn +
                            R"(topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"})");
    RequestContext attached = context("lamp-1");
    attached.values["iot:Connection.Thing.ThingName"] = "lamp-1";
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/$aws/things/lamp-1/shadow/update", attached),
              Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/$aws/things/lamp-2/shadow/update", attached),
              Decision::implicit_deny);
    // Unresolved: the pattern matches nothing, not even the literal "${...}" text.
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/$aws/things/lamp-1/shadow/update", context("lamp-1")),
              Decision::implicit_deny);
    EXPECT_EQ(decide({p}, "iot:Publish",
                     kArn + "topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/update",
                     context("lamp-1")),
              Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_UnresolvedVariableInNotResourceExcludesNothing) {
    const Policy p =
        policy(R"({"Effect":"Deny","Action":"iot:Publish","NotResource":")" + kArn +
               R"(topic/${iot:Connection.Thing.ThingName}"},{"Effect":"Allow","Action":"*","Resource":"*"})");
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/x"), Decision::explicit_deny);
}

TEST(PolicyEvaluator, D_SpecialVariablesProduceLiteralCharacters) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn +
                            R"(topic/a${*}b${?}c${$}{x}"})");
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/a*b?c${x}"), Decision::allow);
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/aXXbYc${x}"), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_ThingAttributesAndCertificateVariables) {
    const Policy p = policy(
        R"({"Effect":"Allow","Action":"iot:Publish","Resource":")" + kArn +
        R"(topic/rooms/${iot:Connection.Thing.Attributes[room]}/${iot:Certificate.Subject.CommonName}"})");
    RequestContext c = context();
    c.values["iot:Connection.Thing.Attributes[room]"] = "lab";
    c.values["iot:Certificate.Subject.CommonName"] = "dev-1";
    EXPECT_EQ(decide({p}, "iot:Publish", kArn + "topic/rooms/lab/dev-1", c), Decision::allow);
}

TEST(PolicyEvaluator, D_Conditions) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{
        "Bool":{"iot:Connection.Thing.IsAttached":"true"},
        "StringLike":{"iot:ClientId":["dev-*","lamp-?"]},
        "IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1"]}}})");
    RequestContext c = context("dev-9");
    c.values["iot:Connection.Thing.IsAttached"] = "true";
    c.values["aws:SourceIp"] = "127.0.0.1";
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-9", c), Decision::allow);
    c.values["aws:SourceIp"] = "10.1.2.3";
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-9", c), Decision::implicit_deny);
    c.values["aws:SourceIp"] = "::1";
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-9", c), Decision::allow);
    c.values["iot:Connection.Thing.IsAttached"] = "false";
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-9", c), Decision::implicit_deny);
    c.values.erase("iot:Connection.Thing.IsAttached"); // a missing key fails a positive operator
    EXPECT_EQ(decide({p}, "iot:Connect", kArn + "client/dev-9", c), Decision::implicit_deny);
}

TEST(PolicyEvaluator, D_NegatedAndIfExistsConditionsOnMissingKeys) {
    const Policy negated = policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringNotEquals":{"iot:Connection.Thing.ThingName":"blocked"}}})");
    EXPECT_EQ(decide({negated}, "iot:Connect", "x"), Decision::allow); // missing key: negated holds
    const Policy if_exists = policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringEqualsIfExists":{"iot:Connection.Thing.ThingName":"dev-1"}}})");
    EXPECT_EQ(decide({if_exists}, "iot:Connect", "x"), Decision::allow);
    RequestContext c = context();
    c.values["iot:Connection.Thing.ThingName"] = "other";
    EXPECT_EQ(decide({if_exists}, "iot:Connect", "x", c), Decision::implicit_deny);
    const Policy null = policy(R"({"Effect":"Deny","Action":"*","Resource":"*",
        "Condition":{"Null":{"iot:Connection.Thing.ThingName":"true"}}},{"Effect":"Allow","Action":"*","Resource":"*"})");
    EXPECT_EQ(decide({null}, "iot:Connect", "x"), Decision::explicit_deny);
    EXPECT_EQ(decide({null}, "iot:Connect", "x", c), Decision::allow);
}

TEST(PolicyEvaluator, D_ConditionValuesMayHoldVariables) {
    const Policy p = policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringEquals":{"iot:Connection.Thing.ThingName":"${iot:ClientId}"}}})");
    RequestContext c = context("lamp-1");
    c.values["iot:Connection.Thing.ThingName"] = "lamp-1";
    EXPECT_EQ(decide({p}, "iot:Connect", "x", c), Decision::allow);
    c.values["iot:Connection.Thing.ThingName"] = "lamp-2";
    EXPECT_EQ(decide({p}, "iot:Connect", "x", c), Decision::implicit_deny);
}

TEST(PolicyGlob, BacktrackingStaysCorrect) {
    const auto m = [](const std::string &pattern, const std::string &subject) {
        const auto resolved = resolve_pattern(pattern, RequestContext{});
        return resolved && glob_match(*resolved, subject);
    };
    EXPECT_TRUE(m("*", ""));
    EXPECT_TRUE(m("a*b*c", "aXbYbZc"));
    EXPECT_FALSE(m("a*b*c", "aXbYbZ"));
    EXPECT_TRUE(m("*a*a*a*a*b", std::string(50, 'a') + "b"));
    EXPECT_FALSE(m("*a*a*a*a*b", std::string(5000, 'a')));
    EXPECT_TRUE(m("??", "ab"));
    EXPECT_FALSE(m("??", "abc"));
}

} // namespace
} // namespace hil::twin

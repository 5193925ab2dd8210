// Reference D, structure: policy documents are parsed strictly, errors name the JSON path.
#include "hil/twin/policy.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace hil::twin {
namespace {

std::string error_of(const std::string &text) {
    try {
        (void)parse_policy(text, "p");
    } catch (const PolicyError &e) {
        return e.what();
    }
    return "(parsed)";
}

TEST(PolicyParse, D_StructureWithStringsOrArrays) {
    const Policy policy = parse_policy(R"({"Version":"2012-10-17","Statement":[
        {"Sid":"a","Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/x"},
        {"Effect":"Deny","Action":["iot:Publish","iot:Receive"],"NotResource":["a","b"],
         "Condition":{"StringEquals":{"iot:ClientId":["x","y"]},"BoolIfExists":{"iot:Connection.Thing.IsAttached":true}}}]})",
                                       "device");
    EXPECT_EQ(policy.name, "device");
    ASSERT_EQ(policy.statements.size(), 2U);
    EXPECT_EQ(policy.statements[0].sid, "a");
    EXPECT_EQ(policy.statements[0].effect, Effect::allow);
    EXPECT_EQ(policy.statements[0].actions, std::vector<std::string>{"iot:Connect"});
    EXPECT_FALSE(policy.statements[0].not_resource);
    EXPECT_EQ(policy.statements[1].effect, Effect::deny);
    EXPECT_TRUE(policy.statements[1].not_resource);
    EXPECT_EQ(policy.statements[1].resources, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(policy.statements[1].conditions.size(), 2U);
    for (const Condition &c : policy.statements[1].conditions) {
        if (c.op == "Bool") {
            EXPECT_TRUE(c.if_exists);
            EXPECT_EQ(c.key, "iot:Connection.Thing.IsAttached");
            EXPECT_EQ(c.values, std::vector<std::string>{"true"});
        } else {
            EXPECT_EQ(c.op, "StringEquals");
            EXPECT_FALSE(c.if_exists);
            EXPECT_EQ(c.values, (std::vector<std::string>{"x", "y"}));
        }
    }
}

TEST(PolicyParse, D_ASingleStatementObjectIsAccepted) {
    const Policy policy = parse_policy(
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", "p");
    EXPECT_EQ(policy.statements.size(), 1U);
}

TEST(PolicyParse, D_BadDocumentsAreRefusedWithThePath) {
    EXPECT_EQ(error_of("{"), "policy 'p': $: not valid JSON");
    EXPECT_EQ(error_of(R"({"Statement":[]})"), "policy 'p': $.Version: must be \"2012-10-17\"");
    EXPECT_EQ(error_of(R"({"Version":"2012-10-17"})"), "policy 'p': $.Statement: missing");
    EXPECT_EQ(
        error_of(R"({"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]})"),
        "policy 'p': $.Statement[0].Effect: must be \"Allow\" or \"Deny\"");
    EXPECT_EQ(error_of(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]})"),
              "policy 'p': $.Statement[0]: needs exactly one of Action and NotAction");
    EXPECT_EQ(
        error_of(
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}]})"),
        "policy 'p': $.Statement[0]: needs exactly one of Resource and NotResource");
    EXPECT_EQ(
        error_of(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":[1]}]})"),
        "policy 'p': $.Statement[0].Resource[0]: must be a string");
    EXPECT_EQ(
        error_of(
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}]})"),
        "policy 'p': $.Statement[0].Principal: AWS IoT policies have no principal");
    EXPECT_EQ(
        error_of(
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Conditions":{}}]})"),
        "policy 'p': $.Statement[0].Conditions: unknown statement element");
    EXPECT_TRUE(
        error_of(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"NumericLessThan":{"x":"1"}}}]})")
            .starts_with(
                "policy 'p': $.Statement[0].Condition.NumericLessThan: unsupported condition operator"));
}

TEST(PolicyParse, D_LoadsEveryJsonFileOfADirectoryByStem) {
    const PolicySet set = load_policy_directory(std::filesystem::path(HIL_TWIN_EXAMPLES) / "policies");
    EXPECT_TRUE(set.count("device"));
    EXPECT_TRUE(set.count("application"));
    EXPECT_EQ(set.at("device").name, "device");
}

} // namespace
} // namespace hil::twin

// Reference B: topic limits (256 bytes, 8 levels) with the uncounted prefixes, reserved topics.
#include "hil/twin/broker_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hil::twin {
namespace {

TEST(BrokerRules, B_TopicsOfAtMost256BytesAnd7Slashes) {
    const BrokerLimits limits;
    EXPECT_EQ(check_topic(std::string(256, 'a'), limits), TopicViolation::none);
    EXPECT_EQ(check_topic(std::string(257, 'a'), limits), TopicViolation::too_long);
    EXPECT_EQ(check_topic("1/2/3/4/5/6/7/8", limits), TopicViolation::none);
    EXPECT_EQ(check_topic("1/2/3/4/5/6/7/8/9", limits), TopicViolation::too_many_levels);
    // The deepest shadow topics fit exactly.
    EXPECT_EQ(check_topic("$aws/things/T/shadow/name/N/update/documents", limits), TopicViolation::none);
}

TEST(BrokerRules, B_BasicIngestAndSharedPrefixesDoNotCount) {
    const BrokerLimits limits;
    EXPECT_EQ(counted_part("$aws/rules/my_rule/a/b"), "a/b");
    EXPECT_EQ(counted_part("$share/group/$aws/rules/r/x"), "x");
    EXPECT_EQ(check_topic("$aws/rules/rule/1/2/3/4/5/6/7/8", limits), TopicViolation::none);
    EXPECT_EQ(check_topic("$aws/rules/rule/" + std::string(256, 'a'), limits), TopicViolation::none);
    EXPECT_EQ(check_topic("$share/g/1/2/3/4/5/6/7/8/9", limits), TopicViolation::too_many_levels);
}

TEST(BrokerRules, B_ClientsCannotUseForeignReservedTopics) {
    EXPECT_TRUE(is_foreign_reserved_topic("$SYS/broker/uptime"));
    EXPECT_TRUE(is_foreign_reserved_topic("$mine/x"));
    EXPECT_FALSE(is_foreign_reserved_topic("$aws/things/t/shadow/update"));
    EXPECT_FALSE(is_foreign_reserved_topic("$share/g/t"));
    EXPECT_FALSE(is_foreign_reserved_topic("devices/t"));
}

} // namespace
} // namespace hil::twin

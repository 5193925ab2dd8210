// The plugin's mosquitto.conf options (README.md): defaults, values, refusals.
#include "plugin_options.hpp"

#include <gtest/gtest.h>

namespace hil::twin {
namespace {

TEST(PluginOptions, DefaultsAreTheAwsTwinWithoutRateLimits) {
    const PluginOptions options = parse_plugin_options({});
    EXPECT_EQ(options.profile, Profile::aws_twin);
    EXPECT_TRUE(options.store_dir.empty());
    EXPECT_TRUE(options.store_sync);
    EXPECT_FALSE(options.rate_limits);
    EXPECT_EQ(options.shadow_limits.requests_per_second_per_thing, 0U);
    EXPECT_FALSE(options.authorization.anonymous_policies);
    EXPECT_EQ(options.authorization.scope.region, "us-east-1");
}

TEST(PluginOptions, EveryOptionIsRead) {
    const PluginOptions options = parse_plugin_options({{"profile", "mosquitto"},
                                                        {"store_dir", "/tmp/s"},
                                                        {"store_sync", "false"},
                                                        {"registry", "/tmp/r.json"},
                                                        {"policies_dir", "/tmp/p"},
                                                        {"anonymous_policies", "a, b"},
                                                        {"region", "eu-west-1"},
                                                        {"account", "000000000001"},
                                                        {"rate_limits", "on"},
                                                        {"shadow_max_bytes", "30720"},
                                                        {"shadow_tombstone_seconds", "10"}});
    EXPECT_EQ(options.profile, Profile::mosquitto);
    EXPECT_EQ(options.store_dir, "/tmp/s");
    EXPECT_FALSE(options.store_sync);
    EXPECT_EQ(*options.authorization.anonymous_policies, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(options.authorization.scope.account, "000000000001");
    EXPECT_TRUE(options.rate_limits);
    EXPECT_EQ(options.shadow_limits.requests_per_second_per_thing, 20U);
    EXPECT_EQ(options.shadow_limits.max_document_bytes, 30720U);
    EXPECT_EQ(options.shadow_limits.tombstone_lifetime, std::chrono::seconds(10));
}

TEST(PluginOptions, MistakesAreRefusedWithTheOptionName) {
    const auto error = [](std::vector<std::pair<std::string, std::string>> options) {
        try {
            (void)parse_plugin_options(options);
        } catch (const OptionError &e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(error({{"profile", "aws"}}), "plugin_opt_profile: expected aws-twin or mosquitto, got 'aws'");
    EXPECT_EQ(error({{"store_sync", "yes please"}}),
              "plugin_opt_store_sync: expected true or false, got 'yes please'");
    EXPECT_EQ(error({{"shadow_max_bytes", "8k"}}),
              "plugin_opt_shadow_max_bytes: expected a number, got '8k'");
    EXPECT_TRUE(error({{"registy", "x"}}).starts_with("unknown option plugin_opt_registy"));
    EXPECT_EQ(error({{"registry", "r.json"}}),
              "plugin_opt_registry needs plugin_opt_policies_dir (the policies it attaches)");
}

} // namespace
} // namespace hil::twin

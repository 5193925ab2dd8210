// The registry the harness writes for the aws-twin plugin, and the broker configuration of each
// profile (the plugin's own parser is tested in harness/twin; the system tests run both for real).
#include "hil/broker/embedded_broker.hpp"
#include "hil/broker/twin_registry.hpp"

#include <gtest/gtest.h>

namespace hil {
namespace {

TEST(TwinRegistry, ThingsAreAttachedToACertificateAndRemovedAgain) {
    TwinRegistry registry;
    registry.add_certificate("device", {"AA:BB", "ACTIVE", {"device"}, {}});
    registry.add_certificate("cloud", {"CC:DD", "ACTIVE", {"application"}, {}});
    registry.attach_thing("device", "hil-r-1-dut", {{{"run", "r-1"}}});
    registry.attach_thing("device", "hil-r-1-peer");
    const auto json = registry.to_json();
    ASSERT_EQ(json["certificates"].size(), 2u);
    const auto &device = json["certificates"][1]; // by label: cloud, device
    EXPECT_EQ(device["comment"], "device");
    EXPECT_EQ(device["fingerprint"], "AA:BB");
    EXPECT_EQ(device["status"], "ACTIVE");
    EXPECT_EQ(device["policies"], nlohmann::json({"device"}));
    EXPECT_EQ(device["things"], nlohmann::json({"hil-r-1-dut", "hil-r-1-peer"}));
    EXPECT_EQ(json["things"]["hil-r-1-dut"]["attributes"]["run"], "r-1");

    registry.remove_thing("hil-r-1-dut");
    registry.remove_thing("never-there");
    EXPECT_FALSE(registry.has_thing("hil-r-1-dut"));
    EXPECT_EQ(registry.to_json()["certificates"][1]["things"], nlohmann::json({"hil-r-1-peer"}));
    EXPECT_THROW(registry.attach_thing("nobody", "x"), std::out_of_range);
}

TEST(TwinRegistry, ReplacingACertificateKeepsItsThings) {
    TwinRegistry registry;
    registry.add_certificate("device", {"AA", "ACTIVE", {"device"}, {}});
    registry.attach_thing("device", "t");
    registry.add_certificate("device", {"AA", "REVOKED", {"device"}, {}});
    EXPECT_EQ(registry.certificates().at("device").status, "REVOKED");
    EXPECT_EQ(registry.certificates().at("device").things.count("t"), 1u);
}

TEST(BrokerProfile, NamesRoundTrip) {
    for (const auto name : broker_profile_names()) EXPECT_EQ(to_string(*parse_broker_profile(name)), name);
    EXPECT_EQ(broker_profile_names().front(), "aws-twin"); // the default
    EXPECT_FALSE(parse_broker_profile("aws"));
}

TEST(MosquittoConfig, AwsTwinPointsThePluginAtTheRegistryAndPolicies) {
    EmbeddedBrokerOptions o;
    o.dir = "/run/broker";
    o.twin_plugin = "/lib/hil_aws_twin.so";
    const auto conf = render_mosquitto_config(o, {1883, {}}, "me");
    EXPECT_NE(conf.find("plugin_opt_profile aws-twin\n"), std::string::npos) << conf;
    EXPECT_NE(conf.find("plugin_opt_registry /run/broker/registry.json\n"), std::string::npos) << conf;
    EXPECT_NE(conf.find("plugin_opt_policies_dir /run/broker/policies\n"), std::string::npos) << conf;
    EXPECT_NE(conf.find("plugin_opt_anonymous_policies *\n"), std::string::npos) << conf;
    // Settings that would hide certificates or QoS 2 from the plugin (harness/twin/README.md).
    EXPECT_EQ(conf.find("use_identity_as_username"), std::string::npos);
    EXPECT_EQ(conf.find("max_qos"), std::string::npos);

    o.profile = BrokerProfile::mosquitto;
    const auto plain = render_mosquitto_config(o, {1883, {}}, "me");
    EXPECT_NE(plain.find("plugin_opt_profile mosquitto\n"), std::string::npos) << plain;
    EXPECT_EQ(plain.find("plugin_opt_registry"), std::string::npos) << plain;
}

} // namespace
} // namespace hil

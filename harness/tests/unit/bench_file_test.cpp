// Bench files (fixtures/benches/*.yaml): the broker keys of the profiles.
#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace hil {
namespace {

std::filesystem::path bench_file(const std::string &name, const std::string &text) {
    const auto dir = std::filesystem::temp_directory_path() / ("hil-bench-file-" + std::to_string(getpid()));
    write_file_atomically(dir / name, text);
    return dir / name;
}

TEST(BenchFile, BrokerProfileDevicePolicyAndPolicies) {
    const auto defaults = BenchConfig{};
    EXPECT_EQ(defaults.profile, BrokerProfile::aws_twin);
    EXPECT_EQ(defaults.device_policy, "device");
    const auto file = bench_file("p.yaml", "broker:\n  profile: mosquitto\n  device_policy: application\n"
                                           "  policies: ../my-policies\n");
    const auto config = load_bench_file(file);
    EXPECT_EQ(config.profile, BrokerProfile::mosquitto);
    EXPECT_EQ(config.device_policy, "application");
    EXPECT_EQ(config.policies_dir, file.parent_path() / "../my-policies"); // relative to the file
}

TEST(BenchFile, AnUnknownProfileIsAFileErrorWithItsPosition) {
    try {
        (void)load_bench_file(bench_file("bad.yaml", "broker:\n  profile: aws\n"));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError &e) {
        ASSERT_EQ(e.issues().size(), 1u);
        EXPECT_EQ(e.issues()[0].line, 2);
        EXPECT_NE(e.issues()[0].message.find("'aws' (known: aws-twin, mosquitto)"), std::string::npos);
    }
}

TEST(BenchFile, ProfileCapabilities) {
    EXPECT_EQ(profile_capabilities(BrokerProfile::mosquitto, true), (std::set<std::string>{"qos2"}));
    EXPECT_EQ(profile_capabilities(BrokerProfile::aws_twin, true),
              (std::set<std::string>{"aws-rules", "policies"}));
    // Without client certificates nobody is bound by a policy.
    EXPECT_EQ(profile_capabilities(BrokerProfile::aws_twin, false), (std::set<std::string>{"aws-rules"}));
}

} // namespace
} // namespace hil

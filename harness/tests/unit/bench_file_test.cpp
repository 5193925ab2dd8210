// Bench files (fixtures/benches/*.yaml): the broker keys of the profiles.
#include "hil/bench/virtual_bench.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/pki/test_pki.hpp"
#include "hil/scenario/template.hpp"

#include <algorithm>

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

TEST(BenchFile, CrlAndRegistryStatusCanBeTurnedOffForNegativeControls) {
    EXPECT_TRUE(BenchConfig{}.check_crl);
    EXPECT_TRUE(BenchConfig{}.registry_status);
    EXPECT_FALSE(BenchConfig{}.rsa_credentials); // the run asks for them
    const auto config =
        load_bench_file(bench_file("crl.yaml", "broker:\n  check_crl: false\n  registry_status: false\n"));
    EXPECT_FALSE(config.check_crl);
    EXPECT_FALSE(config.registry_status);
}

TEST(BenchFile, EveryTestListenerIsAScenarioVariable) {
    for (const auto &variant : tls_listener_variants()) {
        for (const char *part : {".host", ".port", ".url"}) {
            const std::string name = std::string("broker.") + variant.name + part;
            EXPECT_TRUE(std::find(builtin_variable_names().begin(), builtin_variable_names().end(), name) !=
                        builtin_variable_names().end())
                << name;
        }
        const auto names = catalogue_names();
        EXPECT_TRUE(std::any_of(names.begin(), names.end(), [&](const CatalogueName &c) {
            return c.name == variant.credential && c.kind == "broker";
        })) << variant.credential;
    }
}

TEST(BenchFile, RegistryStatusOfTheDeviceCredentials) {
    EXPECT_EQ(registry_status("device"), "ACTIVE");
    EXPECT_EQ(registry_status("device_expired"), "ACTIVE"); // refused by TLS, not by the registry
    EXPECT_EQ(registry_status("device_inactive"), "INACTIVE");
    EXPECT_EQ(registry_status("device_registry_revoked"), "REVOKED");
}

TEST(BenchFile, RsaCredentialsAreNeededOnlyByTheirIdentityOrListener) {
    Scenario plain;
    plain.devices = {DeviceDecl{"dut", "", "", "device_expired"}};
    plain.builtins = {"broker.tls.port", "client_id"};
    EXPECT_FALSE(needs_rsa_credentials(plain));
    Scenario identity = plain;
    identity.devices.push_back(DeviceDecl{"peer", "", "", "device_rsa"});
    EXPECT_TRUE(needs_rsa_credentials(identity));
    Scenario listener = plain;
    listener.builtins.insert("broker.rsa.port");
    EXPECT_TRUE(needs_rsa_credentials(listener));
}

TEST(BenchFile, BrokerOptionsServeEveryCertificateVariantAndRegisterEveryIdentity) {
    const auto dir = std::filesystem::temp_directory_path() / ("hil-bench-pki-" + std::to_string(getpid()));
    PkiOptions pki_options;
    pki_options.registry_variants = true;
    const auto pki = TestPki::create(dir / "pki", pki_options);
    const auto options = run_broker_options(BenchConfig{}, BrokerProfile::aws_twin, pki, dir / "broker");
    std::map<std::string, TlsListenerSpec> listeners;
    for (const auto &l : options.tls_listeners) listeners[l.name] = l;
    EXPECT_EQ(listeners.size(), 7u); // tls + the variants, no `rsa` without RSA credentials
    EXPECT_EQ(listeners.at("tls").crlfile, pki.crl().file);
    EXPECT_TRUE(listeners.at("intermediate").crlfile.empty()); // must accept device_intermediate
    EXPECT_EQ(listeners.at("intermediate").certfile, pki.get("broker_intermediate").chain);
    EXPECT_EQ(listeners.at("expired").certfile, pki.get("broker_expired").cert);
    const auto &certificates = options.registry.certificates();
    EXPECT_EQ(certificates.at("device_inactive").status, "INACTIVE");
    EXPECT_EQ(certificates.at("device_registry_revoked").status, "REVOKED");
    EXPECT_EQ(certificates.at("device_revoked").status, "ACTIVE"); // the CRL refuses it, not the registry
    EXPECT_EQ(certificates.at("device_expired").fingerprint, pki.get("device_expired").sha256_fingerprint);
    EXPECT_EQ(certificates.at("cloud").policies, std::vector<std::string>{"application"});

    BenchConfig broken;
    broken.check_crl = false;
    broken.registry_status = false;
    const auto lax = run_broker_options(broken, BrokerProfile::aws_twin, pki, dir / "broker");
    EXPECT_TRUE(lax.tls_listeners.at(0).crlfile.empty());
    EXPECT_EQ(lax.registry.certificates().at("device_inactive").status, "ACTIVE");
    std::filesystem::remove_all(dir);
}

TEST(MosquittoConfig, AListenerWithACrlChecksIt) {
    EmbeddedBrokerOptions o;
    o.dir = "/run/broker";
    o.tls_listeners = {{"tls", "/p/ca.crt", "/p/broker.crt", "/p/broker.key", true, "/p/crl.pem"},
                       {"expired", "/p/ca.crt", "/p/broker_expired.crt", "/p/broker_expired.key", true, ""}};
    const auto conf = render_mosquitto_config(o, {1883, {8883, 8884}}, "me");
    EXPECT_NE(conf.find("certfile /p/broker.crt\nkeyfile /p/broker.key\nrequire_certificate true\ncrlfile "
                        "/p/crl.pem\n"),
              std::string::npos)
        << conf;
    EXPECT_EQ(conf.find("crlfile", conf.find("# expired")), std::string::npos) << conf;
}

} // namespace
} // namespace hil

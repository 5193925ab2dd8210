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
        (void)load_bench_file(bench_file("bad.yaml", "broker:\n  profile: aws-iot\n"));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError &e) {
        ASSERT_EQ(e.issues().size(), 1u);
        EXPECT_EQ(e.issues()[0].line, 2);
        EXPECT_NE(e.issues()[0].message.find("'aws-iot' (known: aws-twin, mosquitto, aws, external)"),
                  std::string::npos);
    }
}

TEST(BenchFile, ProfileCapabilities) {
    EXPECT_EQ(profile_capabilities(BrokerProfile::mosquitto, true), (std::set<std::string>{"qos2"}));
    EXPECT_EQ(profile_capabilities(BrokerProfile::aws_twin, true),
              (std::set<std::string>{"aws-endpoint", "aws-rules", "policies"}));
    // Without client certificates nobody is bound by a policy, and there is no TLS to gate.
    EXPECT_EQ(profile_capabilities(BrokerProfile::aws_twin, false), (std::set<std::string>{"aws-rules"}));
}

TEST(BenchFile, EndpointRulesAreOnAndCanBeTurnedOffForNegativeControls) {
    EXPECT_TRUE(BenchConfig{}.endpoint_sni);
    EXPECT_TRUE(BenchConfig{}.endpoint_alpn);
    const auto config =
        load_bench_file(bench_file("rules.yaml", "broker:\n  endpoint_sni: false\n  endpoint_alpn: false\n"));
    EXPECT_FALSE(config.endpoint_sni);
    EXPECT_FALSE(config.endpoint_alpn);
}

/// A bench file for a broker hil does not run, with the PKI's files as its credentials.
std::string remote_bench(const std::filesystem::path &pki, const std::string &head) {
    return "broker:\n" + head + "  ca: " + (pki / "ca.crt").string() +
           "\n  device_identity: {cert: " + (pki / "device.crt").string() +
           ", key: " + (pki / "device.key").string() +
           "}\n  application_identity: {cert: " + (pki / "cloud.crt").string() +
           ", key: " + (pki / "cloud.key").string() + "}\n";
}

class RemoteBenchFile : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("hil-remote-bench-" + std::to_string(getpid()));
        (void)TestPki::create(dir_, PkiOptions{});
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
    static std::filesystem::path dir_;
};
std::filesystem::path RemoteBenchFile::dir_;

TEST_F(RemoteBenchFile, AwsOn8883OffersNoAlpnAndHasAwsIotCoresCapabilities) {
    const auto config = load_bench_file(bench_file(
        "aws.yaml", remote_bench(dir_, "  profile: aws\n  endpoint: abc-ats.iot.eu-west-1.amazonaws.com\n")));
    ASSERT_TRUE(config.remote);
    EXPECT_EQ(config.remote->profile, "aws");
    EXPECT_EQ(config.remote->host, "abc-ats.iot.eu-west-1.amazonaws.com");
    EXPECT_EQ(config.remote->server_name, config.remote->host);
    EXPECT_EQ(config.remote->port, 8883);
    EXPECT_TRUE(config.remote->tls);
    EXPECT_EQ(config.remote->alpn, "");
    EXPECT_EQ(config.remote->max_qos, 1);
    EXPECT_EQ(config.remote->capabilities,
              (std::set<std::string>{"mqtt", "qos1", "retained", "persistent-session", "shadow", "aws-rules",
                                     "virtual-device"}));
    EXPECT_EQ(config.remote->device_identity.key, dir_ / "device.key");
}

TEST_F(RemoteBenchFile, AwsOn443OffersTheMqttAlpnUnlessTheFileSaysOtherwise) {
    auto config = load_bench_file(
        bench_file("aws443.yaml", remote_bench(dir_, "  profile: aws\n  endpoint: e\n  port: 443\n")));
    EXPECT_EQ(config.remote->alpn, "x-amzn-mqtt-ca");
    config = load_bench_file(bench_file(
        "aws-alpn.yaml",
        remote_bench(dir_, "  profile: aws\n  endpoint: e\n  port: 4443\n  alpn: x-amzn-mqtt-ca\n")));
    EXPECT_EQ(config.remote->port, 4443);
    EXPECT_EQ(config.remote->alpn, "x-amzn-mqtt-ca");
}

TEST_F(RemoteBenchFile, ExternalTakesItsUrlAndDeclaredCapabilities) {
    auto config = load_bench_file(bench_file(
        "ext.yaml",
        "broker:\n  profile: external\n  url: mqtt://10.0.0.5:1884\n  capabilities: [qos1, qos2]\n"));
    ASSERT_TRUE(config.remote);
    EXPECT_FALSE(config.remote->tls);
    EXPECT_EQ(config.remote->host, "10.0.0.5");
    EXPECT_EQ(config.remote->port, 1884);
    EXPECT_EQ(config.remote->max_qos, 2);
    EXPECT_EQ(config.remote->capabilities, (std::set<std::string>{"mqtt", "qos1", "qos2", "virtual-device"}));
    config = load_bench_file(
        bench_file("ext-tls.yaml", remote_bench(dir_, "  profile: external\n  url: mqtts://lab:8883\n")));
    EXPECT_TRUE(config.remote->tls);
    EXPECT_EQ(config.remote->max_qos, 1);
}

TEST_F(RemoteBenchFile, EveryProblemIsReportedAtItsLine) {
    try {
        (void)load_bench_file(bench_file("bad-remote.yaml",
                                         "broker:\n  profile: external\n  url: mqtts://lab:99999\n"
                                         "  capabilities: [broker-control, qos3]\n  bind: 0.0.0.0\n"));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError &e) {
        std::vector<std::pair<int, std::string>> got;
        for (const auto &issue : e.issues()) got.emplace_back(issue.line, issue.message);
        const auto has = [&](int line, const std::string &text) {
            return std::any_of(got.begin(), got.end(), [&](const auto &g) {
                return g.first == line && g.second.find(text) != std::string::npos;
            });
        };
        EXPECT_TRUE(has(3, "the port must be 1-65535"));
        EXPECT_TRUE(has(4, "capability 'broker-control' cannot be declared"));
        EXPECT_TRUE(has(4, "unknown capability 'qos3' (did you mean 'qos1'?)"));
        EXPECT_TRUE(has(5, "unknown broker key 'bind' for profile external"));
        EXPECT_TRUE(has(2, "expected `ca`"));
    }
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

// Reference C.3 and D as the broker applies them: certificate status, iot:Connect, Publish,
// RetainPublish, Subscribe, Receive, thing policy variables.
#include "hil/twin/authorizer.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace hil::twin {
namespace {

const std::filesystem::path kExamples = HIL_TWIN_EXAMPLES;
const std::string kLamp = "aa00000000000000000000000000000000000000000000000000000000000001";
const std::string kApp = "aa000000000000000000000000000000000000000000000000000000000000ff";

class AuthorizerTest : public ::testing::Test {
  protected:
    AuthorizerTest()
        : authorizer_(Registry::load(kExamples / "registry.json"),
                      load_policy_directory(kExamples / "policies"), {}) {}

    static ClientIdentity client(const std::string &id, const std::string &fingerprint) {
        return {id, fingerprint, "127.0.0.1", {}};
    }

    Authorizer authorizer_;
};

TEST_F(AuthorizerTest, C_3_UnregisteredInactiveAndRevokedCertificatesCannotConnect) {
    EXPECT_FALSE(authorizer_.connect(client("x", std::string(64, 'b'))).allowed);
    const auto inactive = authorizer_.connect(client("lamp-2", "aa" + std::string(61, '0') + "2"));
    EXPECT_FALSE(inactive.allowed);
    EXPECT_NE(inactive.reason.find("INACTIVE"), std::string::npos) << inactive.reason;
    EXPECT_FALSE(authorizer_.connect(client("lamp-3", "aa" + std::string(61, '0') + "3")).allowed);
    EXPECT_TRUE(authorizer_.connect(client("lamp-1", kLamp)).allowed);
}

TEST_F(AuthorizerTest, C_3_AnActiveCertificateWithoutConnectPermissionIsRefused) {
    // The device policy allows client/<its thing name> only: another client ID is refused.
    const auto outcome = authorizer_.connect(client("someone-else", kLamp));
    EXPECT_FALSE(outcome.allowed);
    EXPECT_NE(outcome.reason.find("iot:Connect on arn:aws:iot:us-east-1:123456789012:client/someone-else"),
              std::string::npos)
        << outcome.reason;
}

TEST_F(AuthorizerTest, D_ThingNamePolicyConfinesADeviceToItsOwnShadow) {
    const auto lamp = client("lamp-1", kLamp);
    EXPECT_TRUE(authorizer_.publish(lamp, "$aws/things/lamp-1/shadow/update", false).allowed);
    EXPECT_TRUE(authorizer_.publish(lamp, "$aws/things/lamp-1/shadow/name/cfg/get", false).allowed);
    EXPECT_FALSE(authorizer_.publish(lamp, "$aws/things/lamp-9/shadow/update", false).allowed);
    EXPECT_TRUE(authorizer_.subscribe(lamp, "$aws/things/lamp-1/shadow/update/accepted").allowed);
    EXPECT_TRUE(authorizer_.subscribe(lamp, "$aws/things/lamp-1/shadow/#").allowed); // `*` covers "#"
    EXPECT_FALSE(authorizer_.subscribe(lamp, "$aws/things/+/shadow/update/accepted").allowed);
    EXPECT_TRUE(authorizer_.receive(lamp, "$aws/things/lamp-1/shadow/update/delta").allowed);
    EXPECT_FALSE(authorizer_.receive(lamp, "$aws/things/lamp-9/shadow/update/delta").allowed);
}

TEST_F(AuthorizerTest, D_ThingVariablesNeedTheClientIdToBeTheThingName) {
    // lamp-1's certificate, but connecting as "lamp-9": the thing variables do not resolve.
    const auto context = authorizer_.context_of(client("lamp-9", kLamp));
    EXPECT_FALSE(context.values.count("iot:Connection.Thing.ThingName"));
    EXPECT_EQ(context.values.at("iot:Connection.Thing.IsAttached"), "false");
    const auto attached = authorizer_.context_of(client("lamp-1", kLamp));
    EXPECT_EQ(attached.values.at("iot:Connection.Thing.ThingName"), "lamp-1");
    EXPECT_EQ(attached.values.at("iot:Connection.Thing.ThingTypeName"), "lamp");
    EXPECT_EQ(attached.values.at("iot:Connection.Thing.Attributes[room]"), "lab");
    EXPECT_EQ(attached.values.at("iot:Connection.Thing.IsAttached"), "true");
    EXPECT_EQ(attached.values.at("iot:ClientId"), "lamp-1");
    EXPECT_EQ(attached.values.at("aws:SourceIp"), "127.0.0.1");
}

TEST_F(AuthorizerTest, D_ExplicitDenyInTheDevicePolicy) {
    const auto lamp = client("lamp-1", kLamp);
    EXPECT_TRUE(authorizer_.publish(lamp, "devices/lamp-1/telemetry", false).allowed);
    const auto denied = authorizer_.publish(lamp, "devices/lamp-1/admin", false);
    EXPECT_FALSE(denied.allowed);
    EXPECT_NE(denied.reason.find("explicit deny by policy 'device' statement 3"), std::string::npos)
        << denied.reason;
}

TEST_F(AuthorizerTest, D_RetainPublishIsNeededOnTopOfPublish) {
    EXPECT_TRUE(authorizer_.publish(client("lamp-1", kLamp), "devices/lamp-1/t", false).allowed);
    const auto retained = authorizer_.publish(client("lamp-1", kLamp), "devices/lamp-1/t", true);
    EXPECT_FALSE(retained.allowed);
    EXPECT_NE(retained.reason.find("iot:RetainPublish"), std::string::npos) << retained.reason;
    EXPECT_TRUE(authorizer_.publish(client("app", kApp), "anything", true).allowed);
}

TEST_F(AuthorizerTest, D_ClientsWithoutACertificateAreUnrestrictedUnlessConfigured) {
    const ClientIdentity plain{"cloud", std::nullopt, "127.0.0.1", {}};
    EXPECT_TRUE(authorizer_.connect(plain).allowed);
    EXPECT_TRUE(authorizer_.publish(plain, "anything", true).allowed);

    AuthorizerOptions options;
    options.anonymous_policies = std::vector<std::string>{"device"};
    const Authorizer strict(Registry{}, load_policy_directory(kExamples / "policies"), options);
    EXPECT_FALSE(strict.connect(plain).allowed); // device policy: thing variables never resolve
}

TEST_F(AuthorizerTest, D_AnAttachedPolicyThatDoesNotExistIsAConfigurationError) {
    EXPECT_THROW(Authorizer(Registry::parse(R"({"certificates":[{"fingerprint":")" + kLamp +
                                            R"(","policies":["nope"]}]})"),
                            PolicySet{}, {}),
                 PolicyError);
}

TEST_F(AuthorizerTest, D_RegionAndAccountAreConfigurable) {
    AuthorizerOptions options;
    options.scope = {"eu-central-1", "000011112222"};
    const Authorizer a(Registry{}, PolicySet{}, options);
    EXPECT_EQ(a.arn("topic", "x/y"), "arn:aws:iot:eu-central-1:000011112222:topic/x/y");
}

TEST(RegistryTest, ParsesEntriesAndRejectsMistakesWithThePath) {
    const Registry registry = Registry::load(kExamples / "registry.json");
    const auto *inactive =
        registry.certificate("aa" + std::string(61, '0') + "2"); // colons and case normalized
    ASSERT_NE(inactive, nullptr);
    EXPECT_EQ(inactive->status, CertificateStatus::inactive);
    EXPECT_EQ(inactive->things, std::vector<std::string>{"lamp-2"});
    const auto error = [](const std::string &text) {
        try {
            (void)Registry::parse(text);
        } catch (const RegistryError &e) {
            return std::string(e.what());
        }
        return std::string("(parsed)");
    };
    EXPECT_EQ(error(R"({"certificates":[{"status":"ACTIVE"}]})"),
              "registry: $.certificates[0]: needs \"fingerprint\" or \"certificate_file\"");
    EXPECT_EQ(error(R"({"certificates":[{"fingerprint":"zz"}]})"),
              "registry: $.certificates[0].fingerprint: must be a SHA-256 in hex");
    EXPECT_EQ(error(R"({"certificates":[{"fingerprint":")" + kLamp + R"(","status":"active"}]})"),
              "registry: $.certificates[0].status: must be \"ACTIVE\", \"INACTIVE\" or \"REVOKED\"");
    EXPECT_EQ(error(R"({"thingz":{}})"), "registry: $.thingz: unknown key");
    EXPECT_EQ(error(R"({"certificates":[{"certificate_file":"x.pem"}]})"),
              "registry: $.certificates[0].certificate_file: not supported here (no certificate reader)");
}

TEST(RegistryTest, CertificateFilesAreResolvedRelativeToTheRegistry) {
    std::filesystem::path seen;
    const Registry registry = Registry::parse(R"({"certificates":[{"certificate_file":"certs/dev.pem"}]})",
                                              "/base", [&](const std::filesystem::path &file) {
                                                  seen = file;
                                                  return std::string(64, 'C');
                                              });
    EXPECT_EQ(seen, std::filesystem::path("/base/certs/dev.pem"));
    EXPECT_NE(registry.certificate(std::string(64, 'c')), nullptr);
}

} // namespace
} // namespace hil::twin

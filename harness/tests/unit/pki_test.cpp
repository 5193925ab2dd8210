// The run's test PKI, checked with OpenSSL's own verification.
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/pki/test_pki.hpp"
#include "hil/scenario/names.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <set>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>

namespace hil {
namespace {

struct X509Free {
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509_STORE *p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX *p) const { X509_STORE_CTX_free(p); }
    void operator()(X509_CRL *p) const { X509_CRL_free(p); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, X509Free>;

CertPtr load_cert(const std::filesystem::path &path) {
    FILE *f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return nullptr;
    CertPtr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    return cert;
}

std::unique_ptr<EVP_PKEY, X509Free> load_key(const std::filesystem::path &path) {
    FILE *f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return nullptr;
    std::unique_ptr<EVP_PKEY, X509Free> key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    return key;
}

CrlPtr load_crl(const std::filesystem::path &path) {
    FILE *f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return nullptr;
    CrlPtr crl(PEM_read_X509_CRL(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    return crl;
}

/// What a verifier is given besides the leaf: untrusted intermediates and a CRL to check.
struct VerifyExtras {
    X509 *intermediate = nullptr;
    X509_CRL *crl = nullptr;
};

/// X509_verify_cert of `leaf` against the single trust anchor `root`, for `purpose`.
int verify(X509 *leaf, X509 *root, int purpose, VerifyExtras extras = {}) {
    std::unique_ptr<X509_STORE, X509Free> store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), root);
    if (extras.crl != nullptr) {
        X509_STORE_add_crl(store.get(), extras.crl);
        X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
    }
    const auto free_stack = [](STACK_OF(X509) * sk) { sk_X509_free(sk); };
    std::unique_ptr<STACK_OF(X509), decltype(free_stack)> untrusted(sk_X509_new_null(), free_stack);
    if (extras.intermediate != nullptr) sk_X509_push(untrusted.get(), extras.intermediate);
    std::unique_ptr<X509_STORE_CTX, X509Free> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get());
    X509_STORE_CTX_set_purpose(ctx.get(), purpose);
    return X509_verify_cert(ctx.get()) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

bool intentionally_out_of_date(const std::string &name) {
    return name.ends_with("_expired") || name.ends_with("_not_yet_valid");
}

class PkiTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("hil-pki-test-" + std::to_string(getpid()));
        std::filesystem::remove_all(dir_);
        pki_ = std::make_unique<TestPki>(TestPki::create(dir_, PkiOptions{}));
    }
    static void TearDownTestSuite() {
        pki_.reset();
        std::filesystem::remove_all(dir_);
    }
    static inline std::filesystem::path dir_;
    static inline std::unique_ptr<TestPki> pki_;
};

TEST_F(PkiTest, EveryLeafChainsToTheRootForItsPurpose) {
    const auto ca = load_cert(pki_->ca().cert);
    ASSERT_TRUE(ca);
    EXPECT_EQ(verify(load_cert(pki_->broker().cert).get(), ca.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
    EXPECT_EQ(verify(load_cert(pki_->device().cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
    EXPECT_EQ(verify(load_cert(pki_->cloud().cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST_F(PkiTest, KeyUsagesSeparateServerClientAndCa) {
    // A client certificate must not pass as a server, nor the reverse.
    const auto ca = load_cert(pki_->ca().cert);
    EXPECT_NE(verify(load_cert(pki_->device().cert).get(), ca.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
    EXPECT_NE(verify(load_cert(pki_->broker().cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
    EXPECT_EQ(X509_check_ca(ca.get()), 1);
    EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
    const auto broker = load_cert(pki_->broker().cert);
    EXPECT_EQ(X509_check_ca(broker.get()), 0);
    EXPECT_TRUE(X509_get_extended_key_usage(broker.get()) & XKU_SSL_SERVER);
    EXPECT_FALSE(X509_get_key_usage(broker.get()) & KU_KEY_CERT_SIGN);
    EXPECT_TRUE(X509_get_extended_key_usage(load_cert(pki_->device().cert).get()) & XKU_SSL_CLIENT);
}

TEST_F(PkiTest, BrokerNamesTheBenchHostAndAddressOnly) {
    const auto broker = load_cert(pki_->broker().cert);
    EXPECT_EQ(X509_check_host(broker.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(broker.get(), "127.0.0.1", 0), 1);
    EXPECT_NE(X509_check_host(broker.get(), "example.com", 0, 0, nullptr), 1);
    EXPECT_NE(X509_check_ip_asc(broker.get(), "127.0.0.2", 0), 1);
    EXPECT_EQ(pki_->broker().sans, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1"}));
    // The wrong-host variant chains to the run's CA but names another host.
    const auto wrong = load_cert(pki_->get("broker_wrong_host").cert);
    EXPECT_EQ(verify(wrong.get(), load_cert(pki_->ca().cert).get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
    EXPECT_NE(X509_check_host(wrong.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_NE(X509_check_ip_asc(wrong.get(), "127.0.0.1", 0), 1);
}

TEST_F(PkiTest, ValidityCoversNowWithSlackForClockSkew) {
    for (const auto &[name, credential] : pki_->all()) {
        if (intentionally_out_of_date(name)) continue; // ExpiredAndNotYetValid... below
        const auto cert = load_cert(credential.cert);
        ASSERT_TRUE(cert) << name;
        std::time_t now = std::time(nullptr);
        std::time_t in_ten_minutes = now + 600;
        std::time_t in_29_days = now + 29 * 24 * 3600;
        EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert.get()), &now), 0) << name;
        // Backdated: a device whose clock is a few minutes behind still accepts it.
        std::time_t ten_minutes_ago = now - 600;
        EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert.get()), &ten_minutes_ago), 0) << name;
        EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_ten_minutes), 0) << name;
        EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_29_days), 0) << name;
    }
}

TEST_F(PkiTest, TheUntrustedBrokerFailsVerificationAgainstTheRunsRoot) {
    const auto ca = load_cert(pki_->ca().cert);
    const auto untrusted = load_cert(pki_->get("broker_untrusted").cert);
    EXPECT_EQ(verify(untrusted.get(), ca.get(), X509_PURPOSE_SSL_SERVER),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    const auto other = load_cert(pki_->get("other_ca").cert);
    EXPECT_EQ(verify(untrusted.get(), other.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
}

TEST_F(PkiTest, KeysMatchTheirCertificatesAndAreOwnerOnly) {
    for (const auto &[name, credential] : pki_->all()) {
        const auto cert = load_cert(credential.cert);
        const auto key = load_key(credential.key);
        ASSERT_TRUE(cert && key) << name;
        EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), name == "device_mismatched_key" ? 0 : 1)
            << name;
        const auto perms = std::filesystem::status(credential.key).permissions();
        EXPECT_EQ(perms & std::filesystem::perms::all,
                  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
            << name;
    }
    EXPECT_EQ(std::filesystem::status(dir_).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all);
}

TEST_F(PkiTest, ManifestDescribesEveryCredentialWithoutKeyMaterial) {
    const auto text = read_text_file(dir_ / "manifest.json");
    const auto manifest = nlohmann::json::parse(text);
    EXPECT_EQ(manifest["manifest_version"], 2);
    EXPECT_EQ(manifest["credentials"].size(), pki_->all().size() + 1); // + the CRL
    for (const auto &entry : manifest["credentials"]) {
        EXPECT_FALSE(entry["purpose"].get<std::string>().empty());
        EXPECT_FALSE(entry["not_before"].get<std::string>().empty());
        EXPECT_FALSE(entry["not_after"].get<std::string>().empty());
        if (entry["kind"] == "crl") {
            EXPECT_EQ(entry["files"]["crl"], "crl.pem");
            EXPECT_EQ(entry["revokes"], nlohmann::json::array({"device_revoked"}));
            EXPECT_EQ(entry["sha256_fingerprint"], pki_->crl().sha256_fingerprint);
            continue;
        }
        const auto &c = pki_->get(entry["name"]);
        EXPECT_EQ(entry["sha256_fingerprint"], c.sha256_fingerprint);
        EXPECT_EQ(entry["files"]["cert"], c.cert.filename().string());
        EXPECT_EQ(entry["files"]["key"], c.key.filename().string());
        EXPECT_EQ(entry["files"].contains("chain"), !c.chain.empty()) << c.name;
        EXPECT_EQ(entry["key_type"], "ecdsa-p256") << c.name;
        EXPECT_EQ(entry["provokes"], c.provokes);
    }
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(PkiTest, TheBenchCatalogueKeepsItsNamesAndAddsTheVariants) {
    std::vector<std::string> names;
    for (const auto &[name, c] : pki_->all()) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"broker",
                                               "broker_ecdsa",
                                               "broker_expired",
                                               "broker_intermediate",
                                               "broker_not_yet_valid",
                                               "broker_self_signed",
                                               "broker_untrusted",
                                               "broker_wrong_host",
                                               "ca",
                                               "cloud",
                                               "device",
                                               "device_ecdsa",
                                               "device_expired",
                                               "device_intermediate",
                                               "device_mismatched_key",
                                               "device_not_yet_valid",
                                               "device_revoked",
                                               "device_unknown_ca",
                                               "intermediate",
                                               "other_ca"}));
    // RSA-2048 only when asked for (PkiOptions::rsa_variants): key generation is the slow part.
    EXPECT_THROW((void)pki_->get("device_rsa"), InfraError);
    EXPECT_EQ(pki_->broker().cert, dir_ / "broker.crt");
    EXPECT_EQ(pki_->get("broker_untrusted").key, dir_ / "broker_untrusted.key");
    EXPECT_EQ(pki_->crl().file, dir_ / "crl.pem");
}

TEST_F(PkiTest, WhatEachCredentialProvokesIsARegisteredErrorClass) {
    const std::map<std::string, std::string> expected = {
        {"broker_expired", "tls.server_expired"},       {"broker_not_yet_valid", "tls.server_not_yet_valid"},
        {"broker_wrong_host", "tls.hostname_mismatch"}, {"broker_untrusted", "tls.server_untrusted"},
        {"broker_self_signed", "tls.server_untrusted"}, {"device_expired", "tls.peer_rejected"},
        {"device_not_yet_valid", "tls.peer_rejected"},  {"device_unknown_ca", "tls.peer_rejected"},
        {"device_revoked", "tls.peer_rejected"},        {"device_mismatched_key", "tls.bad_credentials"}};
    for (const auto &[name, c] : pki_->all()) {
        const auto it = expected.find(name);
        EXPECT_EQ(c.provokes, it == expected.end() ? "none" : it->second) << name;
        if (c.provokes != "none") {
            EXPECT_TRUE(names::contains(names::error_classes(), c.provokes)) << c.provokes;
        }
    }
}

TEST_F(PkiTest, ExpiredAndNotYetValidFailVerificationWithTheirOwnErrors) {
    const auto ca = load_cert(pki_->ca().cert);
    const auto check = [&](const std::string &name, int purpose) {
        return verify(load_cert(pki_->get(name).cert).get(), ca.get(), purpose);
    };
    EXPECT_EQ(check("broker_expired", X509_PURPOSE_SSL_SERVER), X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_EQ(check("broker_not_yet_valid", X509_PURPOSE_SSL_SERVER), X509_V_ERR_CERT_NOT_YET_VALID);
    EXPECT_EQ(check("device_expired", X509_PURPOSE_SSL_CLIENT), X509_V_ERR_CERT_HAS_EXPIRED);
    EXPECT_EQ(check("device_not_yet_valid", X509_PURPOSE_SSL_CLIENT), X509_V_ERR_CERT_NOT_YET_VALID);
    // Far enough from now that a device clock off by weeks still sees them so, and a kept PKI
    // (hil pki init) keeps them so for years.
    std::time_t a_month_ago = std::time(nullptr) - 29 * 24 * 3600;
    std::time_t in_nine_years = std::time(nullptr) + 9L * 365 * 24 * 3600;
    for (const char *name : {"broker_expired", "device_expired"}) {
        EXPECT_LT(X509_cmp_time(X509_get0_notAfter(load_cert(pki_->get(name).cert).get()), &a_month_ago), 0)
            << name;
    }
    for (const char *name : {"broker_not_yet_valid", "device_not_yet_valid"}) {
        EXPECT_GT(X509_cmp_time(X509_get0_notBefore(load_cert(pki_->get(name).cert).get()), &in_nine_years),
                  0)
            << name;
    }
}

TEST_F(PkiTest, UntrustedAndSelfSignedVariantsFailForTheRightReason) {
    const auto ca = load_cert(pki_->ca().cert);
    EXPECT_EQ(
        verify(load_cert(pki_->get("broker_self_signed").cert).get(), ca.get(), X509_PURPOSE_SSL_SERVER),
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    const auto device_unknown = load_cert(pki_->get("device_unknown_ca").cert);
    EXPECT_EQ(verify(device_unknown.get(), ca.get(), X509_PURPOSE_SSL_CLIENT),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    EXPECT_EQ(
        verify(device_unknown.get(), load_cert(pki_->get("other_ca").cert).get(), X509_PURPOSE_SSL_CLIENT),
        X509_V_OK);
    // Each of these is otherwise a good certificate: names, usages and validity are right.
    const auto self = load_cert(pki_->get("broker_self_signed").cert);
    EXPECT_EQ(X509_check_host(self.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ca(self.get()), 0);
    EXPECT_EQ(pki_->get("broker_self_signed").issued_by, "self");
}

TEST_F(PkiTest, LeavesOfTheIntermediateChainThroughItToTheRoot) {
    const auto ca = load_cert(pki_->ca().cert);
    const auto intermediate = load_cert(pki_->intermediate().cert);
    ASSERT_TRUE(ca && intermediate);
    EXPECT_EQ(X509_check_ca(intermediate.get()), 1);
    EXPECT_EQ(X509_get_pathlen(intermediate.get()), 0); // may sign leaves, not further CAs
    EXPECT_TRUE(X509_get_key_usage(intermediate.get()) & KU_KEY_CERT_SIGN);
    EXPECT_EQ(X509_get_pathlen(ca.get()), -1);
    EXPECT_EQ(verify(intermediate.get(), ca.get(), X509_PURPOSE_ANY), X509_V_OK);
    for (const auto &[name, purpose] : {std::pair{"broker_intermediate", X509_PURPOSE_SSL_SERVER},
                                        std::pair{"device_intermediate", X509_PURPOSE_SSL_CLIENT}}) {
        const auto &c = pki_->get(name);
        EXPECT_EQ(c.issued_by, "intermediate");
        const auto leaf = load_cert(c.cert);
        EXPECT_EQ(verify(leaf.get(), ca.get(), purpose, {intermediate.get(), nullptr}), X509_V_OK) << name;
        // Without the intermediate there is no path: why the chain file exists.
        EXPECT_EQ(verify(leaf.get(), ca.get(), purpose), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
            << name;
        // The chain file is the leaf, then the intermediate.
        FILE *f = std::fopen(c.chain.c_str(), "r");
        ASSERT_NE(f, nullptr) << name;
        CertPtr first(PEM_read_X509(f, nullptr, nullptr, nullptr));
        CertPtr second(PEM_read_X509(f, nullptr, nullptr, nullptr));
        std::fclose(f);
        ASSERT_TRUE(first && second) << name;
        EXPECT_EQ(X509_cmp(first.get(), leaf.get()), 0) << name;
        EXPECT_EQ(X509_cmp(second.get(), intermediate.get()), 0) << name;
    }
}

TEST_F(PkiTest, TheCrlRevokesTheRevokedDeviceAndNoOther) {
    const auto ca = load_cert(pki_->ca().cert);
    const auto crl = load_crl(pki_->crl().file);
    ASSERT_TRUE(ca && crl);
    std::unique_ptr<EVP_PKEY, X509Free> ca_key(X509_get_pubkey(ca.get()));
    EXPECT_EQ(X509_CRL_verify(crl.get(), ca_key.get()), 1);
    EXPECT_EQ(X509_CRL_get_version(crl.get()), X509_CRL_VERSION_2);
    EXPECT_EQ(pki_->crl().issued_by, "ca");
    const VerifyExtras with_crl{nullptr, crl.get()};
    EXPECT_EQ(verify(load_cert(pki_->get("device_revoked").cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT,
                     with_crl),
              X509_V_ERR_CERT_REVOKED);
    EXPECT_EQ(verify(load_cert(pki_->device().cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT, with_crl),
              X509_V_OK);
    EXPECT_EQ(verify(load_cert(pki_->cloud().cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT, with_crl),
              X509_V_OK);
    EXPECT_EQ(verify(load_cert(pki_->broker().cert).get(), ca.get(), X509_PURPOSE_SSL_SERVER, with_crl),
              X509_V_OK);
    // Without the CRL the revoked certificate is a good one: revocation is its only fault.
    EXPECT_EQ(verify(load_cert(pki_->get("device_revoked").cert).get(), ca.get(), X509_PURPOSE_SSL_CLIENT),
              X509_V_OK);
    // Valid now and for as long as the good credentials.
    std::time_t now = std::time(nullptr);
    EXPECT_LT(X509_cmp_time(X509_CRL_get0_lastUpdate(crl.get()), &now), 0);
    std::time_t in_29_days = now + 29 * 24 * 3600;
    EXPECT_GT(X509_cmp_time(X509_CRL_get0_nextUpdate(crl.get()), &in_29_days), 0);
}

TEST_F(PkiTest, TheMismatchedPairIsAGoodCertificateBesideAnotherKey) {
    const auto &c = pki_->get("device_mismatched_key");
    const auto cert = load_cert(c.cert);
    const auto key = load_key(c.key);
    ASSERT_TRUE(cert && key);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 0);
    ERR_clear_error();
    EXPECT_EQ(verify(cert.get(), load_cert(pki_->ca().cert).get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
    EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC")); // same type: only the pairing is wrong
}

TEST_F(PkiTest, EcKeysAreP256AndSignOnly) {
    for (const auto &[name, c] : pki_->all()) {
        const auto key = load_key(c.key);
        ASSERT_TRUE(key) << name;
        EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC")) << name;
        char group[64] = {};
        EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr);
        EXPECT_STREQ(group, "prime256v1") << name;
        const auto cert = load_cert(c.cert);
        if (X509_check_ca(cert.get()) != 0) continue;
        // RFC 5480: an EC key signs; keyEncipherment is for RSA key transport only.
        EXPECT_TRUE(X509_get_key_usage(cert.get()) & KU_DIGITAL_SIGNATURE) << name;
        EXPECT_FALSE(X509_get_key_usage(cert.get()) & KU_KEY_ENCIPHERMENT) << name;
    }
}

TEST(PkiRsaTest, RsaVariantsAreRsa2048ChainingToTheRoot) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("hil-pki-rsa-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    PkiOptions options;
    options.rsa_variants = true;
    const auto started = std::chrono::steady_clock::now();
    const auto pki = TestPki::create(dir, options);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    RecordProperty("full_catalogue_ms", std::to_string(ms));
    const auto ca = load_cert(pki.ca().cert);
    for (const auto &[name, purpose] : {std::pair{"broker_rsa", X509_PURPOSE_SSL_SERVER},
                                        std::pair{"device_rsa", X509_PURPOSE_SSL_CLIENT}}) {
        const auto &c = pki.get(name);
        EXPECT_EQ(c.key_type, "rsa-2048");
        const auto key = load_key(c.key);
        const auto cert = load_cert(c.cert);
        ASSERT_TRUE(key && cert) << name;
        EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "RSA")) << name;
        EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048) << name;
        EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1) << name;
        EXPECT_TRUE(X509_get_key_usage(cert.get()) & KU_KEY_ENCIPHERMENT) << name;
        EXPECT_EQ(verify(cert.get(), ca.get(), purpose), X509_V_OK) << name;
    }
    EXPECT_EQ(pki.get("broker_rsa").sans, pki.broker().sans);
    EXPECT_EQ(pki.get("device_ecdsa").key_type, "ecdsa-p256");
    std::filesystem::remove_all(dir);
}

TEST(PkiRegistryTest, RegistryVariantsAreGoodClientsOfTheRootAndNamedInTheCatalogue) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("hil-pki-registry-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    PkiOptions options;
    options.registry_variants = true;
    const auto pki = TestPki::create(dir, options);
    const auto ca = load_cert(pki.ca().cert);
    for (const char *name : {"device_inactive", "device_registry_revoked"}) {
        const auto &c = pki.get(name);
        EXPECT_EQ(c.kind, "device");
        EXPECT_EQ(c.provokes, "net.closed"); // closed at CONNECT by a registry, never by TLS
        const auto cert = load_cert(c.cert);
        const auto key = load_key(c.key);
        ASSERT_TRUE(cert && key) << name;
        EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1) << name;
        EXPECT_EQ(verify(cert.get(), ca.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK) << name;
    }
    EXPECT_TRUE(pki.check(options).empty());
    std::filesystem::remove_all(dir);

    // Every name a scenario may give, the optional variants included.
    std::set<std::string> names;
    for (const auto &c : catalogue_names()) names.insert(c.name);
    for (const char *name :
         {"device", "device_rsa", "device_inactive", "broker_rsa", "device_mismatched_key"}) {
        EXPECT_EQ(names.count(name), 1u) << name;
    }
}

} // namespace
} // namespace hil

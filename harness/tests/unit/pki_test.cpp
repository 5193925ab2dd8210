// The run's test PKI, checked with OpenSSL's own verification.
#include "hil/core/files.hpp"
#include "hil/pki/test_pki.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <ctime>
#include <memory>

namespace hil {
namespace {

struct X509Free {
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509_STORE *p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX *p) const { X509_STORE_CTX_free(p); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

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

/// X509_verify_cert of `leaf` against the single trust anchor `root`, for `purpose`.
int verify(X509 *leaf, X509 *root, int purpose) {
    std::unique_ptr<X509_STORE, X509Free> store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), root);
    std::unique_ptr<X509_STORE_CTX, X509Free> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), purpose);
    return X509_verify_cert(ctx.get()) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
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
        EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1) << name;
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
    EXPECT_EQ(manifest["manifest_version"], 1);
    EXPECT_EQ(manifest["credentials"].size(), pki_->all().size());
    for (const auto &entry : manifest["credentials"]) {
        const auto &c = pki_->get(entry["name"]);
        EXPECT_EQ(entry["sha256_fingerprint"], c.sha256_fingerprint);
        EXPECT_EQ(entry["key"], c.key.filename().string());
        EXPECT_FALSE(entry["purpose"].get<std::string>().empty());
    }
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
}

} // namespace
} // namespace hil

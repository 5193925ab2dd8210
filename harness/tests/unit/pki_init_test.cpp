// `hil pki init`'s library half: a PKI directory is kept across calls (intentionally expired
// credentials stay expired, nothing is regenerated), refused when it cannot be kept, replaced
// only with force.
#include "hil/core/files.hpp"
#include "hil/pki/pki_init.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <map>

namespace hil {
namespace {

namespace fs = std::filesystem;

/// Every file of `dir` with its bytes.
std::map<std::string, std::string> snapshot(const fs::path &dir) {
    std::map<std::string, std::string> files;
    for (const auto &entry : fs::directory_iterator(dir)) {
        files[entry.path().filename().string()] = read_text_file(entry.path());
    }
    return files;
}

bool mentions(const std::vector<std::string> &problems, const std::string &text) {
    for (const auto &p : problems) {
        if (p.find(text) != std::string::npos) return true;
    }
    return false;
}

std::string joined(const std::vector<std::string> &problems) {
    std::string out;
    for (const auto &p : problems) out += p + "\n";
    return out;
}

class PkiInitTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("hil-pki-init-test-" + std::to_string(getpid()) + "-" + info->name()) / "pki";
        fs::remove_all(dir_.parent_path());
        fs::create_directories(dir_.parent_path());
    }
    void TearDown() override { fs::remove_all(dir_.parent_path()); }

    PkiOptions options_; // EC only: the keep/refuse logic does not depend on RSA
    fs::path dir_;
};

TEST_F(PkiInitTest, CreatesThenKeepsEveryFileByteForByte) {
    const auto first = init_pki(dir_, options_, false);
    ASSERT_EQ(first.outcome, PkiInitResult::Outcome::created) << joined(first.problems);
    const auto before = snapshot(dir_);
    EXPECT_TRUE(before.contains("manifest.json") && before.contains("crl.pem") && before.contains("ca.key"));

    const auto second = init_pki(dir_, options_, false);
    ASSERT_EQ(second.outcome, PkiInitResult::Outcome::kept) << joined(second.problems);
    EXPECT_EQ(snapshot(dir_), before); // the CA, the expired ones, the CRL: nothing regenerated
    ASSERT_TRUE(second.pki);
    EXPECT_EQ(second.pki->ca().sha256_fingerprint, first.pki->ca().sha256_fingerprint);
    EXPECT_EQ(second.pki->get("broker_expired").not_after, first.pki->get("broker_expired").not_after);
    EXPECT_EQ(second.pki->crl().revokes, std::vector<std::string>{"device_revoked"});
    EXPECT_EQ(second.pki->get("device_intermediate").chain, dir_ / "device_intermediate.chain.pem");
}

TEST_F(PkiInitTest, ForceReplacesEveryCredential) {
    const auto first = init_pki(dir_, options_, false);
    ASSERT_EQ(first.outcome, PkiInitResult::Outcome::created);
    const auto forced = init_pki(dir_, options_, true);
    ASSERT_EQ(forced.outcome, PkiInitResult::Outcome::created);
    for (const auto &[name, c] : first.pki->all()) {
        EXPECT_NE(forced.pki->get(name).sha256_fingerprint, c.sha256_fingerprint) << name;
    }
    EXPECT_NE(forced.pki->crl().sha256_fingerprint, first.pki->crl().sha256_fingerprint);
    EXPECT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::kept);
}

TEST_F(PkiInitTest, RefusesADamagedPkiNamingWhatIsWrong) {
    ASSERT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    fs::remove(dir_ / "device_revoked.crt");
    fs::permissions(dir_ / "broker.key", fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::add);
    write_file_atomically(dir_ / "cloud.crt", read_text_file(dir_ / "device.crt"));
    const auto before = snapshot(dir_);

    const auto result = init_pki(dir_, options_, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_FALSE(result.pki);
    EXPECT_TRUE(mentions(result.problems, "device_revoked: " + (dir_ / "device_revoked.crt").string()))
        << joined(result.problems);
    EXPECT_TRUE(
        mentions(result.problems, "broker: " + (dir_ / "broker.key").string() + ": readable by others"))
        << joined(result.problems);
    EXPECT_TRUE(mentions(result.problems, "cloud: " + (dir_ / "cloud.crt").string() + ": changed since"))
        << joined(result.problems);
    EXPECT_EQ(snapshot(dir_), before); // refused: nothing written

    EXPECT_EQ(init_pki(dir_, options_, true).outcome, PkiInitResult::Outcome::created);
    EXPECT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::kept);
}

TEST_F(PkiInitTest, AKeySwappedBetweenCredentialsIsAProblem) {
    ASSERT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    fs::copy_file(dir_ / "device.key", dir_ / "device_revoked.key", fs::copy_options::overwrite_existing);
    const auto result = init_pki(dir_, options_, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "device_revoked: " + (dir_ / "device_revoked.key").string() +
                                              ": does not match " + (dir_ / "device_revoked.crt").string()))
        << joined(result.problems);
    EXPECT_EQ(result.problems.size(), 1U) << joined(result.problems); // the mismatched pair is as it must be
}

TEST_F(PkiInitTest, RefusesToKeepAPkiMadeForOtherHosts) {
    ASSERT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    auto other = options_;
    other.dns_names = {"bench-pc.local"};
    other.ip_addresses = {"192.168.1.10"};
    const auto result = init_pki(dir_, other, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "broker: names DNS:localhost,IP:127.0.0.1, asked for "
                                          "DNS:bench-pc.local,IP:192.168.1.10"))
        << joined(result.problems);
    const auto forced = init_pki(dir_, other, true);
    ASSERT_EQ(forced.outcome, PkiInitResult::Outcome::created);
    EXPECT_EQ(forced.pki->broker().sans, (std::vector<std::string>{"DNS:bench-pc.local", "IP:192.168.1.10"}));
}

TEST_F(PkiInitTest, GoodCredentialsAndTheCrlThatExpiredAreProblems) {
    auto short_lived = options_;
    short_lived.validity = std::chrono::hours(0); // not_after = now: expired by the time it is checked
    ASSERT_EQ(init_pki(dir_, short_lived, false).outcome, PkiInitResult::Outcome::created);
    const auto result = init_pki(dir_, short_lived, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "broker: expired on ")) << joined(result.problems);
    EXPECT_TRUE(mentions(result.problems, "ca: expired on ")) << joined(result.problems);
    EXPECT_TRUE(mentions(result.problems, "crl: next update")) << joined(result.problems);
    // The intentionally expired ones are what they must be: no problem there.
    EXPECT_FALSE(mentions(result.problems, "broker_expired")) << joined(result.problems);
}

TEST_F(PkiInitTest, NeverWritesIntoADirectoryOfOtherFiles) {
    fs::create_directories(dir_);
    write_file_atomically(dir_ / "notes.txt", "mine\n");
    const auto result = init_pki(dir_, options_, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "no manifest.json")) << joined(result.problems);
    EXPECT_EQ(snapshot(dir_).size(), 1U);
    // With force the catalogue is written beside them; other files are left alone.
    ASSERT_EQ(init_pki(dir_, options_, true).outcome, PkiInitResult::Outcome::created);
    EXPECT_EQ(read_text_file(dir_ / "notes.txt"), "mine\n");
}

TEST_F(PkiInitTest, AnEmptyDirectoryIsUsedAndAFileIsRefused) {
    fs::create_directories(dir_);
    EXPECT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    const auto file = dir_.parent_path() / "plain-file";
    write_file_atomically(file, "x");
    const auto result = init_pki(file, options_, true);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "not a directory"));
}

TEST_F(PkiInitTest, AManifestOfAnotherVersionIsAProblemNamingTheFile) {
    ASSERT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    auto manifest = nlohmann::json::parse(read_text_file(dir_ / "manifest.json"));
    manifest["manifest_version"] = 1;
    write_file_atomically(dir_ / "manifest.json", manifest.dump());
    const auto result = init_pki(dir_, options_, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, (dir_ / "manifest.json").string() + ": manifest_version 1"))
        << joined(result.problems);

    write_file_atomically(dir_ / "manifest.json", "{not json");
    EXPECT_TRUE(mentions(init_pki(dir_, options_, false).problems, "manifest.json: not JSON"));

    // A manifest cannot send the checks outside the directory.
    manifest["manifest_version"] = 2;
    manifest["credentials"][0]["files"]["cert"] = "../elsewhere.crt";
    write_file_atomically(dir_ / "manifest.json", manifest.dump());
    EXPECT_TRUE(mentions(init_pki(dir_, options_, false).problems, "is not a plain file name"));
}

TEST_F(PkiInitTest, AManifestWithoutTheRsaVariantsIsIncompleteForAnInitThatWantsThem) {
    ASSERT_EQ(init_pki(dir_, options_, false).outcome, PkiInitResult::Outcome::created);
    auto with_rsa = options_;
    with_rsa.rsa_variants = true;
    const auto result = init_pki(dir_, with_rsa, false);
    EXPECT_EQ(result.outcome, PkiInitResult::Outcome::refused);
    EXPECT_TRUE(mentions(result.problems, "device_rsa: not in manifest.json")) << joined(result.problems);
}

} // namespace
} // namespace hil

// The durable store: one file per shadow, atomic replace, everything survives a new process
// (a `kill -9` of the broker loses nothing that was answered).
#include "shadow_fixture.hpp"

#include "hil/twin/file_shadow_store.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hil::twin::test {
namespace {

class FileStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("hil-twin-store-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    const std::chrono::system_clock::time_point now_{std::chrono::seconds(1736882722)};
};

TEST_F(FileStoreTest, ShadowsSurviveANewStoreOnTheSameDirectory) {
    {
        FileShadowStore store(dir_);
        ShadowService service(store);
        ASSERT_FALSE(service
                         .handle("$aws/things/lamp-1/shadow/update",
                                 R"({"state":{"desired":{"a":1},"reported":{"a":0}}})", now_)
                         .empty());
        ASSERT_FALSE(service
                         .handle("$aws/things/lamp-1/shadow/name/cfg/update",
                                 R"({"state":{"reported":{"b":2}}})", now_)
                         .empty());
        ASSERT_FALSE(service
                         .handle("$aws/things/lamp-1/shadow/name/cfg/update",
                                 R"({"state":{"reported":{"c":3}}})", now_)
                         .empty());
    }
    FileShadowStore reopened(dir_);
    ShadowService service(reopened);
    const auto classic = service.handle("$aws/things/lamp-1/shadow/get", "", now_);
    ASSERT_EQ(classic.size(), 1U);
    const json got = json::parse(classic[0].payload);
    EXPECT_EQ(got["state"], json::parse(R"({"desired":{"a":1},"reported":{"a":0},"delta":{"a":1}})"));
    EXPECT_EQ(got["metadata"]["desired"]["a"]["timestamp"], 1736882722);
    const json named =
        json::parse(service.handle("$aws/things/lamp-1/shadow/name/cfg/get", "", now_).at(0).payload);
    EXPECT_EQ(named["version"], 2);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "lamp-1" / "classic.json"));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "lamp-1" / "named" / "cfg.json"));
}

TEST_F(FileStoreTest, A_8_3_TombstonesSurviveSoTheVersionContinues) {
    {
        FileShadowStore store(dir_);
        ShadowService service(store);
        ASSERT_FALSE(
            service.handle("$aws/things/t/shadow/update", R"({"state":{"reported":{"a":1}}})", now_).empty());
        ASSERT_FALSE(
            service.handle("$aws/things/t/shadow/update", R"({"state":{"reported":{"a":2}}})", now_).empty());
        ASSERT_FALSE(service.handle("$aws/things/t/shadow/delete", "", now_).empty());
    }
    FileShadowStore reopened(dir_);
    ShadowService service(reopened);
    EXPECT_EQ(json::parse(service.handle("$aws/things/t/shadow/get", "", now_).at(0).payload)["code"], 404);
    const auto replies =
        service.handle("$aws/things/t/shadow/update", R"({"state":{"reported":{"a":3}}})", now_);
    EXPECT_EQ(json::parse(replies.at(0).payload)["version"], 3);
}

TEST_F(FileStoreTest, RecordsRoundTripExactly) {
    ShadowRecord record;
    record.state = Json::parse(R"({"desired":{"z":1,"a":[1,2]},"reported":{"s":"é"}})");
    record.metadata =
        Json::parse(R"({"desired":{"z":{"timestamp":1},"a":[{"timestamp":1},{"timestamp":1}]}})");
    record.version = 42;
    const ShadowKey key{"thing:1", "$name"};
    {
        FileShadowStore store(dir_);
        store.save(key, record);
    }
    FileShadowStore reopened(dir_);
    EXPECT_EQ(reopened.load(key), record);
    EXPECT_FALSE(reopened.load(ShadowKey{"other", ""}));
}

TEST_F(FileStoreTest, WritesAreAtomicNoTemporaryFileRemains) {
    FileShadowStore store(dir_);
    ShadowRecord record;
    record.version = 1;
    store.save({"t", ""}, record);
    record.version = 2;
    store.save({"t", ""}, record);
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(dir_ / "t"))
        names.push_back(entry.path().filename());
    EXPECT_EQ(names, std::vector<std::string>{"classic.json"});
}

TEST_F(FileStoreTest, A_10_19_ACorruptFileIsAnInternalFailureNotACrash) {
    std::filesystem::create_directories(dir_ / "t");
    std::ofstream(dir_ / "t" / "classic.json") << "{not json";
    FileShadowStore store(dir_);
    ShadowService service(store);
    const auto replies = service.handle("$aws/things/t/shadow/get", "", now_);
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(replies[0].payload, R"({"code":500,"message":"Internal service failure"})");
}

TEST_F(FileStoreTest, EraseForgetsTheRecord) {
    FileShadowStore store(dir_);
    store.save({"t", "n"}, ShadowRecord{});
    store.erase({"t", "n"});
    EXPECT_FALSE(store.load({"t", "n"}));
    FileShadowStore reopened(dir_);
    EXPECT_FALSE(reopened.load({"t", "n"}));
}

TEST_F(FileStoreTest, InvalidKeysNeverBecomePaths) {
    FileShadowStore store(dir_);
    EXPECT_THROW(store.save({"../escape", ""}, ShadowRecord{}), StoreError);
    EXPECT_THROW(store.save({"t", "a/b"}, ShadowRecord{}), StoreError);
}

} // namespace
} // namespace hil::twin::test

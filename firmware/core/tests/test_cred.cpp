// hil_cred: CRC-32, slot writes (sequential chunks, restart, overflow), commit, clear, and the
// cred.* commands through the device (never echoing content).
#include "fakes.hpp"
#include "hil_cred.h"
#include "hil_device.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace {

uint32_t crc_of(const std::string &s) {
    return hil_crc32(0, reinterpret_cast<const uint8_t *>(s.data()), s.size());
}

std::string hex_of(uint32_t crc) {
    char hex[9];
    hil_crc32_hex(crc, hex);
    return hex;
}

class Cred : public ::testing::Test {
  protected:
    void SetUp() override { hil_cred_init(&store); }
    hil_cred_status_t write(unsigned slot, size_t offset, const std::string &data) {
        return hil_cred_write(&store, slot, offset, reinterpret_cast<const uint8_t *>(data.data()),
                              data.size());
    }
    static hil_cred_store_t store; // large: static like on a board
};
hil_cred_store_t Cred::store;

} // namespace

TEST(Crc32, test_hil_crc32_CheckValueAndContinuation) {
    EXPECT_EQ(crc_of("123456789"), 0xcbf43926u); // the CRC-32/ISO-HDLC check value
    EXPECT_EQ(crc_of(""), 0u);
    uint32_t part = hil_crc32(0, reinterpret_cast<const uint8_t *>("1234"), 4);
    EXPECT_EQ(hil_crc32(part, reinterpret_cast<const uint8_t *>("56789"), 5), 0xcbf43926u);
    EXPECT_EQ(hex_of(0x0000abcdu), "0000abcd");
}

TEST(Crc32, test_hil_crc32_parse_HexDigitsOnly) {
    uint32_t crc = 0;
    EXPECT_TRUE(hil_crc32_parse("CBF43926", &crc));
    EXPECT_EQ(crc, 0xcbf43926u);
    EXPECT_TRUE(hil_crc32_parse("1", &crc));
    EXPECT_EQ(crc, 1u);
    EXPECT_FALSE(hil_crc32_parse("", &crc));
    EXPECT_FALSE(hil_crc32_parse("123456789", &crc));
    EXPECT_FALSE(hil_crc32_parse("12g4", &crc));
    EXPECT_FALSE(hil_crc32_parse("0x12", &crc));
}

TEST_F(Cred, test_hil_cred_write_SequentialChunksAndCommit) {
    EXPECT_EQ(write(1, 0, "-----BEGIN"), HIL_CRED_OK);
    EXPECT_EQ(write(1, 10, " CERT-----\n"), HIL_CRED_OK);
    EXPECT_EQ(store.slots[1].size, 21u);
    EXPECT_EQ(store.slots[1].crc, crc_of("-----BEGIN CERT-----\n"));
    EXPECT_EQ(hil_cred_commit(&store, 1, crc_of("-----BEGIN CERT-----\n") ^ 1u), HIL_CRED_MISMATCH);
    EXPECT_FALSE(store.slots[1].committed);
    EXPECT_EQ(hil_cred_commit(&store, 1, crc_of("-----BEGIN CERT-----\n")), HIL_CRED_OK);
    const uint8_t *data = nullptr;
    size_t len = 0;
    ASSERT_EQ(hil_cred_get(&store, 1, &data, &len), HIL_CRED_OK);
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(data), len), "-----BEGIN CERT-----\n");
    // Any write uncommits.
    EXPECT_EQ(write(1, 21, "x"), HIL_CRED_OK);
    EXPECT_EQ(hil_cred_get(&store, 1, &data, &len), HIL_CRED_NOT_COMMITTED);
}

TEST_F(Cred, test_hil_cred_write_OffsetRulesAndRestart) {
    EXPECT_EQ(write(0, 5, "abc"), HIL_CRED_BAD_OFFSET); // not sequential
    EXPECT_EQ(write(0, 0, "secret"), HIL_CRED_OK);
    EXPECT_EQ(write(0, 3, "x"), HIL_CRED_BAD_OFFSET); // rejected: nothing changes
    EXPECT_EQ(store.slots[0].size, 6u);
    EXPECT_EQ(write(0, 0, "ab"), HIL_CRED_OK); // restart: old bytes zeroed
    EXPECT_EQ(store.slots[0].size, 2u);
    EXPECT_EQ(store.slots[0].data[2], 0u);
    EXPECT_EQ(store.slots[0].crc, crc_of("ab"));
    EXPECT_EQ(write(HIL_CRED_SLOTS, 0, "a"), HIL_CRED_BAD_SLOT);
}

TEST_F(Cred, test_hil_cred_write_OverflowChangesNothing) {
    std::string big(HIL_CRED_SLOT_SIZE - 1, 'a');
    EXPECT_EQ(write(2, 0, big), HIL_CRED_OK);
    EXPECT_EQ(write(2, big.size(), "bc"), HIL_CRED_OVERFLOW);
    EXPECT_EQ(store.slots[2].size, big.size());
    EXPECT_EQ(write(2, big.size(), "b"), HIL_CRED_OK); // exactly full
    EXPECT_EQ(store.slots[2].size, static_cast<size_t>(HIL_CRED_SLOT_SIZE));
}

TEST_F(Cred, test_hil_cred_commit_EmptyAndClear) {
    EXPECT_EQ(hil_cred_commit(&store, 3, 0), HIL_CRED_EMPTY);
    EXPECT_EQ(write(3, 0, "key"), HIL_CRED_OK);
    EXPECT_EQ(hil_cred_commit(&store, 3, crc_of("key")), HIL_CRED_OK);
    EXPECT_EQ(hil_cred_clear(&store, 3), HIL_CRED_OK);
    EXPECT_EQ(store.slots[3].size, 0u);
    EXPECT_FALSE(store.slots[3].committed);
    EXPECT_EQ(store.slots[3].data[0], 0u);
    EXPECT_EQ(hil_cred_clear(&store, HIL_CRED_SLOTS), HIL_CRED_BAD_SLOT);
}

// ---- the cred.* commands through the device ----------------------------------------------------

namespace {

class CredCommands : public ::testing::Test {
  protected:
    void SetUp() override {
        port = make_fake_port(&ctx);
        hil_device_config_t cfg{"hil-reference", "0.1.0", "0123456789ab", "host"};
        ASSERT_EQ(hil_device_init(&dev, &port, &cfg), HIL_DEVICE_OK);
    }
    std::string request(const std::string &line) {
        ctx.clear();
        EXPECT_EQ(feed(&dev, line + "\n"), HIL_DEVICE_OK);
        auto lines = ctx.lines();
        return lines.empty() ? std::string() : lines[0];
    }
    // {"slot":N,"size":S,"crc32":"..."}
    static std::string body(int slot, const std::string &content) {
        return R"({"slot":)" + std::to_string(slot) + R"(,"size":)" + std::to_string(content.size()) +
               R"(,"crc32":")" + hex_of(crc_of(content)) + "\"}";
    }
    hil_port_context ctx;
    hil_port_t port{};
    static hil_device_t dev;
};
hil_device_t CredCommands::dev;

} // namespace

TEST_F(CredCommands, test_cred_write_ChunksCommitInfo) {
    EXPECT_EQ(request(R"(@1 cred.write {"slot":2,"offset":0,"data":"-----BEGIN KEY-----\n"})"),
              "@1 ok " + body(2, "-----BEGIN KEY-----\n"));
    EXPECT_EQ(request(R"(@2 cred.write {"slot":2,"offset":20,"data":"abc\n"})"),
              "@2 ok " + body(2, "-----BEGIN KEY-----\nabc\n"));
    std::string crc = hex_of(crc_of("-----BEGIN KEY-----\nabc\n"));
    EXPECT_EQ(request(R"(@3 cred.commit {"slot":2,"crc32":")" + crc + "\"}"),
              "@3 ok " + body(2, "-----BEGIN KEY-----\nabc\n"));
    std::string info = request("@4 cred.info");
    EXPECT_EQ(info, R"(@4 ok {"slot_size":4096,"slots":[)"
                    R"({"slot":0,"size":0,"crc32":"00000000","committed":false},)"
                    R"({"slot":1,"size":0,"crc32":"00000000","committed":false},)"
                    R"({"slot":2,"size":24,"crc32":")" +
                        crc +
                        R"(","committed":true},)"
                        R"({"slot":3,"size":0,"crc32":"00000000","committed":false}]})");
    // Secrets never come back, not even partly, and the scratch buffer is wiped.
    EXPECT_EQ(ctx.written.find("BEGIN"), std::string::npos);
    EXPECT_EQ(std::string(dev.payload).find("BEGIN"), std::string::npos);
}

TEST_F(CredCommands, test_cred_write_ErrorPaths) {
    EXPECT_EQ(request(R"(@1 cred.write {"slot":4,"offset":0,"data":"x"})"),
              R"(@1 err {"class":"proto.bad_args","detail":"slot: out of range"})");
    EXPECT_EQ(request(R"(@2 cred.write {"slot":0,"data":"x"})"),
              R"(@2 err {"class":"proto.bad_args","detail":"offset: missing"})");
    EXPECT_EQ(request(R"(@3 cred.write {"slot":0,"offset":0,"data":7})"),
              R"(@3 err {"class":"proto.bad_args","detail":"data: expected a string"})");
    EXPECT_EQ(
        request(R"(@4 cred.write {"slot":0,"offset":3,"data":"x"})"),
        R"x(@4 err {"class":"proto.bad_args","detail":"offset: must be 0 (restart) or the slot's size"})x");
    // Fill the slot to 4095 bytes in chunks, then overflow by two: rejected, nothing changes.
    std::string chunk(315, 'a');
    size_t offset = 0;
    for (int i = 0; i < 13; i++) {
        std::string answer = request("@9 cred.write {\"slot\":0,\"offset\":" + std::to_string(offset) +
                                     ",\"data\":\"" + chunk + "\"}");
        ASSERT_EQ(answer.rfind("@9 ok ", 0), 0u) << answer;
        offset += chunk.size();
    }
    ASSERT_EQ(offset, static_cast<size_t>(HIL_CRED_SLOT_SIZE - 1));
    EXPECT_EQ(request("@5 cred.write {\"slot\":0,\"offset\":4095,\"data\":\"bc\"}"),
              R"x(@5 err {"class":"proto.bad_args","detail":"data: slot overflow (limit 4096 bytes)"})x");
    EXPECT_EQ(dev.creds.slots[0].size, offset);
    EXPECT_EQ(request("@6 cred.write {\"slot\":0,\"offset\":4095,\"data\":\"b\"}").rfind("@6 ok ", 0), 0u);
}

TEST_F(CredCommands, test_cred_commit_MismatchEmptyAndBadCrc) {
    EXPECT_EQ(request(R"(@1 cred.commit {"slot":1,"crc32":"0"})"),
              R"(@1 err {"class":"proto.bad_args","detail":"slot: empty"})");
    request(R"(@2 cred.write {"slot":1,"offset":0,"data":"pem"})");
    EXPECT_EQ(request(R"(@3 cred.commit {"slot":1,"crc32":"12345678"})"),
              R"(@3 err {"class":"proto.bad_args","detail":"crc32: crc mismatch"})");
    EXPECT_FALSE(dev.creds.slots[1].committed);
    EXPECT_EQ(request(R"(@4 cred.commit {"slot":1,"crc32":"xyz"})"),
              R"(@4 err {"class":"proto.bad_args","detail":"crc32: expected 8 hex digits"})");
    EXPECT_EQ(request(R"(@5 cred.commit {"slot":1})"),
              R"(@5 err {"class":"proto.bad_args","detail":"crc32: missing"})");
    std::string upper = hex_of(crc_of("pem"));
    for (auto &c : upper) {
        c = static_cast<char>(toupper(c));
    }
    EXPECT_EQ(request(R"(@6 cred.commit {"slot":1,"crc32":")" + upper + "\"}"), "@6 ok " + body(1, "pem"));
}

TEST_F(CredCommands, test_cred_clear_OneAndAll) {
    request(R"(@1 cred.write {"slot":0,"offset":0,"data":"a"})");
    request(R"(@2 cred.write {"slot":3,"offset":0,"data":"b"})");
    EXPECT_EQ(request(R"(@3 cred.clear {"slot":3})"), "@3 ok");
    EXPECT_EQ(dev.creds.slots[3].size, 0u);
    EXPECT_EQ(dev.creds.slots[0].size, 1u);
    EXPECT_EQ(request("@4 cred.clear"), "@4 ok");
    EXPECT_EQ(dev.creds.slots[0].size, 0u);
    EXPECT_EQ(request(R"(@5 cred.clear {"slot":-1})"),
              R"(@5 err {"class":"proto.bad_args","detail":"slot: out of range"})");
}

TEST_F(CredCommands, test_cred_SlotsLostAtReset) {
    request(R"(@1 cred.write {"slot":0,"offset":0,"data":"a"})");
    request(R"(@2 cred.commit {"slot":0,"crc32":")" + hex_of(crc_of("a")) + "\"}");
    ASSERT_TRUE(dev.creds.slots[0].committed);
    ASSERT_EQ(hil_device_reset(&dev), HIL_DEVICE_OK);
    EXPECT_FALSE(dev.creds.slots[0].committed);
    EXPECT_EQ(dev.creds.slots[0].data[0], 0u);
}

// hil_framer_push: lines, CR, garbage, overlong, the 512-byte boundary.
#include "hil_proto.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Frame {
    hil_frame_t kind;
    std::string line;
    size_t garbage;
    size_t total_len;
};

std::vector<Frame> push_all(hil_framer_t &f, const std::string &bytes) {
    std::vector<Frame> frames;
    for (char ch : bytes) {
        hil_frame_t kind = hil_framer_push(&f, static_cast<uint8_t>(ch));
        if (kind != HIL_FRAME_NONE) {
            frames.push_back({kind, std::string(f.line, f.len), f.garbage, f.len + f.dropped});
        }
    }
    return frames;
}

class Framer : public ::testing::Test {
  protected:
    void SetUp() override { hil_framer_init(&f); }
    hil_framer_t f{};
};

} // namespace

TEST_F(Framer, test_hil_framer_push_SplitsLines) {
    auto frames = push_all(f, "@1 sys.info\n@2 x\n");
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_LINE);
    EXPECT_EQ(frames[0].line, "@1 sys.info");
    EXPECT_EQ(frames[1].line, "@2 x");
}

TEST_F(Framer, test_hil_framer_push_LineSplitAcrossFeeds) {
    EXPECT_TRUE(push_all(f, "@1 sys").empty());
    auto frames = push_all(f, ".info\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].line, "@1 sys.info");
    EXPECT_EQ(f.line[f.len], '\0');
}

TEST_F(Framer, test_hil_framer_push_DropsCr) {
    auto frames = push_all(f, "@1 a\r\n\r\n");
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].line, "@1 a");
    EXPECT_EQ(frames[1].kind, HIL_FRAME_LINE);
    EXPECT_EQ(frames[1].line, "");
}

TEST_F(Framer, test_hil_framer_push_TabIsAllowed) {
    auto frames = push_all(f, "a\tb\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_LINE);
}

TEST_F(Framer, test_hil_framer_push_GarbageDropsLineAndCounts) {
    auto frames = push_all(f, std::string("\x00\xff@1 a\x7f\n@2 b\n", 13));
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_GARBAGE);
    EXPECT_EQ(frames[0].garbage, 3u);
    EXPECT_EQ(frames[1].kind, HIL_FRAME_LINE);
    EXPECT_EQ(frames[1].line, "@2 b");
}

TEST_F(Framer, test_hil_framer_push_LineOfExactly512IsAccepted) {
    std::string line(HIL_PROTO_MAX_LINE, 'a');
    auto frames = push_all(f, line + "\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_LINE);
    EXPECT_EQ(frames[0].line, line);
}

TEST_F(Framer, test_hil_framer_push_LineOf513IsOverlong) {
    auto frames = push_all(f, std::string(HIL_PROTO_MAX_LINE + 1, 'a') + "\n@1 ok\n");
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_OVERLONG);
    EXPECT_EQ(frames[0].total_len, HIL_PROTO_MAX_LINE + 1);
    EXPECT_EQ(frames[1].kind, HIL_FRAME_LINE);
    EXPECT_EQ(frames[1].line, "@1 ok");
}

TEST_F(Framer, test_hil_framer_push_CrDoesNotCountTowardsLength) {
    auto frames = push_all(f, std::string(HIL_PROTO_MAX_LINE, 'a') + "\r\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_LINE);
}

TEST_F(Framer, test_hil_framer_push_OverlongWinsOverGarbage) {
    auto frames = push_all(f, std::string(600, '\x01') + "\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, HIL_FRAME_OVERLONG);
}

#include "hil/console/line_framer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hil {
namespace {

struct Collected {
    std::vector<FramedLine> lines;
    LineFramer framer{[this](const FramedLine &l) { lines.push_back(l); }};
};

TEST(LineFramer, SplitsLinesAcrossChunks) {
    Collected c;
    c.framer.feed("hel");
    c.framer.feed("lo\nwor");
    EXPECT_EQ(c.lines.size(), 1u);
    c.framer.feed("ld\n");
    ASSERT_EQ(c.lines.size(), 2u);
    EXPECT_EQ(c.lines[0].text, "hello");
    EXPECT_EQ(c.lines[1].text, "world");
    EXPECT_EQ(c.lines[1].kind, FramedLine::Kind::line);
}

TEST(LineFramer, DropsCarriageReturnBeforeNewline) {
    Collected c;
    c.framer.feed("@1 ok\r\n");
    ASSERT_EQ(c.lines.size(), 1u);
    EXPECT_EQ(c.lines[0].text, "@1 ok");
    EXPECT_EQ(c.lines[0].kind, FramedLine::Kind::line);
}

TEST(LineFramer, ReportsGarbageBytesAndKeepsGoing) {
    Collected c;
    c.framer.feed(std::string("\xff\x00\x13junk\n", 8));
    c.framer.feed("!sys.boot {}\n");
    ASSERT_EQ(c.lines.size(), 2u);
    EXPECT_EQ(c.lines[0].kind, FramedLine::Kind::garbage);
    EXPECT_EQ(c.lines[0].text, "\\xff\\x00\\x13junk");
    EXPECT_EQ(c.lines[0].bytes, 7u);
    EXPECT_EQ(c.lines[1].kind, FramedLine::Kind::line);
    EXPECT_EQ(c.lines[1].text, "!sys.boot {}");
}

TEST(LineFramer, CarriageReturnInsideALineIsGarbage) {
    Collected c;
    c.framer.feed("ab\rcd\n");
    ASSERT_EQ(c.lines.size(), 1u);
    EXPECT_EQ(c.lines[0].kind, FramedLine::Kind::garbage);
}

TEST(LineFramer, AcceptsALineOfExactlyTheMaximum) {
    Collected c;
    c.framer.feed(std::string(kMaxLineLength, 'a') + "\r\n");
    ASSERT_EQ(c.lines.size(), 1u);
    EXPECT_EQ(c.lines[0].kind, FramedLine::Kind::line);
    EXPECT_EQ(c.lines[0].text.size(), kMaxLineLength);
}

TEST(LineFramer, ReportsOverlongLinesThenRecovers) {
    Collected c;
    c.framer.feed(std::string(kMaxLineLength + 1, 'b') + "\n");
    c.framer.feed(std::string(5000, 'c'));
    c.framer.feed("\nok\n");
    ASSERT_EQ(c.lines.size(), 3u);
    EXPECT_EQ(c.lines[0].kind, FramedLine::Kind::overlong);
    EXPECT_EQ(c.lines[0].bytes, kMaxLineLength + 1);
    EXPECT_EQ(c.lines[1].kind, FramedLine::Kind::overlong);
    EXPECT_EQ(c.lines[1].bytes, 5000u);
    EXPECT_EQ(c.lines[1].text.size(), 64u);
    EXPECT_EQ(c.lines[2].text, "ok");
}

TEST(LineFramer, FlushReportsAPartialLine) {
    Collected c;
    c.framer.feed("tail without newline");
    EXPECT_TRUE(c.lines.empty());
    c.framer.flush();
    ASSERT_EQ(c.lines.size(), 1u);
    EXPECT_EQ(c.lines[0].text, "tail without newline");
}

} // namespace
} // namespace hil

#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(BlackholeToxic, HoldsTheBytesKeepsTheConnectionAndReleasesThemInOrder) {
    LoopbackLink link;
    link.add("hole", Direction::upstream, "blackhole");
    LoopbackLink::send_all(link.client(), "held-1;");
    LoopbackLink::send_all(link.client(), "held-2;");
    const auto during = LoopbackLink::read(link.server(), 1, std::chrono::milliseconds(300));
    EXPECT_TRUE(during.data.empty());
    EXPECT_FALSE(during.eof || during.reset);
    // The other direction still flows: the connection is alive.
    LoopbackLink::send_all(link.server(), "pong");
    EXPECT_EQ(LoopbackLink::read(link.client(), 4, std::chrono::seconds(2)).data, "pong");
    ASSERT_TRUE(link.proxy().remove("hole"));
    EXPECT_EQ(LoopbackLink::read(link.server(), 14, std::chrono::seconds(2)).data, "held-1;held-2;");
}

} // namespace
} // namespace hil::faults::testing

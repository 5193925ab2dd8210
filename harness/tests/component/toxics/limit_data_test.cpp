#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(LimitDataToxic, ForwardsExactlyTheLimitThenClosesBothSides) {
    LoopbackLink link;
    link.add("cut", Direction::upstream, "limit_data", {{"bytes", 10}});
    LoopbackLink::send_all(link.client(), "0123456789abcdefghij");
    const auto server = LoopbackLink::read(link.server(), 100, std::chrono::seconds(3));
    EXPECT_EQ(server.data, "0123456789");
    EXPECT_TRUE(server.eof);
    EXPECT_TRUE(LoopbackLink::read(link.client(), 1, std::chrono::seconds(3)).eof);
}

} // namespace
} // namespace hil::faults::testing

#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(TimeoutToxic, StopsTheDataThenClosesAfterTheTimeout) {
    LoopbackLink link;
    const auto t0 = std::chrono::steady_clock::now();
    link.add("stall", Direction::upstream, "timeout", {{"timeout", 300}});
    LoopbackLink::send_all(link.client(), "never");
    const auto server = LoopbackLink::read(link.server(), 5, std::chrono::seconds(3));
    EXPECT_TRUE(server.data.empty());
    EXPECT_TRUE(server.eof);
    EXPECT_GE(ms_since(t0), 290.0);
    EXPECT_LT(ms_since(t0), 2000.0);
}

} // namespace
} // namespace hil::faults::testing

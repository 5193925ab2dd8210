#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(BandwidthToxic, PacesTheStream) {
    LoopbackLink link;
    link.add("thin", Direction::upstream, "bandwidth", {{"rate", 20000}});
    const std::string data(10000, 'x');
    const auto t0 = std::chrono::steady_clock::now();
    LoopbackLink::send_all(link.client(), data);
    EXPECT_EQ(LoopbackLink::read(link.server(), data.size(), std::chrono::seconds(5)).data.size(),
              data.size());
    EXPECT_GE(ms_since(t0), 400.0); // 10 kB at 20 kB/s: ~500 ms (the first chunk goes at once)
}

} // namespace
} // namespace hil::faults::testing

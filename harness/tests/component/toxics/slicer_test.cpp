#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(SlicerToxic, DeliversTinySegmentsIntact) {
    LoopbackLink link;
    link.add("slices", Direction::downstream, "slicer", {{"size", 3}, {"delay", 5}});
    const std::string data = "a longer MQTT-ish frame";
    LoopbackLink::send_all(link.server(), data);
    const auto got = LoopbackLink::read(link.client(), data.size(), std::chrono::seconds(3));
    EXPECT_EQ(got.data, data);
    EXPECT_GE(got.reads, 4); // spaced 5 ms apart, the receiver sees them as separate reads
}

} // namespace
} // namespace hil::faults::testing

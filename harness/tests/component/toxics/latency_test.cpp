#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(LatencyToxic, DelaysOneDirectionOnly) {
    LoopbackLink link;
    link.add("slow", Direction::downstream, "latency", {{"latency", 200}});
    auto t0 = std::chrono::steady_clock::now();
    LoopbackLink::send_all(link.server(), "to client");
    const auto down = LoopbackLink::read(link.client(), 9, std::chrono::seconds(3));
    EXPECT_EQ(down.data, "to client");
    EXPECT_GE(ms_since(t0), 195.0);
    t0 = std::chrono::steady_clock::now();
    LoopbackLink::send_all(link.client(), "to server");
    EXPECT_EQ(LoopbackLink::read(link.server(), 9, std::chrono::seconds(3)).data, "to server");
    EXPECT_LT(ms_since(t0), 150.0);
}

TEST(LatencyToxic, KeepsOrderUnderJitterAndGoesAwayWhenRemoved) {
    LoopbackLink link;
    link.add("jittery", Direction::upstream, "latency", {{"latency", 30}, {"jitter", 25}});
    std::string sent;
    for (int i = 0; i < 50; ++i) {
        const std::string piece = std::to_string(i) + ",";
        sent += piece;
        LoopbackLink::send_all(link.client(), piece);
    }
    EXPECT_EQ(LoopbackLink::read(link.server(), sent.size(), std::chrono::seconds(5)).data, sent);
    EXPECT_TRUE(link.proxy().remove("jittery"));
    const auto t0 = std::chrono::steady_clock::now();
    LoopbackLink::send_all(link.client(), "fast");
    EXPECT_EQ(LoopbackLink::read(link.server(), 4, std::chrono::seconds(3)).data, "fast");
    EXPECT_LT(ms_since(t0), 25.0);
}

} // namespace
} // namespace hil::faults::testing

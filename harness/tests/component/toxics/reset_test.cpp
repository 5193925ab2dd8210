#include "loopback_link.hpp"

#include <gtest/gtest.h>

namespace hil::faults::testing {
namespace {

TEST(ProxyReset, SendsRstToBothSides) {
    LoopbackLink link;
    LoopbackLink::send_all(link.client(), "hello");
    ASSERT_EQ(LoopbackLink::read(link.server(), 5, std::chrono::seconds(2)).data, "hello");
    link.proxy().reset_connections();
    EXPECT_TRUE(LoopbackLink::read(link.client(), 1, std::chrono::seconds(2)).reset);
    EXPECT_TRUE(LoopbackLink::read(link.server(), 1, std::chrono::seconds(2)).reset);
    EXPECT_EQ(link.proxy().connections(), 0u);
}

TEST(ProxyToxics, UnknownTypesAndDuplicateNamesAreRefused) {
    LoopbackLink link;
    EXPECT_THROW(link.add("x", Direction::upstream, "lag"), std::invalid_argument);
    link.add("same", Direction::upstream, "latency");
    EXPECT_THROW(link.add("same", Direction::downstream, "latency"), std::invalid_argument);
    EXPECT_FALSE(link.proxy().remove("nope"));
    try {
        (void)make_toxic("lag", {});
    } catch (const std::invalid_argument &e) {
        EXPECT_NE(std::string(e.what()).find("known: bandwidth, blackhole, latency"), std::string::npos);
    }
}

} // namespace
} // namespace hil::faults::testing

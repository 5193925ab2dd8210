// The delivery ledger on constructed traces.
#include "hil/ledger/ledger.hpp"

#include <gtest/gtest.h>

namespace hil {
namespace {

using std::chrono::milliseconds;

class Trace {
  public:
    /// Sends 1..n, acknowledges `acked` of them (all when empty).
    Trace &send(std::uint64_t n, bool ack = true) {
        for (std::uint64_t s = 1; s <= n; ++s) {
            ledger.sent(s, at(0));
            if (ack) ledger.acknowledged(s, at(1));
        }
        return *this;
    }
    Trace &receive(std::initializer_list<std::uint64_t> seqs, int ms = 5) {
        for (const auto s : seqs) ledger.received(s, at(ms));
        return *this;
    }
    Clock::time_point at(int ms) const { return t0 + milliseconds(ms); }
    DeliveryLedger ledger;
    Clock::time_point t0 = Clock::now();
};

TEST(Ledger, ACleanStreamHoldsEveryGuarantee) {
    Trace t;
    t.send(5).receive({1, 2, 3, 4, 5});
    for (const auto g :
         {Guarantee::at_most_once, Guarantee::at_least_once, Guarantee::exactly_once, Guarantee::ordered}) {
        EXPECT_TRUE(t.ledger.check(g).holds) << t.ledger.check(g).explanation;
    }
    const auto s = t.ledger.summary();
    EXPECT_EQ(s.sent, 5u);
    EXPECT_EQ(s.unique_received, 5u);
    EXPECT_DOUBLE_EQ(s.latency_p50_ms, 5.0);
}

TEST(Ledger, LossBreaksAtLeastOnceButNotAtMostOnce) {
    Trace t;
    t.send(5).receive({1, 2, 4, 5});
    EXPECT_FALSE(t.ledger.check(Guarantee::at_least_once).holds);
    EXPECT_FALSE(t.ledger.check(Guarantee::exactly_once).holds);
    EXPECT_TRUE(t.ledger.check(Guarantee::at_most_once).holds);
    EXPECT_EQ(t.ledger.check(Guarantee::at_least_once).explanation,
              "at-least-once broken: 1 acknowledged message(s) lost (seq 3) (sent 5, acknowledged 5, "
              "received 4, unique 4)");
}

TEST(Ledger, DuplicatesBreakAtMostOnceButNotAtLeastOnce) {
    Trace t;
    t.send(3).receive({1, 2, 2, 3});
    EXPECT_TRUE(t.ledger.check(Guarantee::at_least_once).holds);
    EXPECT_FALSE(t.ledger.check(Guarantee::at_most_once).holds);
    EXPECT_FALSE(t.ledger.check(Guarantee::exactly_once).holds);
    EXPECT_EQ(t.ledger.summary().duplicate_seqs, (std::vector<std::uint64_t>{2}));
}

TEST(Ledger, OneLossPlusOneDuplicateHasTheRightTotalAndStillFails) {
    Trace t;
    t.send(4).receive({1, 2, 2, 4}); // 4 receipts for 4 sent: a total count would call this fine
    EXPECT_EQ(t.ledger.summary().received, 4u);
    EXPECT_FALSE(t.ledger.check(Guarantee::at_least_once).holds);
    EXPECT_FALSE(t.ledger.check(Guarantee::exactly_once).holds);
    const auto why = t.ledger.check(Guarantee::exactly_once).explanation;
    EXPECT_NE(why.find("lost (seq 3)"), std::string::npos) << why;
    EXPECT_NE(why.find("1 duplicate(s) (seq 2)"), std::string::npos) << why;
}

TEST(Ledger, ReorderingIsCountedAndOnlyBreaksOrdered) {
    Trace t;
    t.send(5).receive({1, 3, 2, 5, 4});
    EXPECT_EQ(t.ledger.summary().reordered, 2u);
    EXPECT_FALSE(t.ledger.check(Guarantee::ordered).holds);
    EXPECT_TRUE(t.ledger.check(Guarantee::exactly_once).holds);
}

TEST(Ledger, LateArrivalsCountInLatencyNotAsLoss) {
    Trace t;
    t.send(3).receive({1, 2}).receive({3}, 4000);
    const auto s = t.ledger.summary();
    EXPECT_EQ(s.lost, 0u);
    EXPECT_DOUBLE_EQ(s.latency_max_ms, 4000.0);
    EXPECT_TRUE(t.ledger.check(Guarantee::exactly_once).holds);
}

TEST(Ledger, UnacknowledgedLossIsCountedApartAndStillBreaksAtLeastOnce) {
    Trace t;
    t.send(3, false).receive({1, 3});
    const auto s = t.ledger.summary();
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(s.unconfirmed, 1u);
    EXPECT_EQ(s.unconfirmed_seqs, (std::vector<std::uint64_t>{2}));
    const auto v = t.ledger.check(Guarantee::at_least_once);
    EXPECT_FALSE(v.holds);
    EXPECT_NE(v.explanation.find("1 message(s) never acknowledged nor received (seq 2)"), std::string::npos);
    EXPECT_TRUE(t.ledger.check(Guarantee::at_most_once).holds);
}

TEST(Ledger, MessagesNobodySentAreFlagged) {
    Trace t;
    t.send(2).receive({1, 2, 99});
    EXPECT_EQ(t.ledger.summary().unexpected, 1u);
    EXPECT_FALSE(t.ledger.check(Guarantee::at_most_once).holds);
}

TEST(Ledger, SequencePayloads) {
    const auto tag = parse_sequence_payload(R"({"run":"k3-1","seq":42,"pad":"xxxx"})");
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->run, "k3-1");
    EXPECT_EQ(tag->seq, 42u);
    EXPECT_FALSE(parse_sequence_payload("seq=42"));
    EXPECT_FALSE(parse_sequence_payload(R"({"run":"k3","seq":-1})"));
    EXPECT_FALSE(parse_sequence_payload(R"({"seq":1})"));
    EXPECT_EQ(parse_guarantee("exactly-once"), Guarantee::exactly_once);
    EXPECT_FALSE(parse_guarantee("once"));
}

} // namespace
} // namespace hil

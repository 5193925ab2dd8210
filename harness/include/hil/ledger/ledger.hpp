#pragma once
// The delivery ledger: what a sender sent and had acknowledged, and what a receiver got, judged by
// sequence number. It answers "lost, duplicated, reordered, how late" with counts, and checks
// the delivery contracts: at-most-once, at-least-once, exactly-once, ordered.
//
// Loss is counted in two kinds: a message acknowledged and never received is "lost" (the broker
// broke its promise); one never acknowledged and never received is "unconfirmed" (the sender gave
// up on it). Both break at-least-once: the burst sent every sequence number once. A loss and a duplicate in
// the same stream give the right total count and still fail at-least-once and exactly-once: the ledger counts
// sequence numbers, never totals.

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hil {

enum class Guarantee { at_most_once, at_least_once, exactly_once, ordered };
[[nodiscard]] const char *to_string(Guarantee g);
/// "at-most-once", "at-least-once", "exactly-once", "ordered"; nullopt for anything else.
[[nodiscard]] std::optional<Guarantee> parse_guarantee(const std::string &text);

struct LedgerSummary {
    std::size_t sent = 0;         ///< distinct sequence numbers sent
    std::size_t acknowledged = 0; ///< of those, acknowledged
    std::size_t received = 0;     ///< receipts, duplicates included
    std::size_t unique_received = 0;
    std::size_t lost = 0;                 ///< acknowledged, never received
    std::size_t unconfirmed = 0;          ///< not acknowledged, never received
    std::size_t duplicates = 0;           ///< receipts beyond the first of a sequence number
    std::size_t reordered = 0;            ///< first receipts that came after a higher sequence number
    std::size_t unexpected = 0;           ///< received but never sent (another run's traffic, corruption)
    std::vector<std::uint64_t> lost_seqs; ///< first few, for messages
    std::vector<std::uint64_t> duplicate_seqs;   ///< first few
    std::vector<std::uint64_t> unconfirmed_seqs; ///< first few
    double latency_p50_ms = 0, latency_p95_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;

    [[nodiscard]] nlohmann::json to_json() const;
};

struct LedgerVerdict {
    bool holds = true;
    std::string explanation; ///< with the counts: "at-least-once broken: 1 of 100 acknowledged lost (seq 17)"
};

class DeliveryLedger {
  public:
    void sent(std::uint64_t seq, Clock::time_point at);
    void acknowledged(std::uint64_t seq, Clock::time_point at);
    void received(std::uint64_t seq, Clock::time_point at, bool dup_flag = false);

    [[nodiscard]] LedgerSummary summary() const;
    [[nodiscard]] LedgerVerdict check(Guarantee guarantee) const;

  private:
    struct Entry {
        std::optional<Clock::time_point> sent_at;
        std::optional<Clock::time_point> acked_at;
        std::vector<Clock::time_point> receipts;
    };
    std::map<std::uint64_t, Entry> entries_;
    std::vector<std::uint64_t> arrival_order_; // first receipts, in order
};

/// The sequence payload format the firmware's bursts use: a JSON object with "run" and "seq"
/// (other fields, e.g. padding, are ignored). Returns nullopt for anything else.
struct SequenceTag {
    std::string run;
    std::uint64_t seq = 0;
};
[[nodiscard]] std::optional<SequenceTag> parse_sequence_payload(const std::string &payload);

} // namespace hil

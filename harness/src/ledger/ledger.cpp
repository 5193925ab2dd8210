#include "hil/ledger/ledger.hpp"

#include <algorithm>

namespace hil {

namespace {
constexpr std::size_t kListedSeqs = 10;

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string seq_list(const std::vector<std::uint64_t> &seqs, std::size_t total) {
    std::string out;
    for (const auto s : seqs) out += (out.empty() ? "" : ", ") + std::to_string(s);
    if (total > seqs.size()) out += ", ...";
    return out;
}
} // namespace

const char *to_string(Guarantee g) {
    switch (g) {
    case Guarantee::at_most_once: return "at-most-once";
    case Guarantee::at_least_once: return "at-least-once";
    case Guarantee::exactly_once: return "exactly-once";
    case Guarantee::ordered: return "ordered";
    }
    return "?";
}

std::optional<Guarantee> parse_guarantee(const std::string &text) {
    for (const auto g :
         {Guarantee::at_most_once, Guarantee::at_least_once, Guarantee::exactly_once, Guarantee::ordered}) {
        if (text == to_string(g)) return g;
    }
    return std::nullopt;
}

void DeliveryLedger::sent(std::uint64_t seq, Clock::time_point at) {
    auto &e = entries_[seq];
    if (!e.sent_at) e.sent_at = at;
}

void DeliveryLedger::acknowledged(std::uint64_t seq, Clock::time_point at) {
    auto &e = entries_[seq];
    if (!e.acked_at) e.acked_at = at;
}

void DeliveryLedger::received(std::uint64_t seq, Clock::time_point at, bool /*dup_flag*/) {
    // The DUP flag says the sender retried; whether the receiver got it twice is decided by the
    // sequence number alone (libmosquitto does not even expose DUP on receipt).
    auto &e = entries_[seq];
    if (e.receipts.empty()) arrival_order_.push_back(seq);
    e.receipts.push_back(at);
}

LedgerSummary DeliveryLedger::summary() const {
    LedgerSummary s;
    std::vector<double> latencies;
    for (const auto &[seq, e] : entries_) {
        if (e.sent_at) ++s.sent;
        if (e.sent_at && e.acked_at) ++s.acknowledged;
        s.received += e.receipts.size();
        if (!e.receipts.empty()) ++s.unique_received;
        if (!e.sent_at && !e.receipts.empty()) ++s.unexpected;
        if (e.sent_at && e.receipts.empty()) {
            if (e.acked_at) {
                ++s.lost;
                if (s.lost_seqs.size() < kListedSeqs) s.lost_seqs.push_back(seq);
            } else {
                ++s.unconfirmed;
                if (s.unconfirmed_seqs.size() < kListedSeqs) s.unconfirmed_seqs.push_back(seq);
            }
        }
        if (e.receipts.size() > 1) {
            s.duplicates += e.receipts.size() - 1;
            if (s.duplicate_seqs.size() < kListedSeqs) s.duplicate_seqs.push_back(seq);
        }
        if (e.sent_at && !e.receipts.empty()) {
            latencies.push_back(
                std::chrono::duration<double, std::milli>(e.receipts.front() - *e.sent_at).count());
        }
    }
    std::uint64_t highest = 0;
    bool any = false;
    for (const auto seq : arrival_order_) {
        if (any && seq < highest) ++s.reordered;
        if (!any || seq > highest) highest = seq;
        any = true;
    }
    s.latency_p50_ms = percentile(latencies, 0.50);
    s.latency_p95_ms = percentile(latencies, 0.95);
    s.latency_p99_ms = percentile(latencies, 0.99);
    s.latency_max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
    return s;
}

LedgerVerdict DeliveryLedger::check(Guarantee guarantee) const {
    const LedgerSummary s = summary();
    const std::string counts = " (sent " + std::to_string(s.sent) + ", acknowledged " +
                               std::to_string(s.acknowledged) + ", received " + std::to_string(s.received) +
                               ", unique " + std::to_string(s.unique_received) + ")";
    LedgerVerdict v;
    const bool duplicated = s.duplicates > 0;
    const bool lost = s.lost > 0;
    std::string problems;
    if ((guarantee == Guarantee::at_least_once || guarantee == Guarantee::exactly_once) && lost) {
        problems += std::to_string(s.lost) + " acknowledged message(s) lost (seq " +
                    seq_list(s.lost_seqs, s.lost) + ")";
    }
    if ((guarantee == Guarantee::at_least_once || guarantee == Guarantee::exactly_once) &&
        s.unconfirmed > 0) {
        // Never acknowledged and never received: the sender gave up on them (a stack that
        // forgets its in-flight messages on reconnect).
        problems += std::string(problems.empty() ? "" : "; ") + std::to_string(s.unconfirmed) +
                    " message(s) never acknowledged nor received (seq " +
                    seq_list(s.unconfirmed_seqs, s.unconfirmed) + ")";
    }
    if ((guarantee == Guarantee::at_most_once || guarantee == Guarantee::exactly_once) && duplicated) {
        problems += std::string(problems.empty() ? "" : "; ") + std::to_string(s.duplicates) +
                    " duplicate(s) (seq " + seq_list(s.duplicate_seqs, s.duplicates) + ")";
    }
    if (guarantee == Guarantee::ordered && s.reordered > 0) {
        problems += std::to_string(s.reordered) + " message(s) arrived after a later one";
    }
    if (s.unexpected > 0) {
        problems += std::string(problems.empty() ? "" : "; ") + std::to_string(s.unexpected) +
                    " message(s) received that were never sent";
    }
    v.holds = problems.empty();
    v.explanation =
        std::string(to_string(guarantee)) + (v.holds ? " holds" : " broken: " + problems) + counts;
    return v;
}

nlohmann::json LedgerSummary::to_json() const {
    return {{"sent", sent},
            {"acknowledged", acknowledged},
            {"received", received},
            {"unique_received", unique_received},
            {"lost", lost},
            {"unconfirmed", unconfirmed},
            {"duplicates", duplicates},
            {"reordered", reordered},
            {"unexpected", unexpected},
            {"lost_seqs", lost_seqs},
            {"duplicate_seqs", duplicate_seqs},
            {"unconfirmed_seqs", unconfirmed_seqs},
            {"latency_ms",
             {{"p50", latency_p50_ms},
              {"p95", latency_p95_ms},
              {"p99", latency_p99_ms},
              {"max", latency_max_ms}}}};
}

std::optional<SequenceTag> parse_sequence_payload(const std::string &payload) {
    const auto doc = nlohmann::json::parse(payload, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    const auto run = doc.find("run");
    const auto seq = doc.find("seq");
    if (run == doc.end() || seq == doc.end() || !run->is_string() || !seq->is_number_unsigned())
        return std::nullopt;
    return SequenceTag{run->get<std::string>(), seq->get<std::uint64_t>()};
}

} // namespace hil

// console.framing: LineFramer throughput on a realistic console transcript, against a bare
// memchr line split of the same bytes (the least any framer must do).
#include "benchmark.hpp"

#include "hil/console/line_framer.hpp"
#include "hil/core/clock.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace hil::bench {

namespace {
std::string transcript(std::size_t bytes) {
    const std::string message = R"(!mqtt.message {"topic":"hil/k3f9q2-1/down","qos":1,"retain":false,)"
                                R"("payload":"seq=000123 run=k3f9q2","seq":123})"
                                "\r\n";
    const std::string lines[] = {message, "@17 ok {\"mid\":42}\r\n", "[wifi] RSSI -48 dBm, channel 6\r\n",
                                 "!mqtt.published {\"mid\":42,\"seq\":123}\r\n"};
    std::string out;
    for (std::size_t i = 0; out.size() < bytes; ++i) out += lines[i % 4];
    return out;
}

template <class F> double best_mb_per_s(const std::string &input, int rounds, F &&pass) {
    double best = 0;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = Clock::now();
        pass();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, static_cast<double>(input.size()) / 1e6 / s);
    }
    return best;
}
} // namespace

Benchmark framing_benchmark() {
    return {"console.framing", "LineFramer throughput vs a bare memchr line split (MB/s)", [](bool quick) {
                const std::string input = transcript(quick ? (1u << 20) : (16u << 20));
                const int rounds = quick ? 2 : 7;
                std::size_t framed = 0;
                std::size_t split = 0;
                LineFramer framer([&](const FramedLine &l) { framed += l.text.size(); });
                Measurement m;
                m.unit = "MB/s";
                m.reference_name = "memchr line split";
                // Interleave the two so both see the same machine conditions.
                for (int r = 0; r < rounds; ++r) {
                    m.value = std::max(m.value, best_mb_per_s(input, 1, [&] {
                                           for (std::size_t off = 0; off < input.size(); off += 4096) {
                                               framer.feed(std::string_view(input).substr(off, 4096));
                                           }
                                       }));
                    m.reference = std::max(m.reference, best_mb_per_s(input, 1, [&] {
                                               const char *p = input.data();
                                               const char *end = p + input.size();
                                               while (p < end) {
                                                   const auto *nl = static_cast<const char *>(std::memchr(
                                                       p, '\n', static_cast<std::size_t>(end - p)));
                                                   if (nl == nullptr) break;
                                                   split += static_cast<std::size_t>(nl - p);
                                                   p = nl + 1;
                                               }
                                           }));
                }
                if (framed == 0 || split == 0) m.value = 0; // keep the work observable
                return m;
            }};
}

} // namespace hil::bench

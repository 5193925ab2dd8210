// engine.match_latency: from a device line written on the pty to the expectation that waits for
// it returning (the engine's reaction time: framing, parsing, bus, wake-up), p50/p99 in µs.
// Reference, same run, same pty: the raw round trip of a line through the pty (write, poll, read).
#include "benchmark.hpp"

#include "hil/console/pty_console.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/device/device_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace hil::bench {

Benchmark match_latency_benchmark() {
    return {"engine.match_latency",
            "device line on the pty -> expectation met, p99 in us (p50 in the JSON extras)", [](bool quick) {
                const int samples = quick ? 200 : 5000;
                Measurement m;
                m.unit = "us";
                m.reference_name = "raw pty line round trip p99";
                m.higher_is_better = false;

                // Reference: the same kind of pty, no engine.
                {
                    PtyConsole raw;
                    const int device = ::open(raw.slave_path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
                    std::vector<double> lat;
                    char buf[256];
                    for (int i = 0; i < samples; ++i) {
                        const std::string line = "!bench.ping {\"i\":" + std::to_string(i) + "}\n";
                        const auto t0 = Clock::now();
                        (void)!::write(device, line.data(), line.size());
                        std::size_t got = 0;
                        while (got < line.size()) {
                            const long n = raw.read_some(buf, Deadline::after(std::chrono::seconds(1)));
                            if (n <= 0) break;
                            got += static_cast<std::size_t>(n);
                        }
                        lat.push_back(us_since(t0));
                    }
                    ::close(device);
                    m.reference = percentile(lat, 0.99);
                }

                // The engine: DeviceSession reading the pty, an expectation waiting on the bus.
                EventBus bus;
                auto console = std::make_unique<PtyConsole>();
                const int device = ::open(console->slave_path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
                const auto log = std::filesystem::temp_directory_path() /
                                 ("hil-bench-" + std::to_string(getpid()) + ".log");
                std::vector<double> lat;
                {
                    DeviceSession session("dut", std::move(console), bus, log, "bench");
                    for (int i = 0; i < samples; ++i) {
                        const std::string line = "!bench.ping {\"i\":" + std::to_string(i) + "}\n";
                        const auto from = bus.next_seq();
                        const auto t0 = Clock::now();
                        (void)!::write(device, line.data(), line.size());
                        const auto seen = bus.wait_for(
                            from,
                            [i](const Event &e) {
                                return e.kind == "bench.ping" && e.payload.value("i", -1) == i;
                            },
                            Deadline::after(std::chrono::seconds(1)));
                        if (seen) lat.push_back(us_since(t0));
                    }
                }
                ::close(device);
                std::filesystem::remove(log);
                m.value = percentile(lat, 0.99);
                m.extras = {{"p50_us", percentile(lat, 0.5)}, {"samples", lat.size()}, {"target_p99_us", 65}};
                return m;
            }};
}

} // namespace hil::bench

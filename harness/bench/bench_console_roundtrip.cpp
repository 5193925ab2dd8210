// device.console_roundtrip: a console command to the virtual device and its answer back, through
// the DeviceSession the engine uses (request line, framing, parsing, answer matching), p50/p99 in µs.
// Reference, same run: a raw pty echo — a thread on the device side answers each line at once —
// so the ratio shows what the firmware core and the session add to the bare pty.
#include "benchmark.hpp"

#include "hil/console/pty_console.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/device/virtual_device.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace hil::bench {

namespace {
/// Round trips of one line through a pty whose far end echoes every line it reads.
std::vector<double> raw_pty_echo(int samples) {
    PtyConsole host;
    const int device = ::open(host.slave_path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    std::thread echo([device] {
        char buf[512];
        for (;;) {
            const ssize_t n = ::read(device, buf, sizeof buf);
            if (n <= 0) return; // the host side closed: done
            if (std::string_view(buf, static_cast<std::size_t>(n)).find("@quit") != std::string_view::npos)
                return;
            (void)!::write(device, buf, static_cast<std::size_t>(n));
        }
    });
    std::vector<double> lat;
    char buf[512];
    for (int i = 0; i < samples; ++i) {
        const std::string line = "@" + std::to_string(i + 1) + " wifi.status\n";
        const auto t0 = Clock::now();
        host.write(line, Deadline::after(std::chrono::seconds(1)));
        std::size_t got = 0;
        while (got < line.size()) {
            const long n = host.read_some(buf, Deadline::after(std::chrono::seconds(1)));
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        if (got >= line.size()) lat.push_back(us_since(t0));
    }
    host.write("@quit\n", Deadline::after(std::chrono::seconds(1)));
    echo.join();
    ::close(device);
    return lat;
}
} // namespace

Benchmark console_roundtrip_benchmark() {
    return {"device.console_roundtrip",
            "virtual device command -> answer through the DeviceSession, p99 in us (p50 in the extras)",
            [](bool quick) {
                const int samples = quick ? 200 : 5000;
                Measurement m;
                m.unit = "us";
                m.reference_name = "raw pty echo round trip p99";
                m.higher_is_better = false;
                const auto ref = raw_pty_echo(samples);

                EventBus bus;
                const auto dir = std::filesystem::temp_directory_path() /
                                 ("hil-bench-" + std::to_string(getpid())) / "roundtrip";
                std::filesystem::create_directories(dir);
                std::vector<double> lat;
                {
                    VirtualDeviceOptions opts;
                    opts.log_dir = dir;
                    opts.context = "bench";
                    VirtualDevice device(opts, bus);
                    for (int i = 0; i < samples; ++i) {
                        const auto t0 = Clock::now();
                        const auto answer =
                            device.session().request("wifi.status", nlohmann::json::object(),
                                                     Deadline::after(std::chrono::seconds(1)));
                        if (answer && answer->ok) lat.push_back(us_since(t0));
                    }
                }
                std::filesystem::remove_all(dir);
                if (ref.empty() || lat.empty()) return m;
                m.reference = percentile(ref, 0.99);
                m.value = percentile(lat, 0.99);
                m.extras = {{"p50_us", percentile(lat, 0.5)},
                            {"reference_p50_us", percentile(ref, 0.5)},
                            {"samples", lat.size()},
                            {"answered", lat.size() == static_cast<std::size_t>(samples)}};
                return m;
            }};
}

} // namespace hil::bench

#pragma once
// Helpers several benchmarks share: a scratch directory per benchmark and the lines of a
// reference subscriber (mosquitto_sub) as they arrive.

#include "hil/broker/embedded_broker.hpp"
#include "hil/core/clock.hpp"
#include "hil/core/process.hpp"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace hil::bench {

/// An empty directory for one benchmark: <tmp>/hil-bench-<pid>/<name>.
inline std::filesystem::path scratch_dir(const std::string &name) {
    auto dir = std::filesystem::temp_directory_path() / ("hil-bench-" + std::to_string(getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

/// Output lines of a reference subscriber (e.g. `mosquitto_sub -F %U`, one timestamp per message),
/// counted as they come; fed from ProcessSpec::on_line.
class SubscriberLines {
  public:
    void add(std::string_view line) {
        std::lock_guard lock(mutex_);
        ++count_;
        last_ = std::string(line);
        changed_.notify_all();
    }
    /// Waits until at least `n` lines arrived or the deadline passes.
    bool wait_count(std::size_t n, Deadline deadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline.when(), [&] { return count_ >= n; });
    }
    std::size_t count() {
        std::lock_guard lock(mutex_);
        return count_;
    }
    /// The last line read as a number (a `%U` timestamp: seconds since the epoch); 0 if none.
    double last_number() {
        std::lock_guard lock(mutex_);
        return last_.empty() ? 0 : std::stod(last_);
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t count_ = 0;
    std::string last_;
};

/// `mosquitto_sub` on `topic` at QoS 1 until it has `count` messages plus the retained marker
/// (one `%U` timestamp line each, into `lines`). Returns once it has subscribed — when the
/// marker, which the caller published retained on `topic` before, arrived — or nullptr.
inline std::unique_ptr<ManagedProcess> start_reference_subscriber(const BrokerEndpoint &broker,
                                                                  const std::string &topic, std::size_t count,
                                                                  const std::filesystem::path &log,
                                                                  SubscriberLines &lines) {
    ProcessSpec sub;
    sub.name = "mosquitto_sub";
    sub.argv = {"mosquitto_sub",
                "-h",
                broker.host,
                "-p",
                std::to_string(broker.port),
                "-q",
                "1",
                "-t",
                topic,
                "-C",
                std::to_string(count + 1),
                "-F",
                "%U"};
    sub.log_path = log;
    sub.on_line = [&lines](std::string_view line) { lines.add(line); };
    auto process = ManagedProcess::start(sub, nullptr);
    if (!lines.wait_count(1, Deadline::after(std::chrono::seconds(10)))) return nullptr;
    return process;
}

} // namespace hil::bench

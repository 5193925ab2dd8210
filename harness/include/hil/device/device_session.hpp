#pragma once
// A device as the engine sees it: requests with ids and exactly one answer, events and log lines
// on the EventBus. Works over any Console (pty, UART, TCP); knows nothing of the driver.

#include "hil/console/console.hpp"
#include "hil/console/protocol.hpp"
#include "hil/core/event_bus.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace hil {

/// What the boot banner said (`!sys.boot`).
struct DeviceIdentity {
    std::string fw;
    std::string version;
    std::string build_id;
    std::string board;
    int protocol = -1;
};

/// Bus kinds the session publishes besides the device's own events.
namespace console_kind {
inline constexpr const char *line = "console.line";           ///< log text {text}
inline constexpr const char *answer = "console.answer";       ///< {id, ok, body}
inline constexpr const char *request = "console.request";     ///< harness sent {id, command, args}
inline constexpr const char *malformed = "console.malformed"; ///< {text, why}
inline constexpr const char *garbage = "console.garbage";     ///< {text, bytes}
inline constexpr const char *overlong = "console.overlong";   ///< {text, bytes}
inline constexpr const char *closed = "console.closed";       ///< the console hung up
} // namespace console_kind

/// Whether a request's arguments may be recorded (events.jsonl, console transcript).
enum class Secrecy {
    none,   ///< recorded as sent
    secret, ///< every string argument is recorded as "<redacted N bytes>" (credential uploads)
};

class DeviceSession {
  public:
    /// Starts reading `console` at once. Every line also goes to `console_log` (raw transcript).
    DeviceSession(std::string name, std::unique_ptr<Console> console, EventBus &bus,
                  const std::filesystem::path &console_log, std::string context = {});
    ~DeviceSession();
    DeviceSession(const DeviceSession &) = delete;
    DeviceSession &operator=(const DeviceSession &) = delete;

    [[nodiscard]] const std::string &name() const { return name_; }
    /// The scenario execution this device belongs to: stamped on all its events.
    [[nodiscard]] const std::string &context() const { return context_; }
    [[nodiscard]] std::string describe() const { return console_->describe(); }
    [[nodiscard]] const std::filesystem::path &console_log() const { return log_path_; }

    /// Sends `command` with `args`; returns its answer, or nullopt if none arrived by the deadline.
    /// Throws InfraError if the console cannot be written, Cancelled if the run is cancelled.
    std::optional<protocol::Answer> request(std::string_view command, const nlohmann::json &args,
                                            Deadline deadline, Secrecy secrecy = Secrecy::none);

    /// Waits for a `sys.boot` banner published at or after `from` and checks its protocol
    /// version. Throws InfraError (no banner by the deadline, or an incompatible protocol).
    DeviceIdentity await_boot(std::uint64_t from, Deadline deadline);

  private:
    void read_loop();
    void handle_line(const std::string &text);
    void transcript(char direction, std::string_view text);

    /// Publishes one of this device's observations (source device unless said otherwise).
    void publish(std::string kind, nlohmann::json payload, Source source = Source::device);

    std::string name_;
    std::string context_;
    std::unique_ptr<Console> console_;
    EventBus &bus_;
    std::filesystem::path log_path_;
    std::mutex log_mutex_;
    std::ofstream log_;
    std::mutex write_mutex_;
    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<bool> stopping_{false};
    std::thread reader_;
};

} // namespace hil

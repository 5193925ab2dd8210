#pragma once
// The one event stream of a run. Every part publishes what it observes (device lines and events,
// cloud messages, broker and process life); expectations wait on it, reporters consume it.
// Waits are event-driven: a publish wakes waiters at once, a deadline bounds every wait.

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hil {

/// Who observed an event (the `source` field of events.jsonl).
enum class Source { device, cloud, broker, harness };
[[nodiscard]] const char *to_string(Source source);

/// One observation. `kind` is a registry event name for device events (`mqtt.connected`) or a
/// harness-defined name (`console.line`, `cloud.message`, `process.started`, ...).
struct Event {
    std::uint64_t seq = 0; ///< position in the run's stream, from 1
    Clock::time_point at;  ///< monotonic arrival time
    std::string wall;      ///< RFC 3339 UTC arrival time
    Source source = Source::harness;
    std::string origin; ///< which device / client / process ("dut", "cloud", "mosquitto")
    std::string kind;
    nlohmann::json payload = nlohmann::json::object();
    std::string context; ///< the scenario execution (its run name) it belongs to; "" = the whole run
};

/// Serialises an event as one events.jsonl line (without the newline).
[[nodiscard]] std::string to_jsonl(const Event &event, Clock::time_point run_start);

class EventBus;
/// Appends every event `bus` publishes from now on to `file` (created or truncated) as one
/// events.jsonl line, flushed at once so a killed process still leaves every event it saw.
void record_events(EventBus &bus, const std::filesystem::path &file);

class EventBus {
  public:
    using Sink = std::function<void(const Event &)>;
    using Predicate = std::function<bool(const Event &)>;

    EventBus();

    /// Adds a consumer called for every event, in order, on the publishing thread. Sinks must
    /// not publish. Add sinks before the first publish.
    void add_sink(Sink sink);

    /// Records an event and wakes every waiter. Returns its sequence number.
    /// `context` names the scenario execution the publisher belongs to (several run at once with -j).
    std::uint64_t publish(Source source, std::string origin, std::string kind,
                          nlohmann::json payload = nlohmann::json::object(), std::string context = {});

    /// The sequence number the next event will get: a cursor for "from now on" waits.
    [[nodiscard]] std::uint64_t next_seq() const;

    /// First event with seq >= from that satisfies `match`, or nullopt when the deadline passes.
    /// Throws Cancelled if the run is cancelled while waiting.
    std::optional<Event> wait_for(std::uint64_t from, const Predicate &match, Deadline deadline);

    /// Events with seq in [from, to) (to = 0: up to now) that satisfy `filter` (all if empty).
    [[nodiscard]] std::vector<Event> snapshot(std::uint64_t from, std::uint64_t to = 0,
                                              const Predicate &filter = {}) const;

    /// Ends every current and future wait with Cancelled (SIGINT/SIGTERM).
    void cancel();
    [[nodiscard]] bool cancelled() const;

    [[nodiscard]] Clock::time_point started() const { return started_; }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Event> history_; // seq n is history_[n - 1]
    std::vector<Sink> sinks_;

    bool cancelled_ = false;
    Clock::time_point started_;
};

} // namespace hil

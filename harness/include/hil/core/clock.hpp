#pragma once
// Time: every wait in the harness has a Deadline, and every configured duration passes through
// the one global timeout scale (slow benches, sanitizer builds) on its way to becoming one.

#include <chrono>
#include <string>
#include <string_view>

namespace hil {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

/// Multiplier applied to every configured timeout (`hil run --timeout-scale`). Default 1.0.
void set_timeout_scale(double scale);
[[nodiscard]] double timeout_scale();

/// A point in time after which a wait gives up.
class Deadline {
  public:
    /// Deadline `timeout` (scaled by the global timeout scale) from now.
    static Deadline after(Clock::duration timeout);
    /// Deadline exactly at `when` (no scaling).
    static Deadline at(Clock::time_point when) { return Deadline(when); }

    [[nodiscard]] Clock::time_point when() const { return when_; }
    [[nodiscard]] bool expired() const { return Clock::now() >= when_; }
    /// Time left, never negative.
    [[nodiscard]] Clock::duration remaining() const;
    /// Time left in whole milliseconds for poll(2), clamped to [0, INT_MAX].
    [[nodiscard]] int poll_timeout_ms() const;

  private:
    explicit Deadline(Clock::time_point when) : when_(when) {}
    Clock::time_point when_;
};

/// Parses "250ms", "5s", "1.5s", "2m" (a bare number means seconds). Throws std::invalid_argument.
[[nodiscard]] Millis parse_duration(std::string_view text);

/// Wall-clock time as RFC 3339 UTC with milliseconds, e.g. "2026-11-27T10:00:00.123Z".
[[nodiscard]] std::string utc_timestamp();

} // namespace hil

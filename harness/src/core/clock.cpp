#include "hil/core/clock.hpp"

#include <atomic>
#include <climits>
#include <cmath>
#include <ctime>
#include <stdexcept>
#include <string>

namespace hil {

namespace {
std::atomic<double> g_timeout_scale{1.0};
}

void set_timeout_scale(double scale) {
    if (!(scale > 0.0) || !std::isfinite(scale)) {
        throw std::invalid_argument("timeout scale must be a positive number");
    }
    g_timeout_scale.store(scale);
}

double timeout_scale() {
    return g_timeout_scale.load();
}

Deadline Deadline::after(Clock::duration timeout) {
    const auto scaled = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double, Clock::period>(static_cast<double>(timeout.count()) * timeout_scale()));
    return Deadline(Clock::now() + scaled);
}

Clock::duration Deadline::remaining() const {
    const auto left = when_ - Clock::now();
    return left.count() > 0 ? left : Clock::duration::zero();
}

int Deadline::poll_timeout_ms() const {
    // Round up, so a wait never returns "expired" a fraction of a millisecond early.
    const auto left = std::chrono::ceil<Millis>(remaining()).count();
    return left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

Millis parse_duration(std::string_view text) {
    const std::string s(text);
    if (s.empty()) throw std::invalid_argument("empty duration");
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(s, &used);
    } catch (const std::exception &) {
        throw std::invalid_argument("not a duration: '" + s + "' (expected e.g. 500ms, 5s, 2m)");
    }
    const std::string unit = s.substr(used);
    double factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m" || unit == "min")
        factor = 60000;
    else
        throw std::invalid_argument("unknown duration unit '" + unit + "' in '" + s + "' (use ms, s or m)");
    if (value < 0 || !std::isfinite(value)) throw std::invalid_argument("negative duration: '" + s + "'");
    return Millis(static_cast<Millis::rep>(std::llround(value * factor)));
}

std::string utc_timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<Millis>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

} // namespace hil

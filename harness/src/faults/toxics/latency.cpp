#include "toxics.hpp"

#include <algorithm>
#include <random>

namespace hil::faults {

namespace {

/// Delays every segment by `latency` (plus or minus up to `jitter`); segments never overtake
/// each other, as on a TCP path.
class Latency final : public Toxic {
  public:
    Latency(Millis latency, Millis jitter)
        : latency_(latency), jitter_(jitter), rng_(std::random_device{}()) {}
    std::string type() const override { return "latency"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point now) override {
        for (auto &s : segments) {
            auto delay = latency_;
            if (jitter_.count() > 0) {
                std::uniform_int_distribution<long long> d(-jitter_.count(), jitter_.count());
                delay += Millis(d(rng_));
            }
            s.not_before = std::max({s.not_before, now + std::max(delay, Millis(0)), last_});
            last_ = s.not_before;
        }
        return {std::move(segments)};
    }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<Latency>(latency_, jitter_); }

  private:
    Millis latency_;
    Millis jitter_;
    std::mt19937 rng_;
    Clock::time_point last_{};
};

} // namespace

std::unique_ptr<Toxic> make_latency(const nlohmann::json &a) {
    return std::make_unique<Latency>(millis_attr(a, "latency", Millis(100)),
                                     millis_attr(a, "jitter", Millis(0)));
}

} // namespace hil::faults

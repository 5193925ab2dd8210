#include "toxics.hpp"

namespace hil::faults {

namespace {

/// Holds the path like a blackhole, then closes the connection `timeout` after it was added
/// (0: never closes).
class Timeout final : public Toxic {
  public:
    explicit Timeout(Millis timeout) : timeout_(timeout), created_(Clock::now()) {}
    std::string type() const override { return "timeout"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point) override { return {std::move(segments)}; }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<Timeout>(timeout_); }
    bool holds() const override { return true; }
    std::optional<Clock::time_point> closes_at() const override {
        if (timeout_.count() == 0) return std::nullopt;
        return created_ + timeout_;
    }

  private:
    Millis timeout_;
    Clock::time_point created_;
};

} // namespace

std::unique_ptr<Toxic> make_timeout(const nlohmann::json &a) {
    return std::make_unique<Timeout>(millis_attr(a, "timeout", Millis(0)));
}

} // namespace hil::faults

#include "toxics.hpp"

namespace hil::faults {

namespace {

/// A dead path that keeps the connection: nothing is read from the source while it is there (the
/// bytes wait in TCP buffers, as during a Wi-Fi drop), so keepalives go unanswered; removing it
/// lets the held bytes through, in order.
class Blackhole final : public Toxic {
  public:
    std::string type() const override { return "blackhole"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point) override { return {std::move(segments)}; }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<Blackhole>(); }
    bool holds() const override { return true; }
};

} // namespace

std::unique_ptr<Toxic> make_blackhole(const nlohmann::json &) {
    return std::make_unique<Blackhole>();
}

} // namespace hil::faults

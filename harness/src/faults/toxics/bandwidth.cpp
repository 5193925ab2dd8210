#include "toxics.hpp"

#include <algorithm>

namespace hil::faults {

namespace {

/// Paces the stream to `rate` bytes per second.
class Bandwidth final : public Toxic {
  public:
    explicit Bandwidth(std::size_t rate) : rate_(rate) {}
    std::string type() const override { return "bandwidth"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point now) override {
        // Pieces of 1/20 s worth of data, each released when it would have finished crossing a
        // link of `rate` bytes per second.
        const std::size_t piece = std::max<std::size_t>(1, rate_ / 20);
        Verdict v;
        for (auto &s : segments) {
            for (std::size_t off = 0; off < s.data.size(); off += piece) {
                const std::string part = s.data.substr(off, piece);
                next_free_ = std::max({next_free_, now, s.not_before}) +
                             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                 static_cast<double>(part.size()) / static_cast<double>(rate_)));
                v.forward.push_back({part, next_free_});
            }
        }
        return v;
    }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<Bandwidth>(rate_); }

  private:
    std::size_t rate_;
    Clock::time_point next_free_{};
};

} // namespace

std::unique_ptr<Toxic> make_bandwidth(const nlohmann::json &a) {
    return std::make_unique<Bandwidth>(size_attr(a, "rate", 1024));
}

} // namespace hil::faults

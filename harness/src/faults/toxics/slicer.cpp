#include "toxics.hpp"

namespace hil::faults {

namespace {

/// Cuts data into small segments, optionally spaced out (exercises partial reads).
class Slicer final : public Toxic {
  public:
    Slicer(std::size_t size, Millis delay) : size_(size), delay_(delay) {}
    std::string type() const override { return "slicer"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point) override {
        Verdict v;
        for (auto &s : segments) {
            auto when = s.not_before;
            for (std::size_t off = 0; off < s.data.size(); off += size_) {
                v.forward.push_back({s.data.substr(off, size_), when});
                when += delay_;
            }
        }
        return v;
    }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<Slicer>(size_, delay_); }

  private:
    std::size_t size_;
    Millis delay_;
};

} // namespace

std::unique_ptr<Toxic> make_slicer(const nlohmann::json &a) {
    return std::make_unique<Slicer>(size_attr(a, "size", 1), millis_attr(a, "delay", Millis(0)));
}

} // namespace hil::faults

#include "toxics.hpp"

#include <algorithm>

namespace hil::faults {

namespace {

/// Forwards the first `limit` bytes, then closes the connection.
class LimitData final : public Toxic {
  public:
    explicit LimitData(std::size_t limit) : limit_(limit) {}
    std::string type() const override { return "limit_data"; }
    Verdict apply(std::vector<Segment> segments, Clock::time_point) override {
        Verdict v;
        for (auto &s : segments) {
            const std::size_t room = limit_ - std::min(limit_, passed_);
            if (s.data.size() > room) s.data.resize(room);
            passed_ += s.data.size();
            if (!s.data.empty()) v.forward.push_back(std::move(s));
            if (passed_ >= limit_) {
                v.close = true;
                break;
            }
        }
        return v;
    }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<LimitData>(limit_); }

  private:
    std::size_t limit_;
    std::size_t passed_ = 0;
};

} // namespace

std::unique_ptr<Toxic> make_limit_data(const nlohmann::json &a) {
    return std::make_unique<LimitData>(size_attr(a, "bytes", 1));
}

} // namespace hil::faults

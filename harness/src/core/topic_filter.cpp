#include "hil/core/topic_filter.hpp"

#include <algorithm>

namespace hil {

bool topic_matches(std::string_view filter, std::string_view topic) {
    std::size_t f = 0;
    std::size_t t = 0;
    while (f <= filter.size()) {
        const std::size_t f_end = std::min(filter.find('/', f), filter.size());
        const auto level = filter.substr(f, f_end - f);
        if (level == "#") return true; // matches the parent level and everything below
        if (t > topic.size()) return false;
        const std::size_t t_end = std::min(topic.find('/', t), topic.size());
        if (level != "+" && level != topic.substr(t, t_end - t)) return false;
        f = f_end + 1;
        t = t_end + 1;
        if (f > filter.size()) return t > topic.size();
    }
    return false;
}

} // namespace hil

#include "hil/scenario/names.hpp"

#include <algorithm>
#include <numeric>

namespace hil::names {

const std::vector<std::string_view> &events() {
    static const std::vector<std::string_view> list = {
#define HIL_EVENT(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_EVENT
    };
    return list;
}

const std::vector<std::string_view> &error_classes() {
    static const std::vector<std::string_view> list = {
#define HIL_ERROR(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_ERROR
    };
    return list;
}

const std::vector<std::string_view> &misbehaviours() {
    static const std::vector<std::string_view> list = {
#define HIL_MISBEHAVIOUR(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_MISBEHAVIOUR
    };
    return list;
}

const std::vector<std::string_view> &capabilities() {
    static const std::vector<std::string_view> list = {
#define HIL_CAPABILITY(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_CAPABILITY
    };
    return list;
}

bool contains(const std::vector<std::string_view> &list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}
} // namespace

std::string_view nearest(const std::vector<std::string_view> &list, std::string_view name) {
    std::string_view best;
    std::size_t best_distance = name.size() / 2 + 2; // beyond this a suggestion confuses more than it helps
    for (const auto candidate : list) {
        const auto d = edit_distance(name, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

} // namespace hil::names

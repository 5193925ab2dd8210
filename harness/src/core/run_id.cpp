#include "hil/core/run_id.hpp"

#include <random>

namespace hil {

std::string make_run_id() {
    static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    std::random_device rd;
    std::string id;
    for (int i = 0; i < 6; ++i) id += kAlphabet[rd() % (sizeof kAlphabet - 1)];
    return id;
}

} // namespace hil

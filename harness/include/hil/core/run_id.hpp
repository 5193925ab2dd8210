#pragma once
// Run ids: short, random, readable names from which a run derives its topics, client ids and
// thing names, so parallel runs on one broker never see each other's traffic.

#include <string>

namespace hil {

/// Six characters from an alphabet without look-alikes (no l/1/o/0), e.g. "k3f9q2".
[[nodiscard]] std::string make_run_id();

} // namespace hil

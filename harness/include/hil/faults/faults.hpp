#pragma once
// The Faults capability: what a scenario's `fault.*` steps can do to one execution. The virtual
// bench implements all of it; a bench without a fault proxy or without control of its broker
// says so by throwing InfraError (the step is an ERROR, never a silent no-op).

#include "hil/faults/toxic.hpp"

#include <string>

namespace hil {

class Faults {
  public:
    virtual ~Faults() = default;
    /// Toxics on the device `handle`'s link to the broker.
    virtual void add_toxic(const std::string &handle, faults::ToxicSpec spec) = 0;
    virtual void remove_toxic(const std::string &handle, const std::string &name) = 0;
    /// RST to both ends of every connection of the device's link.
    virtual void reset_link(const std::string &handle) = 0;
    /// `kill -9` of the broker; `restart` brings it back on the same ports and persistence.
    virtual void broker_kill() = 0;
    virtual void broker_restart() = 0;
    /// SIGSTOP / SIGCONT of the broker.
    virtual void broker_pause() = 0;
    virtual void broker_resume() = 0;
    /// `kill -9` of a (virtual) device, and a fresh start of it (it boots and prints its banner).
    virtual void device_kill(const std::string &handle) = 0;
    virtual void device_restart(const std::string &handle) = 0;
};

} // namespace hil

#pragma once
// A TCP fault proxy on one device <-> broker link. It forwards bytes without terminating TLS, so
// the device's handshake and certificate checks are real; toxics act on each direction of every
// connection, added and removed live. It can also reset every connection (RST to both sides) —
// the "connection lost mid-burst" of a real network.

#include "hil/core/event_bus.hpp"
#include "hil/faults/toxic.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hil::faults {

struct ProxyOptions {
    std::string name = "link"; ///< for events and messages ("link-dut")
    std::string listen_address = "127.0.0.1";
    std::string upstream_host = "127.0.0.1"; ///< the broker
    std::uint16_t upstream_port = 0;
    std::string context; ///< the scenario execution it belongs to
};

class FaultProxy {
  public:
    /// Listens on an ephemeral port of `listen_address` at once. Throws InfraError.
    FaultProxy(ProxyOptions options, EventBus &bus);
    /// Stops accepting and closes every connection.
    ~FaultProxy();
    FaultProxy(const FaultProxy &) = delete;
    FaultProxy &operator=(const FaultProxy &) = delete;

    [[nodiscard]] std::uint16_t port() const;

    /// Adds a toxic to every live and future connection. Throws std::invalid_argument if the name
    /// is already used on this link.
    void add(ToxicSpec spec);
    /// Removes a toxic by name; returns false if there was none.
    bool remove(const std::string &name);
    /// Sends RST to both sides of every live connection.
    void reset_connections();
    /// Connections currently open.
    [[nodiscard]] std::size_t connections() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace hil::faults

#pragma once
// Ephemeral TCP ports for the parts the harness starts (never hard-coded ports).

#include <cstdint>
#include <string>

namespace hil {

/// Asks the kernel for a free TCP port on `bind_address` (bind to port 0, read it back, close).
/// Another process could take it before the caller binds it; owners therefore detect a busy port
/// at startup and retry with a new one. Throws InfraError if no port can be had.
[[nodiscard]] std::uint16_t allocate_tcp_port(const std::string &bind_address);

/// Opens a TCP connection to `address:port` and closes it at once, sending nothing: wakes a
/// server waiting in poll/epoll. Never blocks. Returns false if the connection was not made at
/// once (refused, or still in progress: then it is abandoned).
bool touch_tcp_port(const std::string &address, std::uint16_t port) noexcept;

/// A TCP connection to `address:port`, started without waiting (non-blocking connect) from a
/// local port known at once, and held open until destroyed: a probe for a server whose log
/// names its peers (`New connection from 127.0.0.1:<local_port()>`). Sends nothing. Throws
/// InfraError if no socket can be bound.
class TcpProbe {
  public:
    TcpProbe(const std::string &address, std::uint16_t port);
    ~TcpProbe();
    TcpProbe(const TcpProbe &) = delete;
    TcpProbe &operator=(const TcpProbe &) = delete;
    [[nodiscard]] std::uint16_t local_port() const { return local_port_; }

  private:
    int fd_ = -1;
    std::uint16_t local_port_ = 0;
};

} // namespace hil

#include "hil/core/ports.hpp"

#include "hil/core/error.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hil {

std::uint16_t allocate_tcp_port(const std::string &bind_address) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    if (inet_pton(AF_INET, bind_address.c_str(), &addr.sin_addr) != 1) {
        throw InfraError("bind address '" + bind_address + "' is not an IPv4 address");
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw InfraError(std::string("socket: ") + std::strerror(errno));
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        const int err = errno;
        close(fd);
        throw InfraError("cannot get a free port on " + bind_address + ": " + std::strerror(err));
    }
    close(fd);
    return ntohs(addr.sin_port);
}

bool touch_tcp_port(const std::string &address, std::uint16_t port) noexcept {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) return false;
    // Non-blocking, so it never waits (a stopped server with a full backlog would stall a
    // blocking connect for minutes); on loopback the kernel completes the handshake inside
    // connect() from the listen backlog, so it returns 0 when the server can be woken.
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    const bool connected = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    close(fd);
    return connected;
}

TcpProbe::TcpProbe(const std::string &address, std::uint16_t port) {
    sockaddr_in self{};
    self.sin_family = AF_INET;
    sockaddr_in peer = self;
    peer.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &peer.sin_addr) != 1) {
        throw InfraError("'" + address + "' is not an IPv4 address");
    }
    self.sin_addr = peer.sin_addr;
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    socklen_t length = sizeof self;
    // Bound first, so the local port is known whether or not the connect completes at once.
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr *>(&self), sizeof self) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr *>(&self), &length) != 0) {
        const int err = errno;
        if (fd_ >= 0) close(fd_);
        throw InfraError("cannot open a probe connection to " + address + ": " + std::strerror(err));
    }
    local_port_ = ntohs(self.sin_port);
    (void)connect(fd_, reinterpret_cast<sockaddr *>(&peer), sizeof peer); // 0 or EINPROGRESS
}

TcpProbe::~TcpProbe() {
    close(fd_);
}

} // namespace hil

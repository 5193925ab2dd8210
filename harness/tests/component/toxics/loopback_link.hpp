#pragma once
// A real TCP link on loopback with the fault proxy in the middle: client <-> proxy <-> server.
// Every read has a deadline; nothing sleeps.

#include "hil/core/error.hpp"
#include "hil/faults/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

namespace hil::faults::testing {

struct ReadResult {
    std::string data;
    bool eof = false;   ///< orderly close (FIN)
    bool reset = false; ///< ECONNRESET
    int reads = 0;      ///< recv calls that returned data
};

class LoopbackLink {
  public:
    LoopbackLink() {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(listener_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
            listen(listener_, 4) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            throw InfraError("test server: cannot listen");
        }
        ProxyOptions o;
        o.name = "test-link";
        o.upstream_port = ntohs(addr.sin_port);
        proxy_ = std::make_unique<FaultProxy>(o, bus_);
        client_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(proxy_->port());
        if (connect(client_, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0)
            throw InfraError("test client: connect");
        pollfd p{listener_, POLLIN, 0};
        if (poll(&p, 1, 5000) != 1) throw InfraError("test server: the proxy never connected upstream");
        server_ = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    }
    ~LoopbackLink() {
        proxy_.reset();
        for (const int fd : {client_, server_, listener_}) ::close(fd);
    }

    FaultProxy &proxy() { return *proxy_; }
    EventBus &bus() { return bus_; }
    int client() const { return client_; }
    int server() const { return server_; }

    static void send_all(int fd, const std::string &data) {
        std::size_t off = 0;
        while (off < data.size()) {
            const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) throw InfraError("test: send failed");
            off += static_cast<std::size_t>(n);
        }
    }

    /// Reads until `want` bytes, EOF, reset or the deadline.
    static ReadResult read(int fd, std::size_t want, std::chrono::milliseconds timeout) {
        ReadResult r;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (r.data.size() < want) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) != 1) break;
            char buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n == 0) {
                r.eof = true;
                break;
            }
            if (n < 0) {
                r.reset = errno == ECONNRESET;
                break;
            }
            r.data.append(buf, static_cast<std::size_t>(n));
            ++r.reads;
        }
        return r;
    }

    void add(const std::string &name, Direction dir, const std::string &type,
             const nlohmann::json &attrs = {}) {
        proxy_->add({name, dir,
                     std::shared_ptr<const Toxic>(
                         make_toxic(type, attrs.is_null() ? nlohmann::json::object() : attrs))});
    }

  private:
    EventBus bus_;
    int listener_ = -1;
    int client_ = -1;
    int server_ = -1;
    std::unique_ptr<FaultProxy> proxy_;
};

inline double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace hil::faults::testing

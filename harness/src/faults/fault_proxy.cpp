#include "hil/faults/fault_proxy.hpp"

#include "hil/core/error.hpp"
#include "hil/core/ports.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

namespace hil::faults {

namespace {

constexpr std::size_t kChunk = std::size_t{16} * 1024;
constexpr auto kConnectTimeout = std::chrono::seconds(5);

void wake(int fd) {
    const std::uint64_t one = 1;
    (void)!::write(fd, &one, sizeof one);
}

void drain(int fd) {
    std::uint64_t n = 0;
    (void)!::read(fd, &n, sizeof n);
}

int connect_upstream(const std::string &host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr)
        return -1;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int rc = ::connect(fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = poll(&p, 1, static_cast<int>(std::chrono::duration_cast<Millis>(kConnectTimeout).count())) == 1
                 ? 0
                 : -1;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) rc = -1;
    }
    if (rc != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

/// Told when a toxic ends a connection and says why (tls_gate's refusals): becomes an event.
using RefusalSink =
    std::function<void(std::uint64_t connection, const std::string &toxic, const std::string &reason)>;

/// One proxied TCP connection: two pumps, one per direction, each with its own toxic chain.
class Connection {
  public:
    Connection(int client, int server, std::uint64_t id, RefusalSink on_refused)
        : id_(id), on_refused_(std::move(on_refused)) {
        fds_[0] = client; // upstream reads the client
        fds_[1] = server; // downstream reads the broker
        for (auto &w : wake_) w = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        const int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Connection() {
        stop();
        for (const int fd : fds_) ::close(fd);
        for (const int w : wake_) ::close(w);
    }

    void start() {
        for (int d = 0; d < 2; ++d) pumps_[d] = std::thread([this, d] { pump(d); });
    }

    void add(const std::string &name, Direction dir, std::unique_ptr<Toxic> toxic) {
        {
            const std::lock_guard lock(mutex_);
            if (carried_[index(dir)]) toxic->joined_mid_stream();
            chain_[index(dir)].emplace_back(name, std::move(toxic));
        }
        poke();
    }
    void remove(const std::string &name) {
        {
            const std::lock_guard lock(mutex_);
            for (auto &chain : chain_) {
                std::erase_if(chain, [&](const auto &entry) { return entry.first == name; });
            }
        }
        poke();
    }

    /// Ends the connection: both peers see FIN (or RST with `reset`). Joins the pumps.
    void stop(bool reset = false) {
        {
            const std::lock_guard lock(mutex_);
            closed_ = true;
        }
        if (reset) {
            // Linger 0: closing sends RST instead of FIN. The fds close in the destructor, after
            // the pumps have stopped using them; shutting down reading wakes them now.
            const linger hard{1, 0};
            for (const int fd : fds_) setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        } else {
            for (const int fd : fds_) shutdown(fd, SHUT_RDWR);
        }
        poke();
        for (auto &p : pumps_) {
            if (p.joinable() && p.get_id() != std::this_thread::get_id()) p.join();
        }
        if (reset) {
            for (int &fd : fds_) {
                ::close(fd);
                fd = -1;
            }
        }
    }

    [[nodiscard]] bool finished() const { return done_[0] && done_[1]; }
    [[nodiscard]] std::uint64_t id() const { return id_; }

  private:
    static int index(Direction d) { return d == Direction::upstream ? 0 : 1; }

    void poke() {
        changed_.notify_all();
        for (const int w : wake_) wake(w);
    }

    /// Ends the connection from inside a pump (EOF, error, limit reached).
    void close_from_pump() {
        {
            const std::lock_guard lock(mutex_);
            if (closed_) return;
            closed_ = true;
        }
        for (const int fd : fds_) shutdown(fd, SHUT_RDWR);
        poke();
    }

    bool write_all(int fd, int wake_fd, std::string_view data) {
        while (!data.empty()) {
            const ssize_t put = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (put > 0) {
                data.remove_prefix(static_cast<std::size_t>(put));
                continue;
            }
            if (put < 0 && errno != EAGAIN && errno != EINTR) return false;
            pollfd p[2] = {{fd, POLLOUT, 0}, {wake_fd, POLLIN, 0}};
            if (poll(p, 2, -1) < 0 && errno != EINTR) return false;
            if (p[1].revents & POLLIN) drain(wake_fd);
            if (is_closed()) return false;
        }
        return true;
    }

    bool is_closed() {
        const std::lock_guard lock(mutex_);
        return closed_;
    }

    /// One refusal per connection, and none once it has ended otherwise (both pumps may refuse).
    bool claim_refusal() {
        const std::lock_guard lock(mutex_);
        if (closed_ || refused_) return false;
        refused_ = true;
        return true;
    }

    void pump(int d) {
        const int src = fds_[d];
        const int dst = fds_[1 - d];
        char buf[kChunk];
        for (;;) {
            // While a toxic holds this direction, read nothing (bytes wait in TCP buffers).
            {
                std::unique_lock lock(mutex_);
                for (;;) {
                    if (closed_) break;
                    bool holding = false;
                    std::optional<Clock::time_point> close_at;
                    for (const auto &[name, toxic] : chain_[d]) {
                        if (!toxic->holds()) continue;
                        holding = true;
                        if (const auto at = toxic->closes_at(); at && (!close_at || *at < *close_at))
                            close_at = at;
                    }
                    if (!holding) break;
                    if (close_at && Clock::now() >= *close_at) {
                        lock.unlock();
                        close_from_pump();
                        lock.lock();
                        break;
                    }
                    if (close_at)
                        changed_.wait_until(lock, *close_at);
                    else
                        changed_.wait(lock);
                }
                if (closed_) break;
            }
            pollfd p[2] = {{src, POLLIN, 0}, {wake_[d], POLLIN, 0}};
            if (poll(p, 2, -1) < 0 && errno != EINTR) break;
            if (is_closed()) break;
            if (p[1].revents & POLLIN) {
                // The chain changed: look at it again before reading (a toxic may now hold this
                // direction, even if data arrived at the same moment).
                drain(wake_[d]);
                continue;
            }
            if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t got = ::recv(src, buf, sizeof buf, MSG_DONTWAIT);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                close_from_pump();
                break;
            }
            Verdict verdict;
            verdict.forward.push_back({std::string(buf, static_cast<std::size_t>(got)), Clock::now()});
            std::string refused_by; // the first toxic that closes with a reason, and why
            std::string reason;
            {
                const std::lock_guard lock(mutex_);
                // Set under the lock that applies the chain: a toxic added after this missed these bytes.
                carried_[d] = true;
                for (auto &[name, toxic] : chain_[d]) {
                    Verdict next = toxic->apply(std::move(verdict.forward), Clock::now());
                    if (next.close && !next.reason.empty() && refused_by.empty()) {
                        refused_by = toxic->type();
                        reason = std::move(next.reason);
                    }
                    next.close = next.close || verdict.close;
                    verdict = std::move(next);
                }
            }
            // Told before anything is forwarded or closed: the event precedes what the peers see.
            if (!refused_by.empty() && claim_refusal()) on_refused_(id_, refused_by, reason);
            bool ok = true;
            for (const auto &segment : verdict.forward) {
                {
                    // A delayed segment waits here (latency, bandwidth, slicer); closing ends the wait.
                    std::unique_lock lock(mutex_);
                    changed_.wait_until(lock, segment.not_before, [&] { return closed_; });
                    if (closed_) {
                        ok = false;
                        break;
                    }
                }
                if (!write_all(dst, wake_[d], segment.data)) {
                    ok = false;
                    break;
                }
            }
            if (!ok || verdict.close) {
                close_from_pump();
                break;
            }
        }
        done_[d] = true;
    }

    std::uint64_t id_;
    RefusalSink on_refused_;
    int fds_[2];
    int wake_[2];
    std::thread pumps_[2];
    std::atomic<bool> done_[2] = {false, false};
    std::mutex mutex_;
    std::condition_variable changed_;
    bool closed_ = false;
    bool refused_ = false;
    bool carried_[2] = {false, false}; ///< a direction has read bytes (toxics added now join mid-stream)
    std::vector<std::pair<std::string, std::unique_ptr<Toxic>>> chain_[2];
};

struct FaultProxy::Impl {
    ProxyOptions options;
    EventBus &bus;
    int listen_fd = -1;
    int wake_fd = -1;
    std::uint16_t port = 0;
    std::thread acceptor;
    mutable std::mutex mutex;
    std::vector<ToxicSpec> toxics;
    std::vector<std::unique_ptr<Connection>> connections;
    std::uint64_t next_id = 1;
    bool stopping = false;

    Impl(ProxyOptions o, EventBus &b) : options(std::move(o)), bus(b) {}

    void publish(const char *kind, nlohmann::json payload) const {
        bus.publish(Source::harness, options.name, kind, std::move(payload), options.context);
    }

    /// Drops connections whose pumps have both ended (closed by a peer or a toxic).
    void reap() {
        std::vector<std::unique_ptr<Connection>> done;
        {
            const std::lock_guard lock(mutex);
            for (auto it = connections.begin(); it != connections.end();) {
                if ((*it)->finished()) {
                    done.push_back(std::move(*it));
                    it = connections.erase(it);
                } else {
                    ++it;
                }
            }
        }
        // Destroyed outside the lock: joining pumps may take a moment.
    }

    void accept_loop() {
        for (;;) {
            pollfd p[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
            if (poll(p, 2, -1) < 0 && errno != EINTR) return;
            if (p[1].revents & POLLIN) return; // stopping
            if ((p[0].revents & POLLIN) == 0) continue;
            const int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (client < 0) continue;
            reap();
            const int server = connect_upstream(options.upstream_host, options.upstream_port);
            if (server < 0) {
                // The broker is down (a fault, or on purpose): the client sees its connection end.
                ::close(client);
                publish("proxy.upstream_refused",
                        {{"upstream", options.upstream_host + ":" + std::to_string(options.upstream_port)}});
                continue;
            }
            std::uint64_t id = 0;
            {
                const std::lock_guard lock(mutex);
                if (stopping) {
                    ::close(client);
                    ::close(server);
                    return;
                }
                id = next_id++;
            }
            // Published before the pumps start, so that a toxic's refusal comes after it.
            publish("proxy.connected", {{"connection", id}});
            auto conn = std::make_unique<Connection>(
                client, server, id,
                [this](std::uint64_t c, const std::string &toxic, const std::string &reason) {
                    publish("proxy.refused", {{"connection", c}, {"toxic", toxic}, {"reason", reason}});
                });
            {
                const std::lock_guard lock(mutex);
                if (stopping) return;
                for (const auto &spec : toxics) conn->add(spec.name, spec.direction, spec.prototype->clone());
                conn->start();
                connections.push_back(std::move(conn));
            }
        }
    }
};

FaultProxy::FaultProxy(ProxyOptions options, EventBus &bus)
    : impl_(std::make_unique<Impl>(std::move(options), bus)) {
    auto &o = impl_->options;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    if (inet_pton(AF_INET, o.listen_address.c_str(), &addr.sin_addr) != 1) {
        throw InfraError("fault proxy: '" + o.listen_address + "' is not an IPv4 address");
    }
    impl_->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(impl_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = sizeof addr;
    if (bind(impl_->listen_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        listen(impl_->listen_fd, 16) != 0 ||
        getsockname(impl_->listen_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        const int err = errno;
        ::close(impl_->listen_fd);
        throw InfraError("fault proxy: cannot listen on " + o.listen_address + ": " + std::strerror(err));
    }
    impl_->port = ntohs(addr.sin_port);
    impl_->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    impl_->acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
    impl_->publish(
        "proxy.listening",
        {{"port", impl_->port}, {"upstream", o.upstream_host + ":" + std::to_string(o.upstream_port)}});
}

FaultProxy::~FaultProxy() {
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    wake(impl_->wake_fd);
    impl_->acceptor.join();
    std::vector<std::unique_ptr<Connection>> all;
    {
        const std::lock_guard lock(impl_->mutex);
        all.swap(impl_->connections);
    }
    for (auto &c : all) c->stop();
    all.clear();
    ::close(impl_->listen_fd);
    ::close(impl_->wake_fd);
}

std::uint16_t FaultProxy::port() const {
    return impl_->port;
}

void FaultProxy::add(ToxicSpec spec) {
    {
        const std::lock_guard lock(impl_->mutex);
        for (const auto &t : impl_->toxics) {
            if (t.name == spec.name)
                throw std::invalid_argument("toxic '" + spec.name + "' is already on " + impl_->options.name);
        }
        for (auto &c : impl_->connections) c->add(spec.name, spec.direction, spec.prototype->clone());
        impl_->toxics.push_back(spec);
    }
    impl_->publish(
        "proxy.toxic_added",
        {{"name", spec.name}, {"type", spec.prototype->type()}, {"direction", to_string(spec.direction)}});
}

bool FaultProxy::remove(const std::string &name) {
    bool found = false;
    {
        const std::lock_guard lock(impl_->mutex);
        found = std::erase_if(impl_->toxics, [&](const ToxicSpec &t) { return t.name == name; }) > 0;
        for (auto &c : impl_->connections) c->remove(name);
    }
    if (found) impl_->publish("proxy.toxic_removed", {{"name", name}});
    return found;
}

void FaultProxy::reset_connections() {
    std::vector<std::unique_ptr<Connection>> all;
    {
        const std::lock_guard lock(impl_->mutex);
        all.swap(impl_->connections);
    }
    for (auto &c : all) c->stop(true);
    impl_->publish("proxy.reset", {{"connections", all.size()}});
}

std::size_t FaultProxy::connections() const {
    const_cast<Impl &>(*impl_).reap();
    const std::lock_guard lock(impl_->mutex);
    return impl_->connections.size();
}

} // namespace hil::faults

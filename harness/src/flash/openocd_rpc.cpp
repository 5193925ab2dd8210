// OpenOCD Tcl RPC client and server process (see openocd_rpc.hpp).
#include "hil/flash/openocd_rpc.hpp"

#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/ports.hpp"
#include "hil/core/process.hpp"
#include "hil/flash/openocd_output.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hil::flash {

namespace {
constexpr char kEnd = '\x1a';
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
constexpr auto kExitTimeout = std::chrono::seconds(3);
constexpr int kPortAttempts = 3;
const std::string kListening = " for tcl connections";
} // namespace

TclRpcClient::TclRpcClient(std::string address, std::uint16_t port)
    : address_(std::move(address)), port_(port) {}

TclRpcClient::~TclRpcClient() {
    disconnect();
}

void TclRpcClient::disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    pending_.clear();
}

void TclRpcClient::fail(const std::string &what) {
    disconnect();
    throw InfraError("OpenOCD Tcl RPC " + address_ + ":" + std::to_string(port_) + ": " + what);
}

void TclRpcClient::connect_to(Deadline deadline) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    if (inet_pton(AF_INET, address_.c_str(), &addr.sin_addr) != 1) fail("not an IPv4 address");
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) fail(std::string("socket: ") + std::strerror(errno));
    if (connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) return;
    if (errno != EINPROGRESS) fail(std::string("cannot connect: ") + std::strerror(errno));
    pollfd p{fd_, POLLOUT, 0};
    const int ready = poll(&p, 1, deadline.poll_timeout_ms());
    if (ready == 0) fail("no connection before the deadline");
    int err = 0;
    socklen_t len = sizeof err;
    if (ready < 0 || getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
        fail(std::string("cannot connect: ") + std::strerror(err != 0 ? err : errno));
}

std::string TclRpcClient::call(std::string_view command, Deadline deadline) {
    if (command.find(kEnd) != std::string_view::npos)
        throw UsageError("an OpenOCD Tcl RPC command cannot hold byte 0x1a (the message terminator)");
    if (fd_ < 0) connect_to(deadline);
    std::string out(command);
    out += kEnd;
    std::size_t sent = 0;
    while (sent < out.size()) {
        const ssize_t n = send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            if (poll(&p, 1, deadline.poll_timeout_ms()) == 0)
                fail("could not send '" + std::string(command) + "' before the deadline");
            continue;
        }
        fail("connection closed while sending '" + std::string(command) + "'");
    }
    std::string reply = std::move(pending_);
    pending_.clear();
    for (;;) {
        const auto end = reply.find(kEnd);
        if (end != std::string::npos) {
            pending_ = reply.substr(end + 1);
            reply.resize(end);
            return reply;
        }
        pollfd p{fd_, POLLIN, 0};
        const int ready = poll(&p, 1, deadline.poll_timeout_ms());
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) fail("no reply to '" + std::string(command) + "' before the deadline");
        char buffer[4096];
        const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) {
            reply.append(buffer, static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        } else {
            fail("connection closed before the reply to '" + std::string(command) + "'");
        }
    }
}

std::filesystem::path resolve_openocd(const std::filesystem::path &configured) {
    if (!configured.empty()) return configured;
    if (const char *env = std::getenv("HIL_OPENOCD"); env != nullptr && *env != '\0') return env;
    return "openocd";
}

OpenOcdServer::OpenOcdServer(OpenOcdServerOptions options, EventBus *bus)
    : options_(std::move(options)), bus_(bus) {
    if (options_.log_path.empty()) throw UsageError("OpenOcdServer: a log path is required");
    if (bus_ == nullptr) {
        own_bus_ = std::make_unique<EventBus>();
        bus_ = own_bus_.get();
    }
    for (int attempt = 1;; ++attempt) {
        if (try_start(allocate_tcp_port("127.0.0.1")) == Start::serving) return;
        if (attempt == kPortAttempts)
            throw InfraError("openocd: its Tcl port was taken " + std::to_string(kPortAttempts) +
                                 " times in a row",
                             options_.log_path.string());
    }
}

OpenOcdServer::~OpenOcdServer() {
    try {
        stop();
    } catch (...) { // NOLINT(bugprone-empty-catch): the ManagedProcess destructor still stops it
    }
}

pid_t OpenOcdServer::pid() const {
    return process_ ? process_->pid() : -1;
}

OpenOcdServer::Start OpenOcdServer::try_start(std::uint16_t port) {
    ProcessSpec spec;
    spec.name = options_.name;
    spec.context = options_.context;
    spec.log_path = options_.log_path;
    spec.argv = {resolve_openocd(options_.executable).string(),
                 "-c",
                 "tcl_port " + std::to_string(port),
                 "-c",
                 "telnet_port disabled",
                 "-c",
                 "gdb_port disabled"};
    spec.argv.insert(spec.argv.end(), options_.config_args.begin(), options_.config_args.end());
    spec.on_line = [bus = bus_, name = options_.name, context = options_.context](std::string_view line) {
        bus->publish(Source::harness, name, "openocd.log", {{"text", std::string(line)}}, context);
    };
    const Deadline deadline = Deadline::after(options_.start_timeout);
    const std::uint64_t from = bus_->next_seq();
    process_ = ManagedProcess::start(std::move(spec), bus_);
    const pid_t pid = process_->pid();
    const std::string listening = "Listening on port " + std::to_string(port) + kListening;
    const auto seen = bus_->wait_for(
        from,
        [&](const Event &e) {
            if (e.kind == "process.exited") return e.payload.value("pid", 0) == pid;
            return e.kind == "openocd.log" && e.origin == options_.name &&
                   (e.payload.value("text", "").find(listening) != std::string::npos ||
                    e.payload.value("text", "").find("couldn't bind tcl") != std::string::npos);
        },
        deadline);
    if (!seen) {
        process_.reset();
        throw InfraError("openocd did not open its Tcl port " + std::to_string(port) +
                             " within the start timeout",
                         options_.log_path.string());
    }
    const std::string text = seen->payload.value("text", "");
    if (text.find("couldn't bind tcl") != std::string::npos) {
        process_.reset();
        return Start::port_busy;
    }
    if (seen->kind == "process.exited") {
        (void)process_->wait_exit(Deadline::after(kExitTimeout));
        const std::string status = process_->status_text();
        process_.reset(); // joins its output reader: every line is on the bus
        const std::string why = startup_failure(from);
        throw InfraError("openocd " + status + " during startup" + why, options_.log_path.string());
    }
    // The port is open; commands are served once OpenOCD's init (probe, target) is done.
    port_ = port;
    rpc_ = std::make_unique<TclRpcClient>("127.0.0.1", port);
    try {
        (void)rpc_->call("version", deadline);
    } catch (const InfraError &e) {
        rpc_.reset();
        (void)process_->wait_exit(Deadline::after(kExitTimeout)); // it is on its way out, or hung
        process_.reset(); // joins its output reader: every line is on the bus
        const std::string why = startup_failure(from);
        throw InfraError("openocd does not serve Tcl RPC on port " + std::to_string(port) + ": " + e.what() +
                             why,
                         options_.log_path.string());
    }
    return Start::serving;
}

std::string OpenOcdServer::startup_failure(std::uint64_t from) const {
    OpenOcdOutput output;
    for (const auto &e : bus_->snapshot(from, 0, [this](const Event &ev) {
             return ev.kind == "openocd.log" && ev.origin == options_.name;
         })) {
        output.feed(e.payload.value("text", ""));
    }
    if (!output.error()) return {};
    return ": " + output.error()->message + " (OpenOCD: \"" + output.error()->line + "\")";
}

std::string OpenOcdServer::call(std::string_view command, Deadline deadline) {
    if (!rpc_) throw InfraError("openocd is stopped", options_.log_path.string());
    return rpc_->call(command, deadline);
}

void OpenOcdServer::stop() {
    if (!process_) return;
    if (rpc_ && process_->running()) {
        try {
            (void)rpc_->call("shutdown", Deadline::after(kShutdownTimeout));
        } catch (const InfraError &) { // OpenOCD may close the connection before it replies
        }
    }
    rpc_.reset();
    (void)process_->wait_exit(Deadline::after(kExitTimeout));
    process_->stop();
    process_.reset();
}

} // namespace hil::flash

#pragma once
// A long-lived OpenOCD and its Tcl RPC port (OpenOCD manual, "Tcl RPC server"): a command is sent
// as text ending in byte 0x1a, the reply is the command's result ending in 0x1a; one connection is
// reused for every call. `capture "<cmd>"` returns a command's log output as its result.
// Asynchronous `tcl notifications` are not supported (a reply is everything up to 0x1a).

#include "hil/core/clock.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hil {
class EventBus;
class ManagedProcess;
} // namespace hil

namespace hil::flash {

/// Client of one OpenOCD Tcl RPC port. Connects on the first call and keeps the connection.
/// Not thread-safe: one caller at a time.
class TclRpcClient {
  public:
    TclRpcClient(std::string address, std::uint16_t port);
    ~TclRpcClient();
    TclRpcClient(const TclRpcClient &) = delete;
    TclRpcClient &operator=(const TclRpcClient &) = delete;

    /// Sends `command` and returns its reply (without the 0x1a). Throws InfraError if the server
    /// cannot be reached, closes the connection, or does not answer by `deadline` (the connection
    /// is then dropped: a late reply would be taken for the next call's). A command holding 0x1a
    /// is a UsageError. OpenOCD reports a failing command in the reply text, not as an error.
    std::string call(std::string_view command, Deadline deadline);

    /// Drops the connection (the next call reconnects).
    void disconnect();
    [[nodiscard]] bool connected() const { return fd_ >= 0; }
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    void connect_to(Deadline deadline);
    [[noreturn]] void fail(const std::string &what);

    std::string address_;
    std::uint16_t port_;
    int fd_ = -1;
    std::string pending_; // bytes received after a reply's 0x1a (none, with a well-behaved server)
};

/// The OpenOCD program to run: `configured` if not empty, else $HIL_OPENOCD if set, else
/// "openocd" (looked up on PATH when started).
[[nodiscard]] std::filesystem::path resolve_openocd(const std::filesystem::path &configured = {});

struct OpenOcdServerOptions {
    std::filesystem::path executable;     ///< "" = resolve_openocd()
    std::vector<std::string> config_args; ///< e.g. {"-f", "interface/cmsis-dap.cfg", "-c", "..."}
    std::filesystem::path log_path;       ///< OpenOCD's output; required
    std::string name = "openocd";         ///< process label, event origin
    std::string context;                  ///< scenario execution it belongs to ("" = the run)
    Clock::duration start_timeout = std::chrono::seconds(10);
};

/// A running OpenOCD with its own Tcl RPC port (allocated; telnet and gdb disabled), owned as a
/// ManagedProcess. The constructor returns once the port answers; the destructor stops it (RPC
/// `shutdown`, then the ManagedProcess stop).
class OpenOcdServer {
  public:
    /// Starts OpenOCD and waits (bounded by start_timeout) for "Listening on port N for tcl
    /// connections" and a `version` reply. Throws InfraError (with the log path) if it exits or
    /// does not serve in time; the message carries the classified OpenOCD error ("no probe
    /// found ..."). A port taken by another program meanwhile is retried with a new one.
    /// `bus` may be null: lines then go to a private bus. Lines are published as
    /// `openocd.log` {text}.
    explicit OpenOcdServer(OpenOcdServerOptions options, EventBus *bus = nullptr);
    ~OpenOcdServer();
    OpenOcdServer(const OpenOcdServer &) = delete;
    OpenOcdServer &operator=(const OpenOcdServer &) = delete;

    [[nodiscard]] std::uint16_t tcl_port() const { return port_; }
    [[nodiscard]] pid_t pid() const;
    [[nodiscard]] const std::filesystem::path &log_path() const { return options_.log_path; }

    /// A Tcl RPC call on the server's connection (see TclRpcClient::call).
    std::string call(std::string_view command, Deadline deadline);

    /// `shutdown` over RPC, then the process is stopped (SIGTERM/SIGKILL if it lingers). Idempotent.
    void stop();

  private:
    enum class Start { serving, port_busy };
    Start try_start(std::uint16_t port);
    [[nodiscard]] std::string startup_failure(std::uint64_t from) const;

    OpenOcdServerOptions options_;
    std::unique_ptr<EventBus> own_bus_;
    EventBus *bus_;
    std::uint16_t port_ = 0;
    std::unique_ptr<ManagedProcess> process_; // destroyed before the bus its reader publishes to
    std::unique_ptr<TclRpcClient> rpc_;
};

} // namespace hil::flash

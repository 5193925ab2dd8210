#pragma once
// One owner per child process. A ManagedProcess starts a program in its own process group with a
// parent-death signal, captures its output into a log file, reports its life on the EventBus
// (`process.started` / `process.exited`, with pid: the record tests use to prove no orphans) and
// stops the whole group on every exit path: destructor, SIGINT/SIGTERM of hil (through the
// destructors, see signals.hpp), and SIGKILL of hil (the kernel's PR_SET_PDEATHSIG).

#include "hil/core/clock.hpp"

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hil {

class EventBus;

struct ProcessSpec {
    std::string name;               ///< short label: "mosquitto", "vdev-dut"
    std::vector<std::string> argv;  ///< argv[0] is looked up on PATH if it has no '/'
    std::filesystem::path log_path; ///< stdout and stderr are appended here
    std::string context;            ///< the scenario execution it belongs to ("" = the run)
    /// Called on the reader thread for every output line (without '\n'). Optional.
    std::function<void(std::string_view line)> on_line;
};

class ManagedProcess {
  public:
    /// Starts the process. Throws InfraError if it cannot be started (program missing, ...).
    /// `bus` may be null (no events).
    static std::unique_ptr<ManagedProcess> start(ProcessSpec spec, EventBus *bus);

    ManagedProcess(const ManagedProcess &) = delete;
    ManagedProcess &operator=(const ManagedProcess &) = delete;
    /// Stops the process group (stop()) if still running.
    ~ManagedProcess();

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string &name() const { return spec_.name; }
    [[nodiscard]] const std::filesystem::path &log_path() const { return spec_.log_path; }

    /// True until the process has exited (reaped or observed through its pidfd).
    [[nodiscard]] bool running();

    /// Waits for the process to exit. Returns the wait status (as from waitpid) or nullopt at the
    /// deadline. Event-driven: polls the process's pidfd.
    std::optional<int> wait_exit(Deadline deadline);

    /// SIGTERM to the group, up to `grace` for it to exit, then SIGKILL. Idempotent.
    void stop(Clock::duration grace = std::chrono::seconds(2));

    /// Exit description for messages: "exited with 3", "killed by signal 9", "running".
    [[nodiscard]] std::string status_text() const;

  private:
    ManagedProcess(ProcessSpec spec, EventBus *bus);
    void read_output(int fd);
    void record_exit(int status);

    ProcessSpec spec_;
    EventBus *bus_ = nullptr;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    mutable std::mutex exit_mutex_; // reader thread and owner both reap
    std::optional<int> exit_status_;
    std::thread reader_;
};

/// Process groups of every live ManagedProcess, for the last-resort kill on a second Ctrl-C.
/// Async-signal-safe: may be called from a signal context.
void kill_all_process_groups_now() noexcept;

} // namespace hil

#include "hil/core/process.hpp"

#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <queue>

namespace hil {

namespace {

// ---- live process groups (fixed table: readable from a signal handler) -----------------------
constexpr std::size_t kMaxLive = 256;
std::array<std::atomic<pid_t>, kMaxLive> g_live_groups{};

void remember_group(pid_t pgid) {
    for (auto &slot : g_live_groups) {
        pid_t expected = 0;
        if (slot.compare_exchange_strong(expected, pgid)) return;
    }
}

void forget_group(pid_t pgid) {
    for (auto &slot : g_live_groups) {
        pid_t expected = pgid;
        if (slot.compare_exchange_strong(expected, 0)) return;
    }
}

// ---- the spawner thread -----------------------------------------------------------------------
// PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process. Forking
// from short-lived worker threads would kill children early, so every fork happens on one thread
// that lives as long as the process.
class Spawner {
  public:
    static Spawner &instance() {
        static auto *spawner = new Spawner(); // never destroyed: its thread must outlive all forks
        return *spawner;
    }

    template <class F> auto run(F &&job) {
        using R = decltype(job());
        auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(job));
        auto result = task->get_future();
        {
            const std::lock_guard lock(mutex_);
            jobs_.emplace([task] { (*task)(); });
        }
        ready_.notify_one();
        return result.get();
    }

  private:
    Spawner() {
        std::thread([this] { loop(); }).detach();
    }
    void loop() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [this] { return !jobs_.empty(); });
                job = std::move(jobs_.front());
                jobs_.pop();
            }
            job();
        }
    }
    std::mutex mutex_;
    std::condition_variable ready_;
    std::queue<std::function<void()>> jobs_;
};

int open_pidfd(pid_t pid) {
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "ended (status " + std::to_string(status) + ")";
}

struct ForkResult {
    pid_t pid = -1;
    int exec_errno = 0;
};

// Runs in the spawner thread. Only async-signal-safe calls between fork and exec.
ForkResult fork_exec(const std::vector<std::string> &argv, int out_fd) {
    std::vector<char *> args;
    args.reserve(argv.size() + 1);
    for (const auto &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return {-1, errno};
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        const int err = errno;
        close(report[0]);
        close(report[1]);
        return {-1, err};
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127); // parent died before prctl took effect
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr); // hil blocks SIGINT/SIGTERM for its signal thread
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        execvp(args[0], args.data());
        const int err = errno;
        (void)!write(report[1], &err, sizeof err);
        _exit(127);
    }
    setpgid(pid, pid); // both sides set it: no race with an early kill(-pgid)
    close(report[1]);
    int err = 0;
    ssize_t got = 0;
    do {
        got = read(report[0], &err, sizeof err);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == static_cast<ssize_t>(sizeof err)) {
        waitpid(pid, nullptr, 0);
        return {-1, err};
    }
    return {pid, 0};
}

} // namespace

void kill_all_process_groups_now() noexcept {
    for (auto &slot : g_live_groups) {
        const pid_t pgid = slot.load();
        if (pgid > 0) kill(-pgid, SIGKILL);
    }
}

ManagedProcess::ManagedProcess(ProcessSpec spec, EventBus *bus) : spec_(std::move(spec)), bus_(bus) {}

std::unique_ptr<ManagedProcess> ManagedProcess::start(ProcessSpec spec, EventBus *bus) {
    if (spec.argv.empty()) throw InfraError("cannot start '" + spec.name + "': empty command line");
    std::unique_ptr<ManagedProcess> proc(new ManagedProcess(std::move(spec), bus));
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw InfraError("pipe: " + std::string(std::strerror(errno)));
    const auto result = Spawner::instance().run([&] { return fork_exec(proc->spec_.argv, out[1]); });
    close(out[1]);
    if (result.pid < 0) {
        close(out[0]);
        throw InfraError("cannot start " + proc->spec_.name + " (" + proc->spec_.argv[0] +
                         "): " + std::strerror(result.exec_errno));
    }
    proc->pid_ = result.pid;
    remember_group(result.pid);
    proc->pidfd_ = open_pidfd(result.pid);
    if (bus != nullptr) {
        bus->publish(Source::harness, proc->spec_.name, "process.started",
                     {{"pid", result.pid},
                      {"pgid", result.pid},
                      {"argv", proc->spec_.argv},
                      {"log", proc->spec_.log_path.string()}},
                     proc->spec_.context);
    }
    proc->reader_ = std::thread([p = proc.get(), fd = out[0]] { p->read_output(fd); });
    return proc;
}

void ManagedProcess::read_output(int fd) {
    std::ofstream log;
    if (!spec_.log_path.empty()) {
        std::filesystem::create_directories(spec_.log_path.parent_path());
        log.open(spec_.log_path, std::ios::app | std::ios::binary);
    }
    std::string pending;
    char buf[4096];
    for (;;) {
        const ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (log) {
            log.write(buf, got);
            log.flush();
        }
        if (!spec_.on_line) continue;
        pending.append(buf, static_cast<std::size_t>(got));
        std::size_t start = 0;
        for (std::size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
            spec_.on_line(std::string_view(pending).substr(start, nl - start));
            start = nl + 1;
        }
        pending.erase(0, start);
    }
    if (spec_.on_line && !pending.empty()) spec_.on_line(pending);
    close(fd);
    // End of output almost always means the process ended: reap it now, so `process.exited`
    // reaches the bus when it happens, not when someone next asks.
    wait_exit(Deadline::at(Clock::now() + std::chrono::seconds(1)));
}

void ManagedProcess::record_exit(int status) {
    exit_status_ = status;
    forget_group(pid_);
    if (bus_ != nullptr) {
        bus_->publish(Source::harness, spec_.name, "process.exited",
                      {{"pid", pid_}, {"status", describe_status(status)}}, spec_.context);
    }
}

bool ManagedProcess::running() {
    const std::lock_guard lock(exit_mutex_);
    if (exit_status_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        record_exit(status);
        return false;
    }
    return true;
}

std::optional<int> ManagedProcess::wait_exit(Deadline deadline) {
    while (running()) {
        if (pidfd_ < 0) return std::nullopt; // kernel without pidfd: cannot wait event-driven
        pollfd pfd{pidfd_, POLLIN, 0};
        const int ready = poll(&pfd, 1, deadline.poll_timeout_ms());
        if (ready == 0) return std::nullopt;
        if (ready < 0 && errno != EINTR) return std::nullopt;
    }
    const std::lock_guard lock(exit_mutex_);
    return exit_status_;
}

void ManagedProcess::stop(Clock::duration grace) {
    if (pid_ > 0 && running()) {
        kill(-pid_, SIGTERM);
        kill(-pid_, SIGCONT); // a paused (SIGSTOP) child handles SIGTERM only once it runs
        if (!wait_exit(Deadline::at(Clock::now() + grace))) {
            kill(-pid_, SIGKILL);
            wait_exit(Deadline::at(Clock::now() + std::chrono::seconds(5)));
        }
    }
    // Leftovers of the group (grandchildren) go too, whatever the leader did.
    if (pid_ > 0) kill(-pid_, SIGKILL);
    if (reader_.joinable()) reader_.join();
}

ManagedProcess::~ManagedProcess() {
    stop();
    if (pidfd_ >= 0) close(pidfd_);
}

std::string ManagedProcess::status_text() const {
    const std::lock_guard lock(exit_mutex_);
    return exit_status_ ? describe_status(*exit_status_) : "running";
}

} // namespace hil

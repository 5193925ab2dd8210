#pragma once
// Turns SIGINT/SIGTERM/SIGHUP into an orderly stop. The signals are blocked in every thread and
// received by one watcher thread (sigwait), which calls the handler (the CLI cancels the run's
// EventBus: every wait ends, destructors stop the children, results are written). A second signal
// kills every child process group at once and exits with 128+signal.

#include <functional>

namespace hil {

class SignalWatcher {
  public:
    /// Must be constructed before any other thread starts (the mask is inherited by threads).
    explicit SignalWatcher(std::function<void(int signal)> on_first_signal);
    SignalWatcher(const SignalWatcher &) = delete;
    SignalWatcher &operator=(const SignalWatcher &) = delete;
    ~SignalWatcher();

    /// The signal received first, or 0.
    [[nodiscard]] int received() const;

  private:
    struct Impl;
    Impl *impl_;
};

} // namespace hil

#include "hil/core/signals.hpp"

#include "hil/core/process.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace hil {

namespace {
sigset_t watched_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR2); // internal: wakes the watcher at shutdown
    return set;
}
} // namespace

struct SignalWatcher::Impl {
    std::function<void(int)> on_first;
    std::atomic<int> first{0};
    std::atomic<bool> stopping{false};
    std::thread thread;
};

SignalWatcher::SignalWatcher(std::function<void(int)> on_first_signal) : impl_(new Impl) {
    impl_->on_first = std::move(on_first_signal);
    const sigset_t set = watched_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    impl_->thread = std::thread([impl = impl_] {
        const sigset_t watched = watched_signals();
        for (;;) {
            int sig = 0;
            if (sigwait(&watched, &sig) != 0) continue;
            if (impl->stopping.load()) return;
            if (sig == SIGUSR2) continue;
            int expected = 0;
            if (impl->first.compare_exchange_strong(expected, sig)) {
                impl->on_first(sig);
            } else {
                kill_all_process_groups_now();
                _exit(128 + sig);
            }
        }
    });
}

SignalWatcher::~SignalWatcher() {
    impl_->stopping.store(true);
    pthread_kill(impl_->thread.native_handle(), SIGUSR2);
    impl_->thread.join();
    delete impl_;
}

int SignalWatcher::received() const {
    return impl_->first.load();
}

} // namespace hil

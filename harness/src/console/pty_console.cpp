#include "hil/console/pty_console.hpp"

#include "hil/core/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace hil {

namespace {
[[noreturn]] void fail(const std::string &what) {
    throw InfraError("pty console: " + what + ": " + std::strerror(errno));
}
} // namespace

PtyConsole::PtyConsole() {
    master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0) fail("posix_openpt");
    if (grantpt(master_) != 0 || unlockpt(master_) != 0) fail("grantpt/unlockpt");
    char name[128];
    if (ptsname_r(master_, name, sizeof name) != 0) fail("ptsname");
    slave_path_ = name;
    slave_ = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_ < 0) fail("open " + slave_path_);
    termios tio{};
    if (tcgetattr(slave_, &tio) != 0) fail("tcgetattr");
    cfmakeraw(&tio);
    if (tcsetattr(slave_, TCSANOW, &tio) != 0) fail("tcsetattr");
    const int flags = fcntl(master_, F_GETFL);
    fcntl(master_, F_SETFL, flags | O_NONBLOCK);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) fail("eventfd");
}

PtyConsole::~PtyConsole() {
    if (wake_fd_ >= 0) close(wake_fd_);
    if (slave_ >= 0) close(slave_);
    if (master_ >= 0) close(master_);
}

void PtyConsole::write(std::string_view bytes, Deadline deadline) {
    while (!bytes.empty()) {
        const ssize_t put = ::write(master_, bytes.data(), bytes.size());
        if (put > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(put));
            continue;
        }
        if (put < 0 && errno != EAGAIN && errno != EINTR) fail("write to " + slave_path_);
        pollfd pfd{master_, POLLOUT, 0};
        if (poll(&pfd, 1, deadline.poll_timeout_ms()) == 0) {
            throw InfraError("pty console: device did not read its console within the deadline (" +
                             slave_path_ + ")");
        }
    }
}

long PtyConsole::read_some(std::span<char> buffer, Deadline deadline) {
    for (;;) {
        const ssize_t got = ::read(master_, buffer.data(), buffer.size());
        if (got > 0) return got;
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) return -1; // EIO: slave side gone
        pollfd pfds[2] = {{master_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        const int ready = poll(pfds, 2, deadline.poll_timeout_ms());
        if (ready == 0) return 0;
        if (ready < 0 && errno != EINTR) fail("poll");
        if (pfds[1].revents & POLLIN) {
            std::uint64_t drained = 0;
            (void)!::read(wake_fd_, &drained, sizeof drained);
            return 0;
        }
    }
}

void PtyConsole::interrupt() {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
}

} // namespace hil

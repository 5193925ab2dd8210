// Test scaffolding for hil-vdev component tests (see vdev_harness.hpp).
#include "vdev_harness.hpp"

#include "hil_cred.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vdevtest {

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// ---- LineReader -------------------------------------------------------------------------------

std::optional<std::string> LineReader::next(Clock::time_point deadline) {
    for (;;) {
        auto nl = buf_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            seen_.push_back(line);
            return line;
        }
        pollfd p{fd_, POLLIN, 0};
        int ready = poll(&p, 1, ms_left(deadline));
        if (ready <= 0) {
            return std::nullopt; // deadline (or error)
        }
        char chunk[4096];
        ssize_t n = read(fd_, chunk, sizeof(chunk));
        if (n <= 0) {
            return std::nullopt; // EOF / EIO
        }
        buf_.append(chunk, static_cast<size_t>(n));
    }
}

std::optional<std::string> LineReader::take_pending(const std::string &prefix) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->rfind(prefix, 0) == 0) {
            std::string line = *it;
            pending_.erase(it);
            return line;
        }
    }
    return std::nullopt;
}

std::optional<std::string> LineReader::find(const std::string &prefix, std::chrono::milliseconds within) {
    if (auto line = take_pending(prefix)) {
        return line;
    }
    auto deadline = Clock::now() + within;
    while (auto line = next(deadline)) {
        if (line->rfind(prefix, 0) == 0) {
            return line;
        }
        pending_.push_back(*line);
    }
    return std::nullopt;
}

std::string LineReader::expect(const std::string &prefix, std::chrono::milliseconds within) {
    if (auto line = find(prefix, within)) {
        return *line;
    }
    ADD_FAILURE() << "no line starting with '" << prefix << "' within " << within.count() << " ms; seen:\n"
                  << transcript();
    return {};
}

std::string LineReader::transcript() const {
    std::string t;
    for (auto &l : seen_) {
        t += "  | " + l + "\n";
    }
    return t;
}

// ---- Child ------------------------------------------------------------------------------------

Child::Child(std::vector<std::string> argv, bool pipe_stdin) {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if ((pipe_stdin && pipe2(in, O_CLOEXEC) != 0) || pipe2(out, O_CLOEXEC) != 0 ||
        pipe2(err, O_CLOEXEC) != 0) {
        return;
    }
    pid_ = fork();
    if (pid_ == 0) {
        if (pipe_stdin) {
            dup2(in[0], 0);
        } else {
            int null = open("/dev/null", O_RDONLY);
            dup2(null, 0);
        }
        dup2(out[1], 1);
        dup2(err[1], 2);
        std::vector<char *> args;
        for (auto &a : argv) {
            args.push_back(a.data());
        }
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    if (pipe_stdin) {
        close(in[0]);
        stdin_ = in[1];
    }
    close(out[1]);
    close(err[1]);
    stdout_ = out[0];
    stderr_ = err[0];
}

Child::~Child() {
    if (pid_ > 0 && !exited_) {
        kill(pid_, SIGTERM);
        if (!wait_exit(2s)) {
            kill(pid_, SIGKILL);
            int st = 0;
            waitpid(pid_, &st, 0);
        }
    }
    for (int fd : {stdin_, stdout_, stderr_}) {
        if (fd >= 0) {
            close(fd);
        }
    }
}

void Child::close_stdin() {
    close(stdin_);
    stdin_ = -1;
}

void Child::send(const std::string &line) {
    std::string l = line + "\n";
    ASSERT_EQ(write(stdin_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
}

bool Child::wait_exit(std::chrono::milliseconds within) {
    if (exited_) {
        return true;
    }
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        int ready = poll(&p, 1, static_cast<int>(within.count()));
        close(pidfd);
        if (ready <= 0) {
            return false;
        }
    }
    int st = 0;
    if (waitpid(pid_, &st, 0) == pid_) {
        exited_ = true;
        status_ = st;
    }
    return exited_;
}

void Child::signal(int sig) {
    kill(pid_, sig);
}

uint16_t free_port() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

// ---- Broker -----------------------------------------------------------------------------------

namespace {

void write_file(const std::filesystem::path &path, const std::string &text, mode_t mode) {
    {
        std::ofstream f(path);
        f << text;
    }
    chmod(path.c_str(), mode);
}

} // namespace

Broker::Broker(BrokerOptions options) {
    std::string dir_template = (std::filesystem::temp_directory_path() / "hil-vdev-test-XXXXXX").string();
    if (mkdtemp(dir_template.data()) == nullptr) {
        return;
    }
    dir_ = dir_template;
    port_ = free_port();
    std::ostringstream c;
    c << "per_listener_settings false\nallow_anonymous true\n";
    // Not "all": nobody reads the pipe after readiness, so keep it far below its 64 KiB.
    c << "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
    if (geteuid() == 0) {
        c << "user root\n"; // otherwise it drops to 'mosquitto' and cannot read the 0600 key
    }
    if (options.persistence) {
        c << "persistence true\npersistence_location " << dir_.string() << "/\n";
        c << "autosave_on_changes true\nautosave_interval 1\n";
    }
    c << "listener " << port_ << " 127.0.0.1\n";
    if (options.tls) {
        write_file(dir_ / "ca.pem", options.cafile_pem, 0644);
        write_file(dir_ / "server.pem", options.certfile_pem, 0644);
        write_file(dir_ / "server.key", options.keyfile_pem, 0600);
        c << "cafile " << (dir_ / "ca.pem").string() << "\n";
        c << "certfile " << (dir_ / "server.pem").string() << "\n";
        c << "keyfile " << (dir_ / "server.key").string() << "\n";
        c << "require_certificate " << (options.require_certificate ? "true" : "false") << "\n";
        if (!options.tls_version.empty()) {
            c << "tls_version " << options.tls_version << "\n";
        }
    }
    for (auto &line : options.extra) {
        c << line << "\n";
    }
    write_file(dir_ / "mosquitto.conf", c.str(), 0644);
    start();
}

bool Broker::start() {
    child_.reset();
    ready_ = false;
    child_.emplace(std::vector<std::string>{HIL_MOSQUITTO_PATH, "-c", (dir_ / "mosquitto.conf").string()},
                   false);
    // Ready when it says so on stderr (event-driven, bounded).
    LineReader log(child_->err());
    auto deadline = Clock::now() + kDeadline;
    while (auto line = log.next(deadline)) {
        if (line->find(" running") != std::string::npos) {
            ready_ = true;
            break;
        }
    }
    if (!ready_) {
        log_ = log.transcript();
    }
    return ready_;
}

void Broker::stop() {
    child_.reset(); // SIGTERM, bounded wait, SIGKILL
    ready_ = false;
}

void Broker::kill_hard() {
    if (child_) {
        child_->signal(SIGKILL);
        child_->wait_exit(2s);
    }
    child_.reset();
    ready_ = false;
}

void Broker::pause() {
    if (child_) {
        child_->signal(SIGSTOP);
    }
}

Broker::~Broker() {
    child_.reset();
    std::error_code ec;
    if (!dir_.empty()) {
        std::filesystem::remove_all(dir_, ec);
    }
}

bool have_broker() {
    return std::string(HIL_MOSQUITTO_PATH).find('/') != std::string::npos;
}

std::vector<std::string> vdev_argv(std::vector<std::string> extra) {
    std::vector<std::string> argv{HIL_VDEV_PATH, "--console", "-"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

std::string connect_request(int id, uint16_t port, const std::string &client_id) {
    return "@" + std::to_string(id) + R"( mqtt.connect {"host":"127.0.0.1","port":)" + std::to_string(port) +
           R"(,"client_id":")" + client_id + R"("})";
}

std::string json_escape(const std::string &s) {
    std::string out;
    for (unsigned char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += static_cast<char>(ch);
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch < 0x20 || ch > 0x7e) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", ch);
            out += buf;
        } else {
            out += static_cast<char>(ch);
        }
    }
    return out;
}

// ---- Vdev -------------------------------------------------------------------------------------

Vdev::Vdev(std::vector<std::string> extra_args)
    : child_(vdev_argv(std::move(extra_args))), out_(child_.out()) {
    out_.expect("!sys.boot ");
}

std::string Vdev::request(const std::string &cmd, const std::string &args) {
    int id = next_id();
    std::string line = "@" + std::to_string(id) + " " + cmd + (args.empty() ? "" : " " + args);
    child_.send(line);
    return out_.expect("@" + std::to_string(id) + " ");
}

bool Vdev::upload(int slot, const std::string &pem) {
    size_t offset = 0;
    do {
        std::string chunk = pem.substr(offset, 256);
        std::string args = R"({"slot":)" + std::to_string(slot) + R"(,"offset":)" + std::to_string(offset) +
                           R"(,"data":")" + json_escape(chunk) + R"("})";
        std::string answer = request("cred.write", args);
        if (answer.find(" ok ") == std::string::npos) {
            ADD_FAILURE() << "cred.write: " << answer;
            return false;
        }
        offset += chunk.size();
    } while (offset < pem.size());
    char crc[9];
    hil_crc32_hex(hil_crc32(0, reinterpret_cast<const uint8_t *>(pem.data()), pem.size()), crc);
    std::string answer =
        request("cred.commit", R"({"slot":)" + std::to_string(slot) + R"(,"crc32":")" + crc + "\"}");
    if (answer.find(" ok ") == std::string::npos) {
        ADD_FAILURE() << "cred.commit: " << answer;
        return false;
    }
    return true;
}

} // namespace vdevtest

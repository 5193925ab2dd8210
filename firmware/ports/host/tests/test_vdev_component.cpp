// Component tests of hil-vdev against a real Mosquitto on loopback. Every wait has a deadline
// (poll with a timeout), no sleeps; children are killed on every exit path (RAII).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto kDeadline = 5s;

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Lines from an fd, each wait bounded by a deadline.
class LineReader {
  public:
    explicit LineReader(int fd) : fd_(fd) {}

    std::optional<std::string> next(Clock::time_point deadline) {
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
            char chunk[1024];
            ssize_t n = read(fd_, chunk, sizeof(chunk));
            if (n <= 0) {
                return std::nullopt; // EOF / EIO
            }
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }

    // First line starting with prefix (others are skipped); empty string on timeout.
    std::string expect(const std::string &prefix, std::chrono::milliseconds within = kDeadline) {
        auto deadline = Clock::now() + within;
        while (auto line = next(deadline)) {
            if (line->rfind(prefix, 0) == 0) {
                return *line;
            }
        }
        ADD_FAILURE() << "no line starting with '" << prefix << "' within " << within.count()
                      << " ms; seen:\n"
                      << transcript();
        return {};
    }

    std::string transcript() const {
        std::string t;
        for (auto &l : seen_) {
            t += "  | " + l + "\n";
        }
        return t;
    }

  private:
    int fd_;
    std::string buf_;
    std::vector<std::string> seen_;
};

// A child process with its stdin/stdout/stderr on pipes; SIGTERM then SIGKILL on destruction.
class Child {
  public:
    explicit Child(std::vector<std::string> argv, bool pipe_stdin = true) {
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
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;

    ~Child() {
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

    bool started() const { return pid_ > 0; }
    int in() const { return stdin_; }
    int out() const { return stdout_; }
    int err() const { return stderr_; }
    void close_stdin() {
        close(stdin_);
        stdin_ = -1;
    }
    void send(const std::string &line) {
        std::string l = line + "\n";
        ASSERT_EQ(write(stdin_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
    }

    // Wait for the exit with a deadline (pidfd + poll: no sleep loop). Status in exit_status().
    bool wait_exit(std::chrono::milliseconds within) {
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
    int exit_status() const { return status_; }
    void signal(int sig) { kill(pid_, sig); }

  private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    bool exited_ = false;
    int status_ = 0;
};

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

// A Mosquitto broker on a free loopback port, ready when constructed (or skipped/failed).
class Broker {
  public:
    Broker() {
        std::string dir_template = (std::filesystem::temp_directory_path() / "hil-vdev-test-XXXXXX").string();
        if (mkdtemp(dir_template.data()) == nullptr) {
            return;
        }
        dir_ = dir_template;
        port_ = free_port();
        auto conf = dir_ / "mosquitto.conf";
        {
            std::ofstream c(conf);
            c << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\n";
            c << "log_dest stderr\nlog_type all\n";
            if (geteuid() == 0) {
                c << "user root\n"; // otherwise it drops to 'mosquitto' and may fail
            }
        }
        child_.emplace(std::vector<std::string>{HIL_MOSQUITTO_PATH, "-c", conf.string()}, false);
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
    }
    ~Broker() {
        child_.reset();
        std::error_code ec;
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_, ec);
        }
    }
    bool ready() const { return ready_; }
    uint16_t port() const { return port_; }
    const std::string &log() const { return log_; }

  private:
    std::filesystem::path dir_;
    uint16_t port_ = 0;
    std::optional<Child> child_;
    bool ready_ = false;
    std::string log_;
};

bool have_broker() {
    return std::string(HIL_MOSQUITTO_PATH).find('/') != std::string::npos;
}

std::vector<std::string> vdev_argv(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{HIL_VDEV_PATH, "--console", "-"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

std::string connect_request(int id, uint16_t port, const std::string &client_id) {
    return "@" + std::to_string(id) + R"( mqtt.connect {"host":"127.0.0.1","port":)" + std::to_string(port) +
           R"(,"client_id":")" + client_id + R"("})";
}

} // namespace

TEST(VdevComponent, test_vdev_BannerAndSysInfo) {
    Child vdev(vdev_argv({"--board", "test-board"}));
    ASSERT_TRUE(vdev.started());
    LineReader out(vdev.out());
    std::string banner = out.expect("!sys.boot ");
    EXPECT_NE(banner.find(R"("board":"test-board")"), std::string::npos) << banner;
    EXPECT_NE(banner.find(R"("protocol":0)"), std::string::npos) << banner;
    vdev.send("@1 sys.info");
    EXPECT_NE(out.expect("@1 ").find("@1 ok {"), std::string::npos);
}

TEST(VdevComponent, test_vdev_ConnectSubscribePublishToItself) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");

    vdev.send(connect_request(1, broker.port(), "hil-ct-dut"));
    EXPECT_EQ(out.expect("@1 "), "@1 ok");
    EXPECT_EQ(out.expect("!mqtt."), R"(!mqtt.connected {"session_present":false})");

    vdev.send(R"(@2 mqtt.subscribe {"topic":"hil/ct/#","qos":1})");
    EXPECT_EQ(out.expect("@2 "), R"(@2 ok {"mid":1})");
    EXPECT_EQ(out.expect("!mqtt.subscribed"), R"(!mqtt.subscribed {"mid":1,"granted_qos":1})");

    vdev.send(R"(@3 mqtt.publish {"topic":"hil/ct/up","payload":"hello\u0001","qos":1})");
    EXPECT_EQ(out.expect("@3 "), R"(@3 ok {"mid":2})");
    std::string msg = out.expect("!mqtt.message");
    EXPECT_NE(msg.find(R"("topic":"hil/ct/up","payload":"hello\u0001")"), std::string::npos) << msg;
    EXPECT_NE(msg.find(R"("qos":1)"), std::string::npos) << msg;
}

TEST(VdevComponent, test_vdev_PublishedEventFollowsAnswer) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker.port(), "hil-ct-pub"));
    out.expect("!mqtt.connected");
    vdev.send(R"(@2 mqtt.publish {"topic":"hil/ct/q0","payload":"a"})");
    EXPECT_EQ(out.expect("@2 "), R"(@2 ok {"mid":1})");
    EXPECT_EQ(out.expect("!mqtt.published"), R"(!mqtt.published {"mid":1,"seq":1})");
}

TEST(VdevComponent, test_vdev_MisbehaveWrongTopic) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv({"--misbehave", "wrong-topic"}));
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker.port(), "hil-ct-wt"));
    out.expect("!mqtt.connected");
    vdev.send(R"(@2 mqtt.subscribe {"topic":"hil/wt/#"})");
    out.expect("!mqtt.subscribed");
    vdev.send(R"(@3 mqtt.publish {"topic":"hil/wt/a","payload":"p"})");
    std::string msg = out.expect("!mqtt.message");
    EXPECT_NE(msg.find(R"("topic":"hil/wt/a/x")"), std::string::npos) << msg;
}

TEST(VdevComponent, test_vdev_ConnectRefusedIsNetUnreachable) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, free_port(), "hil-ct-refused"));
    EXPECT_EQ(out.expect("@1 "), "@1 ok");
    std::string failed = out.expect("!mqtt.connect_failed");
    EXPECT_NE(failed.find(R"("class":"net.unreachable")"), std::string::npos) << failed;
}

TEST(VdevComponent, test_vdev_BrokerGoneIsDisconnected) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    std::optional<Broker> broker(std::in_place);
    ASSERT_TRUE(broker->ready()) << broker->log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker->port(), "hil-ct-gone"));
    out.expect("!mqtt.connected");
    broker.reset(); // SIGTERM: the broker closes the connection
    std::string gone = out.expect("!mqtt.disconnected");
    EXPECT_NE(gone.find(R"("reason":"net.closed")"), std::string::npos) << gone;
}

TEST(VdevComponent, test_vdev_ExitsWhenConsoleHangsUp) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");
    vdev.close_stdin();
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_TRUE(WIFEXITED(vdev.exit_status()));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

TEST(VdevComponent, test_vdev_ExitsOnSigterm) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");
    vdev.signal(SIGTERM);
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_TRUE(WIFEXITED(vdev.exit_status()));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

TEST(VdevComponent, test_vdev_UnknownMisbehaviourExits2) {
    Child vdev(vdev_argv({"--misbehave", "no-such-thing"}));
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 2);
    LineReader err(vdev.err());
    EXPECT_NE(err.expect("hil-vdev: unknown misbehaviour").find("drop-publish"), std::string::npos);
}

TEST(VdevComponent, test_vdev_PtyIsRawAndHangupExits) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master, 0);
    ASSERT_EQ(grantpt(master), 0);
    ASSERT_EQ(unlockpt(master), 0);
    std::string slave = ptsname(master);
    Child vdev({HIL_VDEV_PATH, "--console", slave}, false);
    LineReader out(master);
    out.expect("!sys.boot ");
    std::string req = "@1 sys.info\n";
    ASSERT_EQ(write(master, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    // Raw mode: the next line is the answer, never our request echoed back.
    auto line = out.next(Clock::now() + kDeadline);
    ASSERT_TRUE(line.has_value()) << out.transcript();
    EXPECT_EQ(line->rfind("@1 ok {", 0), 0u) << *line;
    close(master);
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

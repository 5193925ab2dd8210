// Test scaffolding for hil-vdev component tests: children on pipes, a Mosquitto broker (plain or
// TLS) on a free loopback port, a console client. Every wait has a deadline (poll with a timeout),
// no sleeps; children are killed on every exit path (RAII).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vdevtest {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
inline constexpr std::chrono::milliseconds kDeadline = 5s;

int ms_left(Clock::time_point deadline);

// Lines from an fd, each wait bounded by a deadline.
class LineReader {
  public:
    explicit LineReader(int fd) : fd_(fd) {}
    std::optional<std::string> next(Clock::time_point deadline);
    // First line starting with prefix (others are skipped); empty string (and a test failure) on
    // timeout.
    std::string expect(const std::string &prefix, std::chrono::milliseconds within = kDeadline);
    // Like expect, but no failure: nullopt when no such line came within the time.
    std::optional<std::string> find(const std::string &prefix, std::chrono::milliseconds within);
    std::string transcript() const;

  private:
    // Lines read but not yet matched: a later expect() may want them.
    std::optional<std::string> take_pending(const std::string &prefix);

    int fd_;
    std::string buf_;
    std::vector<std::string> seen_;
    std::deque<std::string> pending_;
};

// A child process with its stdin/stdout/stderr on pipes; SIGTERM then SIGKILL on destruction.
class Child {
  public:
    explicit Child(std::vector<std::string> argv, bool pipe_stdin = true);
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;
    ~Child();

    bool started() const { return pid_ > 0; }
    int in() const { return stdin_; }
    int out() const { return stdout_; }
    int err() const { return stderr_; }
    void close_stdin();
    void send(const std::string &line);
    // Wait for the exit with a deadline (pidfd + poll: no sleep loop). Status in exit_status().
    bool wait_exit(std::chrono::milliseconds within);
    int exit_status() const { return status_; }
    void signal(int sig);

  private:
    int pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    bool exited_ = false;
    int status_ = 0;
};

uint16_t free_port();

// How to configure the broker's listener.
struct BrokerOptions {
    bool tls = false;
    std::string cafile_pem;   // CA that client certificates must chain to
    std::string certfile_pem; // server certificate (chain)
    std::string keyfile_pem;  // server key
    bool require_certificate = false;
    std::string tls_version;        // "tlsv1.2", "tlsv1.3" or "" (both)
    bool persistence = false;       // persistence with a save after every change
    std::vector<std::string> extra; // more configuration lines
};

// A Mosquitto broker on a free loopback port, ready when constructed (or skipped/failed). It can
// be stopped and started again on the same port (and with the same persistence directory).
class Broker {
  public:
    explicit Broker(BrokerOptions options = {});
    ~Broker();
    bool ready() const { return ready_; }
    uint16_t port() const { return port_; }
    const std::string &log() const { return log_; }
    void stop();      // SIGTERM and wait
    void kill_hard(); // SIGKILL and wait
    void pause();     // SIGSTOP: connections stay open, nothing is answered
    bool start();     // again, same port and configuration

  private:
    std::filesystem::path dir_;
    uint16_t port_ = 0;
    std::optional<Child> child_;
    bool ready_ = false;
    std::string log_;
};

bool have_broker();

std::vector<std::string> vdev_argv(std::vector<std::string> extra = {});

std::string connect_request(int id, uint16_t port, const std::string &client_id);

// JSON string escaping for request arguments (", \, control bytes).
std::string json_escape(const std::string &s);

// A hil-vdev on stdin/stdout, with helpers for requests and credential upload.
class Vdev {
  public:
    explicit Vdev(std::vector<std::string> extra_args = {});
    Child &child() { return child_; }
    LineReader &out() { return out_; }
    // Send "@id cmd args" and return the answer line ("@id ok ..." or "@id err ...").
    std::string request(const std::string &cmd, const std::string &args = "");
    // Upload a PEM into a slot in chunks of at most 256 bytes and commit it; true on success.
    bool upload(int slot, const std::string &pem);
    int next_id() { return ++id_; }

  private:
    Child child_;
    LineReader out_;
    int id_ = 0;
};

} // namespace vdevtest

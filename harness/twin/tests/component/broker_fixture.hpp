#pragma once
// The distribution's Mosquitto with the hil_aws_twin plugin, owned by a test: a generated
// configuration in a fresh directory, an ephemeral port (bind to port 0, then hand the port to
// Mosquitto; retried if another process takes it first), readiness read from its log with a
// deadline, and SIGKILL/reap on every exit path (destructor; the child also dies with the test
// process through PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hil::twin::test {

struct TlsListener {
    std::filesystem::path cafile;   ///< CA of the client certificates
    std::filesystem::path certfile; ///< server certificate
    std::filesystem::path keyfile;
};

struct BrokerConfig {
    std::filesystem::path dir;                         ///< config, log, store go here
    std::map<std::string, std::string> plugin_options; ///< plugin_opt_<key> <value>
    std::optional<TlsListener> tls;                    ///< a mutual-TLS listener beside the plain one
};

class MosquittoBroker {
  public:
    /// Starts the broker and waits (10 s at most) until it logs that it is running.
    /// Throws std::runtime_error with the log tail if it does not.
    explicit MosquittoBroker(BrokerConfig config);
    MosquittoBroker(const MosquittoBroker &) = delete;
    MosquittoBroker &operator=(const MosquittoBroker &) = delete;
    ~MosquittoBroker();

    [[nodiscard]] std::uint16_t plain_port() const { return plain_port_; }
    [[nodiscard]] std::uint16_t tls_port() const { return tls_port_; }

    /// SIGKILL, as a crash would; the broker is gone when this returns.
    void kill_hard();
    /// Sends a signal (SIGHUP: reload the plugin's registry and policies).
    void signal(int sig) const;
    /// Waits until a log line contains `text` (lines seen since the start count). False at the deadline.
    bool wait_for_log(const std::string &text, std::chrono::milliseconds within);
    /// Everything logged so far.
    [[nodiscard]] std::string log() const;

  private:
    bool try_start();
    void read_output(int fd);
    void reap();

    BrokerConfig config_;
    std::uint16_t plain_port_ = 0;
    std::uint16_t tls_port_ = 0;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool output_closed_ = false;
};

/// The plugin built by this tree ($HIL_TWIN_PLUGIN, set by CTest).
[[nodiscard]] std::filesystem::path plugin_path();

/// A fresh empty directory under the system temp dir, unique to this process and test.
[[nodiscard]] std::filesystem::path fresh_directory(const std::string &tag);

} // namespace hil::twin::test

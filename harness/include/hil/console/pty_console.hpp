#pragma once
// Console driver for the virtual device: a pseudo-terminal pair. The harness keeps the master;
// the device opens the slave path. (libserialport cannot open ptys: it looks ports up in sysfs.)

#include "hil/console/console.hpp"

#include <string>

namespace hil {

class PtyConsole final : public Console {
  public:
    /// Opens a new pty pair in raw mode (no echo, no line discipline). Throws InfraError.
    PtyConsole();
    ~PtyConsole() override;
    PtyConsole(const PtyConsole &) = delete;
    PtyConsole &operator=(const PtyConsole &) = delete;

    /// Path the device opens, e.g. /dev/pts/7.
    [[nodiscard]] const std::string &slave_path() const { return slave_path_; }

    void write(std::string_view bytes, Deadline deadline) override;
    long read_some(std::span<char> buffer, Deadline deadline) override;
    void interrupt() override;
    [[nodiscard]] std::string describe() const override { return "pty " + slave_path_; }

  private:
    int master_ = -1;
    int slave_ = -1;   // held open so the line settings persist and reads never see a hangup
    int wake_fd_ = -1; // eventfd for interrupt()
    std::string slave_path_;
};

} // namespace hil

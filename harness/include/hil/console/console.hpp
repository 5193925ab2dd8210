#pragma once
// The Console capability: a byte stream to and from a device's serial console. Drivers: the pty
// of the virtual device (PtyConsole), a libserialport UART (real kits), a TCP socket (ser2net).
// Nothing above the drivers knows which one it has.

#include "hil/core/clock.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hil {

class Console {
  public:
    virtual ~Console() = default;

    /// Writes every byte before the deadline or throws InfraError.
    virtual void write(std::string_view bytes, Deadline deadline) = 0;

    /// Waits until some bytes arrive, the deadline passes, the console closes or interrupt() is
    /// called. Returns the number of bytes read (0: deadline or interrupted); -1 when the other
    /// side has hung up for good.
    virtual long read_some(std::span<char> buffer, Deadline deadline) = 0;

    /// Wakes a read_some() blocked in another thread (used at shutdown). Thread-safe.
    virtual void interrupt() = 0;

    /// Human description for messages and reports: "pty /dev/pts/4", "uart /dev/ttyACM0".
    [[nodiscard]] virtual std::string describe() const = 0;
};

} // namespace hil

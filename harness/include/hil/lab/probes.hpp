#pragma once
// Which kits are attached: the serial ports the system has (libserialport, with their USB
// identity) and, among them, the KitProg3 probes — grouped by the USB serial number, which is
// also what OpenOCD's `adapter serial` takes, so a probe's UART and its debug port pair up
// (reference: psoc6-modustoolbox-openocd.md §5; match on the serial, never on "if02").

#include "hil/flash/kit.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hil::lab {

/// One serial port as libserialport describes it.
struct SerialPortInfo {
    std::string name;        ///< "/dev/ttyACM0"
    std::string description; ///< libserialport's one-line description
    bool usb = false;
    std::uint16_t vid = 0, pid = 0; ///< USB ports only
    std::string usb_serial;         ///< iSerial of the USB device ("" if none)
    std::string manufacturer, product;
};

/// Every serial port of the system (sp_list_ports). Throws InfraError if libserialport fails.
[[nodiscard]] std::vector<SerialPortInfo> list_serial_ports();

/// A KitProg3 (or other probe of `identity`) found among the ports.
struct AttachedProbe {
    std::string serial;             ///< its USB serial number: `adapter serial` for OpenOCD
    std::uint16_t pid = 0;          ///< which mode it is in
    std::string mode;               ///< the mode's name in the kit file ("kp3-bulk", ...)
    std::vector<std::string> uarts; ///< its UART ports, in name order
};

/// The probes among `ports` that `identity` accepts, by USB serial number (ports without a
/// serial cannot be told apart and are left out), sorted by serial.
[[nodiscard]] std::vector<AttachedProbe> attached_probes(const std::vector<SerialPortInfo> &ports,
                                                         const flash::ProbeIdentity &identity);

} // namespace hil::lab

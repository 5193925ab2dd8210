#pragma once
// Kit files (fixtures/kits/<KIT>.yaml): what hil needs to know about one Infineon PSoC6 kit to find
// its KitProg3 probe, flash it with OpenOCD and open its console UART. Read with every problem at
// its file:line (ConfigError); kits are looked up by name in a directory (UsageError with a
// "did you mean" and the known kits).

#include "hil/core/clock.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hil::flash {

/// One USB product id a probe can enumerate with, and the KitProg3 mode it means.
struct ProbeMode {
    std::uint16_t pid = 0;
    std::string mode; ///< fw-loader's name: "kp3-bulk", "kp3-hid", "kp3-dualuart", ...
};

/// USB identity of the kit's on-board probe. The probe's iSerial is the `adapter serial` and is
/// shared by its CDC UART (reference section 5).
struct ProbeIdentity {
    std::string kind = "KitProg3";
    std::uint16_t vid = 0x04B4;
    std::vector<ProbeMode> modes; ///< PIDs hil accepts, in preference order
    /// True if `pid` is one of `modes`.
    [[nodiscard]] bool accepts(std::uint16_t vid_, std::uint16_t pid) const;
};

/// OpenOCD configuration scripts, as names OpenOCD `find`s in its scripts directories.
struct OpenOcdConfig {
    std::string interface_cfg;     ///< "interface/kitprog3.cfg" (Infineon's fork only)
    std::string target_cfg;        ///< "target/infineon/cy8cxxa.cfg" (fork v5.x)
    std::string legacy_target_cfg; ///< "target/psoc6_2m.cfg" (older forks; "" if none)
    std::string transport = "swd";
};

/// Console UART line settings.
struct UartSettings {
    int baud = 115200;
    int data_bits = 8;
    char parity = 'N'; ///< 'N', 'E' or 'O'
    int stop_bits = 1;
    /// "115200 8N1".
    [[nodiscard]] std::string to_string() const;
};

/// One kit.
struct Kit {
    std::string name;        ///< "CY8CPROTO-062-4343W" (also the file's stem)
    std::string description; ///< one line for listings
    std::string device;      ///< MCU part: "CY8C624ABZI-S2D44"
    std::filesystem::path file;
    ProbeIdentity probe;
    OpenOcdConfig openocd;
    UartSettings uart;
    Millis flash_timeout{std::chrono::seconds(120)}; ///< bound on one program+verify
};

/// Reads a kit file. Throws ConfigError with every problem at its file:line (unknown keys, bad
/// values, missing required keys: name, device, probe.modes, openocd.interface, openocd.target).
[[nodiscard]] Kit load_kit_file(const std::filesystem::path &file);

/// Where kit files come from: `$HIL_KITS_DIR`, else `../share/hil/kits` beside an installation,
/// else the source tree's `fixtures/kits`.
[[nodiscard]] std::filesystem::path default_kits_dir();

/// Names of the kits in `dir` (the stems of its *.yaml files), sorted.
[[nodiscard]] std::vector<std::string> kit_names(const std::filesystem::path &dir);

/// Loads `<dir>/<name>.yaml`. An unknown name is a UsageError naming the closest kit ("did you
/// mean") and listing the known ones; a kit whose `name:` differs from its file name is a
/// ConfigError.
[[nodiscard]] Kit find_kit(const std::filesystem::path &dir, std::string_view name);

} // namespace hil::flash

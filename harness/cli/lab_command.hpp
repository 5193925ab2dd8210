#pragma once
// `hil kits` and `hil flash`: the kits hil knows and the probes attached to this host, and
// flashing one kit with OpenOCD (docs/cli.md "Kits and flashing").

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hil::cli {

struct KitsOptions {
    std::optional<std::filesystem::path> kits_dir; ///< default: flash::default_kits_dir()
    bool json = false;
};

struct FlashOptions {
    std::string kit;
    std::filesystem::path image;
    std::string probe;                             ///< probe serial ("" = the only one attached)
    std::optional<std::filesystem::path> openocd;  ///< default $HIL_OPENOCD, else openocd on PATH
    std::vector<std::filesystem::path> scripts;    ///< extra OpenOCD scripts directories (-s)
    std::optional<std::filesystem::path> kits_dir; ///< default: flash::default_kits_dir()
    std::optional<std::filesystem::path> log;      ///< OpenOCD's output (default: a temporary file)
};

/// Lists the known kits and the attached probes with their UART ports; exit 0 (3 if the serial
/// ports cannot be listed).
int kits_command(const KitsOptions &options);

/// Flashes and verifies the image; exit 0, 2 (bad input: kit, image, names), 3 (OpenOCD, probe
/// or target failed — the classified reason is printed).
int flash_command(const FlashOptions &options);

} // namespace hil::cli

#pragma once
// OpenOCD command lines for Infineon's OpenOCD (the ModusToolbox fork), in the shape
// recipe-make-cat1a's `make program` uses: optional `-s <scripts>` directories and one `-c` with
// the interface, `adapter serial`, transport, target and the action, `;`-separated.
// Pure functions: no process, no file system.
//
// Tcl safety: the `-c` text is evaluated by OpenOCD's Tcl interpreter. Every name put into it
// (image path, script names, probe serial, variables) is checked: a name holding `"`, `[`, `]`, `$`,
// `\`, `;`, `{`, `}` or a control character is refused with UsageError (escaping would work for
// some of them, but such names in a firmware build tree are a mistake worth reporting). Image
// paths are brace-quoted, so spaces are fine.

#include "hil/flash/kit.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hil::flash {

/// What every OpenOCD command line for one board starts with.
struct OpenOcdSetup {
    std::vector<std::filesystem::path> scripts_dirs; ///< `-s` each, in order (optional)
    std::string interface_cfg = "interface/kitprog3.cfg";
    std::string probe_serial; ///< `adapter serial` (the probe's USB iSerial); "" = any probe
    std::string transport = "swd";
    /// `set NAME VALUE` before the target script (fork variables: ENABLE_ACQUIRE, ADAPTER_SPEED, ...).
    std::vector<std::pair<std::string, std::string>> variables;
    std::string target_cfg = "target/infineon/cy8cxxa.cfg";
    /// Commands after the target script, as `make program` has them for PSoC6 2M parts.
    std::vector<std::string> after_target = {"psoc6 allow_efuse_program off", "psoc6 sflash_restrictions 1"};
};

/// The setup for `kit`, with its interface/target scripts and transport, the fork's PSoC6 commands,
/// and `probe_serial` ("" = any probe).
[[nodiscard]] OpenOcdSetup setup_for_kit(const Kit &kit, std::string probe_serial = {},
                                         std::vector<std::filesystem::path> scripts_dirs = {});

/// Options of `program`.
struct ProgramOptions {
    bool verify = true;
    bool reset = true;
    bool exit = true; ///< false when a long-lived server runs it over Tcl RPC
};

/// The `-c` text of the setup alone, ending in `;` (the configuration a server is started with).
/// Throws UsageError for names that are not Tcl-safe (see the file comment).
[[nodiscard]] std::string setup_commands(const OpenOcdSetup &setup);

/// `program {<image>} [verify] [reset] [exit]`. Only .hex and .elf images (a .bin needs an
/// address); anything else, or a Tcl-unsafe path, is a UsageError.
[[nodiscard]] std::string program_command(const std::filesystem::path &image,
                                          const ProgramOptions &options = {});

/// Full argv: `openocd [-s DIR]... -c "<setup> program {<image>} verify reset exit;"`.
[[nodiscard]] std::vector<std::string> program_argv(const std::string &openocd, const OpenOcdSetup &setup,
                                                    const std::filesystem::path &image,
                                                    const ProgramOptions &options = {});

/// Full argv for a chip erase: `... init; reset init; erase_all; exit;`.
[[nodiscard]] std::vector<std::string> erase_argv(const std::string &openocd, const OpenOcdSetup &setup);

/// Full argv for a reset that lets the firmware run: `... init; reset run; shutdown;`.
[[nodiscard]] std::vector<std::string> reset_run_argv(const std::string &openocd, const OpenOcdSetup &setup);

/// Throws UsageError naming `what` if `text` holds a Tcl-special character (`"[]$\;{}`) or a
/// control character, or is empty.
void require_tcl_safe(std::string_view text, std::string_view what);

} // namespace hil::flash

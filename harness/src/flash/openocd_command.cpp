// OpenOCD command lines for Infineon's fork (see openocd_command.hpp).
#include "hil/flash/openocd_command.hpp"

#include "hil/core/error.hpp"

#include <algorithm>

namespace hil::flash {

void require_tcl_safe(std::string_view text, std::string_view what) {
    if (text.empty()) throw UsageError(std::string(what) + " is empty");
    const auto bad = std::find_if(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || std::string_view("\"[]$\\;{}").find(c) != std::string_view::npos;
    });
    if (bad != text.end()) {
        const auto u = static_cast<unsigned char>(*bad);
        const std::string shown =
            u < 0x20 || u == 0x7f ? "a control character" : std::string("'") + *bad + "'";
        throw UsageError(std::string(what) + " '" + std::string(text) + "' holds " + shown +
                         ", which OpenOCD's Tcl would interpret; rename it (hil refuses \" [ ] $ \\ ; { } "
                         "and control characters)");
    }
}

namespace {

void require_word(std::string_view text, std::string_view what) {
    require_tcl_safe(text, what);
    if (text.find_first_of(" \t") != std::string_view::npos)
        throw UsageError(std::string(what) + " '" + std::string(text) + "' holds a space");
}

std::vector<std::string> argv_with(const std::string &openocd, const OpenOcdSetup &setup,
                                   const std::string &action) {
    std::vector<std::string> argv{openocd};
    for (const auto &dir : setup.scripts_dirs) {
        argv.emplace_back("-s"); // an argv element, not Tcl: no quoting needed
        argv.push_back(dir.string());
    }
    argv.emplace_back("-c");
    argv.push_back(setup_commands(setup) + " " + action);
    return argv;
}

} // namespace

OpenOcdSetup setup_for_kit(const Kit &kit, std::string probe_serial,
                           std::vector<std::filesystem::path> scripts_dirs) {
    OpenOcdSetup setup;
    setup.scripts_dirs = std::move(scripts_dirs);
    setup.interface_cfg = kit.openocd.interface_cfg;
    setup.target_cfg = kit.openocd.target_cfg;
    setup.transport = kit.openocd.transport;
    setup.probe_serial = std::move(probe_serial);
    return setup;
}

std::string setup_commands(const OpenOcdSetup &setup) {
    require_word(setup.interface_cfg, "interface script");
    require_word(setup.target_cfg, "target script");
    require_word(setup.transport, "transport");
    std::string c = "source [find " + setup.interface_cfg + "];";
    if (!setup.probe_serial.empty()) {
        require_word(setup.probe_serial, "probe serial");
        c += " adapter serial " + setup.probe_serial + ";";
    }
    c += " transport select " + setup.transport + ";";
    for (const auto &[name, value] : setup.variables) {
        require_word(name, "variable name");
        require_word(value, "value of " + name);
        c += " set " + name + " " + value + ";";
    }
    c += " source [find " + setup.target_cfg + "];";
    for (const auto &command : setup.after_target) {
        require_tcl_safe(command, "command");
        c += " " + command + ";";
    }
    return c;
}

std::string program_command(const std::filesystem::path &image, const ProgramOptions &options) {
    const std::string path = image.string();
    require_tcl_safe(path, "image path");
    const auto ext = image.extension().string();
    if (ext != ".hex" && ext != ".elf")
        throw UsageError("image '" + path + "': expected a .hex or .elf file (a .bin has no load address)");
    std::string c = "program {" + path + "}"; // braces: no substitution, spaces kept
    if (options.verify) c += " verify";
    if (options.reset) c += " reset";
    if (options.exit) c += " exit";
    return c;
}

std::vector<std::string> program_argv(const std::string &openocd, const OpenOcdSetup &setup,
                                      const std::filesystem::path &image, const ProgramOptions &options) {
    return argv_with(openocd, setup, program_command(image, options) + ";");
}

std::vector<std::string> erase_argv(const std::string &openocd, const OpenOcdSetup &setup) {
    return argv_with(openocd, setup, "init; reset init; erase_all; exit;");
}

std::vector<std::string> reset_run_argv(const std::string &openocd, const OpenOcdSetup &setup) {
    return argv_with(openocd, setup, "init; reset run; shutdown;");
}

} // namespace hil::flash

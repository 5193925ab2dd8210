// OpenOCD output classification (see openocd_output.hpp).
#include "hil/flash/openocd_output.hpp"

#include <algorithm>
#include <array>

namespace hil::flash {

const char *to_string(FlashProgress progress) {
    switch (progress) {
    case FlashProgress::device_detected: return "device detected";
    case FlashProgress::programming_started: return "programming started";
    case FlashProgress::programming_finished: return "programming finished";
    case FlashProgress::verify_started: return "verify started";
    case FlashProgress::verified: return "verified";
    case FlashProgress::resetting: return "resetting target";
    }
    return "?";
}

const char *to_string(FlashErrorClass error) {
    switch (error) {
    case FlashErrorClass::config_not_found: return "config-not-found";
    case FlashErrorClass::no_probe: return "no-probe";
    case FlashErrorClass::probe_access: return "probe-access";
    case FlashErrorClass::target_not_answering: return "target-not-answering";
    case FlashErrorClass::verify_failed: return "verify-failed";
    case FlashErrorClass::image_file: return "image-file";
    case FlashErrorClass::port_in_use: return "port-in-use";
    case FlashErrorClass::programming_failed: return "programming-failed";
    case FlashErrorClass::init_failed: return "init-failed";
    case FlashErrorClass::other: return "other";
    }
    return "?";
}

namespace {

bool has(std::string_view line, std::string_view part) {
    return line.find(part) != std::string_view::npos;
}

/// The text after `marker` up to the end of the line (trimmed of trailing blanks).
std::string after(std::string_view line, std::string_view marker) {
    const auto at = line.find(marker);
    std::string_view rest = line.substr(at + marker.size());
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
    return std::string(rest);
}

OpenOcdLine progress(std::string_view line, FlashProgress step, std::string message = {}) {
    OpenOcdLine out;
    out.kind = OpenOcdLine::Kind::progress;
    out.progress = step;
    out.message = message.empty() ? to_string(step) : std::move(message);
    out.line = std::string(line);
    return out;
}

OpenOcdLine error(std::string_view line, FlashErrorClass cls, std::string message) {
    OpenOcdLine out;
    out.kind = OpenOcdLine::Kind::error;
    out.error = cls;
    out.message = std::move(message);
    out.line = std::string(line);
    return out;
}

/// Lower is more specific; generic summary lines rank last.
int rank(FlashErrorClass cls) {
    switch (cls) {
    case FlashErrorClass::programming_failed:
    case FlashErrorClass::init_failed: return 2;
    case FlashErrorClass::other: return 1;
    default: return 0;
    }
}

std::string missing_script_message(const std::string &script) {
    const bool fork_only =
        has(script, "kitprog3") || has(script, "infineon/") || has(script, "psoc6_2m") || has(script, "cy8c");
    if (fork_only) {
        return "this OpenOCD has no " + script +
               ": flashing PSoC6 2M parts needs Infineon's OpenOCD (ModusToolbox); point hil at it "
               "($HIL_OPENOCD, or the openocd path option, and its scripts directory)";
    }
    return "OpenOCD cannot find the script " + script + ": check the scripts directories (-s) it was given";
}

} // namespace

OpenOcdLine classify_openocd_line(std::string_view line) {
    // Progress of `program` (startup.tcl's echo lines; the fork prints the same).
    if (has(line, "Programming Started")) return progress(line, FlashProgress::programming_started);
    if (has(line, "Programming Finished")) return progress(line, FlashProgress::programming_finished);
    if (has(line, "Verify Started")) return progress(line, FlashProgress::verify_started);
    if (has(line, "Verified OK")) return progress(line, FlashProgress::verified);
    if (has(line, "Resetting Target")) return progress(line, FlashProgress::resetting);
    if (has(line, "Detected Device: ")) {
        std::string device = after(line, "Detected Device: ");
        device = device.substr(0, device.find_first_of(" ,"));
        return progress(line, FlashProgress::device_detected, device);
    }

    // Wrong OpenOCD / scripts: "Can't find interface/kitprog3.cfg", also as
    // "embedded:startup.tcl:28: Error: Can't find interface/kitprog3.cfg".
    if (has(line, "Can't find ") && has(line, ".cfg"))
        return error(line, FlashErrorClass::config_not_found,
                     missing_script_message(after(line, "Can't find ")));

    if (has(line, "unable to find a matching CMSIS-DAP device") ||
        has(line, "unable to find CMSIS-DAP device") || has(line, "Can't find a KitProg device") ||
        has(line, "No CMSIS-DAP device found")) {
        return error(
            line, FlashErrorClass::no_probe,
            "no probe found: no KitProg3 (CMSIS-DAP) probe with the requested serial is connected. "
            "Check the USB cable and `adapter serial`, that the probe runs KitProg3 in CMSIS-DAP mode "
            "(KitProg2 boards: fw-loader --update-kp3; DAPLink mode: press SW3), and the udev rules");
    }
    if (has(line, "unable to open CMSIS-DAP device") || has(line, "LIBUSB_ERROR_ACCESS") ||
        has(line, "LIBUSB_ERROR_BUSY")) {
        return error(line, FlashErrorClass::probe_access,
                     "the probe is there but cannot be opened: missing udev rules (permissions) or another "
                     "program (OpenOCD, fw-loader, a debugger) holds it");
    }
    if (has(line, "Error connecting DP") || has(line, "JTAG scan chain interrogation failed") ||
        has(line, "IR capture error") || has(line, "Invalid ACK") || has(line, "STICKY ERROR") ||
        has(line, "examination failed") || has(line, "Examination failed") ||
        has(line, "timed out while waiting for target") || has(line, "init mode failed") ||
        has(line, "Unable to reset target") || has(line, "Target not halted") ||
        has(line, "target not halted")) {
        return error(line, FlashErrorClass::target_not_answering,
                     "the probe does not reach the MCU: check the board's power and the SWD connection; "
                     "firmware that disables SWD or sleeps deeply is recovered by the fork's auto-acquire "
                     "(ENABLE_ACQUIRE 1) or an erase");
    }
    if (has(line, "Verify Failed") || has(line, "verify failed")) {
        return error(line, FlashErrorClass::verify_failed,
                     "the flash does not read back as the image: flash again; if it repeats, erase the chip "
                     "(protection or a worn/locked sector)");
    }
    if (has(line, "couldn't open ")) {
        return error(line, FlashErrorClass::image_file,
                     "OpenOCD cannot open the image " + after(line, "couldn't open ") +
                         ": check the path and that the build produced it");
    }
    if (has(line, "no flash bank found for address")) {
        return error(
            line, FlashErrorClass::image_file,
            "the image has data at an address no flash bank covers: was it built for this kit's MCU?");
    }
    if (has(line, "couldn't bind") && has(line, "Address already in use")) {
        return error(line, FlashErrorClass::port_in_use,
                     "an OpenOCD service port is in use: " + std::string(line));
    }
    if (has(line, "Programming Failed"))
        return error(line, FlashErrorClass::programming_failed,
                     "programming failed (see the lines before it)");
    if (has(line, "OpenOCD init failed"))
        return error(line, FlashErrorClass::init_failed,
                     "OpenOCD could not initialise the probe or the target");
    if (line.rfind("Error: ", 0) == 0 || has(line, ": Error: ")) {
        std::string text = after(line, "Error: ");
        if (!text.empty()) return error(line, FlashErrorClass::other, "OpenOCD: " + text);
    }
    OpenOcdLine out;
    out.line = std::string(line);
    return out;
}

void OpenOcdOutput::feed(std::string_view line) {
    OpenOcdLine c = classify_openocd_line(line);
    if (c.kind == OpenOcdLine::Kind::progress) {
        progress_.push_back(c.progress);
        if (c.progress == FlashProgress::device_detected) device_ = c.message;
    } else if (c.kind == OpenOcdLine::Kind::error) {
        if (!error_ || rank(c.error) < rank(error_->error)) error_ = std::move(c);
    }
}

bool OpenOcdOutput::saw(FlashProgress step) const {
    return std::find(progress_.begin(), progress_.end(), step) != progress_.end();
}

} // namespace hil::flash

#pragma once
// OpenOCD's output, line by line, turned into flash progress and one clear error. The texts
// matched are OpenOCD 0.12.0's (Debian's binary, and the `program` procedure the Infineon fork
// shares with it); see the unit tests for the captured lines and the commands that produced them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hil::flash {

/// Steps of `program` (and the fork's device banner).
enum class FlashProgress {
    device_detected,      ///< fork: "Detected Device: CY8C624ABZI-S2D44"
    programming_started,  ///< "** Programming Started **"
    programming_finished, ///< "** Programming Finished **"
    verify_started,       ///< "** Verify Started **"
    verified,             ///< "** Verified OK **", "**Verified OK - No flashing**"
    resetting,            ///< "** Resetting Target **"
};

/// Classes of failure, most specific first.
enum class FlashErrorClass {
    config_not_found,     ///< "Can't find interface/kitprog3.cfg": wrong OpenOCD or scripts dir
    no_probe,             ///< "unable to find a matching CMSIS-DAP device"
    probe_access,         ///< "unable to open CMSIS-DAP device 0x4b4:0xf155": permissions or busy
    target_not_answering, ///< SWD/JTAG reaches no MCU: "Error connecting DP: cannot read IDR", ...
    verify_failed,        ///< "** Verify Failed **"
    image_file,           ///< "couldn't open app.hex", "no flash bank found for address ..."
    port_in_use,          ///< "couldn't bind tcl to socket on port N: Address already in use"
    programming_failed,   ///< "** Programming Failed **" (generic: a more specific line explains it)
    init_failed,          ///< "** OpenOCD init failed **" (generic)
    other,                ///< any other "Error: ..." line
};

[[nodiscard]] const char *to_string(FlashProgress progress);
[[nodiscard]] const char *to_string(FlashErrorClass error);

/// One classified line.
struct OpenOcdLine {
    enum class Kind { other, progress, error } kind = Kind::other;
    FlashProgress progress{}; ///< when kind == progress
    FlashErrorClass error{};  ///< when kind == error
    std::string message;      ///< for errors: what it means and what to do; progress: the step
    std::string line;         ///< the line as OpenOCD printed it
};

/// Classifies one line of OpenOCD output (stdout or stderr, without '\n').
[[nodiscard]] OpenOcdLine classify_openocd_line(std::string_view line);

/// A whole run's output: its progress and its error. Feed it every line in order.
class OpenOcdOutput {
  public:
    void feed(std::string_view line);

    [[nodiscard]] const std::vector<FlashProgress> &progress() const { return progress_; }
    [[nodiscard]] bool saw(FlashProgress step) const;
    /// The most specific error seen (the first of its rank): a "no probe" line explains the
    /// "** OpenOCD init failed **" that follows it. nullopt if no line was an error.
    [[nodiscard]] const std::optional<OpenOcdLine> &error() const { return error_; }
    /// The fork's "Detected Device" name, if it printed one.
    [[nodiscard]] const std::string &detected_device() const { return device_; }

  private:
    std::vector<FlashProgress> progress_;
    std::optional<OpenOcdLine> error_;
    std::string device_;
};

} // namespace hil::flash

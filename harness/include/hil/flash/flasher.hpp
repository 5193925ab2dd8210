#pragma once
// One-shot flashing of a kit: OpenOCD runs `program <image> verify reset exit` as `make program`
// would (openocd_command.hpp), its output is classified as it comes (openocd_output.hpp), and the
// whole run is bounded by the kit's flash timeout. The process is owned (ManagedProcess): killed on
// timeout, on an exception, on every exit path.

#include "hil/core/event_bus.hpp"
#include "hil/flash/kit.hpp"
#include "hil/flash/openocd_output.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace hil::flash {

struct FlashRequest {
    Kit kit;
    std::filesystem::path image;                     ///< .hex or .elf
    std::string probe_serial;                        ///< "" = the only probe attached
    std::filesystem::path openocd;                   ///< "" = resolve_openocd()
    std::vector<std::filesystem::path> scripts_dirs; ///< extra `-s` directories (the fork's scripts)
    std::filesystem::path log_path;                  ///< OpenOCD's output goes here
};

struct FlashOutcome {
    bool ok = false;
    std::vector<FlashProgress> progress;
    std::optional<OpenOcdLine> error; ///< the classified reason when !ok
    std::string detected_device;      ///< the fork's "Detected Device", if printed
    double duration_ms = 0;
    std::string status; ///< OpenOCD's exit, e.g. "exited with status 1"
};

/// Flashes `request.image`. Throws UsageError for a missing or unusable image (before OpenOCD
/// starts) and InfraError when OpenOCD cannot be started; everything OpenOCD reports is in the
/// outcome. `on_progress` (optional) sees each progress step as it happens. `bus` may be null.
[[nodiscard]] FlashOutcome flash_image(const FlashRequest &request, EventBus *bus,
                                       const std::function<void(FlashProgress)> &on_progress = {});

} // namespace hil::flash

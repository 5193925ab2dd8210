#include "hil/flash/flasher.hpp"

#include "hil/core/error.hpp"
#include "hil/core/process.hpp"
#include "hil/flash/openocd_command.hpp"
#include "hil/flash/openocd_rpc.hpp"

#include <mutex>
#include <sys/wait.h>

namespace hil::flash {

FlashOutcome flash_image(const FlashRequest &request, EventBus *bus,
                         const std::function<void(FlashProgress)> &on_progress) {
    if (!std::filesystem::is_regular_file(request.image)) {
        throw UsageError("image " + request.image.string() + ": no such file");
    }
    const auto setup = setup_for_kit(request.kit, request.probe_serial, request.scripts_dirs);
    ProcessSpec spec;
    spec.name = "openocd";
    spec.argv = program_argv(resolve_openocd(request.openocd).string(), setup, request.image);
    spec.log_path = request.log_path;
    std::mutex mutex; // lines come from the process's reader thread
    OpenOcdOutput output;
    spec.on_line = [&](std::string_view line) {
        const std::lock_guard lock(mutex);
        const std::size_t before = output.progress().size();
        output.feed(line);
        if (on_progress && output.progress().size() > before) on_progress(output.progress().back());
    };
    const auto t0 = Clock::now();
    auto process = ManagedProcess::start(std::move(spec), bus);
    const auto status = process->wait_exit(Deadline::after(request.kit.flash_timeout));
    FlashOutcome outcome;
    if (!status) process->stop(); // over the kit's bound: not ours to wait for any longer
    process.reset();              // the reader thread has delivered every line once it is gone
    outcome.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    const std::lock_guard lock(mutex);
    outcome.progress = output.progress();
    outcome.detected_device = output.detected_device();
    outcome.error = output.error();
    if (!status) {
        outcome.status = "did not finish within the kit's flash timeout";
        if (!outcome.error) {
            OpenOcdLine timeout;
            timeout.kind = OpenOcdLine::Kind::error;
            timeout.error = FlashErrorClass::other;
            timeout.message =
                "OpenOCD did not finish within " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::seconds>(request.kit.flash_timeout).count()) +
                " s (the kit's flash_timeout)";
            outcome.error = timeout;
        }
        return outcome;
    }
    outcome.status = WIFEXITED(*status) ? "exited with status " + std::to_string(WEXITSTATUS(*status))
                                        : "ended by signal " + std::to_string(WTERMSIG(*status));
    // Success is what OpenOCD printed, not only its exit status: verified, and no error line.
    outcome.ok = WIFEXITED(*status) && WEXITSTATUS(*status) == 0 && !outcome.error &&
                 output.saw(FlashProgress::verified);
    if (!outcome.ok && !outcome.error) {
        OpenOcdLine unverified;
        unverified.kind = OpenOcdLine::Kind::error;
        unverified.error = FlashErrorClass::other;
        unverified.message = "OpenOCD " + outcome.status + " without reporting a verified image";
        outcome.error = unverified;
    }
    return outcome;
}

} // namespace hil::flash

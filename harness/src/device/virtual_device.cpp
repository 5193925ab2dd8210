#include "hil/device/virtual_device.hpp"

#include "hil/console/pty_console.hpp"
#include "hil/core/error.hpp"

#include <cstdlib>
#include <fstream>

namespace hil {

std::filesystem::path default_vdev_path() {
    if (const char *env = std::getenv("HIL_VDEV"); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path("hil-vdev") : self.parent_path() / "hil-vdev";
}

VirtualDevice::VirtualDevice(const VirtualDeviceOptions &options, EventBus &bus) {
    auto console = std::make_unique<PtyConsole>();
    const std::string slave = console->slave_path();
    const auto exe = options.executable.empty() ? default_vdev_path() : options.executable;
    if (!std::filesystem::exists(exe)) {
        throw InfraError("virtual device executable not found: " + exe.string() +
                         " (build it, or set HIL_VDEV)");
    }
    const std::uint64_t from = bus.next_seq();
    session_ = std::make_unique<DeviceSession>(options.name, std::move(console), bus,
                                               options.log_dir / ("console-" + options.name + ".log"),
                                               options.context);
    ProcessSpec spec;
    spec.name = "vdev-" + options.name;
    spec.argv = {exe.string(), "--console", slave};
    for (const auto &m : options.misbehaviours) {
        spec.argv.push_back("--misbehave");
        spec.argv.push_back(m);
    }
    spec.log_path = options.log_dir / ("vdev-" + options.name + ".log");
    spec.context = options.context;
    process_ = ManagedProcess::start(std::move(spec), &bus);
    identity_ = session_->await_boot(from, Deadline::after(options.boot_timeout));
    check_build_id(exe);
}

void VirtualDevice::check_build_id(const std::filesystem::path &exe) const {
    // The build writes the image's id beside it (<exe>.build-id); the banner must state the same,
    // or the device running is not the image we meant to start.
    std::ifstream file(exe.string() + ".build-id");
    std::string expected;
    if (!(file >> expected)) return; // an image without a recorded id: nothing to compare
    if (identity_.build_id != expected) {
        throw InfraError("device '" + session_->name() + "' reports build id '" + identity_.build_id +
                             "' but " + exe.string() + " was built as '" + expected + "'",
                         session_->console_log().string());
    }
}

VirtualDevice::~VirtualDevice() {
    // Stop the process first: the session's reader then sees the last lines it printed.
    process_.reset();
    session_.reset();
}

} // namespace hil

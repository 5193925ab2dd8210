#pragma once
// Driver for the virtual device: the firmware core built for the host (`hil-vdev`), started on a
// fresh pty, owned for its whole life (stopped with the object, and by the kernel if hil dies).

#include "hil/core/process.hpp"
#include "hil/device/device_session.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hil {

struct VirtualDeviceOptions {
    std::string name = "dut";               ///< device handle in scenarios
    std::string context;                    ///< the scenario execution it belongs to
    std::filesystem::path executable;       ///< empty: default_vdev_path()
    std::vector<std::string> misbehaviours; ///< registry names, passed as --misbehave
    std::filesystem::path log_dir;          ///< console transcript and process output
    Clock::duration boot_timeout = std::chrono::seconds(10);
};

class VirtualDevice {
  public:
    /// Starts the device, waits for its boot banner and checks the banner's build id against
    /// `<executable>.build-id` when the build recorded one. Throws InfraError.
    VirtualDevice(const VirtualDeviceOptions &options, EventBus &bus);
    ~VirtualDevice();

    [[nodiscard]] DeviceSession &session() { return *session_; }
    [[nodiscard]] const DeviceIdentity &identity() const { return identity_; }
    [[nodiscard]] ManagedProcess &process() { return *process_; }

  private:
    void check_build_id(const std::filesystem::path &exe) const;

    std::unique_ptr<DeviceSession> session_;
    std::unique_ptr<ManagedProcess> process_;
    DeviceIdentity identity_;
};

/// `$HIL_VDEV` if set, else `hil-vdev` next to the running executable.
[[nodiscard]] std::filesystem::path default_vdev_path();

} // namespace hil

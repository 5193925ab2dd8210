#include "lab_command.hpp"

#include "hil/core/error.hpp"
#include "hil/core/run_id.hpp"
#include "hil/flash/flasher.hpp"
#include "hil/flash/kit.hpp"
#include "hil/lab/probes.hpp"
#include "hil/run/exit_codes.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace hil::cli {

namespace {

std::string hex4(std::uint16_t value) {
    char text[8];
    std::snprintf(text, sizeof text, "%04x", value);
    return text;
}

} // namespace

int kits_command(const KitsOptions &options) {
    const auto dir = options.kits_dir.value_or(flash::default_kits_dir());
    std::vector<flash::Kit> kits;
    for (const auto &name : flash::kit_names(dir)) kits.push_back(flash::find_kit(dir, name));
    const auto ports = lab::list_serial_ports();
    nlohmann::json out = {
        {"kits_dir", dir.string()}, {"kits", nlohmann::json::array()}, {"serial_ports", ports.size()}};
    for (const auto &kit : kits) {
        nlohmann::json probes = nlohmann::json::array();
        for (const auto &probe : lab::attached_probes(ports, kit.probe)) {
            probes.push_back({{"serial", probe.serial}, {"mode", probe.mode}, {"uarts", probe.uarts}});
        }
        out["kits"].push_back({{"name", kit.name},
                               {"device", kit.device},
                               {"description", kit.description},
                               {"probe_vid", hex4(kit.probe.vid)},
                               {"attached", probes}});
    }
    if (options.json) {
        std::cout << out.dump(2) << std::endl;
        return kAllPassed;
    }
    std::cout << "kits in " << dir.string() << " (" << ports.size() << " serial port(s) on this host):\n";
    for (const auto &kit : out["kits"]) {
        std::cout << "  " << kit["name"].get<std::string>() << "  " << kit["device"].get<std::string>()
                  << "\n";
        if (kit["attached"].empty()) std::cout << "      no probe attached\n";
        for (const auto &probe : kit["attached"]) {
            std::cout << "      probe " << probe["serial"].get<std::string>() << " ("
                      << probe["mode"].get<std::string>() << "), UART " << probe["uarts"].dump() << "\n";
        }
    }
    // A KitProg3 is the same USB device on every kit: which kit is on the probe is the user's call.
    std::cout << std::flush;
    return kAllPassed;
}

int flash_command(const FlashOptions &options) {
    const auto dir = options.kits_dir.value_or(flash::default_kits_dir());
    flash::FlashRequest request;
    request.kit = flash::find_kit(dir, options.kit);
    request.image = options.image;
    request.probe_serial = options.probe;
    request.openocd = options.openocd.value_or("");
    request.scripts_dirs = options.scripts;
    if (!std::filesystem::is_regular_file(request.image)) {
        throw UsageError("image " + request.image.string() + ": no such file");
    }
    request.log_path = options.log.value_or(std::filesystem::temp_directory_path() /
                                            ("hil-flash-" + make_run_id() + ".log"));
    std::cout << "hil flash: " << request.image.string() << " -> " << request.kit.name
              << (request.probe_serial.empty() ? "" : " (probe " + request.probe_serial + ")") << std::endl;
    const auto outcome = flash::flash_image(request, nullptr, [](flash::FlashProgress step) {
        std::cout << "  " << flash::to_string(step) << std::endl;
    });
    char took[32];
    std::snprintf(took, sizeof took, "%.1f s", outcome.duration_ms / 1000.0);
    if (outcome.ok) {
        std::cout << "hil flash: verified"
                  << (outcome.detected_device.empty() ? "" : " on " + outcome.detected_device) << " in "
                  << took << std::endl;
        return kAllPassed;
    }
    std::cerr << "hil flash: failed (" << flash::to_string(outcome.error->error)
              << "): " << outcome.error->message << "\n  OpenOCD " << outcome.status << " after " << took
              << (outcome.error->line.empty() ? "" : "; it said: " + outcome.error->line)
              << "\n  log: " << request.log_path.string() << std::endl;
    return kInfraError;
}

} // namespace hil::cli

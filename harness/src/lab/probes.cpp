#include "hil/lab/probes.hpp"

#include "hil/core/error.hpp"

#include <libserialport.h>

#include <algorithm>
#include <map>

namespace hil::lab {

namespace {
std::string text(const char *s) {
    return s != nullptr ? s : "";
}
} // namespace

std::vector<SerialPortInfo> list_serial_ports() {
    sp_port **ports = nullptr;
    if (const sp_return rc = sp_list_ports(&ports); rc != SP_OK) {
        char *message = sp_last_error_message();
        const std::string why = rc == SP_ERR_FAIL ? text(message) : "error " + std::to_string(rc);
        sp_free_error_message(message);
        throw InfraError("cannot list the serial ports (libserialport): " + why);
    }
    std::vector<SerialPortInfo> out;
    for (sp_port **p = ports; *p != nullptr; ++p) {
        SerialPortInfo info;
        info.name = text(sp_get_port_name(*p));
        info.description = text(sp_get_port_description(*p));
        info.usb = sp_get_port_transport(*p) == SP_TRANSPORT_USB;
        if (info.usb) {
            int vid = 0;
            int pid = 0;
            if (sp_get_port_usb_vid_pid(*p, &vid, &pid) == SP_OK) {
                info.vid = static_cast<std::uint16_t>(vid);
                info.pid = static_cast<std::uint16_t>(pid);
            }
            info.usb_serial = text(sp_get_port_usb_serial(*p));
            info.manufacturer = text(sp_get_port_usb_manufacturer(*p));
            info.product = text(sp_get_port_usb_product(*p));
        }
        out.push_back(std::move(info));
    }
    sp_free_port_list(ports);
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    return out;
}

std::vector<AttachedProbe> attached_probes(const std::vector<SerialPortInfo> &ports,
                                           const flash::ProbeIdentity &identity) {
    std::map<std::string, AttachedProbe> by_serial;
    for (const auto &port : ports) {
        if (!port.usb || port.usb_serial.empty() || !identity.accepts(port.vid, port.pid)) continue;
        AttachedProbe &probe = by_serial[port.usb_serial];
        probe.serial = port.usb_serial;
        probe.pid = port.pid;
        for (const auto &mode : identity.modes) {
            if (mode.pid == port.pid) probe.mode = mode.mode;
        }
        probe.uarts.push_back(port.name);
    }
    std::vector<AttachedProbe> out;
    for (auto &[serial, probe] : by_serial) {
        std::sort(probe.uarts.begin(), probe.uarts.end());
        out.push_back(std::move(probe));
    }
    return out;
}

} // namespace hil::lab

// Kit files: YAML -> Kit, every problem reported with its file:line at once.
#include "hil/flash/kit.hpp"

#include "../core/yaml_file.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/scenario/names.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace hil::flash {

bool ProbeIdentity::accepts(std::uint16_t vid_, std::uint16_t pid) const {
    return vid_ == vid &&
           std::any_of(modes.begin(), modes.end(), [&](const ProbeMode &m) { return m.pid == pid; });
}

std::string UartSettings::to_string() const {
    return std::to_string(baud) + " " + std::to_string(data_bits) + parity + std::to_string(stop_bits);
}

namespace {

/// "0x04B4" or "1204" -> value, if it fits 16 bits.
std::optional<std::uint16_t> parse_u16(const std::string &text) {
    std::string_view digits = text;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.remove_prefix(2);
        base = 16;
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || value > 0xFFFF)
        return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

class KitFileReader {
  public:
    explicit KitFileReader(std::filesystem::path file) : file_(std::move(file)) { kit_.file = file_; }

    Kit read() {
        const YAML::Node root = load_yaml_mapping(file_, "kit");
        for (const auto &kv : root) {
            const std::string key = kv.first.Scalar();
            const YAML::Node &v = kv.second;
            if (key == "name")
                kit_.name = text(v, key);
            else if (key == "description")
                kit_.description = text(v, key);
            else if (key == "device")
                kit_.device = text(v, key);
            else if (key == "probe")
                read_probe(v);
            else if (key == "openocd")
                read_openocd(v);
            else if (key == "uart")
                read_uart(v);
            else if (key == "flash")
                read_flash(v);
            else
                at(kv.first, "unknown key '" + key +
                                 "' (known: name, description, device, probe, openocd, uart, flash)");
        }
        if (kit_.name.empty()) at(root, "expected `name` (the kit's name, e.g. CY8CPROTO-062-4343W)");
        if (kit_.device.empty()) at(root, "expected `device` (the MCU part, e.g. CY8C624ABZI-S2D44)");
        if (kit_.probe.modes.empty()) at(root, "expected `probe.modes` (the probe's USB product ids)");
        if (kit_.openocd.interface_cfg.empty())
            at(root, "expected `openocd.interface` (e.g. interface/kitprog3.cfg)");
        if (kit_.openocd.target_cfg.empty())
            at(root, "expected `openocd.target` (e.g. target/infineon/cy8cxxa.cfg)");
        if (!issues_.empty()) throw ConfigError(issues_);
        return kit_;
    }

  private:
    void at(const YAML::Node &n, std::string msg) {
        issues_.push_back({file_.string(), n.Mark().line + 1, n.Mark().column + 1, std::move(msg)});
    }

    std::string text(const YAML::Node &v, const std::string &key) {
        if (!v.IsScalar() || v.Scalar().empty()) {
            at(v, key + ": expected a non-empty string");
            return {};
        }
        return v.Scalar();
    }

    bool is_map(const YAML::Node &v, const std::string &key) {
        if (v.IsMap()) return true;
        at(v, key + ": expected a mapping");
        return false;
    }

    std::optional<std::uint16_t> u16(const YAML::Node &v, const std::string &key) {
        auto value = v.IsScalar() ? parse_u16(v.Scalar()) : std::nullopt;
        if (!value) at(v, key + ": expected a 16-bit USB id such as 0x04B4");
        return value;
    }

    std::optional<int> integer(const YAML::Node &v, const std::string &key, int low, int high) {
        int value = 0;
        const std::string &s = v.IsScalar() ? v.Scalar() : std::string();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value < low || value > high) {
            at(v, key + ": expected an integer " + std::to_string(low) + "-" + std::to_string(high));
            return std::nullopt;
        }
        return value;
    }

    void read_probe(const YAML::Node &probe) {
        if (!is_map(probe, "probe")) return;
        for (const auto &kv : probe) {
            const std::string key = kv.first.Scalar();
            const YAML::Node &v = kv.second;
            if (key == "kind") {
                kit_.probe.kind = text(v, "probe.kind");
            } else if (key == "vid") {
                if (auto vid = u16(v, "probe.vid")) kit_.probe.vid = *vid;
            } else if (key == "modes") {
                read_modes(v);
            } else {
                at(kv.first, "unknown probe key '" + key + "' (known: kind, vid, modes)");
            }
        }
    }

    void read_modes(const YAML::Node &modes) {
        if (!modes.IsSequence() || modes.size() == 0) {
            at(modes, "probe.modes: expected a list of {pid: 0xF155, mode: kp3-bulk}");
            return;
        }
        for (const auto &m : modes) {
            if (!is_map(m, "probe.modes[]")) continue;
            ProbeMode mode;
            bool has_pid = false;
            for (const auto &kv : m) {
                const std::string key = kv.first.Scalar();
                if (key == "pid") {
                    has_pid = true;
                    if (auto pid = u16(kv.second, "probe.modes[].pid")) mode.pid = *pid;
                } else if (key == "mode") {
                    mode.mode = text(kv.second, "probe.modes[].mode");
                } else {
                    at(kv.first, "unknown probe mode key '" + key + "' (known: pid, mode)");
                }
            }
            if (!has_pid) at(m, "probe.modes[]: expected `pid`");
            kit_.probe.modes.push_back(std::move(mode));
        }
    }

    void read_openocd(const YAML::Node &openocd) {
        if (!is_map(openocd, "openocd")) return;
        for (const auto &kv : openocd) {
            const std::string key = kv.first.Scalar();
            const YAML::Node &v = kv.second;
            if (key == "interface") {
                kit_.openocd.interface_cfg = script(v, "openocd.interface");
            } else if (key == "target") {
                kit_.openocd.target_cfg = script(v, "openocd.target");
            } else if (key == "legacy_target") {
                kit_.openocd.legacy_target_cfg = script(v, "openocd.legacy_target");
            } else if (key == "transport") {
                kit_.openocd.transport = text(v, "openocd.transport");
                if (kit_.openocd.transport != "swd" && kit_.openocd.transport != "jtag")
                    at(v, "openocd.transport: '" + kit_.openocd.transport + "' (known: swd, jtag)");
            } else {
                at(kv.first,
                   "unknown openocd key '" + key + "' (known: interface, target, legacy_target, transport)");
            }
        }
    }

    /// A script name OpenOCD finds: relative, ends in .cfg, no Tcl-special characters.
    std::string script(const YAML::Node &v, const std::string &key) {
        std::string name = text(v, key);
        if (name.empty()) return name;
        const bool plain = name.find_first_of("\"[]${}\\; \t") == std::string::npos;
        if (!plain || name.front() == '/' || name.size() < 5 || name.substr(name.size() - 4) != ".cfg") {
            at(v, key + ": '" + name + "' (expected a script name such as interface/kitprog3.cfg)");
            return {};
        }
        return name;
    }

    void read_uart(const YAML::Node &uart) {
        if (!is_map(uart, "uart")) return;
        for (const auto &kv : uart) {
            const std::string key = kv.first.Scalar();
            const YAML::Node &v = kv.second;
            if (key == "baud") {
                // KitProg3 clamps the rate to 50 bps ... 4 Mbit/s (reference section 5).
                if (auto baud = integer(v, "uart.baud", 50, 4000000)) kit_.uart.baud = *baud;
            } else if (key == "data_bits") {
                if (auto bits = integer(v, "uart.data_bits", 5, 8)) kit_.uart.data_bits = *bits;
            } else if (key == "stop_bits") {
                if (auto bits = integer(v, "uart.stop_bits", 1, 2)) kit_.uart.stop_bits = *bits;
            } else if (key == "parity") {
                const std::string p = v.IsScalar() ? v.Scalar() : std::string();
                if (p == "none")
                    kit_.uart.parity = 'N';
                else if (p == "even")
                    kit_.uart.parity = 'E';
                else if (p == "odd")
                    kit_.uart.parity = 'O';
                else
                    at(v, "uart.parity: '" + p + "' (known: none, even, odd)");
            } else {
                at(kv.first, "unknown uart key '" + key + "' (known: baud, data_bits, parity, stop_bits)");
            }
        }
    }

    void read_flash(const YAML::Node &flash) {
        if (!is_map(flash, "flash")) return;
        for (const auto &kv : flash) {
            const std::string key = kv.first.Scalar();
            const YAML::Node &v = kv.second;
            if (key == "timeout") {
                try {
                    kit_.flash_timeout = parse_duration(v.IsScalar() ? v.Scalar() : std::string());
                    if (kit_.flash_timeout.count() <= 0) throw std::invalid_argument("not positive");
                } catch (const std::invalid_argument &) {
                    at(v, "flash.timeout: expected a positive duration such as 120s");
                }
            } else {
                at(kv.first, "unknown flash key '" + key + "' (known: timeout)");
            }
        }
    }

    std::filesystem::path file_;
    Kit kit_;
    std::vector<ConfigIssue> issues_;
};

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

} // namespace

Kit load_kit_file(const std::filesystem::path &file) {
    return KitFileReader(file).read();
}

std::vector<std::string> kit_names(const std::filesystem::path &dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

Kit find_kit(const std::filesystem::path &dir, std::string_view name) {
    const auto names = kit_names(dir);
    const auto exact = std::find(names.begin(), names.end(), name);
    if (exact == names.end()) {
        if (names.empty()) throw UsageError("no kit files (*.yaml) in '" + dir.string() + "'");
        // Kit names are upper case; people type them in any case.
        std::vector<std::string> uppers(names.size());
        std::transform(names.begin(), names.end(), uppers.begin(),
                       [](const std::string &n) { return upper(n); });
        const std::vector<std::string_view> candidates(uppers.begin(), uppers.end());
        const auto near = names::nearest(candidates, upper(name));
        std::string known;
        for (const auto &n : names) known += (known.empty() ? "" : ", ") + n;
        std::string message = "unknown kit '" + std::string(name) + "'";
        if (!near.empty()) {
            const auto index = static_cast<std::size_t>(
                std::find(candidates.begin(), candidates.end(), near) - candidates.begin());
            message += " (did you mean '" + names[index] + "'?)";
        }
        throw UsageError(message + "; known kits: " + known);
    }
    Kit kit = load_kit_file(dir / (std::string(name) + ".yaml"));
    if (kit.name != name) {
        throw ConfigError(
            ConfigIssue{kit.file.string(), 0, 0,
                        "name: '" + kit.name + "' differs from the file name '" + std::string(name) + "'"});
    }
    return kit;
}

std::filesystem::path default_kits_dir() {
    if (const char *env = std::getenv("HIL_KITS_DIR"); env != nullptr && *env != '\0') return env;
    if (auto installed = beside_installation("share/hil/kits"); !installed.empty()) return installed;
    return HIL_SOURCE_KITS_DIR;
}

} // namespace hil::flash

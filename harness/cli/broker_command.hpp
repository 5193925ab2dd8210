#pragma once
// `hil broker up`: the embedded cloud in the foreground, for bench work with a real board or a
// client that is not hil. A fresh test PKI and the embedded Mosquitto (plain and mutual-TLS
// listeners, the aws-twin or mosquitto profile) run until SIGINT/SIGTERM, then stop cleanly.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hil::cli {

struct BrokerUpOptions {
    std::optional<std::string> profile;         ///< instead of the bench file's (default aws-twin)
    std::optional<std::filesystem::path> dir;   ///< default hil-runs/broker-<id>; must not exist or be empty
    std::optional<std::filesystem::path> bench; ///< bench file: bind, host_name, policies, ...
    std::vector<std::string> things{"hil-device"}; ///< aws-twin: things of the device certificate
    bool json = false; ///< first stdout line: one JSON object with endpoints and identities
};

/// Runs the broker until a signal; returns 0 after an orderly stop, 3 if the broker could not
/// start or died, 2 for bad input.
int broker_up_command(const BrokerUpOptions &options);

} // namespace hil::cli

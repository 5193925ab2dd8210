#pragma once
// The embedded cloud's broker: the distribution's Mosquitto, started by the harness with a
// generated configuration on an ephemeral port, awaited until it says it is running, its log
// captured into the run directory (and onto the EventBus as `broker.log`), stopped on every exit.

#include "hil/core/event_bus.hpp"
#include "hil/core/process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace hil {

struct BrokerEndpoint {
    std::string host;
    std::uint16_t port = 0;
    /// "tcp://host:port" (Paho's server URI form).
    [[nodiscard]] std::string uri() const { return "tcp://" + host + ":" + std::to_string(port); }
};

struct EmbeddedBrokerOptions {
    std::string bind_address = "127.0.0.1"; ///< from the bench file; loopback by default
    std::filesystem::path dir;              ///< config, persistence and log go here
    std::filesystem::path executable;       ///< empty: $HIL_MOSQUITTO, /usr/sbin/mosquitto, PATH
    Clock::duration start_timeout = std::chrono::seconds(10);
};

class EmbeddedBroker {
  public:
    /// Starts Mosquitto and waits until it listens. Throws InfraError with the log path.
    EmbeddedBroker(EmbeddedBrokerOptions options, EventBus &bus);
    ~EmbeddedBroker();

    [[nodiscard]] const BrokerEndpoint &plain() const { return plain_; }
    [[nodiscard]] ManagedProcess &process() { return *process_; }
    [[nodiscard]] std::filesystem::path log_path() const { return options_.dir / "mosquitto.log"; }

  private:
    bool try_start(std::uint16_t port);

    EmbeddedBrokerOptions options_;
    EventBus &bus_;
    BrokerEndpoint plain_;
    std::unique_ptr<ManagedProcess> process_;
};

/// The configuration text for one plain listener (exposed for tests and `hil broker` later).
[[nodiscard]] std::string render_mosquitto_config(const std::string &bind_address, std::uint16_t port,
                                                  const std::filesystem::path &persistence_dir,
                                                  const std::string &user);

} // namespace hil

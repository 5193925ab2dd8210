#pragma once
// The embedded cloud's broker: the distribution's Mosquitto, started by the harness with a
// generated configuration on ephemeral ports (one plain listener, and one mutual-TLS listener per
// server-certificate variant), awaited until it says it is running, its log captured into the
// run directory (and onto the EventBus as `broker.log`), stopped on every exit.

#include "hil/core/event_bus.hpp"
#include "hil/core/process.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hil {

struct BrokerEndpoint {
    std::string host; ///< the name clients connect to (and verify, for TLS)
    std::uint16_t port = 0;
    bool tls = false;
    /// "tcp://host:port" or "ssl://host:port" (Paho's server URI form).
    [[nodiscard]] std::string uri() const {
        return (tls ? "ssl://" : "tcp://") + host + ":" + std::to_string(port);
    }
};

/// A TLS listener: its server certificate, and the CA client certificates must chain to.
struct TlsListenerSpec {
    std::string name;                ///< "tls" (the good one), "untrusted", ...
    std::filesystem::path cafile;    ///< CA for client certificates
    std::filesystem::path certfile;  ///< server certificate
    std::filesystem::path keyfile;   ///< server key (0600; Mosquitto runs as the current user)
    bool require_certificate = true; ///< mutual TLS
};

struct EmbeddedBrokerOptions {
    std::string bind_address = "127.0.0.1";     ///< from the bench file; loopback by default
    std::string host_name = "localhost";        ///< what TLS clients connect to (a SAN of the certificate)
    std::vector<TlsListenerSpec> tls_listeners; ///< beside the plain listener
    std::filesystem::path dir;                  ///< config, persistence and log go here
    std::filesystem::path executable;           ///< empty: $HIL_MOSQUITTO, /usr/sbin/mosquitto, PATH
    Clock::duration start_timeout = std::chrono::seconds(10);
    /// Save the in-memory state on every change (default), so persistent sessions and queued
    /// messages survive `kill -9`; false keeps Mosquitto's default (save every 30 min), under
    /// which a kill loses them — the variant that proves the ledger sees the loss.
    bool save_on_every_change = true;
    /// The AWS IoT twin plugin (device shadow service) loaded into Mosquitto; empty: none.
    std::filesystem::path twin_plugin;
    /// Twin profile: `mosquitto` (plain MQTT semantics, QoS 2 allowed, shadows on). The
    /// `aws-twin` profile (policies, registry, AWS broker rules) is not wired in yet.
    std::string twin_profile = "mosquitto";
    /// Messages Mosquitto queues per client beyond its in-flight window before it drops QoS 1/2
    /// ones (Mosquitto's default 1000); 0: no limit (benchmarks whose reference reads slowly).
    std::size_t max_queued_messages = 1000;
};

/// `$HIL_TWIN_PLUGIN`, else `../lib/hil_aws_twin.so` beside the running executable, if it exists.
[[nodiscard]] std::filesystem::path default_twin_plugin_path();

/// Ports chosen for one start attempt: the plain listener and each TLS listener, in order.
struct ListenerPorts {
    std::uint16_t plain = 0;
    std::vector<std::uint16_t> tls;
};

class EmbeddedBroker {
  public:
    /// Starts Mosquitto and waits until it listens. Throws InfraError with the log path.
    EmbeddedBroker(EmbeddedBrokerOptions options, EventBus &bus);
    ~EmbeddedBroker();

    [[nodiscard]] const BrokerEndpoint &plain() const { return endpoints_.at("plain"); }
    /// The TLS listener of that name. Throws InfraError if there is none.
    [[nodiscard]] const BrokerEndpoint &tls(const std::string &name) const;
    /// Every endpoint by name: "plain" and each TLS listener's name.
    [[nodiscard]] const std::map<std::string, BrokerEndpoint> &endpoints() const { return endpoints_; }
    [[nodiscard]] ManagedProcess &process() { return *process_; }
    [[nodiscard]] std::filesystem::path log_path() const { return options_.dir / "mosquitto.log"; }

    /// `kill -9` (no chance to save). The endpoints stay reserved for restart().
    void kill();
    /// Starts it again on the same ports with the same persistence (after kill(), or kills first).
    /// Throws InfraError.
    void restart();
    /// SIGSTOP / SIGCONT: connections stay open, nothing is answered.
    void pause();
    void resume();

  private:
    bool try_start(const ListenerPorts &ports);

    EmbeddedBrokerOptions options_;
    EventBus &bus_;
    std::map<std::string, BrokerEndpoint> endpoints_;
    ListenerPorts ports_;
    std::unique_ptr<ManagedProcess> process_;
};

/// The configuration text (exposed for tests and `hil broker` later).
[[nodiscard]] std::string render_mosquitto_config(const EmbeddedBrokerOptions &options,
                                                  const ListenerPorts &ports, const std::string &user);

} // namespace hil

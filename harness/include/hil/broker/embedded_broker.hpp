#pragma once
// The embedded cloud's broker: the distribution's Mosquitto, started by the harness with a
// generated configuration on ephemeral ports (one plain listener, and one mutual-TLS listener per
// server-certificate variant), awaited until it says it is running, its log captured into the
// run directory (and onto the EventBus as `broker.log`), stopped on every exit.
//
// With the aws-twin plugin it has a profile (broker_profile.hpp). In `aws-twin` the broker
// authorizes every certificate client through a registry (`<dir>/registry.json`, owned here) and
// the policy documents (copied into `<dir>/policies`); update_registry() changes the registry
// while the broker runs: rewrite, SIGHUP, and wait until the plugin says it re-read it.

#include "hil/broker/broker_profile.hpp"
#include "hil/broker/twin_registry.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/process.hpp"
#include "hil/faults/fault_proxy.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
    std::filesystem::path certfile;  ///< server certificate, or leaf + intermediates (a chain file)
    std::filesystem::path keyfile;   ///< server key (0600; Mosquitto runs as the current user)
    bool require_certificate = true; ///< mutual TLS
    /// PEM CRL(s) client certificates are checked against; empty: none. OpenSSL then checks the
    /// leaf only (X509_V_FLAG_CRL_CHECK) and needs a CRL from the leaf's issuer: a client whose
    /// issuer has none in the file is refused (unable to get certificate CRL).
    std::filesystem::path crlfile;
};

/// AWS IoT Core's endpoint rules (reference C.1, C.2) in front of the `tls` listener: two more
/// TLS endpoints, each a pass-through fault proxy with a `tls_gate` toxic that reads the
/// ClientHello and closes a connection breaking a rule before Mosquitto sees a byte (the mutual
/// TLS stays Mosquitto's). `endpoint`: port 8883's rules; `endpoint443`: port 443's, which also
/// need ALPN x-amzn-mqtt-ca (docs/decisions/0012).
struct EndpointRules {
    bool require_sni = true;  ///< SNI equal to the broker's host_name (switchable, as the reference asks)
    bool require_alpn = true; ///< endpoint443: ALPN x-amzn-mqtt-ca offered
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
    /// The AWS IoT twin plugin loaded into Mosquitto; empty: none (plain Mosquitto, which only
    /// the `mosquitto` profile allows).
    std::filesystem::path twin_plugin;
    /// The plugin stores each shadow in a file as it changes (AWS never loses one); false keeps
    /// them in memory only, lost on kill -9 — the negative control of the shadow-survives scenario.
    bool durable_shadows = true;
    /// The plugin's profile. `aws-twin` needs `twin_plugin` and `policies_dir` (else InfraError).
    BrokerProfile profile = BrokerProfile::aws_twin;
    /// aws-twin: the policy documents (`<name>.json`). Copied into `<dir>/policies` at start, so
    /// the run directory records what was enforced and edits to the source do not leak in.
    std::filesystem::path policies_dir;
    /// aws-twin: the registry the broker starts with (written to `<dir>/registry.json`).
    TwinRegistry registry;
    /// Bound on one registry reload (SIGHUP until the plugin confirms it).
    Clock::duration reload_timeout = std::chrono::seconds(5);
    /// The process name and the `origin` of the broker's events (one per broker of a run).
    std::string name = "mosquitto";
    /// Messages Mosquitto queues per client beyond its in-flight window before it drops QoS 1/2
    /// ones (Mosquitto's default 1000); 0: no limit (benchmarks whose reference reads slowly).
    std::size_t max_queued_messages = 1000;
    /// The `endpoint` and `endpoint443` endpoints in front of `tls` (needs a `tls` listener).
    std::optional<EndpointRules> endpoint_rules;
};

/// `$HIL_TWIN_PLUGIN`, else `../lib/hil_aws_twin.so` beside the running executable or beside
/// `$HIL_VDEV` (an installed package), if it exists; else empty.
[[nodiscard]] std::filesystem::path default_twin_plugin_path();

/// Where the policy documents the aws-twin profile uses come from: `$HIL_POLICIES_DIR`, else
/// `../share/hil/policies` beside the running executable or `$HIL_VDEV` (an installed package),
/// else the source tree's `fixtures/policies`.
[[nodiscard]] std::filesystem::path default_policies_dir();

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

    /// A broker that another process runs (`hil broker up`), described by the `broker.json` it
    /// wrote: endpoints, profile, log. Nothing is started or stopped; kill, restart, pause,
    /// resume and registry changes throw InfraError (this run does not own it). Throws
    /// InfraError for an unreadable description.
    [[nodiscard]] static std::unique_ptr<EmbeddedBroker> attach(const std::filesystem::path &description,
                                                                EventBus &bus);
    /// True for a broker from attach().
    [[nodiscard]] bool attached() const { return attached_; }

    [[nodiscard]] const BrokerEndpoint &plain() const { return endpoints_.at("plain"); }
    /// The TLS listener of that name. Throws InfraError if there is none.
    [[nodiscard]] const BrokerEndpoint &tls(const std::string &name) const;
    /// Every endpoint by name: "plain", each TLS listener's name, and with endpoint rules
    /// "endpoint" and "endpoint443".
    [[nodiscard]] const std::map<std::string, BrokerEndpoint> &endpoints() const { return endpoints_; }
    [[nodiscard]] ManagedProcess &process() { return *process_; }
    [[nodiscard]] std::filesystem::path log_path() const { return options_.dir / "mosquitto.log"; }
    [[nodiscard]] BrokerProfile profile() const { return options_.profile; }
    [[nodiscard]] const std::string &name() const { return options_.name; }
    /// aws-twin: the registry file the plugin reads.
    [[nodiscard]] std::filesystem::path registry_path() const { return options_.dir / "registry.json"; }

    /// aws-twin: applies `change` to the registry, rewrites the file and has the running broker
    /// re-read it (SIGHUP), returning once the plugin has logged the reload — new things can
    /// connect from then on. Serialised (executions of a run share the broker). A broker that is
    /// not running (killed by a fault) reads the file when it starts again. Publishes
    /// `broker.registry` {things, reload_ms}. Throws InfraError if the plugin refuses the file
    /// (the broker keeps the previous registry, so does this object) or does not confirm within
    /// `reload_timeout`. Without the aws-twin profile there is no registry: it does nothing.
    void update_registry(const std::function<void(TwinRegistry &)> &change);
    /// A copy of the current registry.
    [[nodiscard]] TwinRegistry registry() const;

    /// Returns once every line the broker logged before the call is on the EventBus (its log is
    /// read through a pipe by another thread): opens a connection to the plain listener and
    /// waits for the broker's "New connection from <address>:<that port>" line. Throws
    /// InfraError if it does not come by `deadline` (a paused or dead broker).
    void sync_log(Deadline deadline);

    /// The MQTT sessions this broker accepted for `client_id`, from the EventBus events from
    /// `from` on: its "New client connected from ... as <client_id> (...)" log lines (Mosquitto
    /// writes the line when CONNECT is accepted, before the CONNACK; a refusal in the TLS
    /// handshake or at CONNECT — aws-twin's registry and policies — writes none). Waits until
    /// `until` for one, then sync_log() so that the answer is complete up to the call.
    [[nodiscard]] std::vector<std::string> sessions(const std::string &client_id, std::uint64_t from,
                                                    Deadline until);

    /// `kill -9` (no chance to save). The endpoints stay reserved for restart().
    void kill();
    /// Starts it again on the same ports with the same persistence (after kill(), or kills first).
    /// Throws InfraError.
    void restart();
    /// SIGSTOP / SIGCONT: connections stay open, nothing is answered.
    void pause();
    void resume();

  private:
    explicit EmbeddedBroker(EventBus &bus) : bus_(bus) {} // attach(): nothing to start
    void refuse_if_attached(const char *what) const;
    bool try_start(const ListenerPorts &ports);
    /// EmbeddedBrokerOptions::endpoint_rules: starts the two gates in front of `tls`.
    void open_rule_endpoints(const EndpointRules &rules);
    void prepare_twin_files();

    EmbeddedBrokerOptions options_;
    EventBus &bus_;
    std::map<std::string, BrokerEndpoint> endpoints_;
    ListenerPorts ports_;
    /// Guards the registry and process_ against concurrent reloads, kills and restarts.
    mutable std::mutex mutex_;
    std::unique_ptr<ManagedProcess> process_;
    std::vector<std::unique_ptr<faults::FaultProxy>> rule_endpoints_; // outlive restarts: same port
    bool attached_ = false;
};

/// The configuration text (exposed for tests).
[[nodiscard]] std::string render_mosquitto_config(const EmbeddedBrokerOptions &options,
                                                  const ListenerPorts &ports, const std::string &user);

} // namespace hil

#pragma once
// CloudClient over Eclipse Paho MQTT C++ (MQTT 3.1.1) — deliberately another MQTT stack than the
// virtual device's libmosquitto, so a bug shared by both sides cannot hide itself.
//
// One PahoCloudConnection (one Paho client, one session) serves every scenario execution of a
// run: each execution gets a PahoCloudClient attached to it, whose subscriptions route the
// messages that match them to that execution's events. Why one connection: Paho C 1.3 (Debian 12)
// polls its sockets with a 1 s timeout, so a client that connects while another is idle waits up
// to a second for its CONNACK (eclipse-paho/paho.mqtt.c#1039, fixed upstream after 1.3.13); with
// one connection per run, executions start without connecting at all (docs/decisions/0011).

#include "hil/cloud/cloud_client.hpp"
#include "hil/core/event_bus.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace hil {

/// The cloud client's TLS identity. Server verification is always on: there is no insecure mode.
struct CloudTls {
    std::filesystem::path ca;   ///< trust anchor for the broker's certificate
    std::filesystem::path cert; ///< client certificate
    std::filesystem::path key;  ///< client key
    /// ALPN protocols offered (AWS IoT Core on port 443: x-amzn-mqtt-ca); empty: none. The SNI
    /// Paho sends is the host of the server URI.
    std::vector<std::string> alpn;
};

struct PahoCloudOptions {
    std::string server_uri;       ///< "tcp://127.0.0.1:1883"
    std::string client_id;        ///< unique per run (see names in scenario/run_names.hpp)
    std::string origin = "cloud"; ///< the `origin` of its events
    int keepalive_s = 30;
    std::optional<CloudTls> tls; ///< required for an ssl:// server_uri
    std::string context;         ///< the scenario execution it belongs to (PahoCloudClient's own)
    /// The highest QoS the broker serves (MQTT 5's Maximum QoS; 1 for AWS IoT Core, which closes
    /// the connection on a QoS 2 SUBSCRIBE). A subscription asking for more is made at this QoS
    /// (its `cloud.subscribed` event says so); a publish above it throws InfraError.
    int max_qos = 2;
};

/// One Paho client with a persistent session and automatic reconnect, shared by the
/// PahoCloudClients attached to it. Thread-safe.
class PahoCloudConnection {
  public:
    PahoCloudConnection(PahoCloudOptions options, EventBus &bus);
    ~PahoCloudConnection();
    PahoCloudConnection(const PahoCloudConnection &) = delete;
    PahoCloudConnection &operator=(const PahoCloudConnection &) = delete;

    /// Connects unless connected already. Throws InfraError with the broker's reason.
    void connect(Deadline deadline);
    /// Sends DISCONNECT; never throws.
    void disconnect() noexcept;
    [[nodiscard]] const PahoCloudOptions &options() const { return options_; }

  private:
    friend class PahoCloudClient;
    struct Route {
        std::string filter;
        std::string context;
    };
    void add_route(const std::string &filter, const std::string &context);
    /// Removes the context's routes; returns the filters no other context routes any more.
    std::vector<std::string> remove_routes(const std::string &context);
    void attach(const std::string &context);
    void detach(const std::string &context);
    /// Every context a message on `topic` belongs to ("" when none: recorded for the run).
    [[nodiscard]] std::set<std::string> contexts_for(const std::string &topic) const;

    PahoCloudOptions options_;
    EventBus &bus_;
    std::unique_ptr<mqtt::async_client> client_;
    mutable std::mutex mutex_;
    std::mutex connect_mutex_;
    std::vector<Route> routes_;
    std::multiset<std::string> attached_; // contexts, for connection-wide events
};

/// The cloud side of one scenario execution: events carry its context; it receives what its own
/// subscriptions match.
class PahoCloudClient final : public CloudClient {
  public:
    /// A client with a connection of its own (`options.context` is its context).
    PahoCloudClient(const PahoCloudOptions &options, EventBus &bus);
    /// A client on a shared connection.
    PahoCloudClient(std::shared_ptr<PahoCloudConnection> connection, std::string context);
    ~PahoCloudClient() override;

    /// Connects the shared connection if needed; then reports `cloud.connected` for this client.
    void connect(Deadline deadline) override;
    void subscribe(const std::string &filter, int qos, Deadline deadline) override;
    void publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                 Deadline deadline) override;
    /// Drops this client's subscriptions (unsubscribing those nobody else uses) and, for a
    /// connection of its own, disconnects. Never throws.
    void disconnect() noexcept override;
    [[nodiscard]] const std::string &client_id() const override { return connection_->options().client_id; }

  private:
    std::shared_ptr<PahoCloudConnection> connection_;
    std::string context_;
    bool owns_connection_ = false;
    bool open_ = false;
};

} // namespace hil

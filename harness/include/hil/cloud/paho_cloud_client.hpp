#pragma once
// CloudClient over Eclipse Paho MQTT C++ (MQTT 3.1.1) — deliberately another MQTT stack than the
// virtual device's libmosquitto, so a bug shared by both sides cannot hide itself.

#include "hil/cloud/cloud_client.hpp"
#include "hil/core/event_bus.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace mqtt {
class async_client;
}

namespace hil {

/// The cloud client's TLS identity. Server verification is always on: there is no insecure mode.
struct CloudTls {
    std::filesystem::path ca;   ///< trust anchor for the broker's certificate
    std::filesystem::path cert; ///< client certificate
    std::filesystem::path key;  ///< client key
};

struct PahoCloudOptions {
    std::string server_uri;       ///< "tcp://127.0.0.1:1883"
    std::string client_id;        ///< unique per run (see names in scenario/run_names.hpp)
    std::string origin = "cloud"; ///< the `origin` of its events
    int keepalive_s = 30;
    std::optional<CloudTls> tls;
    std::string context; ///< the scenario execution it belongs to ///< required for an ssl:// server_uri
    /// The highest QoS the broker serves (MQTT 5's Maximum QoS; 1 for AWS IoT Core, which closes
    /// the connection on a QoS 2 SUBSCRIBE). A subscription asking for more is made at this QoS
    /// (its `cloud.subscribed` event says so); a publish above it throws InfraError.
    int max_qos = 2;
};

class PahoCloudClient final : public CloudClient {
  public:
    PahoCloudClient(PahoCloudOptions options, EventBus &bus);
    ~PahoCloudClient() override;

    void connect(Deadline deadline) override;
    void subscribe(const std::string &filter, int qos, Deadline deadline) override;
    void publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                 Deadline deadline) override;
    void disconnect() noexcept override;
    [[nodiscard]] const std::string &client_id() const override { return options_.client_id; }

  private:
    PahoCloudOptions options_;
    EventBus &bus_;
    std::unique_ptr<mqtt::async_client> client_;
};

} // namespace hil

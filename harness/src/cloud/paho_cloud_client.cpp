#include "hil/cloud/paho_cloud_client.hpp"

#include "hil/core/error.hpp"

#include <mqtt/async_client.h>

#include <algorithm>

namespace hil {

namespace {
// Starts a Paho operation and waits for its token. Paho throws both when starting (e.g. already
// disconnected) and when waiting; both become InfraError naming the operation.
// Paho waits take a relative duration; a token still pending at the deadline is late.
template <class Start> mqtt::token_ptr await(Start &&start, Deadline deadline, const std::string &what) {
    try {
        mqtt::token_ptr token = start();
        if (!token->wait_for(std::chrono::duration_cast<Millis>(deadline.remaining()))) {
            throw InfraError("cloud client: " + what + " not completed before the deadline");
        }
        return token;
    } catch (const mqtt::exception &e) {
        throw InfraError("cloud client: " + what + " failed: " + e.what());
    }
}
} // namespace

PahoCloudClient::PahoCloudClient(PahoCloudOptions options, EventBus &bus)
    : options_(std::move(options)), bus_(bus),
      client_(std::make_unique<mqtt::async_client>(options_.server_uri, options_.client_id)) {
    client_->set_message_callback([this](const mqtt::const_message_ptr &msg) {
        bus_.publish(Source::cloud, options_.origin, kCloudMessageKind,
                     {{"topic", msg->get_topic()},
                      {"payload", msg->get_payload_str()},
                      {"qos", msg->get_qos()},
                      {"retain", msg->is_retained()},
                      {"dup", msg->is_duplicate()}},
                     options_.context);
    });
    client_->set_connected_handler([this](const std::string &) {
        bus_.publish(Source::cloud, options_.origin, "cloud.reconnected", nlohmann::json::object(),
                     options_.context);
    });
    client_->set_connection_lost_handler([this](const std::string &cause) {
        bus_.publish(Source::cloud, options_.origin, "cloud.disconnected", {{"reason", cause}},
                     options_.context);
    });
}

PahoCloudClient::~PahoCloudClient() {
    disconnect();
}

void PahoCloudClient::connect(Deadline deadline) {
    auto builder = mqtt::connect_options_builder();
    if (options_.server_uri.rfind("ssl://", 0) == 0) {
        if (!options_.tls) {
            throw InfraError("cloud client: " + options_.server_uri +
                             " needs a TLS identity (ca, cert, key)");
        }
        // Verify the broker's chain and host name, always.
        builder.ssl(mqtt::ssl_options_builder()
                        .trust_store(options_.tls->ca.string())
                        .key_store(options_.tls->cert.string())
                        .private_key(options_.tls->key.string())
                        .enable_server_cert_auth(true)
                        .verify(true)
                        .finalize());
    }
    // A persistent session with automatic reconnect: when the broker restarts (a fault under
    // test), the cloud side comes back with its subscriptions and receives what was queued, so
    // what the ledger calls lost was lost by the broker, not by the harness.
    auto opts = builder.clean_session(false)
                    .automatic_reconnect(std::chrono::milliseconds(100), std::chrono::seconds(2))
                    .keep_alive_interval(std::chrono::seconds(options_.keepalive_s))
                    .connect_timeout(std::chrono::duration_cast<std::chrono::seconds>(deadline.remaining()) +
                                     std::chrono::seconds(1))
                    .mqtt_version(MQTTVERSION_3_1_1)
                    .finalize();
    await([&] { return client_->connect(opts); }, deadline, "connect to " + options_.server_uri);
    bus_.publish(Source::cloud, options_.origin, "cloud.connected", {{"server", options_.server_uri}},
                 options_.context);
}

void PahoCloudClient::subscribe(const std::string &filter, int requested_qos, Deadline deadline) {
    // A subscription's QoS is a maximum: asking the broker for no more than it serves changes
    // nothing about what arrives, where asking for more would get the client disconnected.
    const int qos = std::min(requested_qos, options_.max_qos);
    const auto token =
        await([&] { return client_->subscribe(filter, qos); }, deadline, "subscribe to '" + filter + "'");
    const auto granted = token->get_subscribe_response().get_reason_codes();
    if (!granted.empty() && granted.front() >= 0x80) {
        throw InfraError("cloud client: the broker refused the subscription to '" + filter + "'");
    }
    nlohmann::json event = {{"topic", filter}, {"qos", qos}};
    if (qos != requested_qos) event["requested_qos"] = requested_qos;
    bus_.publish(Source::cloud, options_.origin, "cloud.subscribed", event, options_.context);
}

void PahoCloudClient::publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                              Deadline deadline) {
    if (qos > options_.max_qos) {
        throw InfraError("cloud client: QoS " + std::to_string(qos) + " publish to '" + topic +
                         "', but this broker serves QoS " + std::to_string(options_.max_qos) +
                         " at most (pin the scenario to `profile: mosquitto`)");
    }
    auto msg = mqtt::make_message(topic, payload, qos, retain);
    await([&] { return client_->publish(msg); }, deadline, "publish to '" + topic + "'");
    bus_.publish(Source::cloud, options_.origin, "cloud.published",
                 {{"topic", topic}, {"payload", payload}, {"qos", qos}, {"retain", retain}},
                 options_.context);
}

void PahoCloudClient::disconnect() noexcept {
    try {
        if (client_ && client_->is_connected()) {
            // Timeout 0: send DISCONNECT now instead of Paho's default wait for in-flight work; what
            // the scenario needed has been acknowledged already.
            client_->disconnect(0)->wait_for(std::chrono::seconds(2));
            bus_.publish(Source::cloud, options_.origin, "cloud.closed", nlohmann::json::object(),
                         options_.context);
        }
    } catch (...) {
        // Best effort: the broker drops the session when the socket closes anyway.
    }
}

} // namespace hil

#include "hil/cloud/paho_cloud_client.hpp"

#include "hil/core/error.hpp"
#include "hil/core/topic_filter.hpp"

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

// ---- the shared connection -------------------------------------------------------------------

PahoCloudConnection::PahoCloudConnection(PahoCloudOptions options, EventBus &bus)
    : options_(std::move(options)), bus_(bus),
      client_(std::make_unique<mqtt::async_client>(options_.server_uri, options_.client_id)) {
    client_->set_message_callback([this](const mqtt::const_message_ptr &msg) {
        const nlohmann::json payload = {{"topic", msg->get_topic()},
                                        {"payload", msg->get_payload_str()},
                                        {"qos", msg->get_qos()},
                                        {"retain", msg->is_retained()},
                                        {"dup", msg->is_duplicate()}};
        for (const auto &context : contexts_for(msg->get_topic())) {
            bus_.publish(Source::cloud, options_.origin, kCloudMessageKind, payload, context);
        }
    });
    // Connection-wide events go to every execution on it: each sees a broker fault.
    const auto to_everyone = [this](const char *kind, const nlohmann::json &payload) {
        std::set<std::string> contexts;
        {
            std::lock_guard lock(mutex_);
            contexts.insert(attached_.begin(), attached_.end());
        }
        for (const auto &context : contexts)
            bus_.publish(Source::cloud, options_.origin, kind, payload, context);
    };
    client_->set_connected_handler(
        [to_everyone](const std::string &) { to_everyone("cloud.reconnected", nlohmann::json::object()); });
    client_->set_connection_lost_handler([to_everyone](const std::string &cause) {
        to_everyone("cloud.disconnected", {{"reason", cause}});
    });
}

PahoCloudConnection::~PahoCloudConnection() {
    disconnect();
}

void PahoCloudConnection::connect(Deadline deadline) {
    std::lock_guard lock(connect_mutex_);
    if (client_->is_connected()) return;
    auto builder = mqtt::connect_options_builder();
    if (options_.server_uri.rfind("ssl://", 0) == 0) {
        if (!options_.tls) {
            throw InfraError("cloud client: " + options_.server_uri +
                             " needs a TLS identity (ca, cert, key)");
        }
        // Verify the broker's chain and host name, always.
        auto ssl = mqtt::ssl_options_builder()
                       .trust_store(options_.tls->ca.string())
                       .key_store(options_.tls->cert.string())
                       .private_key(options_.tls->key.string())
                       .enable_server_cert_auth(true)
                       .verify(true)
                       .finalize();
        if (!options_.tls->alpn.empty()) ssl.set_alpn_protos(options_.tls->alpn);
        builder.ssl(std::move(ssl));
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
}

void PahoCloudConnection::disconnect() noexcept {
    try {
        if (client_ && client_->is_connected()) {
            // Timeout 0: send DISCONNECT now instead of Paho's default wait for in-flight work; what
            // the scenarios needed has been acknowledged already.
            client_->disconnect(0)->wait_for(std::chrono::seconds(2));
        }
    } catch (...) {
        // Best effort: the broker drops the session when the socket closes anyway.
    }
}

void PahoCloudConnection::add_route(const std::string &filter, const std::string &context) {
    std::lock_guard lock(mutex_);
    routes_.push_back({filter, context});
}

std::vector<std::string> PahoCloudConnection::remove_routes(const std::string &context) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> dropped;
    for (const auto &route : routes_) {
        if (route.context == context) dropped.push_back(route.filter);
    }
    std::erase_if(routes_, [&](const Route &r) { return r.context == context; });
    std::erase_if(dropped, [&](const std::string &filter) {
        return std::any_of(routes_.begin(), routes_.end(),
                           [&](const Route &r) { return r.filter == filter; });
    });
    std::sort(dropped.begin(), dropped.end());
    dropped.erase(std::unique(dropped.begin(), dropped.end()), dropped.end());
    return dropped;
}

void PahoCloudConnection::attach(const std::string &context) {
    std::lock_guard lock(mutex_);
    attached_.insert(context);
}

void PahoCloudConnection::detach(const std::string &context) {
    std::lock_guard lock(mutex_);
    if (const auto it = attached_.find(context); it != attached_.end()) attached_.erase(it);
}

std::set<std::string> PahoCloudConnection::contexts_for(const std::string &topic) const {
    std::lock_guard lock(mutex_);
    std::set<std::string> out;
    for (const auto &route : routes_) {
        if (topic_matches(route.filter, topic)) out.insert(route.context);
    }
    if (out.empty()) out.insert(std::string{}); // nobody's: still recorded, for the run
    return out;
}

// ---- one execution's client ------------------------------------------------------------------

PahoCloudClient::PahoCloudClient(const PahoCloudOptions &options, EventBus &bus)
    : connection_(std::make_shared<PahoCloudConnection>(options, bus)), context_(options.context),
      owns_connection_(true) {
    connection_->attach(context_);
}

PahoCloudClient::PahoCloudClient(std::shared_ptr<PahoCloudConnection> connection, std::string context)
    : connection_(std::move(connection)), context_(std::move(context)) {
    connection_->attach(context_);
}

PahoCloudClient::~PahoCloudClient() {
    disconnect();
    connection_->detach(context_);
}

void PahoCloudClient::connect(Deadline deadline) {
    connection_->connect(deadline);
    open_ = true;
    connection_->bus_.publish(Source::cloud, connection_->options_.origin, "cloud.connected",
                              {{"server", connection_->options_.server_uri}}, context_);
}

void PahoCloudClient::subscribe(const std::string &filter, int requested_qos, Deadline deadline) {
    // A subscription's QoS is a maximum: asking the broker for no more than it serves changes
    // nothing about what arrives, where asking for more would get the client disconnected.
    const int qos = std::min(requested_qos, connection_->options_.max_qos);
    // Routed before the SUBSCRIBE: retained messages may follow the SUBACK at once.
    connection_->add_route(filter, context_);
    const auto token = await([&] { return connection_->client_->subscribe(filter, qos); }, deadline,
                             "subscribe to '" + filter + "'");
    const auto granted = token->get_subscribe_response().get_reason_codes();
    if (!granted.empty() && granted.front() >= 0x80) {
        throw InfraError("cloud client: the broker refused the subscription to '" + filter + "'");
    }
    nlohmann::json event = {{"topic", filter}, {"qos", qos}};
    if (qos != requested_qos) event["requested_qos"] = requested_qos;
    connection_->bus_.publish(Source::cloud, connection_->options_.origin, "cloud.subscribed", event,
                              context_);
}

void PahoCloudClient::publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                              Deadline deadline) {
    if (qos > connection_->options_.max_qos) {
        throw InfraError("cloud client: QoS " + std::to_string(qos) + " publish to '" + topic +
                         "', but this broker serves QoS " + std::to_string(connection_->options_.max_qos) +
                         " at most (pin the scenario to `profile: mosquitto`)");
    }
    auto msg = mqtt::make_message(topic, payload, qos, retain);
    await([&] { return connection_->client_->publish(msg); }, deadline, "publish to '" + topic + "'");
    connection_->bus_.publish(Source::cloud, connection_->options_.origin, "cloud.published",
                              {{"topic", topic}, {"payload", payload}, {"qos", qos}, {"retain", retain}},
                              context_);
}

void PahoCloudClient::disconnect() noexcept {
    if (!open_) return;
    open_ = false;
    try {
        // What nobody else listens to any more is unsubscribed, so a persistent session does not
        // keep collecting it for the rest of the run.
        for (const auto &filter : connection_->remove_routes(context_)) {
            if (owns_connection_ || !connection_->client_->is_connected()) break;
            connection_->client_->unsubscribe(filter)->wait_for(std::chrono::seconds(2));
        }
        if (owns_connection_) connection_->disconnect();
        connection_->bus_.publish(Source::cloud, connection_->options_.origin, "cloud.closed",
                                  nlohmann::json::object(), context_);
    } catch (...) {
        // Best effort, as on a socket that closes.
    }
}

} // namespace hil

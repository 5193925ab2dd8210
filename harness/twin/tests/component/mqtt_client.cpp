#include "mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <stdexcept>

namespace hil::twin::test {

namespace {
struct LibraryInit {
    LibraryInit() { mosquitto_lib_init(); }
};
constexpr int kLoopTimeoutMs = 50; // the network thread's poll timeout, not a synchronisation sleep
} // namespace

MqttClient::MqttClient(std::string client_id, int protocol_version) : client_id_(std::move(client_id)) {
    static LibraryInit init;
    mosq_ = mosquitto_new(client_id_.c_str(), true, this);
    if (mosq_ == nullptr) throw std::runtime_error("mosquitto_new failed");
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION,
                         protocol_version == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_threaded_set(mosq_, true);
    mosquitto_connect_callback_set(mosq_, &MqttClient::on_connect);
    mosquitto_disconnect_callback_set(mosq_, &MqttClient::on_disconnect);
    mosquitto_message_callback_set(mosq_, &MqttClient::on_message);
    mosquitto_subscribe_callback_set(mosq_, &MqttClient::on_subscribe);
    mosquitto_publish_callback_set(mosq_, &MqttClient::on_publish);
}

MqttClient::~MqttClient() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    mosquitto_disconnect(mosq_);
    if (thread_.joinable()) thread_.join();
    mosquitto_destroy(mosq_);
}

void MqttClient::set_will(const std::string &topic, const std::string &payload, int qos) {
    if (mosquitto_will_set(mosq_, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                           false) != MOSQ_ERR_SUCCESS) {
        throw std::runtime_error("mosquitto_will_set failed");
    }
}

bool MqttClient::start(std::uint16_t port, const std::optional<ClientTls> &tls) {
    if (tls) {
        if (mosquitto_tls_set(mosq_, tls->cafile.c_str(), nullptr, tls->certfile.c_str(),
                              tls->keyfile.c_str(), nullptr) != MOSQ_ERR_SUCCESS) {
            throw std::runtime_error("mosquitto_tls_set failed for " + tls->certfile.string());
        }
    }
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) return false;
    thread_ = std::thread([this] { loop(); });
    return true;
}

void MqttClient::loop() {
    while (true) {
        {
            const std::lock_guard lock(mutex_);
            if (stop_ || closed_) break;
        }
        const int rc = mosquitto_loop(mosq_, kLoopTimeoutMs, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            const std::lock_guard lock(mutex_);
            closed_ = true;
            changed_.notify_all();
            break;
        }
    }
}

bool MqttClient::wait_connected(std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, within, [&] { return connack_.has_value() || closed_; });
    return connack_ && *connack_ == 0 && !closed_;
}

bool MqttClient::connect(std::uint16_t port, const std::optional<ClientTls> &tls) {
    return start(port, tls) && wait_connected();
}

bool MqttClient::wait_closed(std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, within, [&] { return closed_; });
}

bool MqttClient::got_connack() const {
    const std::lock_guard lock(mutex_);
    return connack_.has_value();
}

int MqttClient::connack_code() const {
    const std::lock_guard lock(mutex_);
    return connack_.value_or(-1);
}

std::optional<int> MqttClient::subscribe(const std::string &filter, int qos,
                                         std::chrono::milliseconds within) {
    int mid = 0;
    if (mosquitto_subscribe(mosq_, &mid, filter.c_str(), qos) != MOSQ_ERR_SUCCESS) return std::nullopt;
    std::unique_lock lock(mutex_);
    std::optional<int> granted;
    changed_.wait_for(lock, within, [&] {
        const auto found =
            std::find_if(subacks_.begin(), subacks_.end(), [&](const auto &s) { return s.first == mid; });
        if (found != subacks_.end()) granted = found->second;
        return granted.has_value() || closed_;
    });
    return granted;
}

void MqttClient::subscribe_async(const std::string &filter, int qos) {
    mosquitto_subscribe(mosq_, nullptr, filter.c_str(), qos);
}

bool MqttClient::publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                         std::chrono::milliseconds within) {
    int mid = 0;
    if (mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                          retain) != MOSQ_ERR_SUCCESS) {
        return false;
    }
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, within, [&] {
        return std::find(acked_.begin(), acked_.end(), mid) != acked_.end() || closed_;
    }) && !closed_;
}

std::optional<Received> MqttClient::next(const std::string &topic, std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    std::optional<Received> out;
    changed_.wait_for(lock, within, [&] {
        const auto found =
            std::find_if(messages_.begin(), messages_.end(), [&](const auto &m) { return m.topic == topic; });
        if (found != messages_.end()) {
            out = *found;
            messages_.erase(found);
        }
        return out.has_value();
    });
    return out;
}

bool MqttClient::nothing_on(const std::string &topic, std::chrono::milliseconds within) {
    return !next(topic, within).has_value();
}

void MqttClient::on_connect(mosquitto *, void *self, int rc) {
    auto *client = static_cast<MqttClient *>(self);
    const std::lock_guard lock(client->mutex_);
    client->connack_ = rc;
    client->changed_.notify_all();
}

void MqttClient::on_disconnect(mosquitto *, void *self, int /*rc*/) {
    auto *client = static_cast<MqttClient *>(self);
    const std::lock_guard lock(client->mutex_);
    client->closed_ = true;
    client->changed_.notify_all();
}

void MqttClient::on_message(mosquitto *, void *self, const mosquitto_message *message) {
    auto *client = static_cast<MqttClient *>(self);
    const std::lock_guard lock(client->mutex_);
    client->messages_.push_back({message->topic,
                                 std::string(static_cast<const char *>(message->payload),
                                             static_cast<std::size_t>(message->payloadlen)),
                                 message->qos});
    client->changed_.notify_all();
}

void MqttClient::on_subscribe(mosquitto *, void *self, int mid, int count, const int *granted) {
    auto *client = static_cast<MqttClient *>(self);
    const std::lock_guard lock(client->mutex_);
    client->subacks_.emplace_back(mid, count > 0 ? granted[0] : -1);
    client->changed_.notify_all();
}

void MqttClient::on_publish(mosquitto *, void *self, int mid) {
    auto *client = static_cast<MqttClient *>(self);
    const std::lock_guard lock(client->mutex_);
    client->acked_.push_back(mid);
    client->changed_.notify_all();
}

} // namespace hil::twin::test

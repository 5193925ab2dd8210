#pragma once
// A small MQTT test client on libmosquitto (not hil's Paho: a second, independent stack). Its
// own network thread runs mosquitto_loop() and never reconnects, so a connection the broker
// closes stays closed and the test can observe it. Every wait takes a deadline.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

struct mosquitto;
struct mosquitto_message;

namespace hil::twin::test {

struct ClientTls {
    std::filesystem::path cafile;
    std::filesystem::path certfile;
    std::filesystem::path keyfile;
};

struct Received {
    std::string topic;
    std::string payload;
    int qos = 0;
};

class MqttClient {
  public:
    explicit MqttClient(std::string client_id, int protocol_version = 4);
    MqttClient(const MqttClient &) = delete;
    MqttClient &operator=(const MqttClient &) = delete;
    ~MqttClient();

    /// Sets the Last Will (before start()).
    void set_will(const std::string &topic, const std::string &payload, int qos);
    /// Opens the connection and starts the network thread; does not wait for the CONNACK.
    /// Returns false if the TCP/TLS connection itself fails.
    bool start(std::uint16_t port, const std::optional<ClientTls> &tls = std::nullopt);
    /// Waits for the CONNACK; true if the connection was accepted (rc 0).
    bool wait_connected(std::chrono::milliseconds within = std::chrono::seconds(5));
    /// start() + wait_connected().
    bool connect(std::uint16_t port, const std::optional<ClientTls> &tls = std::nullopt);
    /// Waits until the broker has closed the connection. True if it did within the deadline.
    bool wait_closed(std::chrono::milliseconds within = std::chrono::seconds(5));
    /// True if a CONNACK (of any code) arrived.
    [[nodiscard]] bool got_connack() const;
    [[nodiscard]] int connack_code() const;

    /// Subscribes and waits for the SUBACK; returns the granted QoS (128: refused) or nullopt.
    std::optional<int> subscribe(const std::string &filter, int qos = 1,
                                 std::chrono::milliseconds within = std::chrono::seconds(5));
    /// Sends a SUBSCRIBE without waiting.
    void subscribe_async(const std::string &filter, int qos);
    /// Publishes; for QoS > 0 waits for the broker's acknowledgement (PUBACK/PUBCOMP). True if
    /// it arrived (always true for QoS 0 once sent).
    bool publish(const std::string &topic, const std::string &payload, int qos = 1, bool retain = false,
                 std::chrono::milliseconds within = std::chrono::seconds(5));
    /// The next message on `topic` (earlier messages on other topics stay queued).
    std::optional<Received> next(const std::string &topic,
                                 std::chrono::milliseconds within = std::chrono::seconds(5));
    /// True if no message on `topic` arrives within `within`.
    bool nothing_on(const std::string &topic, std::chrono::milliseconds within);

  private:
    static void on_connect(mosquitto *, void *self, int rc);
    static void on_disconnect(mosquitto *, void *self, int rc);
    static void on_message(mosquitto *, void *self, const mosquitto_message *message);
    static void on_subscribe(mosquitto *, void *self, int mid, int count, const int *granted);
    static void on_publish(mosquitto *, void *self, int mid);
    void loop();

    mosquitto *mosq_ = nullptr;
    std::string client_id_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stop_ = false;
    bool closed_ = false;
    std::optional<int> connack_;
    std::deque<Received> messages_;
    std::deque<std::pair<int, int>> subacks_; ///< (mid, granted qos)
    std::deque<int> acked_;                   ///< mids of acknowledged publishes
};

} // namespace hil::twin::test

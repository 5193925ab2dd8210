#pragma once
// The CloudClient capability: the application side of the broker (what a cloud service would
// do). Incoming messages are published on the EventBus as `cloud.message`
// {topic, payload, qos, retain, dup}; operations block until the broker has answered or the
// deadline passes.

#include "hil/core/clock.hpp"

#include <string>

namespace hil {

/// Bus kind of a message the cloud client received.
inline constexpr const char *kCloudMessageKind = "cloud.message";

class CloudClient {
  public:
    virtual ~CloudClient() = default;
    /// Connects (persistent session, reconnecting automatically). Throws InfraError with the
    /// broker's reason.
    virtual void connect(Deadline deadline) = 0;
    /// Subscribes and waits for the SUBACK. Throws InfraError if refused or late.
    virtual void subscribe(const std::string &filter, int qos, Deadline deadline) = 0;
    /// Publishes and waits until sent (QoS 0) or acknowledged (QoS 1, 2). Throws InfraError.
    virtual void publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                         Deadline deadline) = 0;
    /// Disconnects; never throws.
    virtual void disconnect() noexcept = 0;
    /// The client id the broker knows it by.
    [[nodiscard]] virtual const std::string &client_id() const = 0;
};

} // namespace hil

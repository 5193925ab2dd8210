#pragma once
// The ShadowClient capability: the application side of the Device Shadow service, for one
// execution. Requests go to `$aws/things/<thing>/shadow[/name/<shadow>]/<op>` through the
// execution's cloud client; each is answered on `<op>/accepted` or `<op>/rejected` with the
// request's clientToken (reference A.1, A.4–A.8). Used by the cloud.shadow.* and expect.shadow
// steps and by the GoogleTest fixture.

#include "hil/cloud/cloud_client.hpp"
#include "hil/core/event_bus.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace hil {

class ShadowClient {
  public:
    ShadowClient(CloudClient &cloud, EventBus &bus, std::string context);

    struct Response {
        bool accepted = false;
        std::string topic;
        nlohmann::json body;   ///< the answer as the service sent it ({"code","message"} when rejected)
        std::uint64_t seq = 0; ///< its position on the bus
    };

    /// `$aws/things/<thing>/shadow` or `.../shadow/name/<shadow>`.
    [[nodiscard]] static std::string topic_prefix(const std::string &thing, const std::string &shadow);

    /// Sends `op` (update, get, delete) with `body` plus a fresh clientToken, and waits for the
    /// answer carrying that token. nullopt when none comes before the deadline. Throws InfraError
    /// when the cloud client cannot subscribe or publish.
    std::optional<Response> request(const std::string &thing, const std::string &shadow,
                                    const std::string &op, nlohmann::json body, Deadline deadline);

    /// Subscribes (once) to what tells that the document changed: update/documents, delete/accepted.
    void watch_changes(const std::string &thing, const std::string &shadow, Deadline deadline);

    /// True for a message on the bus that says the document changed (after watch_changes).
    [[nodiscard]] bool is_change(const Event &e, const std::string &prefix) const;

  private:
    void subscribe_once(const std::string &filter, Deadline deadline);

    CloudClient &cloud_;
    EventBus &bus_;
    std::string context_;
    std::set<std::string> subscribed_;
    unsigned next_token_ = 1;
};

} // namespace hil

#pragma once
// The Device Shadow service (reference section A) without a broker: a request comes in as
// (topic, payload bytes, now) and the service answers with the messages to publish. The
// Mosquitto plugin and the unit tests drive it the same way.
//
//   client PUBLISH $aws/things/T/shadow/update {...}
//        |  handle(topic, payload, now)
//        v
//   checks in the order of A.10 (429?, 415, 400 JSON, 400 schema, 400 depth, 400/409 version,
//   merge, 413) -> ShadowStore::save -> [update/accepted, update/delta?, update/documents]
//                                       or [update/rejected]
//
// Not thread-safe: one service per broker thread (Mosquitto runs plugins on one thread).

#include "hil/twin/shadow_errors.hpp"
#include "hil/twin/shadow_store.hpp"
#include "hil/twin/shadow_topic.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hil::twin {

/// The service's limits (A.11). Defaults are AWS's; rate limits are off unless set.
struct ShadowLimits {
    std::size_t max_document_bytes = 8192; ///< compact desired + reported, metadata excluded
    int max_depth = 6;                     ///< desired/reported are level 1
    std::size_t max_client_token_bytes = 64;
    std::chrono::seconds tombstone_lifetime = std::chrono::hours(48); ///< version continues within it
    unsigned requests_per_second_per_thing = 0;   ///< 0: unlimited; AWS: 20 (answers 429 beyond)
    unsigned requests_per_second_per_account = 0; ///< 0: unlimited; AWS: 400 or 4000 by region
};

/// One message the service publishes. QoS and retain are the broker's choice (the plugin uses
/// QoS 1, not retained).
struct Publication {
    std::string topic;
    std::string payload;

    bool operator==(const Publication &) const = default;
};

class ShadowService {
  public:
    /// `store` must outlive the service.
    explicit ShadowService(ShadowStore &store, ShadowLimits limits = {});

    /// Handles one client publish. A request topic of A.1 (update, get, delete; classic or named)
    /// yields its replies, in publication order: accepted then delta (if non-empty) then documents,
    /// or one rejected. Any other topic (a response topic, a non-shadow topic, an invalid thing
    /// name) yields nothing. Never throws for any payload bytes; a store failure is answered 500.
    [[nodiscard]] std::vector<Publication> handle(std::string_view topic, std::string_view payload,
                                                  std::chrono::system_clock::time_point now);

    [[nodiscard]] const ShadowLimits &limits() const { return limits_; }

  private:
    struct Window {
        std::int64_t second = 0;
        unsigned count = 0;
    };
    bool throttled(const ShadowKey &key, std::int64_t second);

    ShadowStore &store_;
    ShadowLimits limits_;
    std::map<std::string, Window> per_thing_;
    Window account_;
};

} // namespace hil::twin

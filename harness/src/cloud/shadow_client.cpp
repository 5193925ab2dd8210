#include "hil/cloud/shadow_client.hpp"

namespace hil {

ShadowClient::ShadowClient(CloudClient &cloud, EventBus &bus, std::string context)
    : cloud_(cloud), bus_(bus), context_(std::move(context)) {}

std::string ShadowClient::topic_prefix(const std::string &thing, const std::string &shadow) {
    return "$aws/things/" + thing + "/shadow" + (shadow.empty() ? "" : "/name/" + shadow);
}

void ShadowClient::subscribe_once(const std::string &filter, Deadline deadline) {
    if (subscribed_.count(filter) != 0) return;
    cloud_.subscribe(filter, 1, deadline);
    subscribed_.insert(filter);
}

std::optional<ShadowClient::Response> ShadowClient::request(const std::string &thing,
                                                            const std::string &shadow, const std::string &op,
                                                            nlohmann::json body, Deadline deadline) {
    const std::string base = topic_prefix(thing, shadow) + "/" + op;
    subscribe_once(base + "/accepted", deadline);
    subscribe_once(base + "/rejected", deadline);
    // The token names the execution too: another client's answers on the same topics never match.
    const std::string token = "hil-app-" + context_ + "-" + std::to_string(next_token_++);
    body["clientToken"] = token;
    const auto from = bus_.next_seq();
    cloud_.publish(base, body.dump(), 1, false, deadline);
    const auto answer = bus_.wait_for(
        from,
        [&](const Event &e) {
            if (e.context != context_ || e.kind != kCloudMessageKind) return false;
            const std::string topic = e.payload.value("topic", "");
            if (topic != base + "/accepted" && topic != base + "/rejected") return false;
            const auto parsed = nlohmann::json::parse(e.payload.value("payload", ""), nullptr, false);
            return parsed.is_object() && parsed.value("clientToken", "") == token;
        },
        deadline);
    if (!answer) return std::nullopt;
    Response r;
    r.topic = answer->payload.value("topic", "");
    r.accepted = r.topic == base + "/accepted";
    r.body = nlohmann::json::parse(answer->payload.value("payload", ""));
    r.seq = answer->seq;
    return r;
}

void ShadowClient::watch_changes(const std::string &thing, const std::string &shadow, Deadline deadline) {
    const std::string prefix = topic_prefix(thing, shadow);
    subscribe_once(prefix + "/update/documents", deadline);
    subscribe_once(prefix + "/delete/accepted", deadline);
}

bool ShadowClient::is_change(const Event &e, const std::string &prefix) const {
    if (e.context != context_ || e.kind != kCloudMessageKind) return false;
    const std::string topic = e.payload.value("topic", "");
    return topic == prefix + "/update/documents" || topic == prefix + "/delete/accepted";
}

} // namespace hil

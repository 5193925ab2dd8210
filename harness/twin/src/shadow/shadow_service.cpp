#include "hil/twin/shadow_service.hpp"

#include "document.hpp"
#include "request.hpp"

#include <limits>
#include <optional>
#include <utility>

namespace hil::twin {

namespace {

constexpr std::size_t kMaxRateWindows = 10000; ///< per-thing windows kept before pruning old ones

/// Everything a reply to one request needs besides its body.
struct Reply {
    ShadowKey key;
    ShadowOperation operation;
    std::int64_t ts = 0;
    std::optional<std::string> client_token;

    [[nodiscard]] Publication publish(ShadowTopicKind kind, Json body) const {
        if (client_token) body["clientToken"] = *client_token;
        return {shadow_topic(key, operation, kind), body.dump()};
    }

    /// {"code": c, "message": m[, "clientToken": t]}: no timestamp, as in the observed bodies.
    [[nodiscard]] std::vector<Publication> reject(int code, std::string_view message) const {
        Json body = Json::object();
        body["code"] = code;
        body["message"] = message;
        return {publish(ShadowTopicKind::rejected, std::move(body))};
    }
    [[nodiscard]] std::vector<Publication> reject(const ShadowError &error) const {
        return reject(error.code, error.message);
    }
};

/// A.10: `'<T>'` for the classic shadow; for a named shadow the field-reported `'<T>~<N>'`
/// (the reference leaves the named form open: tests assert the prefix only).
std::string no_shadow_message(const ShadowKey &key) {
    std::string name = key.thing;
    if (key.named()) name += "~" + key.name;
    return std::string(shadow_errors::no_shadow_prefix) + name + "'";
}

bool exists(const std::optional<ShadowRecord> &record) {
    return record && !record->deleted;
}

Json document_of(const ShadowRecord &record) {
    Json doc = Json::object();
    doc["state"] = detail::sections_in_order(record.state);
    doc["metadata"] = detail::sections_in_order(record.metadata);
    doc["version"] = record.version;
    return doc;
}

/// GET (A.7): the document, its delta if non-empty, the time of the response.
std::vector<Publication> answer_get(const Reply &reply, const ShadowRecord &record) {
    Json body = document_of(record);
    const auto delta = detail::compute_delta(record);
    if (!delta.empty()) body["state"]["delta"] = delta.state;
    body["timestamp"] = reply.ts;
    return {reply.publish(ShadowTopicKind::accepted, std::move(body))};
}

/// DELETE (A.8): a tombstone keeps the version; the reply carries it unincremented.
std::vector<Publication> answer_delete(ShadowStore &store, const Reply &reply, const ShadowRecord &record) {
    ShadowRecord tombstone;
    tombstone.version = record.version;
    tombstone.deleted = true;
    tombstone.deleted_at = reply.ts;
    try {
        store.save(reply.key, tombstone);
    } catch (const StoreError &) {
        return reply.reject(500, shadow_errors::internal_failure);
    }
    Json body = Json::object();
    body["version"] = record.version;
    body["timestamp"] = reply.ts;
    return {reply.publish(ShadowTopicKind::accepted, std::move(body))};
}

/// The version check of an update (A.3.9); nullopt if it passes.
std::optional<ShadowError> check_version(const Json &request, const std::optional<ShadowRecord> &record) {
    const auto version = request.find("version");
    if (version == request.end()) return std::nullopt;
    if (!version->is_number_integer()) return ShadowError{400, std::string(shadow_errors::invalid_version)};
    std::int64_t wanted = -1; // versions are positive: anything else conflicts
    if (!version->is_number_unsigned()) {
        wanted = version->get<std::int64_t>();
    } else if (version->get<std::uint64_t>() <=
               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        wanted = static_cast<std::int64_t>(version->get<std::uint64_t>());
    }
    if (exists(record)) {
        if (wanted != record->version) return ShadowError{409, std::string(shadow_errors::version_conflict)};
        return std::nullopt;
    }
    // [UNSURE in the reference] a version for a shadow that does not exist: Greengrass's rule.
    if (wanted != 1) return ShadowError{400, std::string(shadow_errors::invalid_version)};
    return std::nullopt;
}

/// UPDATE (A.3-A.6) of a request that is a JSON object, checked in the order of A.10:
/// schema, depth, version, merge, size; then accepted, delta (if non-empty), documents.
std::vector<Publication> answer_update(ShadowStore &store, const ShadowLimits &limits, const Reply &reply,
                                       const Json &request) {
    if (auto error = detail::check_update_schema(request, limits.max_client_token_bytes))
        return reply.reject(*error);
    const Json &state = request["state"];
    if (detail::exceeds_depth(state, limits.max_depth)) return reply.reject(400, shadow_errors::too_deep);
    std::optional<ShadowRecord> record;
    try {
        record = store.load(reply.key);
    } catch (const StoreError &) {
        return reply.reject(500, shadow_errors::internal_failure);
    }
    if (auto error = check_version(request, record)) return reply.reject(*error);

    const bool existed = exists(record);
    ShadowRecord next;
    if (existed) {
        next = *record;
    } else if (record &&
               reply.ts - record->deleted_at < static_cast<std::int64_t>(limits.tombstone_lifetime.count())) {
        next.version = record->version; // A.8: re-created within the lifetime, the version follows
    }
    next.version += 1;
    detail::apply_state(next, state, reply.ts);
    if (detail::document_bytes(next.state) > limits.max_document_bytes) {
        return reply.reject(413, shadow_errors::too_large);
    }
    try {
        store.save(reply.key, next);
    } catch (const StoreError &) {
        return reply.reject(500, shadow_errors::internal_failure);
    }

    std::vector<Publication> out;
    Json accepted = Json::object();
    accepted["state"] = state;
    accepted["metadata"] = detail::metadata_of_request(state, reply.ts);
    accepted["version"] = next.version;
    accepted["timestamp"] = reply.ts;
    out.push_back(reply.publish(ShadowTopicKind::accepted, std::move(accepted)));
    if (const auto delta = detail::compute_delta(next); !delta.empty()) {
        Json body = Json::object();
        body["state"] = delta.state;
        body["metadata"] = delta.metadata;
        body["version"] = next.version;
        body["timestamp"] = reply.ts;
        out.push_back(reply.publish(ShadowTopicKind::delta, std::move(body)));
    }
    Json documents = Json::object();
    documents["previous"] = existed ? document_of(*record) : Json(nullptr);
    documents["current"] = document_of(next);
    documents["timestamp"] = reply.ts;
    out.push_back(reply.publish(ShadowTopicKind::documents, std::move(documents)));
    return out;
}

} // namespace

ShadowService::ShadowService(ShadowStore &store, ShadowLimits limits) : store_(store), limits_(limits) {}

bool ShadowService::throttled(const ShadowKey &key, std::int64_t second) {
    const auto over = [second](Window &window, unsigned limit) {
        if (window.second != second) window = {second, 0};
        return ++window.count > limit;
    };
    bool limited = false;
    if (limits_.requests_per_second_per_thing != 0) {
        if (per_thing_.size() > kMaxRateWindows)
            std::erase_if(per_thing_, [&](const auto &w) { return w.second.second != second; });
        limited = over(per_thing_[key.thing], limits_.requests_per_second_per_thing);
    }
    if (limits_.requests_per_second_per_account != 0) {
        limited = over(account_, limits_.requests_per_second_per_account) || limited;
    }
    return limited;
}

std::vector<Publication> ShadowService::handle(std::string_view topic, std::string_view payload,
                                               std::chrono::system_clock::time_point now) {
    const auto parsed = parse_shadow_topic(topic);
    if (!parsed || parsed->kind != ShadowTopicKind::request) return {};
    Reply reply{parsed->key, parsed->operation,
                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
                std::nullopt};

    // Decoded once; the errors come out in order: 429, 415, 400 JSON, then per operation.
    const bool utf8 = detail::is_valid_utf8(payload);
    const std::optional<Json> request = utf8 ? detail::parse_payload(payload) : std::nullopt;
    if (request) reply.client_token = detail::echoable_client_token(*request, limits_.max_client_token_bytes);
    if (throttled(reply.key, reply.ts)) return reply.reject(429, shadow_errors::too_many_requests);
    if (!utf8) return reply.reject(415, shadow_errors::not_utf8);

    if (reply.operation == ShadowOperation::update) {
        if (!request || !request->is_object()) return reply.reject(400, shadow_errors::invalid_json);
        return answer_update(store_, limits_, reply, *request);
    }
    // get / delete: an empty payload, or an object of which only clientToken is read.
    if (!payload.empty() && (!request || !request->is_object()))
        return reply.reject(400, shadow_errors::invalid_json);
    if (request && detail::has_invalid_client_token(*request, limits_.max_client_token_bytes)) {
        return reply.reject(400, shadow_errors::invalid_client_token);
    }
    std::optional<ShadowRecord> record;
    try {
        record = store_.load(reply.key);
    } catch (const StoreError &) {
        return reply.reject(500, shadow_errors::internal_failure);
    }
    if (!exists(record)) return reply.reject(404, no_shadow_message(reply.key));
    return reply.operation == ShadowOperation::get ? answer_get(reply, *record)
                                                   : answer_delete(store_, reply, *record);
}

} // namespace hil::twin

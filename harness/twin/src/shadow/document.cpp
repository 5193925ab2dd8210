#include "document.hpp"

namespace hil::twin::detail {

namespace {
constexpr const char *kSections[] = {"desired", "reported"};

Json leaf(std::int64_t ts) {
    Json meta = Json::object();
    meta["timestamp"] = ts;
    return meta;
}

/// A new value as stored: nulls inside objects mean "delete", and there is nothing to delete.
Json without_nulls(const Json &value) {
    if (!value.is_object()) return value;
    Json out = Json::object();
    for (const auto &[key, child] : value.items()) {
        if (!child.is_null()) out[key] = without_nulls(child);
    }
    return out;
}

void merge_object(Json &target, Json &meta, const Json &patch, std::int64_t ts) {
    for (const auto &[key, value] : patch.items()) {
        if (value.is_null()) { // A.3.3: null deletes, missing keys included
            target.erase(key);
            meta.erase(key);
            continue;
        }
        if (value.is_object()) {
            const auto existing = target.find(key);
            if (existing != target.end() && existing->is_object()) { // A.3.2: objects merge
                Json &child_meta = meta[key];
                if (!child_meta.is_object()) child_meta = Json::object();
                merge_object(*existing, child_meta, value, ts);
                continue;
            }
        }
        Json stored = without_nulls(value); // A.3.2/A.3.7: scalars and arrays replace
        meta[key] = metadata_of_value(stored, ts);
        target[key] = std::move(stored);
    }
}

void delta_of(const Json &desired, const Json &desired_meta, const Json *reported, Json &out,
              Json &out_meta) {
    for (const auto &[key, want] : desired.items()) {
        const Json *have = nullptr;
        if (reported != nullptr) {
            const auto found = reported->find(key);
            if (found != reported->end()) have = &*found;
        }
        const auto meta_it = desired_meta.is_object() ? desired_meta.find(key) : desired_meta.end();
        const Json meta = meta_it != desired_meta.end() ? *meta_it : Json::object();
        if (have != nullptr && want.is_object() && have->is_object()) {
            Json sub = Json::object();
            Json sub_meta = Json::object();
            delta_of(want, meta, have, sub, sub_meta);
            if (!sub.empty()) {
                out[key] = std::move(sub);
                out_meta[key] = std::move(sub_meta);
            }
            continue;
        }
        if (have == nullptr || !json_equal(want, *have)) {
            out[key] = want;
            out_meta[key] = meta;
        }
    }
}
} // namespace

Json metadata_of_value(const Json &value, std::int64_t ts) {
    if (value.is_object()) {
        Json meta = Json::object();
        for (const auto &[key, child] : value.items()) meta[key] = metadata_of_value(child, ts);
        return meta;
    }
    if (value.is_array()) {
        Json meta = Json::array();
        for (const auto &element : value) meta.push_back(metadata_of_value(element, ts));
        return meta;
    }
    return leaf(ts);
}

Json metadata_of_request(const Json &value, std::int64_t ts) {
    if (value.is_object()) {
        Json meta = Json::object();
        for (const auto &[key, child] : value.items()) meta[key] = metadata_of_request(child, ts);
        return meta;
    }
    return metadata_of_value(value, ts);
}

void apply_state(ShadowRecord &record, const Json &state, std::int64_t ts) {
    if (state.is_null()) { // A.3.5: clears desired and reported, the shadow stays
        record.state = Json::object();
        record.metadata = Json::object();
        return;
    }
    for (const char *section : kSections) {
        const auto patch = state.find(section);
        if (patch == state.end()) continue;
        if (patch->is_null()) { // A.3.4: the whole section goes
            record.state.erase(section);
            record.metadata.erase(section);
            continue;
        }
        if (patch->empty()) continue; // A.3.6: an empty section changes nothing
        Json &target = record.state[section];
        Json &meta = record.metadata[section];
        if (!target.is_object()) target = Json::object();
        if (!meta.is_object()) meta = Json::object();
        merge_object(target, meta, *patch, ts);
        if (target.empty()) { // A.3.4: a section emptied by nulls disappears
            record.state.erase(section);
            record.metadata.erase(section);
        }
    }
}

Delta compute_delta(const ShadowRecord &record) {
    Delta delta;
    const auto desired = record.state.find("desired");
    if (desired == record.state.end()) return delta;
    const auto reported = record.state.find("reported");
    const auto meta = record.metadata.find("desired");
    delta_of(*desired, meta != record.metadata.end() ? *meta : Json::object(),
             reported != record.state.end() ? &*reported : nullptr, delta.state, delta.metadata);
    return delta;
}

bool json_equal(const Json &a, const Json &b) {
    if (a.is_number() && b.is_number()) return a == b; // nlohmann compares int and float by value
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (const auto &[key, value] : a.items()) {
            const auto other = b.find(key);
            if (other == b.end() || !json_equal(value, *other)) return false;
        }
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!json_equal(a[i], b[i])) return false;
        }
        return true;
    }
    return a == b;
}

std::size_t document_bytes(const Json &state) {
    std::size_t bytes = 0;
    for (const char *section : kSections) {
        const auto found = state.find(section);
        if (found != state.end()) bytes += found->dump().size();
    }
    return bytes;
}

Json sections_in_order(const Json &object) {
    Json out = Json::object();
    for (const char *section : kSections) {
        const auto found = object.find(section);
        if (found != object.end()) out[section] = *found;
    }
    return out;
}

} // namespace hil::twin::detail

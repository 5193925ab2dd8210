#include "request.hpp"

#include <vector>

namespace hil::twin::detail {

namespace {
constexpr const char *kSections[] = {"desired", "reported"};

ShadowError bad_request(std::string_view message) {
    return {400, std::string(message)};
}

/// True if any array below `root` holds a null, at any depth (arrays are opaque values and may
/// not carry nulls). Iterative: the depth check comes later in A.10's order.
bool has_null_in_array(const Json &root) {
    std::vector<std::pair<const Json *, bool>> pending{{&root, false}};
    while (!pending.empty()) {
        const auto [node, inside_array] = pending.back();
        pending.pop_back();
        if (node->is_null() && inside_array) return true;
        if (node->is_object()) {
            for (const auto &child : *node) pending.emplace_back(&child, inside_array);
        } else if (node->is_array()) {
            for (const auto &child : *node) pending.emplace_back(&child, true);
        }
    }
    return false;
}

bool too_deep(const Json &value, int level, int max_depth) {
    if (!value.is_structured() || value.empty()) return false;
    if (level > max_depth) return true;
    for (const auto &child : value) {
        if (too_deep(child, level + 1, max_depth)) return true;
    }
    return false;
}
} // namespace

bool is_valid_utf8(std::string_view bytes) {
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c == 0xE0) {
            extra = 2;
            lo = 0xA0; // no overlong
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            extra = 2;
        } else if (c == 0xED) {
            extra = 2;
            hi = 0x9F; // no surrogates
        } else if (c == 0xF0) {
            extra = 3;
            lo = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3) {
            extra = 3;
        } else if (c == 0xF4) {
            extra = 3;
            hi = 0x8F; // at most U+10FFFF
        } else {
            return false;
        }
        if (i + extra >= n) return false; // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(bytes[i + k]);
            const unsigned char low = k == 1 ? lo : 0x80;
            const unsigned char high = k == 1 ? hi : 0xBF;
            if (cc < low || cc > high) return false;
        }
        i += extra + 1;
    }
    return true;
}

std::optional<Json> parse_payload(std::string_view payload) {
    if (payload.empty()) return std::nullopt;
    Json parsed = Json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
}

std::optional<std::string> echoable_client_token(const Json &request, std::size_t max_bytes) {
    if (!request.is_object()) return std::nullopt;
    const auto token = request.find("clientToken");
    if (token == request.end() || !token->is_string()) return std::nullopt;
    const auto &text = token->get_ref<const std::string &>();
    if (text.size() > max_bytes) return std::nullopt;
    return text;
}

bool has_invalid_client_token(const Json &request, std::size_t max_bytes) {
    return request.contains("clientToken") && !echoable_client_token(request, max_bytes);
}

std::optional<ShadowError> check_update_schema(const Json &request, std::size_t max_token_bytes) {
    const auto state = request.find("state");
    if (state == request.end()) return bad_request(shadow_errors::missing_state);
    if (!state->is_object() && !state->is_null()) return bad_request(shadow_errors::state_not_object);
    if (state->is_object()) {
        const auto desired = state->find("desired");
        if (desired != state->end() && !desired->is_object() && !desired->is_null()) {
            return bad_request(shadow_errors::desired_not_object);
        }
        const auto reported = state->find("reported");
        if (reported != state->end() && !reported->is_object() && !reported->is_null()) {
            return bad_request(shadow_errors::reported_not_object);
        }
        for (const char *section : kSections) {
            const auto found = state->find(section);
            if (found != state->end() && has_null_in_array(*found)) {
                return bad_request(shadow_errors::invalid_json); // A.3.7: text undocumented
            }
        }
        for (const auto &[key, value] : state->items()) {
            if (key != "desired" && key != "reported") {
                return bad_request(std::string(shadow_errors::invalid_node_prefix) + key + "'");
            }
        }
    }
    if (has_invalid_client_token(request, max_token_bytes))
        return bad_request(shadow_errors::invalid_client_token);
    return std::nullopt;
}

bool exceeds_depth(const Json &state, int max_depth) {
    if (!state.is_object()) return false;
    for (const char *section : kSections) {
        const auto found = state.find(section);
        if (found != state.end() && too_deep(*found, 1, max_depth)) return true;
    }
    return false;
}

} // namespace hil::twin::detail

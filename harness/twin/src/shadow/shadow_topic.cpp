#include "hil/twin/shadow_topic.hpp"

#include <vector>

namespace hil::twin {

namespace {
constexpr std::string_view kThingsPrefix = "$aws/things/";
constexpr std::size_t kMaxThingName = 128;
constexpr std::size_t kMaxShadowName = 64;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '-';
}

std::vector<std::string_view> split_levels(std::string_view topic) {
    std::vector<std::string_view> levels;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = topic.find('/', start);
        if (slash == std::string_view::npos) {
            levels.push_back(topic.substr(start));
            return levels;
        }
        levels.push_back(topic.substr(start, slash - start));
        start = slash + 1;
    }
}

std::optional<ShadowOperation> operation_of(std::string_view level) {
    if (level == "update") return ShadowOperation::update;
    if (level == "get") return ShadowOperation::get;
    if (level == "delete") return ShadowOperation::delete_;
    return std::nullopt;
}

std::optional<ShadowTopicKind> kind_of(std::string_view level, ShadowOperation operation) {
    if (level == "accepted") return ShadowTopicKind::accepted;
    if (level == "rejected") return ShadowTopicKind::rejected;
    if (operation == ShadowOperation::update && level == "delta") return ShadowTopicKind::delta;
    if (operation == ShadowOperation::update && level == "documents") return ShadowTopicKind::documents;
    return std::nullopt;
}

std::string_view to_string(ShadowTopicKind kind) {
    switch (kind) {
    case ShadowTopicKind::request: return "";
    case ShadowTopicKind::accepted: return "accepted";
    case ShadowTopicKind::rejected: return "rejected";
    case ShadowTopicKind::delta: return "delta";
    case ShadowTopicKind::documents: return "documents";
    }
    return "";
}
} // namespace

bool is_valid_thing_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxThingName) return false;
    for (const char c : name) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

bool is_valid_shadow_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxShadowName) return false;
    for (const char c : name) {
        if (!is_name_char(c) && c != '$') return false;
    }
    return true;
}

std::optional<ShadowTopic> parse_shadow_topic(std::string_view topic) {
    if (!topic.starts_with(kThingsPrefix)) return std::nullopt;
    const auto levels = split_levels(topic.substr(kThingsPrefix.size()));
    // T / shadow / [name / N /] op [/ kind]
    if (levels.size() < 3 || levels[1] != "shadow") return std::nullopt;
    ShadowTopic parsed;
    parsed.key.thing = std::string(levels[0]);
    if (!is_valid_thing_name(parsed.key.thing)) return std::nullopt;
    std::size_t next = 2;
    if (levels[2] == "name") {
        if (levels.size() < 5 || !is_valid_shadow_name(levels[3])) return std::nullopt;
        parsed.key.name = std::string(levels[3]);
        next = 4;
    }
    const auto operation = operation_of(levels[next]);
    if (!operation) return std::nullopt;
    parsed.operation = *operation;
    const std::size_t rest = levels.size() - next - 1;
    if (rest == 0) return parsed;
    if (rest > 1) return std::nullopt;
    const auto kind = kind_of(levels[next + 1], *operation);
    if (!kind) return std::nullopt;
    parsed.kind = *kind;
    return parsed;
}

std::string shadow_prefix(const ShadowKey &key) {
    std::string prefix = std::string(kThingsPrefix) + key.thing + "/shadow";
    if (key.named()) prefix += "/name/" + key.name;
    return prefix;
}

std::string shadow_topic(const ShadowKey &key, ShadowOperation operation, ShadowTopicKind kind) {
    std::string topic = shadow_prefix(key) + "/" + std::string(to_string(operation));
    if (kind != ShadowTopicKind::request) topic += "/" + std::string(to_string(kind));
    return topic;
}

std::string_view to_string(ShadowOperation operation) {
    switch (operation) {
    case ShadowOperation::update: return "update";
    case ShadowOperation::get: return "get";
    case ShadowOperation::delete_: return "delete";
    }
    return "";
}

} // namespace hil::twin

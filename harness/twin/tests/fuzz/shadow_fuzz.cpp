// libFuzzer target: arbitrary topics and payloads into the shadow service, on a memory store
// that persists across inputs (so sequences of updates, gets and deletes are explored too).
// Input layout: [selector byte][payload...]; the selector picks thing, named shadow and
// operation, and every 64th input uses the rest as a raw topic instead.
//
//   clang++ -fsanitize=fuzzer,address,undefined  (ci/twin-fuzz.sh builds and runs it)
#include "hil/twin/shadow_service.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

hil::twin::MemoryShadowStore &store() {
    static hil::twin::MemoryShadowStore instance;
    return instance;
}

hil::twin::ShadowService &service() {
    static hil::twin::ShadowLimits limits = [] {
        hil::twin::ShadowLimits l;
        l.tombstone_lifetime = std::chrono::seconds(100);
        return l;
    }();
    static hil::twin::ShadowService instance(store(), limits);
    return instance;
}

/// Every reply must be a JSON object on a response topic of the request's shadow.
void check_replies(const std::vector<hil::twin::Publication> &replies) {
    for (const auto &reply : replies) {
        const auto parsed = hil::twin::parse_shadow_topic(reply.topic);
        if (!parsed || parsed->kind == hil::twin::ShadowTopicKind::request) std::abort();
        const auto body = nlohmann::json::parse(reply.payload, nullptr, false);
        if (body.is_discarded() || !body.is_object()) std::abort();
        if (parsed->kind == hil::twin::ShadowTopicKind::rejected && !body.contains("code")) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) return 0;
    static std::int64_t clock = 1736882722;
    const std::uint8_t selector = data[0];
    const std::string_view rest(reinterpret_cast<const char *>(data + 1), size - 1);
    clock += selector % 7; // time moves, so tombstones expire now and then
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(clock));
    if (selector % 64 == 63) {
        check_replies(service().handle(rest, "{}", now));
        return 0;
    }
    static constexpr const char *kOps[] = {"update", "update", "update", "get", "delete", "update/accepted"};
    std::string topic = "$aws/things/thing-" + std::to_string(selector % 3) + "/shadow";
    if ((selector / 3) % 2 == 1) topic += "/name/n" + std::to_string((selector / 6) % 2);
    topic += std::string("/") + kOps[(selector / 12) % 6];
    check_replies(service().handle(topic, rest, now));
    return 0;
}

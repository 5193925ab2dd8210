#pragma once
// Test support for the shadow service: a service on a MemoryShadowStore for the thing "lamp-1",
// a controllable clock, and helpers that send requests and pick replies apart by topic.

#include "hil/twin/shadow_service.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hil::twin::test {

using nlohmann::json;
using namespace std::chrono_literals;

/// The replies of one request, by topic suffix ("update/accepted", "update/delta", ...).
struct Replies {
    std::vector<Publication> messages;

    /// The parsed body published on `<prefix>/<suffix>`, or nullopt if none was.
    [[nodiscard]] std::optional<json> on(const std::string &suffix) const {
        for (const auto &m : messages) {
            if (m.topic.size() >= suffix.size() && m.topic.ends_with("/" + suffix))
                return json::parse(m.payload);
        }
        return std::nullopt;
    }
    /// The body on `suffix`; fails the test if there is none.
    [[nodiscard]] json at(const std::string &suffix) const {
        auto body = on(suffix);
        if (!body) {
            ADD_FAILURE() << "no message on " << suffix << "; got " << describe();
            return json();
        }
        return *body;
    }
    [[nodiscard]] std::vector<std::string> topics() const {
        std::vector<std::string> out;
        for (const auto &m : messages) out.push_back(m.topic);
        return out;
    }
    [[nodiscard]] std::string describe() const {
        std::string out;
        for (const auto &m : messages) out += m.topic + " " + m.payload + "\n";
        return out.empty() ? "(nothing)" : out;
    }
};

class ShadowTest : public ::testing::Test {
  protected:
    static constexpr const char *kThing = "lamp-1";
    static constexpr std::int64_t kStart = 1736882722;

    explicit ShadowTest(ShadowLimits limits = {}) : service_(store_, limits) {}

    [[nodiscard]] std::string prefix(const std::string &shadow = {}) const {
        std::string p = std::string("$aws/things/") + kThing + "/shadow";
        if (!shadow.empty()) p += "/name/" + shadow;
        return p;
    }
    Replies send(const std::string &topic, const std::string &payload) {
        return {service_.handle(topic, payload, now_)};
    }
    Replies update(const json &request, const std::string &shadow = {}) {
        return send(prefix(shadow) + "/update", request.dump());
    }
    Replies update_raw(const std::string &payload, const std::string &shadow = {}) {
        return send(prefix(shadow) + "/update", payload);
    }
    Replies get(const std::string &payload = "", const std::string &shadow = {}) {
        return send(prefix(shadow) + "/get", payload);
    }
    Replies remove(const std::string &payload = "", const std::string &shadow = {}) {
        return send(prefix(shadow) + "/delete", payload);
    }
    /// GET's state (desired, reported, delta), failing the test if the GET is rejected.
    json state() { return get().at("get/accepted")["state"]; }
    void advance(std::chrono::seconds by) { now_ += by; }
    [[nodiscard]] std::int64_t now_seconds() const {
        return std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
    }
    /// Asserts one rejected reply with this code and exact message (byte for byte).
    static void expect_error(const Replies &replies, const std::string &suffix, int code,
                             const std::string &message) {
        ASSERT_EQ(replies.messages.size(), 1U) << replies.describe();
        const json body = replies.at(suffix);
        EXPECT_EQ(body["code"], code) << body;
        EXPECT_EQ(body["message"].get<std::string>(), message) << body;
    }

    MemoryShadowStore store_;
    ShadowService service_;
    std::chrono::system_clock::time_point now_{std::chrono::seconds(kStart)};
};

} // namespace hil::twin::test

#include "hil/faults/client_hello.hpp"
#include "toxics.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace hil::faults {

namespace {

/// The name as text for a reason: printable ASCII as is, anything else as \xNN (an offered ALPN
/// may be any bytes, and events must stay valid UTF-8).
std::string printable(std::string_view name) {
    std::string out;
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7f) {
            out += c;
        } else {
            std::array<char, 5> esc{};
            std::snprintf(esc.data(), esc.size(), "\\x%02x", b);
            out += esc.data();
        }
    }
    return out;
}

bool same_host(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return std::ranges::equal(a, b, [&](char x, char y) { return lower(x) == lower(y); });
}

/// AWS IoT Core's endpoint rules at the door (SNI equal to the endpoint's name, the ALPN that
/// routes to MQTT on 443), judged on the client's ClientHello without terminating TLS. Until the
/// hello is complete it holds the bytes back; then it forwards them all and steps aside for the
/// rest of the connection, or swallows them and closes with the reason, so the broker behind it
/// never sees a byte of a refused client.
class TlsGate final : public Toxic {
  public:
    TlsGate(std::string server_name, std::optional<std::string> alpn)
        : server_name_(std::move(server_name)), alpn_(std::move(alpn)) {}
    std::string type() const override { return "tls_gate"; }
    std::unique_ptr<Toxic> clone() const override { return std::make_unique<TlsGate>(server_name_, alpn_); }
    /// A connection past its handshake is not judged again (AWS checks at the door only).
    void joined_mid_stream() override { state_ = State::open; }

    Verdict apply(std::vector<Segment> segments, Clock::time_point now) override {
        if (state_ == State::open) return {std::move(segments)};
        if (state_ == State::refused) return {{}, true}; // already reported
        for (const auto &s : segments) hello_bytes_ += s.data;
        const HelloParse parsed = parse_client_hello(hello_bytes_);
        switch (parsed.status) {
        case HelloStatus::need_more: return {};
        case HelloStatus::malformed:
        case HelloStatus::not_tls: return refuse(parsed.reason);
        case HelloStatus::ok: break;
        }
        if (auto why = judge(parsed.hello); !why.empty()) return refuse(std::move(why));
        state_ = State::open;
        Verdict v;
        v.forward.push_back({std::move(hello_bytes_), now});
        hello_bytes_ = {};
        return v;
    }

  private:
    enum class State { reading_hello, open, refused };

    /// Why this hello does not pass the endpoint's rules; empty if it does.
    [[nodiscard]] std::string judge(const ClientHello &hello) const {
        if (!server_name_.empty()) {
            if (!hello.server_name)
                return "no SNI (server name) in the ClientHello; this endpoint requires \"" + server_name_ +
                       "\"";
            if (!same_host(*hello.server_name, server_name_))
                return "SNI \"" + *hello.server_name + "\" is not this endpoint's name \"" + server_name_ +
                       "\"";
        }
        if (alpn_ && std::ranges::find(hello.alpn, *alpn_) == hello.alpn.end()) {
            std::string offered;
            for (const auto &p : hello.alpn) offered += (offered.empty() ? "" : ", ") + printable(p);
            return "ALPN " + printable(*alpn_) +
                   " not offered (offered: " + (offered.empty() ? "none" : offered) + ")";
        }
        return {};
    }

    Verdict refuse(std::string reason) {
        state_ = State::refused;
        hello_bytes_ = {};
        return {{}, true, std::move(reason)};
    }

    std::string server_name_; ///< "" = SNI not checked
    std::optional<std::string> alpn_;
    State state_ = State::reading_hello;
    std::string hello_bytes_; ///< everything the client sent until the decision
};

std::string string_attr(const nlohmann::json &a, const char *key) {
    const auto &v = a.at(key);
    if (!v.is_string()) throw std::invalid_argument(std::string("'") + key + "' must be a string");
    return v.get<std::string>();
}

} // namespace

std::unique_ptr<Toxic> make_tls_gate(const nlohmann::json &a) {
    // A misspelt key would silently turn a check off: refuse what the gate does not know.
    if (a.is_object()) {
        for (const auto &[key, value] : a.items()) {
            if (key != "server_name" && key != "alpn")
                throw std::invalid_argument("tls_gate has no attribute '" + key +
                                            "' (it has server_name, alpn)");
        }
    }
    std::string server_name = a.contains("server_name") ? string_attr(a, "server_name") : std::string();
    std::optional<std::string> alpn;
    if (a.contains("alpn")) {
        alpn = string_attr(a, "alpn");
        if (alpn->empty() || alpn->size() > 255)
            throw std::invalid_argument(
                "'alpn' must be a protocol name of 1 to 255 bytes (e.g. x-amzn-mqtt-ca)");
    }
    return std::make_unique<TlsGate>(std::move(server_name), std::move(alpn));
}

} // namespace hil::faults

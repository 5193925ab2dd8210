// ClientHello parsing: the record layer first (framing, reassembly, the cap), then the hello's
// body with a cursor that checks every length against what encloses it. RFC 8446 §4.1.2 and §5.1,
// RFC 6066 §3 (server_name), RFC 7301 §3.1 (ALPN).
#include "hil/faults/client_hello.hpp"

#include <array>
#include <cstdio>

namespace hil::faults {

const char *to_string(HelloStatus status) {
    switch (status) {
    case HelloStatus::need_more: return "need_more";
    case HelloStatus::ok: return "ok";
    case HelloStatus::malformed: return "malformed";
    case HelloStatus::not_tls: return "not_tls";
    }
    return "?";
}

namespace {

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHelloType = 1;
constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kHandshakeHeader = 4;
constexpr std::size_t kMaxRecordPayload = std::size_t{16} * 1024; // 2^14, RFC 8446 §5.1
constexpr std::uint16_t kExtServerName = 0;
constexpr std::uint16_t kExtAlpn = 16;
constexpr std::uint16_t kExtSupportedVersions = 43;

std::uint8_t byte_at(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

std::string hex(unsigned value, int digits = 2) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "0x%0*x", digits, value);
    return buf.data();
}

HelloParse fail(HelloStatus status, std::string reason) {
    HelloParse p;
    p.status = status;
    p.reason = std::move(reason);
    return p;
}

HelloParse malformed(std::string reason) {
    return fail(HelloStatus::malformed, std::move(reason));
}

std::string not_handshake(std::uint8_t first) {
    std::string why = "not a TLS handshake record (first byte " + hex(first);
    // The likeliest stranger on a TLS port here: a device configured for plain MQTT.
    if (first == 0x10) why += ", an MQTT CONNECT: the client speaks MQTT without TLS?";
    return why + ")";
}

/// A cursor over bytes already known to be complete: every read says whether it fitted.
class Reader {
  public:
    explicit Reader(std::string_view data) : data_(data) {}
    [[nodiscard]] bool empty() const { return data_.empty(); }
    [[nodiscard]] std::size_t left() const { return data_.size(); }

    bool u8(std::uint8_t &out) {
        if (data_.empty()) return false;
        out = byte_at(data_, 0);
        data_.remove_prefix(1);
        return true;
    }
    bool u16(std::uint16_t &out) {
        if (data_.size() < 2) return false;
        out = static_cast<std::uint16_t>((byte_at(data_, 0) << 8) | byte_at(data_, 1));
        data_.remove_prefix(2);
        return true;
    }
    bool bytes(std::size_t n, std::string_view &out) {
        if (data_.size() < n) return false;
        out = data_.substr(0, n);
        data_.remove_prefix(n);
        return true;
    }
    /// A vector with a one-byte length prefix (`opaque x<0..2^8-1>`).
    bool vec8(std::string_view &out) {
        std::uint8_t n = 0;
        return u8(n) && bytes(n, out);
    }
    /// A vector with a two-byte length prefix (`opaque x<0..2^16-1>`).
    bool vec16(std::string_view &out) {
        std::uint16_t n = 0;
        return u16(n) && bytes(n, out);
    }

  private:
    std::string_view data_;
};

std::string truncated(const char *where) {
    return std::string("ClientHello truncated in ") + where;
}

/// An extension whose content is exactly one vector with a two-byte length.
bool whole_vec16(std::string_view data, std::string_view &out) {
    Reader r(data);
    return r.vec16(out) && r.empty();
}

/// RFC 6066 §3: a list of (name_type, name); at most one host_name, which is ASCII.
std::string read_server_name(std::string_view data, ClientHello &out) {
    std::string_view list;
    if (!whole_vec16(data, list)) return truncated("server_name extension");
    if (list.empty()) return "server_name extension with an empty list";
    Reader names(list);
    while (!names.empty()) {
        std::uint8_t type = 0;
        std::string_view name;
        if (!names.u8(type) || !names.vec16(name)) return truncated("server_name extension");
        if (type != 0) continue; // no other name type is defined; skip what we cannot judge
        if (out.server_name) return "server_name extension names two hosts";
        if (name.empty()) return "server_name extension with an empty host name";
        for (const char c : name) {
            const auto b = static_cast<std::uint8_t>(c);
            if (b <= 0x20 || b >= 0x7f) return "server name contains byte " + hex(b);
        }
        out.server_name = std::string(name);
    }
    return {};
}

/// RFC 7301 §3.1: a non-empty list of non-empty protocol names.
std::string read_alpn(std::string_view data, ClientHello &out) {
    std::string_view list;
    if (!whole_vec16(data, list)) return truncated("ALPN extension");
    if (list.empty()) return "ALPN extension with an empty protocol list";
    Reader protocols(list);
    while (!protocols.empty()) {
        std::string_view name;
        if (!protocols.vec8(name)) return truncated("ALPN extension");
        if (name.empty()) return "ALPN extension with an empty protocol name";
        out.alpn.emplace_back(name);
    }
    return {};
}

/// RFC 8446 §4.2.1 (ClientHello form): a one-byte-length list of two-byte versions.
std::string read_supported_versions(std::string_view data, ClientHello &out) {
    Reader r(data);
    std::string_view list;
    if (!r.vec8(list) || !r.empty()) return truncated("supported_versions extension");
    if (list.empty() || list.size() % 2 != 0)
        return "supported_versions list of " + std::to_string(list.size()) + " bytes";
    Reader versions(list);
    std::uint16_t v = 0;
    while (versions.u16(v)) out.supported_versions.push_back(v);
    return {};
}

std::string read_extensions(std::string_view block, ClientHello &out) {
    Reader r(block);
    bool seen_sni = false;
    bool seen_alpn = false;
    bool seen_versions = false;
    while (!r.empty()) {
        std::uint16_t type = 0;
        std::string_view data;
        if (!r.u16(type) || !r.vec16(data)) return truncated("extensions");
        // RFC 8446 §4.2: an extension type appears at most once; a second copy could make this
        // gate and the broker behind it judge different values.
        const auto once = [&](bool &seen) {
            const bool first = !seen;
            seen = true;
            return first;
        };
        std::string why;
        if (type == kExtServerName)
            why = once(seen_sni) ? read_server_name(data, out) : "server_name extension sent twice";
        else if (type == kExtAlpn)
            why = once(seen_alpn) ? read_alpn(data, out) : "ALPN extension sent twice";
        else if (type == kExtSupportedVersions)
            why = once(seen_versions) ? read_supported_versions(data, out)
                                      : "supported_versions extension sent twice";
        if (!why.empty()) return why;
    }
    return {};
}

/// The ClientHello body (after the 4-byte handshake header), RFC 8446 §4.1.2.
std::string read_body(std::string_view body, ClientHello &out) {
    Reader r(body);
    std::string_view part;
    if (!r.u16(out.legacy_version) || !r.bytes(32, part)) return truncated("version and random");
    if (!r.vec8(part)) return truncated("session id");
    if (part.size() > 32)
        return "ClientHello session id of " + std::to_string(part.size()) + " bytes (at most 32)";
    if (!r.vec16(part)) return truncated("cipher suites");
    if (part.size() < 2 || part.size() % 2 != 0)
        return "ClientHello cipher suite list of " + std::to_string(part.size()) + " bytes";
    if (!r.vec8(part)) return truncated("compression methods");
    if (part.empty()) return "ClientHello offers no compression method";
    if (r.empty()) return {}; // no extensions at all: allowed before TLS 1.3
    if (!r.vec16(part)) return truncated("extensions");
    if (!r.empty()) return std::to_string(r.left()) + " bytes after the ClientHello's extensions";
    return read_extensions(part, out);
}

} // namespace

HelloParse parse_client_hello(std::string_view stream) {
    HelloParse result;
    // Walk the records while they carry the handshake message. Only complete records advance
    // `pos`; `have` counts the message bytes in them, `head` keeps its 4-byte header, which a
    // client may split across records like any other byte.
    std::size_t pos = 0;
    std::size_t have = 0;
    std::array<std::uint8_t, kHandshakeHeader> head{};
    std::size_t message_size = 0; // 0 until the header is known
    for (std::size_t index = 0;; ++index) {
        const bool first = index == 0;
        if (pos + kRecordHeader >= kClientHelloMaxStreamBytes)
            return malformed("no complete ClientHello in the first " +
                             std::to_string(kClientHelloMaxStreamBytes) + " bytes");
        const std::string_view rest = stream.substr(pos);
        if (rest.empty()) return result;
        if (byte_at(rest, 0) != kHandshakeRecord) {
            if (first) return fail(HelloStatus::not_tls, not_handshake(byte_at(rest, 0)));
            return malformed("ClientHello interrupted by a TLS record of type " + hex(byte_at(rest, 0)));
        }
        if (rest.size() < 2) return result;
        if (byte_at(rest, 1) != 3) {
            const std::string why =
                "not a TLS record (version major byte " + hex(byte_at(rest, 1)) + ", not 0x03)";
            return first ? fail(HelloStatus::not_tls, why) : malformed(why);
        }
        if (rest.size() < kRecordHeader) return result;
        const std::size_t length = (std::size_t{byte_at(rest, 3)} << 8) | byte_at(rest, 4);
        if (length == 0) return malformed("empty TLS handshake record");
        if (length > kMaxRecordPayload)
            return malformed("TLS record of " + std::to_string(length) + " bytes (at most 16384)");
        if (pos + kRecordHeader + length > kClientHelloMaxStreamBytes)
            return malformed("ClientHello records run past the first " +
                             std::to_string(kClientHelloMaxStreamBytes) + " bytes");

        const std::string_view payload = rest.substr(kRecordHeader, length); // maybe partial
        for (std::size_t i = 0; have + i < kHandshakeHeader && i < payload.size(); ++i)
            head.at(have + i) = byte_at(payload, i);
        const std::size_t seen = have + payload.size();
        if (seen >= 1 && head[0] != kClientHelloType)
            return malformed("handshake message type " + std::to_string(head[0]) +
                             " is not a ClientHello (1)");
        if (seen >= kHandshakeHeader && message_size == 0) {
            const std::size_t body = (std::size_t{head[1]} << 16) | (std::size_t{head[2]} << 8) | head[3];
            if (body > kClientHelloMaxBody)
                return malformed("ClientHello of " + std::to_string(body) + " bytes (the cap is " +
                                 std::to_string(kClientHelloMaxBody) + ")");
            message_size = kHandshakeHeader + body;
        }
        if (payload.size() < length) return result; // the record is still arriving
        have = seen;
        pos += kRecordHeader + length;
        if (message_size != 0 && have >= message_size) {
            result.hello.stream_bytes = pos;
            if (first) {
                // The usual case: one record holds the whole message; no copy.
                const std::string why = read_body(
                    payload.substr(kHandshakeHeader, message_size - kHandshakeHeader), result.hello);
                if (!why.empty()) return malformed(why);
                result.status = HelloStatus::ok;
                return result;
            }
            break;
        }
    }
    // Split over records: join the fragments (already validated above) into one message.
    std::string message;
    message.reserve(message_size);
    for (std::size_t at = 0; message.size() < message_size;) {
        const std::size_t length = (std::size_t{byte_at(stream, at + 3)} << 8) | byte_at(stream, at + 4);
        message.append(stream.substr(at + kRecordHeader, std::min(length, message_size - message.size())));
        at += kRecordHeader + length;
    }
    const std::string why = read_body(std::string_view(message).substr(kHandshakeHeader), result.hello);
    if (!why.empty()) return malformed(why);
    result.status = HelloStatus::ok;
    return result;
}

} // namespace hil::faults

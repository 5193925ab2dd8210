#pragma once
// A TLS ClientHello read from the start of a client's byte stream, without terminating TLS.
//
// Why: the fault proxy forwards TLS untouched (the broker behind it does the real handshake), yet
// some endpoint rules are decided on what the client says in the clear before any key exchange:
// AWS IoT Core routes port 443 by ALPN and refuses a connection without the endpoint's SNI. The
// `tls_gate` toxic needs exactly those fields, so this parser extracts them and nothing else; it
// never answers the client and never changes a byte.
//
// The input is attacker-controlled (it is whatever a device under test sends), so every length
// field is checked against what encloses it, and the parser looks at no more than
// kClientHelloMaxStreamBytes: anything that does not make a ClientHello within that is refused
// rather than buffered without end. It allocates only for the fields it returns, plus one copy of
// the handshake message when the client split it over several records.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hil::faults {

/// The largest ClientHello body accepted (16 KiB). Real ones are 200-2000 bytes (a post-quantum
/// key share included); TLS itself allows 16 MiB, which a proxy must not buffer for a stranger.
inline constexpr std::size_t kClientHelloMaxBody = std::size_t{16} * 1024;
/// How far into the stream the parser reads: the largest body with its 4-byte handshake header,
/// in the two 5-byte-headed records it needs (a record holds at most 16 KiB). A hello spread over
/// more records than that leaves room for is refused; clients send one record, or two when the
/// hello is larger than a record, so only a client splitting on purpose meets this limit.
inline constexpr std::size_t kClientHelloMaxStreamBytes = kClientHelloMaxBody + 4 + std::size_t{2} * 5;

/// What the endpoint rules look at. Strings are copied out of the stream as they were sent.
struct ClientHello {
    std::uint16_t legacy_version = 0;       ///< 0x0303 for TLS 1.2 and 1.3 clients alike
    std::optional<std::string> server_name; ///< SNI (extension 0, host_name entry); nullopt = none sent
    std::vector<std::string> alpn;          ///< ALPN (extension 16) protocols in the client's order
    /// supported_versions (extension 43), e.g. {0x0304, 0x0303}; empty for a TLS 1.2-only client,
    /// which does not send the extension (its version is then legacy_version).
    std::vector<std::uint16_t> supported_versions;
    /// Stream bytes from the start up to the end of the record that completes the hello. Bytes
    /// after it (if the client sent more at once) are not looked at.
    std::size_t stream_bytes = 0;
};

enum class HelloStatus {
    need_more, ///< a valid prefix of a ClientHello: wait for more bytes
    ok,        ///< a complete, well-formed ClientHello
    malformed, ///< TLS records, but no valid ClientHello (bad length, wrong message, over the cap)
    not_tls,   ///< not a TLS handshake at all (plain MQTT, HTTP, ...)
};
[[nodiscard]] const char *to_string(HelloStatus status);

struct HelloParse {
    HelloStatus status = HelloStatus::need_more;
    ClientHello hello; ///< filled when status == ok
    /// When malformed or not_tls: one line naming what was wrong, for logs and events, e.g.
    /// "not a TLS handshake record (first byte 0x10, an MQTT CONNECT?)" or "ClientHello truncated
    /// in extensions". Printable ASCII only: bytes from the stream appear as 0xNN.
    std::string reason;
};

/// Parses the ClientHello at the start of `stream` (everything the client has sent so far).
/// Idempotent and stateless: call it again with the longer stream when it says need_more; a
/// prefix of a valid hello always gives need_more, never malformed.
[[nodiscard]] HelloParse parse_client_hello(std::string_view stream);

} // namespace hil::faults

// The ClientHello parser and the tls_gate toxic, on real ClientHellos that OpenSSL writes into
// memory (no socket), whole, byte by byte, re-framed over several records, and corrupted.
#include "hil/faults/client_hello.hpp"
#include "hil/faults/toxic.hpp"

#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>

namespace hil::faults {
namespace {

using namespace std::string_literals; // "..."s keeps the NUL bytes TLS is full of

struct HelloOptions {
    std::optional<std::string> sni;
    std::vector<std::string> alpn;
    int min_version = 0; ///< 0: OpenSSL's default
    int max_version = 0;
};

/// The first flight of a real OpenSSL client: one record holding its ClientHello.
std::string real_client_hello(const HelloOptions &o) {
    const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                                SSL_CTX_free);
    if (!ctx) throw std::runtime_error("SSL_CTX_new");
    if (o.min_version != 0) SSL_CTX_set_min_proto_version(ctx.get(), o.min_version);
    if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), o.max_version);
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
    BIO *in = BIO_new(BIO_s_mem());
    BIO *out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1); // nothing to read yet means "retry", not EOF
    SSL_set_bio(ssl.get(), in, out);
    if (o.sni && SSL_set_tlsext_host_name(ssl.get(), o.sni->c_str()) != 1)
        throw std::runtime_error("SSL_set_tlsext_host_name");
    if (!o.alpn.empty()) {
        std::string wire;
        for (const auto &p : o.alpn) wire += static_cast<char>(p.size()) + p;
        if (SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char *>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0)
            throw std::runtime_error("SSL_set_alpn_protos");
    }
    SSL_set_connect_state(ssl.get());
    if (SSL_do_handshake(ssl.get()) != -1 || SSL_get_error(ssl.get(), -1) != SSL_ERROR_WANT_READ)
        throw std::runtime_error("the client did not stop to wait for the ServerHello");
    char *data = nullptr;
    const long n = BIO_get_mem_data(out, &data);
    return {data, static_cast<std::size_t>(n)};
}

std::string aws_hello() {
    return real_client_hello({"localhost", {"x-amzn-mqtt-ca", "mqtt"}});
}

// --- re-framing and corrupting: the hello's layout (RFC 8446 §4.1.2), found the way a reader would

std::size_t get16(const std::string &s, std::size_t at) {
    return (static_cast<std::uint8_t>(s[at]) << 8) | static_cast<std::uint8_t>(s[at + 1]);
}
void put16(std::string &s, std::size_t at, std::size_t v) {
    s[at] = static_cast<char>(v >> 8);
    s[at + 1] = static_cast<char>(v);
}
void put24(std::string &s, std::size_t at, std::size_t v) {
    s[at] = static_cast<char>(v >> 16);
    put16(s, at + 1, v & 0xffff);
}

/// The handshake message (header and body) of a one-record hello.
std::string message_of(const std::string &hello) {
    if (hello.size() < 9 || get16(hello, 3) != hello.size() - 5) throw std::runtime_error("not one record");
    return hello.substr(5);
}

/// `message` as TLS records of the given payload sizes (the last one takes the rest).
std::string frame(std::string_view message, const std::vector<std::size_t> &sizes = {}) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t i = 0; at < message.size(); ++i) {
        const std::size_t n =
            i < sizes.size() ? std::min(sizes[i], message.size() - at) : message.size() - at;
        std::string header("\x16\x03\x01\x00\x00", 5);
        put16(header, 3, n);
        out += header;
        out += message.substr(at, n);
        at += n;
    }
    return out;
}

/// Offsets in a handshake message: the length fields a corruption test aims at.
struct Layout {
    std::size_t session_id = 0;  ///< its 1-byte length
    std::size_t suites = 0;      ///< 2-byte length
    std::size_t compression = 0; ///< 1-byte length
    std::size_t extensions = 0;  ///< 2-byte length
};
Layout layout_of(const std::string &msg) {
    Layout l;
    l.session_id = 4 + 2 + 32;
    l.suites = l.session_id + 1 + static_cast<std::uint8_t>(msg[l.session_id]);
    l.compression = l.suites + 2 + get16(msg, l.suites);
    l.extensions = l.compression + 1 + static_cast<std::uint8_t>(msg[l.compression]);
    return l;
}

/// Offset of extension `type`'s type field in `msg`.
std::size_t find_extension(const std::string &msg, std::size_t type) {
    const auto l = layout_of(msg);
    for (std::size_t at = l.extensions + 2; at + 4 <= msg.size(); at += 4 + get16(msg, at + 2)) {
        if (get16(msg, at) == type) return at;
    }
    throw std::runtime_error("no extension " + std::to_string(type));
}

/// `msg` with one more extension at the end, every enclosing length fixed.
std::string with_extension(std::string msg, std::size_t type, const std::string &data) {
    const auto l = layout_of(msg);
    std::string ext(4, '\0');
    put16(ext, 0, type);
    put16(ext, 2, data.size());
    msg += ext + data;
    put16(msg, l.extensions, get16(msg, l.extensions) + ext.size() + data.size());
    put24(msg, 1, msg.size() - 4);
    return msg;
}

/// Sets the length field at `at` (`width` bytes) to one more than the bytes left in `msg` after
/// it: whatever it encloses runs past its end. A one-byte length may still fit the hello, so those
/// are only aimed at lists inside an extension (bounded by the extension's own length).
std::string overlong(std::string msg, std::size_t at, int width) {
    const std::size_t left = msg.size() - at - static_cast<std::size_t>(width);
    if (width == 1)
        msg[at] = static_cast<char>(std::min<std::size_t>(left + 1, 255));
    else
        put16(msg, at, left + 1);
    return msg;
}

/// `msg` cut to `size` bytes with its handshake length saying so: a short hello, consistently framed.
std::string cut(std::string msg, std::size_t size) {
    msg.resize(size);
    put24(msg, 1, size - 4);
    return msg;
}

HelloParse parse(const std::string &stream) {
    return parse_client_hello(stream);
}

// --- real hellos, whole

TEST(ClientHello, ReadsSniAndBothAlpnProtocolsOfARealHello) {
    const std::string hello = aws_hello();
    const auto p = parse(hello);
    ASSERT_EQ(p.status, HelloStatus::ok) << p.reason;
    EXPECT_EQ(p.hello.server_name, "localhost");
    EXPECT_EQ(p.hello.alpn, (std::vector<std::string>{"x-amzn-mqtt-ca", "mqtt"}));
    EXPECT_EQ(p.hello.legacy_version, 0x0303);
    EXPECT_EQ(p.hello.stream_bytes, hello.size());
    EXPECT_TRUE(p.reason.empty());
}

TEST(ClientHello, NoSniAndNoAlpnAreReportedAsAbsent) {
    const auto no_sni = parse(real_client_hello({std::nullopt, {"x-amzn-mqtt-ca"}}));
    ASSERT_EQ(no_sni.status, HelloStatus::ok) << no_sni.reason;
    EXPECT_FALSE(no_sni.hello.server_name.has_value());
    EXPECT_EQ(no_sni.hello.alpn, std::vector<std::string>{"x-amzn-mqtt-ca"});

    const auto no_alpn = parse(real_client_hello({"a1b2c3-ats.iot.eu-west-1.amazonaws.com", {}}));
    ASSERT_EQ(no_alpn.status, HelloStatus::ok) << no_alpn.reason;
    EXPECT_EQ(no_alpn.hello.server_name, "a1b2c3-ats.iot.eu-west-1.amazonaws.com");
    EXPECT_TRUE(no_alpn.hello.alpn.empty());
}

TEST(ClientHello, ReadsTheOfferedVersionsOfTls12AndTls13Clients) {
    const auto tls12 = parse(real_client_hello({"localhost", {}, 0, TLS1_2_VERSION}));
    ASSERT_EQ(tls12.status, HelloStatus::ok) << tls12.reason;
    EXPECT_EQ(tls12.hello.legacy_version, 0x0303);
    EXPECT_TRUE(tls12.hello.supported_versions.empty()); // a 1.2-only client has no such extension
    EXPECT_EQ(tls12.hello.server_name, "localhost");

    const auto tls13 = parse(real_client_hello({"localhost", {}, TLS1_3_VERSION, 0}));
    ASSERT_EQ(tls13.status, HelloStatus::ok) << tls13.reason;
    EXPECT_EQ(tls13.hello.supported_versions, std::vector<std::uint16_t>{0x0304});

    const auto both = parse(real_client_hello({"localhost", {}, TLS1_2_VERSION, TLS1_3_VERSION}));
    EXPECT_EQ(both.hello.supported_versions, (std::vector<std::uint16_t>{0x0304, 0x0303}));
}

TEST(ClientHello, BytesAfterTheHelloAreNotItsConcern) {
    const std::string hello = aws_hello();
    const auto p = parse(hello + "\x17\x03\x03\x00\x05hello"s);
    ASSERT_EQ(p.status, HelloStatus::ok) << p.reason;
    EXPECT_EQ(p.hello.stream_bytes, hello.size());
}

// --- arriving in pieces

TEST(ClientHello, EveryPrefixNeedsMore) {
    const std::string hello = aws_hello();
    for (std::size_t n = 0; n < hello.size(); ++n) {
        const auto p = parse(hello.substr(0, n));
        ASSERT_EQ(p.status, HelloStatus::need_more) << "prefix of " << n << " bytes: " << p.reason;
    }
    EXPECT_EQ(parse(hello).status, HelloStatus::ok);
}

TEST(ClientHello, AMessageSplitOverTwoRecordsParsesTheSameAtEverySplit) {
    const std::string message = message_of(aws_hello());
    // 1-3: inside the handshake header; 4: right after it; then inside the body and its extensions.
    for (const std::size_t first : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4},
                                    std::size_t{40}, message.size() / 2, message.size() - 1}) {
        const std::string stream = frame(message, {first});
        ASSERT_EQ(stream.size(), message.size() + 10);
        for (std::size_t n = 0; n < stream.size(); ++n) {
            ASSERT_EQ(parse(stream.substr(0, n)).status, HelloStatus::need_more)
                << "split at " << first << ", prefix of " << n << " bytes";
        }
        const auto p = parse(stream);
        ASSERT_EQ(p.status, HelloStatus::ok) << "split at " << first << ": " << p.reason;
        EXPECT_EQ(p.hello.server_name, "localhost");
        EXPECT_EQ(p.hello.alpn, (std::vector<std::string>{"x-amzn-mqtt-ca", "mqtt"}));
        EXPECT_EQ(p.hello.stream_bytes, stream.size());
    }
}

TEST(ClientHello, OneByteRecordsAreReassembled) {
    const std::string message = message_of(aws_hello());
    const std::string stream = frame(message, std::vector<std::size_t>(message.size(), 1));
    const auto p = parse(stream + "\x17\x03\x03");
    ASSERT_EQ(p.status, HelloStatus::ok) << p.reason;
    EXPECT_EQ(p.hello.server_name, "localhost");
    EXPECT_EQ(p.hello.stream_bytes, stream.size());
}

TEST(ClientHello, TheLargestHelloPassesAndOneByteMoreIsRefused) {
    const std::string base = message_of(aws_hello());
    // Padding (extension 21) up to a body of exactly the cap, which needs two records.
    const std::size_t pad = kClientHelloMaxBody - (base.size() - 4) - 4;
    const std::string largest = with_extension(base, 21, std::string(pad, '\0'));
    ASSERT_EQ(largest.size() - 4, kClientHelloMaxBody);
    const auto p = parse(frame(largest, {16384}));
    ASSERT_EQ(p.status, HelloStatus::ok) << p.reason;
    EXPECT_EQ(p.hello.stream_bytes, kClientHelloMaxStreamBytes);

    const std::string over = with_extension(base, 21, std::string(pad + 1, '\0'));
    const auto q = parse(frame(over, {16384}).substr(0, 9)); // the header alone tells
    EXPECT_EQ(q.status, HelloStatus::malformed);
    EXPECT_EQ(q.reason, "ClientHello of 16385 bytes (the cap is 16384)");
}

TEST(ClientHello, TinyRecordsCannotMakeTheParserReadPastTheCap) {
    std::string message("\x01\x00\x40\x00", 4); // declares a 16384-byte body, then sends it slowly
    message += std::string(kClientHelloMaxBody, '\0');
    const std::string stream = frame(message, std::vector<std::size_t>(message.size(), 1));
    const auto p = parse(stream);
    EXPECT_EQ(p.status, HelloStatus::malformed);
    EXPECT_EQ(p.reason, "no complete ClientHello in the first 16398 bytes");
    EXPECT_EQ(parse(stream.substr(0, 16000)).status, HelloStatus::need_more);
}

// --- not a hello, or a broken one

TEST(ClientHello, PlainMqttAndOtherRecordsAreNotTls) {
    const std::string connect("\x10\x12\x00\x04MQTT\x04\x02\x00\x3c\x00\x06"
                              "client",
                              20);
    const auto mqtt = parse(connect);
    EXPECT_EQ(mqtt.status, HelloStatus::not_tls);
    EXPECT_EQ(mqtt.reason,
              "not a TLS handshake record (first byte 0x10, an MQTT CONNECT: the client speaks MQTT "
              "without TLS?)");
    EXPECT_EQ(parse(std::string(1, '\x10')).status, HelloStatus::not_tls); // one byte is enough

    std::string app = aws_hello();
    app[0] = '\x17';
    EXPECT_EQ(parse(app).reason, "not a TLS handshake record (first byte 0x17)");

    EXPECT_EQ(parse(std::string("\x16", 1)).status, HelloStatus::need_more);
    const auto version = parse(std::string("\x16\x02\x00", 3));
    EXPECT_EQ(version.status, HelloStatus::not_tls);
    EXPECT_EQ(version.reason, "not a TLS record (version major byte 0x02, not 0x03)");
    EXPECT_EQ(parse("GET / HTTP/1.1\r\n").status, HelloStatus::not_tls);
}

TEST(ClientHello, RecordLayerCorruptionIsMalformed) {
    const std::string hello = aws_hello();
    std::string huge = hello;
    put16(huge, 3, 16385);
    EXPECT_EQ(parse(huge).reason, "TLS record of 16385 bytes (at most 16384)");

    std::string empty = hello;
    put16(empty, 3, 0);
    EXPECT_EQ(parse(empty).reason, "empty TLS handshake record");

    // A record longer than what arrived is a record still arriving...
    std::string longer = hello;
    put16(longer, 3, hello.size() - 5 + 1);
    EXPECT_EQ(parse(longer).status, HelloStatus::need_more);

    // ...and a handshake longer than its record continues in the next record, which must be one.
    std::string continued = hello;
    put24(continued, 6, hello.size() - 9 + 1);
    EXPECT_EQ(parse(continued).status, HelloStatus::need_more);
    const auto alert = parse(continued + "\x15\x03\x03\x00\x02\x02\x28"s);
    EXPECT_EQ(alert.status, HelloStatus::malformed);
    EXPECT_EQ(alert.reason, "ClientHello interrupted by a TLS record of type 0x15");

    std::string server_hello = hello;
    server_hello[5] = '\x02';
    EXPECT_EQ(parse(server_hello).reason, "handshake message type 2 is not a ClientHello (1)");
    EXPECT_EQ(parse(server_hello.substr(0, 6)).status, HelloStatus::malformed); // known at its first byte

    std::string too_big = hello;
    put24(too_big, 6, 0x10000);
    EXPECT_EQ(parse(too_big).reason, "ClientHello of 65536 bytes (the cap is 16384)");
}

TEST(ClientHello, EveryOverlongLengthInsideTheHelloIsCaught) {
    const std::string message = message_of(aws_hello());
    const auto l = layout_of(message);
    const std::size_t sni = find_extension(message, 0);
    const std::size_t alpn = find_extension(message, 16);
    const std::size_t versions = find_extension(message, 43);
    struct Case {
        std::size_t at;
        int width;
        const char *reason;
    };
    const Case cases[] = {
        {l.suites, 2, "ClientHello truncated in cipher suites"},
        {l.extensions, 2, "ClientHello truncated in extensions"},
        {sni + 2, 2, "ClientHello truncated in extensions"},            // the extension's length
        {sni + 4, 2, "ClientHello truncated in server_name extension"}, // its list
        {sni + 7, 2, "ClientHello truncated in server_name extension"}, // the host name
        {alpn + 4, 2, "ClientHello truncated in ALPN extension"},       // the protocol list
        {alpn + 6, 1, "ClientHello truncated in ALPN extension"},       // the first protocol
        {versions + 4, 1, "ClientHello truncated in supported_versions extension"},
    };
    for (const auto &c : cases) {
        const auto p = parse(frame(overlong(message, c.at, c.width)));
        EXPECT_EQ(p.status, HelloStatus::malformed) << c.reason;
        EXPECT_EQ(p.reason, c.reason) << "length at offset " << c.at;
    }
    // The hello's own one-byte lengths: past the end of a short hello, or over their maximum.
    EXPECT_EQ(parse(frame(cut(message, 20))).reason, "ClientHello truncated in version and random");
    EXPECT_EQ(parse(frame(cut(message, l.session_id + 1 + 5))).reason, "ClientHello truncated in session id");
    std::string long_session = message;
    long_session[l.session_id] = 33;
    EXPECT_EQ(parse(frame(long_session)).reason, "ClientHello session id of 33 bytes (at most 32)");
    std::string compression = cut(message, l.compression + 2);
    compression[l.compression] = 2;
    EXPECT_EQ(parse(frame(compression)).reason, "ClientHello truncated in compression methods");
    EXPECT_EQ(parse(frame(cut(message, l.extensions + 1))).reason, "ClientHello truncated in extensions");
    const auto no_extensions = parse(frame(cut(message, l.extensions))); // allowed before TLS 1.3
    EXPECT_EQ(no_extensions.status, HelloStatus::ok) << no_extensions.reason;
    EXPECT_FALSE(no_extensions.hello.server_name);
}

TEST(ClientHello, AHelloCutShortInsideAConsistentRecordIsTruncated) {
    std::string message = message_of(aws_hello());
    message.resize(message.size() - 10); // the record and handshake lengths say so, the extensions do not
    put24(message, 1, message.size() - 4);
    const auto p = parse(frame(message));
    EXPECT_EQ(p.status, HelloStatus::malformed);
    EXPECT_EQ(p.reason, "ClientHello truncated in extensions");
}

TEST(ClientHello, DuplicateOrEmptyNamesAreMalformed) {
    const std::string message = message_of(aws_hello());
    const std::size_t sni = find_extension(message, 0);
    const std::string sni_data = message.substr(sni + 4, get16(message, sni + 2));
    EXPECT_EQ(parse(frame(with_extension(message, 0, sni_data))).reason, "server_name extension sent twice");
    EXPECT_EQ(parse(frame(with_extension(message, 16, std::string("\x00\x02\x01h", 4)))).reason,
              "ALPN extension sent twice");

    const std::string no_sni = message_of(real_client_hello({std::nullopt, {}}));
    EXPECT_EQ(parse(frame(with_extension(no_sni, 0, std::string("\x00\x03\x00\x00\x00", 5)))).reason,
              "server_name extension with an empty host name");
    EXPECT_EQ(parse(frame(with_extension(no_sni, 0,
                                         std::string("\x00\x06\x00\x00\x03"
                                                     "a\x01"
                                                     "b",
                                                     8))))
                  .reason,
              "server name contains byte 0x01");
    EXPECT_EQ(parse(frame(with_extension(no_sni, 16, std::string("\x00\x00", 2)))).reason,
              "ALPN extension with an empty protocol list");
    EXPECT_EQ(parse(frame(with_extension(no_sni, 16, std::string("\x00\x01\x00", 3)))).reason,
              "ALPN extension with an empty protocol name");
}

TEST(ClientHello, RandomCorruptionIsAlwaysJudgedAndNeverReadsOutside) {
    // Run it under the asan preset for the "never reads outside" half.
    const std::string hello = aws_hello();
    const std::string message = message_of(hello);
    std::mt19937 rng(20261127);
    int judged[4] = {};
    for (int i = 0; i < 20000; ++i) {
        std::string bad = i % 2 == 0 ? hello : frame(message, {1 + rng() % message.size()});
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
        if (rng() % 4 == 0) bad.resize(rng() % bad.size());
        const std::vector<char> exact(bad.begin(), bad.end()); // no spare capacity: ASan sees overruns
        const auto p = parse_client_hello(std::string_view(exact.data(), exact.size()));
        ++judged[static_cast<int>(p.status)];
        if (p.status == HelloStatus::ok) {
            EXPECT_LE(p.hello.stream_bytes, bad.size());
        } else if (p.status != HelloStatus::need_more) {
            EXPECT_FALSE(p.reason.empty());
        }
    }
    EXPECT_GT(judged[static_cast<int>(HelloStatus::malformed)], 0);
    EXPECT_GT(judged[static_cast<int>(HelloStatus::ok)], 0); // flips in the random bytes change nothing
}

// --- the tls_gate toxic, applied directly

std::unique_ptr<Toxic> gate(const nlohmann::json &attributes) {
    return make_toxic("tls_gate", attributes);
}

const nlohmann::json kAwsRules = {{"server_name", "localhost"}, {"alpn", "x-amzn-mqtt-ca"}};

std::vector<Segment> segments(const std::string &data, Clock::time_point at = Clock::now()) {
    return {{data, at}};
}

TEST(TlsGateToxic, ForwardsAnAcceptedHelloByteExactThenStepsAside) {
    auto toxic = gate(kAwsRules);
    const std::string hello = aws_hello();
    const auto t0 = Clock::now();
    auto first = toxic->apply(segments(hello.substr(0, 50), t0), t0);
    EXPECT_TRUE(first.forward.empty());
    EXPECT_FALSE(first.close);

    const auto t1 = t0 + std::chrono::milliseconds(3);
    const std::string early = "\x17\x03\x03\x00\x01x"s; // anything sent with it goes along
    auto second = toxic->apply({{hello.substr(50, 100), t0}, {hello.substr(150) + early, t0}}, t1);
    ASSERT_EQ(second.forward.size(), 1u);
    EXPECT_EQ(second.forward[0].data, hello + early);
    EXPECT_EQ(second.forward[0].not_before, t1);
    EXPECT_FALSE(second.close);

    const auto later = t1 + std::chrono::seconds(1);
    auto third = toxic->apply({{"abc", later}, {"def", later}}, t1);
    ASSERT_EQ(third.forward.size(), 2u);
    EXPECT_EQ(third.forward[0].data, "abc");
    EXPECT_EQ(third.forward[0].not_before, later);
    EXPECT_EQ(third.forward[1].data, "def");
    EXPECT_FALSE(third.close);
}

TEST(TlsGateToxic, ComparesTheServerNameCaseInsensitively) {
    auto toxic = gate(kAwsRules);
    const auto v = toxic->apply(segments(real_client_hello({"LocalHost", {"x-amzn-mqtt-ca"}})), Clock::now());
    EXPECT_EQ(v.forward.size(), 1u);
    EXPECT_FALSE(v.close) << v.reason;
}

TEST(TlsGateToxic, EachRefusalSwallowsEverythingAndClosesWithItsReason) {
    struct Case {
        const char *what;
        std::string stream;
        const char *reason;
    };
    const std::string mqtt("\x10\x12\x00\x04MQTT\x04\x02\x00\x3c\x00\x06"
                           "client",
                           20);
    std::string wrong_message = aws_hello();
    wrong_message[5] = '\x02';
    const Case cases[] = {
        {"no SNI", real_client_hello({std::nullopt, {"x-amzn-mqtt-ca"}}),
         "no SNI (server name) in the ClientHello; this endpoint requires \"localhost\""},
        {"wrong SNI", real_client_hello({"127.0.0.1", {"x-amzn-mqtt-ca"}}),
         "SNI \"127.0.0.1\" is not this endpoint's name \"localhost\""},
        {"no ALPN", real_client_hello({"localhost", {}}), "ALPN x-amzn-mqtt-ca not offered (offered: none)"},
        {"other ALPN", real_client_hello({"localhost", {"mqtt", "h2"}}),
         "ALPN x-amzn-mqtt-ca not offered (offered: mqtt, h2)"},
        {"plain MQTT", mqtt,
         "not a TLS handshake record (first byte 0x10, an MQTT CONNECT: the client speaks MQTT without "
         "TLS?)"},
        {"malformed", wrong_message, "handshake message type 2 is not a ClientHello (1)"},
    };
    for (const auto &c : cases) {
        auto toxic = gate(kAwsRules);
        const auto v = toxic->apply(segments(c.stream), Clock::now());
        EXPECT_TRUE(v.forward.empty()) << c.what;
        EXPECT_TRUE(v.close) << c.what;
        EXPECT_EQ(v.reason, c.reason) << c.what;
        // Anything after the refusal is swallowed too, and not reported twice.
        const auto after = toxic->apply(segments("more"), Clock::now());
        EXPECT_TRUE(after.forward.empty()) << c.what;
        EXPECT_TRUE(after.close) << c.what;
        EXPECT_TRUE(after.reason.empty()) << c.what;
    }
}

TEST(TlsGateToxic, AClientThatNeverCompletesAHelloIsRefusedAtTheCap) {
    auto toxic = gate(kAwsRules);
    const std::string stream =
        frame(std::string("\x01\x00\x40\x00", 4) + std::string(kClientHelloMaxBody, '\0'),
              std::vector<std::size_t>(kClientHelloMaxBody + 4, 1));
    Verdict v;
    std::size_t fed = 0;
    for (; fed < stream.size() && !v.close; fed += 1000)
        v = toxic->apply(segments(stream.substr(fed, 1000)), Clock::now());
    EXPECT_TRUE(v.close);
    EXPECT_EQ(v.reason, "no complete ClientHello in the first 16398 bytes");
    EXPECT_LE(fed, kClientHelloMaxStreamBytes + 1000);
}

TEST(TlsGateToxic, WithoutRulesAnyTlsClientPassesButPlainBytesDoNot) {
    auto open = gate(nlohmann::json::object());
    EXPECT_EQ(open->apply(segments(real_client_hello({std::nullopt, {}})), Clock::now()).forward.size(), 1u);
    auto empty_name = gate({{"server_name", ""}});
    EXPECT_FALSE(empty_name->apply(segments(real_client_hello({std::nullopt, {}})), Clock::now()).close);
    auto any = gate(nlohmann::json::object());
    EXPECT_TRUE(any->apply(segments("\x10\x00"s), Clock::now()).close);
}

TEST(TlsGateToxic, EachCloneStartsAtTheHelloAgain) {
    const auto prototype = gate(kAwsRules);
    auto first = prototype->clone();
    ASSERT_EQ(first->apply(segments(aws_hello()), Clock::now()).forward.size(), 1u);
    EXPECT_EQ(first->apply(segments("\x10\x00"s), Clock::now()).forward.size(), 1u); // transparent now
    auto second = first->clone();
    EXPECT_TRUE(second->apply(segments("\x10\x00"s), Clock::now()).close); // a new connection: judged
    EXPECT_EQ(second->type(), "tls_gate");
}

TEST(TlsGateToxic, JoiningAConnectionPastItsHelloItStepsAside) {
    auto toxic = gate(kAwsRules);
    toxic->joined_mid_stream(); // what the proxy says when the connection has already carried bytes
    const auto v = toxic->apply(segments("\x17\x03\x03\x00\x01x"s), Clock::now());
    ASSERT_EQ(v.forward.size(), 1u);
    EXPECT_EQ(v.forward[0].data, "\x17\x03\x03\x00\x01x"s);
    EXPECT_FALSE(v.close);
    EXPECT_TRUE(
        toxic->clone()->apply(segments("\x17\x03\x03\x00\x01x"s), Clock::now()).close); // a new one judges
}

TEST(TlsGateToxic, AttributesAreCheckedWhenTheScenarioIsLoaded) {
    EXPECT_THROW((void)gate({{"sni", "localhost"}}),
                 std::invalid_argument); // a typo must not turn the check off
    EXPECT_THROW((void)gate({{"server_name", 5}}), std::invalid_argument);
    EXPECT_THROW((void)gate({{"alpn", ""}}), std::invalid_argument);
    EXPECT_THROW((void)gate({{"alpn", std::string(256, 'a')}}), std::invalid_argument);
    EXPECT_NO_THROW((void)gate(kAwsRules));
    EXPECT_NE(std::ranges::find(toxic_types(), "tls_gate"), toxic_types().end());
}

} // namespace
} // namespace hil::faults

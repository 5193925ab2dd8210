// tls_gate on a real link: an OpenSSL client -> the fault proxy -> an OpenSSL server with the test
// PKI's broker certificate, all on loopback. Blocking sockets carry a receive and send timeout, so
// every OpenSSL call and every read has a deadline; nothing sleeps.
#include "hil/faults/fault_proxy.hpp"
#include "hil/pki/test_pki.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

namespace hil::faults::testing {
namespace {

using namespace std::string_literals;

constexpr auto kWait = std::chrono::seconds(5);
constexpr const char *kEndpoint = "localhost"; // what the test PKI's broker certificate names
constexpr unsigned char kMqttAlpn[] = "\x0ex-amzn-mqtt-ca";

using SslCtx = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;

/// Every blocking read and write on `fd` gives up after kWait (OpenSSL's calls included). No
/// Nagle: small TLS records back and forth would otherwise wait for delayed ACKs (40 ms each).
void bound_io(int fd) {
    const timeval tv{std::chrono::duration_cast<std::chrono::seconds>(kWait).count(), 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string ssl_error() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += (out.empty() ? "" : "; ") + std::string(buf);
    }
    return out.empty() ? "connection closed" : out;
}

/// What the server behind the proxy saw of its one connection.
struct ServerSide {
    bool got_bytes = false; ///< anything at all arrived before the connection ended
    bool handshake = false;
    std::string alpn; ///< the protocol it selected
    std::string error;
};

/// A TLS server like the broker's listener: the broker certificate, ALPN x-amzn-mqtt-ca selected
/// when offered (as AWS IoT Core does on 443). It serves one connection, echoing what it reads
/// until the client hangs up.
class TlsEchoServer {
  public:
    explicit TlsEchoServer(const TestPki &pki) : ctx_(SSL_CTX_new(TLS_server_method()), SSL_CTX_free) {
        const auto &broker = pki.broker();
        const auto chain = broker.chain.empty() ? broker.cert : broker.chain;
        if (SSL_CTX_use_certificate_chain_file(ctx_.get(), chain.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx_.get(), broker.key.c_str(), SSL_FILETYPE_PEM) != 1)
            throw std::runtime_error("test server: cannot load the broker credential: " + ssl_error());
        SSL_CTX_set_alpn_select_cb(
            ctx_.get(),
            [](SSL *, const unsigned char **out, unsigned char *out_len, const unsigned char *in,
               unsigned in_len, void *) {
                unsigned char *selected = nullptr;
                if (SSL_select_next_proto(&selected, out_len, kMqttAlpn, sizeof kMqttAlpn - 1, in, in_len) !=
                    OPENSSL_NPN_NEGOTIATED)
                    return SSL_TLSEXT_ERR_NOACK;
                *out = selected;
                return SSL_TLSEXT_ERR_OK;
            },
            nullptr);
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(listener_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
            listen(listener_, 4) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            throw std::runtime_error("test server: cannot listen");
        port_ = ntohs(addr.sin_port);
        outcome_ = std::async(std::launch::async, [this] { return serve_one(); });
    }
    ~TlsEchoServer() {
        if (outcome_.valid()) outcome_.wait(); // bounded: serve_one's every step has a deadline
        ::close(listener_);
    }
    TlsEchoServer(const TlsEchoServer &) = delete;
    TlsEchoServer &operator=(const TlsEchoServer &) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    /// What happened to the connection, once it has ended.
    ServerSide outcome() {
        if (outcome_.wait_for(kWait * 3) != std::future_status::ready) {
            ServerSide late;
            late.error = "the server never finished";
            return late;
        }
        return outcome_.get();
    }

  private:
    ServerSide serve_one() {
        ServerSide side;
        pollfd p{listener_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) != 1) {
            side.error = "nobody connected";
            return side;
        }
        const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        bound_io(fd);
        // Peek first: a refused client must not have reached the server with a single byte.
        char first = 0;
        side.got_bytes = ::recv(fd, &first, 1, MSG_PEEK) == 1;
        if (!side.got_bytes) {
            side.error = "closed before any byte";
            ::close(fd);
            return side;
        }
        const Ssl ssl(SSL_new(ctx_.get()), SSL_free);
        SSL_set_fd(ssl.get(), fd);
        if (SSL_accept(ssl.get()) == 1) {
            side.handshake = true;
            const unsigned char *alpn = nullptr;
            unsigned alpn_len = 0;
            SSL_get0_alpn_selected(ssl.get(), &alpn, &alpn_len);
            side.alpn.assign(reinterpret_cast<const char *>(alpn), alpn_len);
            char buf[256];
            for (int n = 0; (n = SSL_read(ssl.get(), buf, sizeof buf)) > 0;) SSL_write(ssl.get(), buf, n);
            SSL_shutdown(ssl.get());
        } else {
            side.error = ssl_error();
        }
        ::close(fd);
        return side;
    }

    SslCtx ctx_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::future<ServerSide> outcome_;
};

/// A device's TLS connection through the proxy: it verifies the broker as a device does (CA, host
/// name), sends SNI and ALPN x-amzn-mqtt-ca only when told to.
class TlsClient {
  public:
    TlsClient(std::uint16_t port, const TestPki &pki, const char *sni, bool offer_alpn)
        : ctx_(SSL_CTX_new(TLS_client_method()), SSL_CTX_free), ssl_(nullptr, SSL_free) {
        SSL_CTX_load_verify_locations(ctx_.get(), pki.ca().cert.c_str(), nullptr);
        SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bound_io(fd_);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(port);
        if (connect(fd_, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
            error_ = "cannot connect to the proxy";
            return;
        }
        ssl_.reset(SSL_new(ctx_.get()));
        SSL_set_fd(ssl_.get(), fd_);
        SSL_set1_host(ssl_.get(), kEndpoint); // the certificate check does not depend on SNI
        if (sni != nullptr) SSL_set_tlsext_host_name(ssl_.get(), sni);
        if (offer_alpn) SSL_set_alpn_protos(ssl_.get(), kMqttAlpn, sizeof kMqttAlpn - 1);
        if (SSL_connect(ssl_.get()) != 1) {
            error_ = ssl_error();
            return;
        }
        handshake_ = true;
        const unsigned char *alpn = nullptr;
        unsigned alpn_len = 0;
        SSL_get0_alpn_selected(ssl_.get(), &alpn, &alpn_len);
        alpn_.assign(reinterpret_cast<const char *>(alpn), alpn_len);
    }
    ~TlsClient() {
        if (handshake_) SSL_shutdown(ssl_.get());
        ::close(fd_);
    }
    TlsClient(const TlsClient &) = delete;
    TlsClient &operator=(const TlsClient &) = delete;

    [[nodiscard]] bool handshake() const { return handshake_; }
    [[nodiscard]] const std::string &alpn() const { return alpn_; }
    [[nodiscard]] const std::string &error() const { return error_; }

    /// Sends `message` and returns what comes back, as long as it, or less if the link ends.
    std::string exchange(const std::string &message) {
        std::string echoed;
        if (!handshake_ || SSL_write(ssl_.get(), message.data(), static_cast<int>(message.size())) <= 0)
            return echoed;
        char buf[256];
        while (echoed.size() < message.size()) {
            const int n = SSL_read(ssl_.get(), buf, sizeof buf);
            if (n <= 0) break;
            echoed.append(buf, static_cast<std::size_t>(n));
        }
        return echoed;
    }

  private:
    SslCtx ctx_;
    Ssl ssl_;
    int fd_ = -1;
    bool handshake_ = false;
    std::string alpn_;
    std::string error_;
};

class TlsGateLink : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("hil-tls-gate-test-" + std::to_string(getpid()));
        std::filesystem::remove_all(dir_);
        pki_ = std::make_unique<TestPki>(TestPki::create(dir_, PkiOptions{}));
    }
    static void TearDownTestSuite() {
        pki_.reset();
        std::filesystem::remove_all(dir_);
    }

    void SetUp() override {
        server_ = std::make_unique<TlsEchoServer>(*pki_);
        ProxyOptions o;
        o.name = "link-dut";
        o.upstream_port = server_->port();
        proxy_ = std::make_unique<FaultProxy>(o, bus_);
    }
    void TearDown() override {
        proxy_.reset();
        server_.reset();
    }

    /// AWS IoT Core's rules on 443 for an X.509 device, in front of the server.
    void add_gate() {
        proxy_->add({"aws-endpoint", Direction::upstream,
                     make_toxic("tls_gate", {{"server_name", kEndpoint}, {"alpn", "x-amzn-mqtt-ca"}})});
    }

    /// The first `proxy.refused` from now on, or nullopt after kWait.
    std::optional<Event> refusal(std::uint64_t from) {
        return bus_.wait_for(
            from, [](const Event &e) { return e.kind == "proxy.refused"; }, Deadline::after(kWait));
    }

    static inline std::filesystem::path dir_;
    static inline std::unique_ptr<TestPki> pki_;
    EventBus bus_;
    std::unique_ptr<TlsEchoServer> server_;
    std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(TlsGateLink, WithTheEndpointsSniAndAlpnTheHandshakeCompletesAndDataEchoes) {
    add_gate();
    const auto from = bus_.next_seq();
    {
        TlsClient client(proxy_->port(), *pki_, kEndpoint, true);
        ASSERT_TRUE(client.handshake()) << client.error();
        EXPECT_EQ(client.alpn(), "x-amzn-mqtt-ca");
        EXPECT_EQ(client.exchange("hello through the gate"), "hello through the gate");
        EXPECT_EQ(client.exchange("and again"), "and again");
    }
    const auto server = server_->outcome();
    EXPECT_TRUE(server.handshake) << server.error;
    EXPECT_EQ(server.alpn, "x-amzn-mqtt-ca");
    EXPECT_TRUE(bus_.snapshot(from, 0, [](const Event &e) { return e.kind == "proxy.refused"; }).empty());
}

TEST_F(TlsGateLink, WithoutSniTheClientIsRefusedBeforeTheBrokerSeesAByteAndTheBusSaysWhy) {
    add_gate();
    const auto from = bus_.next_seq();
    {
        TlsClient client(proxy_->port(), *pki_, nullptr, true);
        EXPECT_FALSE(client.handshake());
    }
    const auto server = server_->outcome();
    EXPECT_FALSE(server.got_bytes) << server.error;

    const auto refused = refusal(from);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->origin, "link-dut");
    EXPECT_EQ(
        refused->payload,
        (nlohmann::json{
            {"connection", 1},
            {"toxic", "tls_gate"},
            {"reason", "no SNI (server name) in the ClientHello; this endpoint requires \"localhost\""}}));
    // The connection was announced before it was refused.
    const auto connected = bus_.snapshot(from, 0, [](const Event &e) { return e.kind == "proxy.connected"; });
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_LT(connected[0].seq, refused->seq);
}

TEST_F(TlsGateLink, WithoutAlpnTheClientIsRefusedWithTheReason) {
    add_gate();
    const auto from = bus_.next_seq();
    {
        TlsClient client(proxy_->port(), *pki_, kEndpoint, false);
        EXPECT_FALSE(client.handshake());
    }
    EXPECT_FALSE(server_->outcome().got_bytes);
    const auto refused = refusal(from);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->payload.at("reason"), "ALPN x-amzn-mqtt-ca not offered (offered: none)");
}

TEST_F(TlsGateLink, AConnectionAlreadyOpenWhenTheGateIsAddedIsNotJudgedAgain) {
    const auto from = bus_.next_seq();
    {
        TlsClient client(proxy_->port(), *pki_, nullptr, false); // would be refused at the door
        ASSERT_TRUE(client.handshake()) << client.error();
        ASSERT_EQ(client.exchange("before the gate"), "before the gate");
        add_gate();
        EXPECT_EQ(client.exchange("after the gate"), "after the gate");
    }
    EXPECT_TRUE(server_->outcome().handshake);
    EXPECT_TRUE(bus_.snapshot(from, 0, [](const Event &e) { return e.kind == "proxy.refused"; }).empty());
}

TEST_F(TlsGateLink, PlainMqttOnTheTlsPortIsRefusedAsNotTls) {
    add_gate();
    const auto from = bus_.next_seq();
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bound_io(fd);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(proxy_->port());
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to), 0);
    const std::string connect_packet = "\x10\x12\x00\x04MQTT\x04\x02\x00\x3c\x00\x06"
                                       "client"s;
    ASSERT_EQ(::send(fd, connect_packet.data(), connect_packet.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(connect_packet.size()));
    char byte = 0;
    const ssize_t got = ::recv(fd, &byte, 1, 0);
    const int err = got < 0 ? errno : 0;
    // Closed (FIN, or RST), not timed out, and no CONNACK either.
    EXPECT_TRUE(got == 0 || (got < 0 && err != EAGAIN && err != EWOULDBLOCK))
        << "recv " << got << " errno " << err;
    ::close(fd);
    EXPECT_FALSE(server_->outcome().got_bytes);
    const auto refused = refusal(from);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(
        refused->payload.at("reason"),
        "not a TLS handshake record (first byte 0x10, an MQTT CONNECT: the client speaks MQTT without TLS?)");
}

} // namespace
} // namespace hil::faults::testing

// Component tests of hil-vdev's TLS against a real Mosquitto TLS listener, with a throwaway PKI
// made in the test (pki.cpp). Credentials go in through the console (cred.*), as the harness
// does it; failures must come out classified (tls.*) with the raw detail.
#include <gtest/gtest.h>

#include "pki.hpp"
#include "vdev_harness.hpp"

#include <chrono>
#include <ctime>
#include <string>

using namespace vdevtest;

namespace {

BrokerOptions tls_broker(const Pem &server, bool require_certificate, const std::string &version = "") {
    BrokerOptions o;
    o.tls = true;
    o.cafile_pem = pki().ca.cert;
    o.certfile_pem = server.cert;
    o.keyfile_pem = server.key;
    o.require_certificate = require_certificate;
    o.tls_version = version;
    return o;
}

// mqtt.connect with TLS; extra is appended inside the args object (",\"sni\":...").
std::string tls_connect(Vdev &dev, uint16_t port, const std::string &extra) {
    return dev.request("mqtt.connect", R"({"host":"127.0.0.1","port":)" + std::to_string(port) +
                                           R"(,"client_id":"hil-tls-dut","tls":true,"ca_slot":0)" + extra +
                                           "}");
}

std::string outcome(Vdev &dev) {
    auto line = dev.out().find("!mqtt.conn", 8s); // connected or connect_failed
    return line ? *line : "(no outcome)\n" + dev.out().transcript();
}

bool has(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

// "@<id> ok" with or without a body.
bool is_ok(const std::string &answer) {
    auto sp = answer.find(' ');
    return sp != std::string::npos && answer.compare(sp, 3, " ok") == 0;
}

class VdevTls : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_broker()) {
            GTEST_SKIP() << "mosquitto broker not found";
        }
    }
    // CA in slot 0, client certificate in 1, client key in 2.
    static void upload_identity(Vdev &dev, const Pem &ca, const Pem &client, const std::string &key) {
        ASSERT_TRUE(dev.upload(0, ca.cert));
        ASSERT_TRUE(dev.upload(1, client.cert));
        ASSERT_TRUE(dev.upload(2, key));
    }
};

} // namespace

TEST_F(VdevTls, test_vdev_tls_MutualTlsConnectsAndCarriesMessages) {
    Broker broker(tls_broker(pki().server, true));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    upload_identity(dev, pki().ca, pki().client, pki().client.key);
    EXPECT_TRUE(
        is_ok(tls_connect(dev, broker.port(),
                          R"(,"cert_slot":1,"key_slot":2,"sni":"localhost","alpn":"mqtt,x-amzn-mqtt-ca")")));
    EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})");
    EXPECT_TRUE(has(dev.request("mqtt.subscribe", R"({"topic":"hil/tls/#","qos":1})"), R"( ok {"mid":1})"));
    dev.out().expect("!mqtt.subscribed");
    dev.request("mqtt.publish", R"({"topic":"hil/tls/a","payload":"over tls","qos":1})");
    std::string msg = dev.out().expect("!mqtt.message");
    EXPECT_TRUE(has(msg, R"("payload":"over tls")")) << msg;
}

TEST_F(VdevTls, test_vdev_tls_ConnectedNamesTheNegotiatedVersion) {
    // Without a restriction both ends pick 1.3 (above); restricted, the handshake says 1.2.
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    EXPECT_TRUE(is_ok(tls_connect(dev, broker.port(), R"(,"sni":"localhost","tls_version":"1.2")")));
    EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.2"})");
}

TEST_F(VdevTls, test_vdev_tls_IpHostCheckedAgainstIpSan) {
    // No sni: the name checked is the host, an IP literal, matched against the IP SAN.
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    EXPECT_TRUE(is_ok(tls_connect(dev, broker.port(), "")));
    EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})");
}

TEST_F(VdevTls, test_vdev_tls_OtherRootIsServerUntrusted) {
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().other_ca.cert));
    tls_connect(dev, broker.port(), R"(,"sni":"localhost")");
    std::string failed = outcome(dev);
    EXPECT_TRUE(has(failed, R"(!mqtt.connect_failed {"class":"tls.server_untrusted")")) << failed;
    // The broker sends its root along: the chain ends in a root we do not trust.
    EXPECT_TRUE(has(failed, "X509 error 19 at depth 1: self-signed certificate in certificate chain"))
        << failed;
}

TEST_F(VdevTls, test_vdev_tls_WrongNameIsHostnameMismatch) {
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    tls_connect(dev, broker.port(), R"(,"sni":"wrong.example")");
    std::string failed = outcome(dev);
    EXPECT_TRUE(has(failed, R"("class":"tls.hostname_mismatch")")) << failed;
    EXPECT_TRUE(has(failed, "X509 error 62")) << failed;
}

TEST_F(VdevTls, test_vdev_tls_VerifyHostFalseAcceptsWrongName) {
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    tls_connect(dev, broker.port(), R"(,"sni":"wrong.example","verify_host":false)");
    EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})");
}

TEST_F(VdevTls, test_vdev_tls_ExpiredAndNotYetValidServer) {
    for (const auto &[server, cls] : {std::pair{&pki().expired_server, "tls.server_expired"},
                                      std::pair{&pki().future_server, "tls.server_not_yet_valid"}}) {
        Broker broker(tls_broker(*server, false));
        ASSERT_TRUE(broker.ready()) << broker.log();
        Vdev dev;
        ASSERT_TRUE(dev.upload(0, pki().ca.cert));
        tls_connect(dev, broker.port(), R"(,"sni":"localhost")");
        std::string failed = outcome(dev);
        EXPECT_TRUE(has(failed, std::string(R"("class":")") + cls + "\"")) << failed;
    }
}

TEST_F(VdevTls, test_vdev_tls_DeviceTimeDecidesValidity) {
    // sys.time.set 60 days ahead: the 30-day server certificate is expired at the device's time.
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    long long later_ms = (static_cast<long long>(std::time(nullptr)) + 60LL * 24 * 3600) * 1000;
    EXPECT_TRUE(has(dev.request("sys.time.set", R"({"unix_ms":)" + std::to_string(later_ms) + "}"),
                    " ok {\"unix_ms\":" + std::to_string(later_ms) + "}"));
    tls_connect(dev, broker.port(), R"(,"sni":"localhost")");
    std::string failed = outcome(dev);
    EXPECT_TRUE(has(failed, R"("class":"tls.server_expired")")) << failed;
}

TEST_F(VdevTls, test_vdev_tls_NoClientCertIsPeerRejected) {
    for (const char *version : {"1.2", "1.3"}) {
        SCOPED_TRACE(version);
        Broker broker(tls_broker(pki().server, true));
        ASSERT_TRUE(broker.ready()) << broker.log();
        Vdev dev;
        ASSERT_TRUE(dev.upload(0, pki().ca.cert));
        tls_connect(dev, broker.port(),
                    std::string(R"(,"sni":"localhost","tls_version":")") + version + "\"");
        std::string failed = outcome(dev);
        EXPECT_TRUE(has(failed, R"("class":"tls.peer_rejected")")) << failed;
        EXPECT_TRUE(has(failed, "TLS alert from the server")) << failed;
    }
}

TEST_F(VdevTls, test_vdev_tls_ClientCertOfAnotherCaIsPeerRejected) {
    for (const char *version : {"1.2", "1.3"}) {
        SCOPED_TRACE(version);
        Broker broker(tls_broker(pki().server, true));
        ASSERT_TRUE(broker.ready()) << broker.log();
        Vdev dev;
        upload_identity(dev, pki().ca, pki().other_client, pki().other_client.key);
        tls_connect(dev, broker.port(),
                    std::string(R"(,"cert_slot":1,"key_slot":2,"sni":"localhost","tls_version":")") +
                        version + "\"");
        std::string failed = outcome(dev);
        EXPECT_TRUE(has(failed, R"("class":"tls.peer_rejected")")) << failed;
        EXPECT_TRUE(has(failed, "unknown CA")) << failed;
    }
}

TEST_F(VdevTls, test_vdev_tls_MismatchedKeyIsBadCredentials) {
    Broker broker(tls_broker(pki().server, true));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    upload_identity(dev, pki().ca, pki().client, pki().other_client.key);
    EXPECT_TRUE(is_ok(tls_connect(dev, broker.port(), R"(,"cert_slot":1,"key_slot":2,"sni":"localhost")")));
    std::string failed = outcome(dev);
    EXPECT_EQ(failed, R"(!mqtt.connect_failed {"class":"tls.bad_credentials",)"
                      R"("detail":"the private key does not match the client certificate"})");
    EXPECT_TRUE(has(dev.request("sys.info"), R"("mqtt":"idle")"));
}

TEST_F(VdevTls, test_vdev_tls_GarbagePemIsBadCredentials) {
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, "not a certificate\n"));
    tls_connect(dev, broker.port(), "");
    std::string failed = outcome(dev);
    EXPECT_TRUE(has(failed, R"("class":"tls.bad_credentials","detail":"ca_slot: no usable PEM certificate")"))
        << failed;
}

TEST_F(VdevTls, test_vdev_tls_PlainListenerIsHandshakeFailure) {
    Broker broker; // plain MQTT: it reads our ClientHello as garbage and hangs up
    ASSERT_TRUE(broker.ready()) << broker.log();
    Vdev dev;
    ASSERT_TRUE(dev.upload(0, pki().ca.cert));
    tls_connect(dev, broker.port(), R"(,"sni":"localhost")");
    std::string failed = outcome(dev);
    EXPECT_TRUE(has(failed, R"("class":"tls.handshake")")) << failed;
}

TEST_F(VdevTls, test_vdev_tls_MisbehavioursSkipChecks) {
    Broker broker(tls_broker(pki().server, false));
    ASSERT_TRUE(broker.ready()) << broker.log();
    {
        Vdev dev({"--misbehave", "skip-server-verify"});
        ASSERT_TRUE(dev.upload(0, pki().other_ca.cert));
        tls_connect(dev, broker.port(), R"(,"sni":"localhost")");
        EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})");
    }
    {
        Vdev dev({"--misbehave", "skip-hostname-check"});
        ASSERT_TRUE(dev.upload(0, pki().ca.cert));
        tls_connect(dev, broker.port(), R"(,"sni":"wrong.example")");
        EXPECT_EQ(outcome(dev), R"(!mqtt.connected {"session_present":false,"tls_version":"1.3"})");
    }
}

TEST_F(VdevTls, test_vdev_cred_InfoNeverShowsContent) {
    Vdev dev;
    ASSERT_TRUE(dev.upload(3, pki().client.key));
    std::string info = dev.request("cred.info");
    EXPECT_TRUE(has(info, R"({"slot":3,"size":)" + std::to_string(pki().client.key.size()))) << info;
    EXPECT_TRUE(has(info, R"("committed":true})")) << info;
    EXPECT_FALSE(has(info, "PRIVATE")) << info;
    EXPECT_TRUE(is_ok(dev.request("cred.clear", R"({"slot":3})")));
    info = dev.request("cred.info");
    EXPECT_TRUE(has(info, R"({"slot":3,"size":0,"crc32":"00000000","committed":false})")) << info;
    // A cleared slot cannot be used.
    std::string answer = dev.request(
        "mqtt.connect", R"({"host":"127.0.0.1","port":1,"client_id":"x","tls":true,"ca_slot":3})");
    EXPECT_TRUE(
        has(answer,
            R"x(err {"class":"proto.bad_args","detail":"ca_slot: slot is not committed (cred.commit)"})x"))
        << answer;
}

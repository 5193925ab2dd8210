#include "test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace hil::twin::test {

namespace {
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char *what) {
    if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

void add_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

Cert make_certificate(const std::string &cn, EVP_PKEY *key, X509 *issuer, long serial) {
    Cert cert(X509_new(), &X509_free);
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("hil test"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(cn.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
    return cert;
}

void write_pem(const std::filesystem::path &path, X509 *cert, EVP_PKEY *key) {
    FILE *file = std::fopen(path.c_str(), "wb");
    check(file != nullptr, "fopen");
    const bool ok = cert != nullptr
                        ? PEM_write_X509(file, cert) == 1
                        : PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(file);
    check(ok, "PEM_write");
    if (key != nullptr) ::chmod(path.c_str(), 0600);
}

std::string fingerprint(X509 *cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    check(X509_digest(cert, EVP_sha256(), md.data(), &len) == 1, "X509_digest");
    std::string out;
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0xf];
    }
    return out;
}
} // namespace

struct TestPki::State {
    Key ca_key{nullptr, &EVP_PKEY_free};
    Cert ca{nullptr, &X509_free};
    long serial = 1;
};

TestPki::TestPki(std::filesystem::path dir) : dir_(std::move(dir)), state_(std::make_unique<State>()) {
    std::filesystem::create_directories(dir_);
    state_->ca_key = new_key();
    state_->ca = make_certificate("hil test CA", state_->ca_key.get(), nullptr, state_->serial++);
    add_extension(state_->ca.get(), state_->ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(state_->ca.get(), state_->ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(state_->ca.get(), state_->ca.get(), NID_subject_key_identifier, "hash");
    check(X509_sign(state_->ca.get(), state_->ca_key.get(), EVP_sha256()) > 0, "X509_sign (CA)");
    ca_file_ = dir_ / "ca.crt";
    write_pem(ca_file_, state_->ca.get(), nullptr);
}

TestPki::~TestPki() = default;

IssuedCertificate TestPki::issue(const std::string &name, const std::string &common_name, bool server) {
    Key key = new_key();
    Cert cert = make_certificate(common_name, key.get(), state_->ca.get(), state_->serial++);
    add_extension(cert.get(), state_->ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), state_->ca.get(), NID_authority_key_identifier, "keyid");
    add_extension(cert.get(), state_->ca.get(), NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
    if (server)
        add_extension(cert.get(), state_->ca.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    check(X509_sign(cert.get(), state_->ca_key.get(), EVP_sha256()) > 0, "X509_sign");
    IssuedCertificate out{dir_ / (name + ".crt"), dir_ / (name + ".key"), fingerprint(cert.get())};
    write_pem(out.certfile, cert.get(), nullptr);
    write_pem(out.keyfile, nullptr, key.get());
    return out;
}

IssuedCertificate TestPki::server(const std::string &name) {
    return issue(name, "localhost", true);
}

IssuedCertificate TestPki::client(const std::string &common_name) {
    return issue(common_name, common_name, false);
}

} // namespace hil::twin::test

// Throwaway PKI for the TLS component tests (see pki.hpp).
#include "pki.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace vdevtest {

namespace {

struct KeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509 *x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char *what) {
    if (!ok) {
        throw std::runtime_error(std::string("test PKI: ") + what);
    }
}

KeyPtr new_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EC key generation");
    return key;
}

void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "extension");
    X509_EXTENSION_free(ext);
}

// A certificate for key, named cn, signed by issuer (or self-signed when issuer is null), valid
// from now+not_before_s to now+not_after_s.
CertPtr make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool is_ca,
                  const char *san, const char *eku, long not_before_s, long not_after_s) {
    CertPtr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof(serial));
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_s);
    X509_set_pubkey(cert.get(), key);
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("hil test"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(cn), -1, -1,
                               0);
    X509 *signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (is_ca) {
        add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_ext(cert.get(), signer, NID_ext_key_usage, eku);
    }
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) {
        add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    }
    if (san != nullptr) {
        add_ext(cert.get(), signer, NID_subject_alt_name, san);
    }
    check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

std::string cert_pem(X509 *cert) {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}

std::string key_pem(EVP_PKEY *key) {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}

constexpr long kDay = 24L * 3600L;

Pki build() {
    Pki p;
    KeyPtr ca_key = new_key();
    CertPtr ca =
        make_cert(ca_key.get(), "hil test root", nullptr, nullptr, true, nullptr, nullptr, -3600, 30 * kDay);
    p.ca = {cert_pem(ca.get()), key_pem(ca_key.get())};

    auto leaf = [&](const char *cn, X509 *issuer, EVP_PKEY *issuer_key, const char *san, const char *eku,
                    long from, long to) {
        KeyPtr key = new_key();
        CertPtr cert = make_cert(key.get(), cn, issuer, issuer_key, false, san, eku, from, to);
        return Pem{cert_pem(cert.get()), key_pem(key.get())};
    };
    const char *server_san = "DNS:localhost,IP:127.0.0.1";
    p.server = leaf("localhost", ca.get(), ca_key.get(), server_san, "serverAuth", -3600, 30 * kDay);
    p.client = leaf("hil-dut", ca.get(), ca_key.get(), nullptr, "clientAuth", -3600, 30 * kDay);
    p.expired_server = leaf("localhost", ca.get(), ca_key.get(), server_san, "serverAuth", -2 * kDay, -3600);
    p.future_server = leaf("localhost", ca.get(), ca_key.get(), server_san, "serverAuth", kDay, 30 * kDay);

    KeyPtr other_key = new_key();
    CertPtr other = make_cert(other_key.get(), "another root", nullptr, nullptr, true, nullptr, nullptr,
                              -3600, 30 * kDay);
    p.other_ca = {cert_pem(other.get()), key_pem(other_key.get())};
    p.other_client = leaf("hil-dut", other.get(), other_key.get(), nullptr, "clientAuth", -3600, 30 * kDay);
    return p;
}

} // namespace

const Pki &pki() {
    static const Pki s_pki = build();
    return s_pki;
}

} // namespace vdevtest

#include "certificate_builder.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>

namespace hil::pki {

namespace {

void add_extension(X509 *cert, X509V3_CTX *ctx, int nid, const std::string &value) {
    ossl::Ext ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) ossl::fail("cannot add extension " + value);
}

void set_name(X509_NAME *name, const CertificateSpec &spec) {
    const auto add = [name](const char *field, const std::string &value) {
        if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char *>(value.c_str()), -1, -1,
                                       0) != 1) {
            ossl::fail(std::string("cannot set ") + field);
        }
    };
    add("O", spec.organisation);
    add("CN", spec.common_name);
}

void set_random_serial(X509 *cert) {
    std::unique_ptr<BIGNUM, ossl::Free> bn(BN_new());
    // 127 bits: positive, unique enough that two runs never issue the same serial.
    if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) ossl::fail("serial");
    if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) ossl::fail("serial");
}

std::string subject_alt_names(const CertificateSpec &spec) {
    std::string sans;
    for (const auto &dns : spec.dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto &ip : spec.ip_addresses) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
    return sans;
}

/// Leaf key usages: RSA keys may also encipher (TLS 1.2 RSA key exchange); RFC 5480 forbids
/// keyEncipherment for EC keys, which only sign (ECDHE-ECDSA, TLS 1.3).
std::string leaf_key_usage(KeyType type) {
    return type == KeyType::rsa_2048 ? "critical,digitalSignature,keyEncipherment"
                                     : "critical,digitalSignature";
}

} // namespace

const char *to_string(KeyType type) {
    return type == KeyType::ec_p256 ? "ecdsa-p256" : "rsa-2048";
}

ossl::Key generate_key(KeyType type) {
    ossl::Key key(type == KeyType::ec_p256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
    if (!key) ossl::fail("key generation");
    return key;
}

Issued issue(const CertificateSpec &spec, const Issued *issuer) {
    Issued out;
    out.key = generate_key(spec.key_type);
    out.cert.reset(X509_new());
    X509 *cert = out.cert.get();
    if (cert == nullptr || X509_set_version(cert, 2) != 1) ossl::fail("X509_new");
    set_random_serial(cert);
    set_name(X509_get_subject_name(cert), spec);
    X509 *signer_cert = issuer != nullptr ? issuer->cert.get() : cert;
    EVP_PKEY *signer_key = issuer != nullptr ? issuer->key.get() : out.key.get();
    if (X509_set_issuer_name(cert, X509_get_subject_name(signer_cert)) != 1) ossl::fail("issuer name");
    if (X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.not_before_offset.count())) ==
            nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.not_after_offset.count())) ==
            nullptr) {
        ossl::fail("validity");
    }
    if (X509_set_pubkey(cert, out.key.get()) != 1) ossl::fail("public key");

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, signer_cert, cert, nullptr, nullptr, 0);
    switch (spec.usage) {
    case Usage::ca:
        add_extension(cert, &ctx, NID_basic_constraints,
                      spec.path_length < 0 ? "critical,CA:TRUE"
                                           : "critical,CA:TRUE,pathlen:" + std::to_string(spec.path_length));
        add_extension(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case Usage::server:
        add_extension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert, &ctx, NID_key_usage, leaf_key_usage(spec.key_type));
        add_extension(cert, &ctx, NID_ext_key_usage, "serverAuth");
        break;
    case Usage::client:
        add_extension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert, &ctx, NID_key_usage, leaf_key_usage(spec.key_type));
        add_extension(cert, &ctx, NID_ext_key_usage, "clientAuth");
        break;
    }
    add_extension(cert, &ctx, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) add_extension(cert, &ctx, NID_authority_key_identifier, "keyid:always");
    const std::string sans = subject_alt_names(spec);
    if (!sans.empty()) add_extension(cert, &ctx, NID_subject_alt_name, sans);

    if (X509_sign(cert, signer_key, EVP_sha256()) == 0) ossl::fail("signing " + spec.common_name);
    return out;
}

} // namespace hil::pki

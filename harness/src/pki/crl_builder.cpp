#include "crl_builder.hpp"

namespace hil::pki {

namespace {

using Time = std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)>;

Time time_from_now(std::chrono::seconds offset) {
    Time t(X509_gmtime_adj(nullptr, static_cast<long>(offset.count())), &ASN1_TIME_free);
    if (!t) ossl::fail("CRL time");
    return t;
}

void add_revoked(X509_CRL *crl, X509 *cert, ASN1_TIME *when) {
    std::unique_ptr<X509_REVOKED, ossl::Free> entry(X509_REVOKED_new());
    std::unique_ptr<ASN1_ENUMERATED, decltype(&ASN1_ENUMERATED_free)> reason(ASN1_ENUMERATED_new(),
                                                                             &ASN1_ENUMERATED_free);
    if (!entry || !reason || X509_REVOKED_set_serialNumber(entry.get(), X509_get_serialNumber(cert)) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when) != 1 ||
        ASN1_ENUMERATED_set(reason.get(), CRL_REASON_KEY_COMPROMISE) != 1 ||
        X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, reason.get(), 0, 0) != 1) {
        ossl::fail("CRL entry");
    }
    if (X509_CRL_add0_revoked(crl, entry.get()) != 1) ossl::fail("CRL entry");
    (void)entry.release(); // owned by the CRL now
}

} // namespace

ossl::Crl issue_crl(const Issued &ca, const std::vector<X509 *> &revoked, const CrlSpec &spec) {
    ossl::Crl crl(X509_CRL_new());
    if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.get())) != 1) {
        ossl::fail("X509_CRL_new");
    }
    const auto this_update = time_from_now(spec.this_update_offset);
    const auto next_update = time_from_now(spec.next_update_offset);
    if (X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
        ossl::fail("CRL validity");
    }
    for (X509 *cert : revoked) add_revoked(crl.get(), cert, this_update.get());
    if (X509_CRL_sort(crl.get()) != 1) ossl::fail("CRL sort");

    std::unique_ptr<ASN1_INTEGER, ossl::Free> number(ASN1_INTEGER_new());
    if (!number || ASN1_INTEGER_set(number.get(), spec.number) != 1 ||
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
        ossl::fail("crlNumber");
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca.cert.get(), nullptr, nullptr, crl.get(), 0);
    ossl::Ext akid(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1) ossl::fail("CRL authority key id");

    if (X509_CRL_sign(crl.get(), ca.key.get(), EVP_sha256()) == 0) ossl::fail("signing the CRL");
    return crl;
}

} // namespace hil::pki

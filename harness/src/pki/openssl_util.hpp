#pragma once
// RAII for the OpenSSL objects the PKI module uses, and the one way it reports OpenSSL errors.

#include "hil/core/error.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace hil::ossl {

struct Free {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
    void operator()(BIO *p) const { BIO_free_all(p); }
    void operator()(X509_STORE *p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX *p) const { X509_STORE_CTX_free(p); }
    void operator()(ASN1_INTEGER *p) const { ASN1_INTEGER_free(p); }
    void operator()(BIGNUM *p) const { BN_free(p); }
    void operator()(X509_CRL *p) const { X509_CRL_free(p); }
    void operator()(X509_REVOKED *p) const { X509_REVOKED_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Ext = std::unique_ptr<X509_EXTENSION, Free>;
using Bio = std::unique_ptr<BIO, Free>;
using Crl = std::unique_ptr<X509_CRL, Free>;

/// Throws InfraError with `what` and OpenSSL's queued error text (the queue is cleared).
[[noreturn]] inline void fail(const std::string &what) {
    std::string detail;
    for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        detail += detail.empty() ? buf : std::string("; ") + buf;
    }
    throw InfraError("pki: " + what + (detail.empty() ? "" : ": " + detail));
}

} // namespace hil::ossl

#pragma once
// PEM files of the PKI module and what it reads out of certificates: one place for writing keys
// 0600, for names, times and fingerprints in the manifest's formats, and for loading them back.

#include "openssl_util.hpp"

#include <filesystem>
#include <string>

namespace hil::pki {

void write_cert(const std::filesystem::path &path, X509 *cert);
/// `leaf` then `issuer`: what a TLS peer sends when its issuer is not the trust anchor.
void write_chain(const std::filesystem::path &path, X509 *leaf, X509 *issuer);
/// Created 0600 before a single byte of the key is written into it.
void write_key(const std::filesystem::path &path, EVP_PKEY *key);
void write_crl(const std::filesystem::path &path, X509_CRL *crl);

/// nullptr if the file is missing or holds no parsable PEM of that type (error queue cleared).
[[nodiscard]] ossl::Cert load_cert(const std::filesystem::path &path);
[[nodiscard]] ossl::Key load_key(const std::filesystem::path &path);
[[nodiscard]] ossl::Crl load_crl(const std::filesystem::path &path);

/// RFC 2253, e.g. "CN=hil test broker,O=hil test PKI".
[[nodiscard]] std::string name_text(const X509_NAME *name);
/// RFC 3339 UTC, e.g. "2025-01-31T12:00:00Z" ("" if unreadable).
[[nodiscard]] std::string time_text(const ASN1_TIME *t);
/// SHA-256 of the DER encoding, upper-case hex with colons (what `openssl x509 -fingerprint` shows).
[[nodiscard]] std::string fingerprint(X509 *cert);
[[nodiscard]] std::string fingerprint(X509_CRL *crl);
/// Upper-case hex, e.g. "3A0F..." (the manifest's serial).
[[nodiscard]] std::string serial_text(X509 *cert);

} // namespace hil::pki

#include "pki_files.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

namespace hil::pki {

namespace {

std::string hex_colons(const unsigned char *md, unsigned int len) {
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", md[i]);
        out += hex;
    }
    return out;
}

ossl::Bio open_for_writing(const std::filesystem::path &path) {
    ossl::Bio bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) ossl::fail("cannot write " + path.string());
    return bio;
}

ossl::Bio open_for_reading(const std::filesystem::path &path) {
    ossl::Bio bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) ERR_clear_error();
    return bio;
}

/// Never prompts for a passphrase: an encrypted key simply does not load.
int no_passphrase(char * /*buf*/, int /*size*/, int /*rwflag*/, void * /*u*/) {
    return -1;
}

} // namespace

void write_cert(const std::filesystem::path &path, X509 *cert) {
    const auto bio = open_for_writing(path);
    if (PEM_write_bio_X509(bio.get(), cert) != 1) ossl::fail("cannot write " + path.string());
}

void write_chain(const std::filesystem::path &path, X509 *leaf, X509 *issuer) {
    const auto bio = open_for_writing(path);
    if (PEM_write_bio_X509(bio.get(), leaf) != 1 || PEM_write_bio_X509(bio.get(), issuer) != 1) {
        ossl::fail("cannot write " + path.string());
    }
}

void write_key(const std::filesystem::path &path, EVP_PKEY *key) {
    std::filesystem::remove(path);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw InfraError("pki: cannot create " + path.string());
    ossl::Bio bio(BIO_new_fd(fd, BIO_CLOSE));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ossl::fail("cannot write " + path.string());
    }
}

void write_crl(const std::filesystem::path &path, X509_CRL *crl) {
    const auto bio = open_for_writing(path);
    if (PEM_write_bio_X509_CRL(bio.get(), crl) != 1) ossl::fail("cannot write " + path.string());
}

ossl::Cert load_cert(const std::filesystem::path &path) {
    const auto bio = open_for_reading(path);
    ossl::Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    return cert;
}

ossl::Key load_key(const std::filesystem::path &path) {
    const auto bio = open_for_reading(path);
    ossl::Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    ERR_clear_error();
    return key;
}

ossl::Crl load_crl(const std::filesystem::path &path) {
    const auto bio = open_for_reading(path);
    ossl::Crl crl(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    return crl;
}

std::string name_text(const X509_NAME *name) {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string time_text(const ASN1_TIME *t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string fingerprint(X509 *cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) ossl::fail("certificate digest");
    return hex_colons(md, len);
}

std::string fingerprint(X509_CRL *crl) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_CRL_digest(crl, EVP_sha256(), md, &len) != 1) ossl::fail("CRL digest");
    return hex_colons(md, len);
}

std::string serial_text(X509 *cert) {
    std::unique_ptr<BIGNUM, ossl::Free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    if (!bn) ossl::fail("serial");
    std::unique_ptr<char, decltype([](char *p) { OPENSSL_free(p); })> hex(BN_bn2hex(bn.get()));
    if (!hex) ossl::fail("serial");
    return hex.get();
}

} // namespace hil::pki

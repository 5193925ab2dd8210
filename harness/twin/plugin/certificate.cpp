#include "certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace hil::twin {

namespace {
struct NameField {
    int nid;
    const char *name;
};
constexpr std::array<NameField, 13> kNameFields = {{
    {NID_commonName, "CommonName"},
    {NID_organizationName, "Organization"},
    {NID_organizationalUnitName, "OrganizationalUnit"},
    {NID_countryName, "Country"},
    {NID_stateOrProvinceName, "State"},
    {NID_localityName, "Locality"},
    {NID_serialNumber, "SerialNumber"},
    {NID_dnQualifier, "DistinguishedNameQualifier"},
    {NID_title, "Title"},
    {NID_surname, "Surname"},
    {NID_givenName, "GivenName"},
    {NID_initials, "Initials"},
    {NID_pseudonym, "Pseudonym"},
}};

void add_name(std::map<std::string, std::string> &out, const std::string &prefix, const X509_NAME *name) {
    if (name == nullptr) return;
    for (const auto &field : kNameFields) {
        const int index = X509_NAME_get_index_by_NID(name, field.nid, -1);
        if (index < 0) continue;
        const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
        unsigned char *utf8 = nullptr;
        const int len = ASN1_STRING_to_UTF8(&utf8, data);
        if (len < 0) continue;
        out[prefix + field.name] =
            std::string(reinterpret_cast<const char *>(utf8), static_cast<std::size_t>(len));
        OPENSSL_free(utf8);
    }
}
} // namespace

std::string certificate_fingerprint(X509 *certificate) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (X509_digest(certificate, EVP_sha256(), digest.data(), &len) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0x0f];
    }
    return out;
}

std::string certificate_file_fingerprint(const std::filesystem::path &pem) {
    const std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(pem.c_str(), "rb"), &std::fclose);
    if (!file) throw std::runtime_error("cannot open certificate " + pem.string());
    const std::unique_ptr<X509, void (*)(X509 *)> certificate(
        PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!certificate) throw std::runtime_error("no PEM certificate in " + pem.string());
    return certificate_fingerprint(certificate.get());
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    std::string hex;
    char byte[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", digest[i]);
        hex += byte;
    }
    return hex;
}

std::map<std::string, std::string> certificate_policy_values(X509 *certificate) {
    std::map<std::string, std::string> out;
    add_name(out, "iot:Certificate.Subject.", X509_get_subject_name(certificate));
    add_name(out, "iot:Certificate.Issuer.", X509_get_issuer_name(certificate));
    if (const ASN1_INTEGER *serial = X509_get0_serialNumber(certificate)) {
        if (BIGNUM *bn = ASN1_INTEGER_to_BN(serial, nullptr)) {
            if (char *text = BN_bn2dec(bn)) {
                out["iot:Certificate.SerialNumber"] = text;
                OPENSSL_free(text);
            }
            BN_free(bn);
        }
    }
    return out;
}

} // namespace hil::twin

#include "hil/pki/test_pki.hpp"

#include "certificate_builder.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"

#include <nlohmann/json.hpp>
#include <openssl/pem.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

namespace hil {

namespace {

std::string x509_name(const X509_NAME *name) {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string asn1_time(const ASN1_TIME *t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string fingerprint(X509 *cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", md[i]);
        out += hex;
    }
    return out;
}

void write_cert(const std::filesystem::path &path, X509 *cert) {
    ossl::Bio bio(BIO_new_file(path.c_str(), "w"));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) ossl::fail("cannot write " + path.string());
}

// The key file is created 0600 before a single byte of the key is written into it.
void write_key(const std::filesystem::path &path, EVP_PKEY *key) {
    std::filesystem::remove(path);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw InfraError("pki: cannot create " + path.string());
    ossl::Bio bio(BIO_new_fd(fd, BIO_CLOSE));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        ossl::fail("cannot write " + path.string());
    }
}

Credential save(const std::filesystem::path &dir, const std::string &name, const std::string &role,
                const std::string &purpose, const pki::Issued &issued, const pki::CertificateSpec &spec) {
    Credential c;
    c.name = name;
    c.role = role;
    c.purpose = purpose;
    c.cert = dir / (name + ".crt");
    c.key = dir / (name + ".key");
    write_cert(c.cert, issued.cert.get());
    write_key(c.key, issued.key.get());
    c.subject = x509_name(X509_get_subject_name(issued.cert.get()));
    c.issuer = x509_name(X509_get_issuer_name(issued.cert.get()));
    for (const auto &dns : spec.dns_names) c.sans.push_back("DNS:" + dns);
    for (const auto &ip : spec.ip_addresses) c.sans.push_back("IP:" + ip);
    c.not_before = asn1_time(X509_get0_notBefore(issued.cert.get()));
    c.not_after = asn1_time(X509_get0_notAfter(issued.cert.get()));
    c.sha256_fingerprint = fingerprint(issued.cert.get());
    return c;
}

nlohmann::json manifest_json(const std::map<std::string, Credential> &credentials) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto &[name, c] : credentials) {
        list.push_back({{"name", c.name},
                        {"role", c.role},
                        {"purpose", c.purpose},
                        {"cert", c.cert.filename().string()},
                        {"key", c.key.filename().string()},
                        {"subject", c.subject},
                        {"issuer", c.issuer},
                        {"sans", c.sans},
                        {"not_before", c.not_before},
                        {"not_after", c.not_after},
                        {"sha256_fingerprint", c.sha256_fingerprint}});
    }
    return {{"manifest_version", 1}, {"credentials", list}};
}

} // namespace

TestPki TestPki::create(const std::filesystem::path &dir, const PkiOptions &options) {
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
    TestPki pki;
    pki.dir_ = dir;
    const auto validity = std::chrono::duration_cast<std::chrono::seconds>(options.validity);

    pki::CertificateSpec ca_spec;
    ca_spec.common_name = "hil test root CA";
    ca_spec.usage = pki::Usage::ca;
    ca_spec.not_after_offset = validity;
    const auto ca = pki::issue(ca_spec, nullptr);
    pki.credentials_["ca"] =
        save(dir, "ca", "ca", "trust anchor of the run: broker, device and cloud chain to it", ca, ca_spec);

    pki::CertificateSpec broker_spec;
    broker_spec.common_name = "hil test broker";
    broker_spec.usage = pki::Usage::server;
    broker_spec.dns_names = options.dns_names;
    broker_spec.ip_addresses = options.ip_addresses;
    broker_spec.not_after_offset = validity;
    pki.credentials_["broker"] = save(dir, "broker", "server", "the embedded broker's TLS listener",
                                      pki::issue(broker_spec, &ca), broker_spec);

    pki::CertificateSpec device_spec;
    device_spec.common_name = options.device_common_name;
    device_spec.not_after_offset = validity;
    pki.credentials_["device"] =
        save(dir, "device", "client", "the device's identity (uploaded to its RAM slots)",
             pki::issue(device_spec, &ca), device_spec);

    pki::CertificateSpec cloud_spec;
    cloud_spec.common_name = options.cloud_common_name;
    cloud_spec.not_after_offset = validity;
    pki.credentials_["cloud"] = save(dir, "cloud", "client", "the cloud application's identity (Paho)",
                                     pki::issue(cloud_spec, &ca), cloud_spec);

    // An unrelated root and a broker certificate it signed: what a fake server would present.
    pki::CertificateSpec other_spec = ca_spec;
    other_spec.common_name = "hil unrelated root CA";
    const auto other = pki::issue(other_spec, nullptr);
    pki.credentials_["other_ca"] = save(dir, "other_ca", "ca", "a root nobody trusts", other, other_spec);
    pki::CertificateSpec untrusted_spec = broker_spec;
    untrusted_spec.common_name = "hil untrusted broker";
    pki.credentials_["broker_untrusted"] = save(
        dir, "broker_untrusted", "server", "broker certificate from another CA: the device must refuse it",
        pki::issue(untrusted_spec, &other), untrusted_spec);

    // The run's own CA, but another host's name: host-name verification must refuse it.
    pki::CertificateSpec wrong_host_spec = broker_spec;
    wrong_host_spec.common_name = "hil broker for another host";
    wrong_host_spec.dns_names = {"not-this-host.invalid"};
    wrong_host_spec.ip_addresses = {"192.0.2.1"};
    pki.credentials_["broker_wrong_host"] =
        save(dir, "broker_wrong_host", "server",
             "broker certificate naming another host: the device must refuse it",
             pki::issue(wrong_host_spec, &ca), wrong_host_spec);

    write_file_atomically(dir / "manifest.json", manifest_json(pki.credentials_).dump(2) + "\n");
    return pki;
}

const Credential &TestPki::get(const std::string &name) const {
    const auto it = credentials_.find(name);
    if (it == credentials_.end()) throw InfraError("pki: no credential named '" + name + "'");
    return it->second;
}

} // namespace hil

#include "hil/pki/test_pki.hpp"

#include "catalogue.hpp"
#include "certificate_builder.hpp"
#include "crl_builder.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "manifest.hpp"
#include "pki_files.hpp"

namespace hil {

namespace {

Credential describe(const pki::CatalogueEntry &entry, const std::filesystem::path &dir, X509 *cert) {
    Credential c;
    c.name = entry.name;
    c.kind = entry.kind;
    c.role = pki::role_of(entry.spec.usage);
    c.purpose = entry.purpose;
    c.provokes = entry.provokes;
    c.issued_by = entry.issued_by.empty() ? "self" : entry.issued_by;
    c.key_type = pki::to_string(entry.spec.key_type);
    c.cert = dir / (entry.name + ".crt");
    c.key = dir / (entry.name + ".key");
    if (entry.chain) c.chain = dir / (entry.name + ".chain.pem");
    c.subject = pki::name_text(X509_get_subject_name(cert));
    c.issuer = pki::name_text(X509_get_issuer_name(cert));
    c.serial = pki::serial_text(cert);
    for (const auto &dns : entry.spec.dns_names) c.sans.push_back("DNS:" + dns);
    for (const auto &ip : entry.spec.ip_addresses) c.sans.push_back("IP:" + ip);
    c.not_before = pki::time_text(X509_get0_notBefore(cert));
    c.not_after = pki::time_text(X509_get0_notAfter(cert));
    c.sha256_fingerprint = pki::fingerprint(cert);
    return c;
}

RevocationList describe(const pki::CrlEntry &entry, const std::filesystem::path &dir, X509_CRL *crl) {
    RevocationList r;
    r.name = entry.name;
    r.file = dir / entry.file;
    r.issued_by = entry.issued_by;
    r.issuer = pki::name_text(X509_CRL_get_issuer(crl));
    r.revokes = entry.revokes;
    r.this_update = pki::time_text(X509_CRL_get0_lastUpdate(crl));
    r.next_update = pki::time_text(X509_CRL_get0_nextUpdate(crl));
    r.sha256_fingerprint = pki::fingerprint(crl);
    r.purpose = entry.purpose;
    return r;
}

} // namespace

TestPki TestPki::create(const std::filesystem::path &dir, const PkiOptions &options) {
    try {
        std::filesystem::create_directories(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace);
        // A manifest left by an earlier PKI must not describe a half-replaced directory if this
        // one fails midway: it goes first and comes back last.
        std::filesystem::remove(dir / "manifest.json");
    } catch (const std::filesystem::filesystem_error &e) {
        throw InfraError("pki: cannot prepare " + dir.string() + ": " + e.code().message());
    }
    TestPki pki;
    pki.dir_ = dir;

    std::map<std::string, pki::Issued> issued; // issuers for later entries, the revoked for the CRL
    for (const auto &entry : pki::catalogue(options)) {
        const pki::Issued *issuer = entry.issued_by.empty() ? nullptr : &issued.at(entry.issued_by);
        auto made = pki::issue(entry.spec, issuer);
        auto credential = describe(entry, dir, made.cert.get());
        pki::write_cert(credential.cert, made.cert.get());
        if (entry.chain) pki::write_chain(credential.chain, made.cert.get(), issuer->cert.get());
        // The mismatched pair: a valid certificate beside a valid key of the same type that is
        // not its key (what a firmware flashed with the wrong key file holds).
        const auto other_key = entry.mismatched_key ? pki::generate_key(entry.spec.key_type) : ossl::Key();
        pki::write_key(credential.key, entry.mismatched_key ? other_key.get() : made.key.get());
        pki.credentials_[entry.name] = std::move(credential);
        issued.emplace(entry.name, std::move(made));
    }

    const auto crl_entry = pki::crl_entry(options);
    std::vector<X509 *> revoked;
    for (const auto &name : crl_entry.revokes) revoked.push_back(issued.at(name).cert.get());
    const auto crl = pki::issue_crl(issued.at(crl_entry.issued_by), revoked, crl_entry.spec);
    pki.crl_ = describe(crl_entry, dir, crl.get());
    pki::write_crl(pki.crl_.file, crl.get());

    write_file_atomically(dir / "manifest.json",
                          pki::manifest_json(pki.credentials_, pki.crl_).dump(2) + "\n");
    return pki;
}

TestPki TestPki::load(const std::filesystem::path &dir) {
    auto contents = pki::read_manifest(dir);
    TestPki pki;
    pki.dir_ = dir;
    pki.credentials_ = std::move(contents.credentials);
    pki.crl_ = std::move(contents.crl);
    return pki;
}

const Credential &TestPki::get(const std::string &name) const {
    const auto it = credentials_.find(name);
    if (it == credentials_.end()) throw InfraError("pki: no credential named '" + name + "'");
    return it->second;
}

std::vector<CatalogueName> catalogue_names() {
    PkiOptions every;
    every.rsa_variants = true;
    every.registry_variants = true;
    std::vector<CatalogueName> out;
    for (const auto &entry : pki::catalogue(every)) {
        out.push_back({entry.name, entry.kind, pki::to_string(entry.spec.key_type)});
    }
    return out;
}

} // namespace hil

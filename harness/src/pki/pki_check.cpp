// TestPki::check: is a PKI directory an earlier create() left still what the catalogue promises?
// Problems name the credential and the file, never their content.

#include "hil/pki/test_pki.hpp"

#include "catalogue.hpp"
#include "pki_files.hpp"

namespace hil {

namespace {

namespace fs = std::filesystem;

bool is_before_now(const ASN1_TIME *t) {
    return X509_cmp_current_time(t) < 0;
}

void check_validity(const pki::CatalogueEntry &entry, X509 *cert, std::vector<std::string> &problems) {
    const ASN1_TIME *nb = X509_get0_notBefore(cert);
    const ASN1_TIME *na = X509_get0_notAfter(cert);
    const std::string &n = entry.name;
    switch (entry.validity) {
    case pki::Validity::current:
        if (is_before_now(na)) problems.push_back(n + ": expired on " + pki::time_text(na));
        if (!is_before_now(nb)) problems.push_back(n + ": not valid before " + pki::time_text(nb));
        break;
    case pki::Validity::expired:
        if (!is_before_now(na))
            problems.push_back(n + ": must be expired but is valid until " + pki::time_text(na));
        break;
    case pki::Validity::not_yet_valid:
        if (is_before_now(nb))
            problems.push_back(n + ": must not be valid yet but is since " + pki::time_text(nb));
        break;
    }
}

void check_key(const pki::CatalogueEntry &entry, const Credential &c, X509 *cert,
               std::vector<std::string> &problems) {
    const std::string where = c.name + ": " + c.key.string();
    if (!fs::is_regular_file(c.key)) {
        problems.push_back(where + ": missing");
        return;
    }
    const auto loose = fs::perms::group_all | fs::perms::others_all;
    if ((fs::status(c.key).permissions() & loose) != fs::perms::none) {
        problems.push_back(where + ": readable by others (must be 0600)");
    }
    const auto key = pki::load_key(c.key);
    if (!key) {
        problems.push_back(where + ": not a private key");
        return;
    }
    const bool matches = X509_check_private_key(cert, key.get()) == 1;
    ERR_clear_error();
    if (matches == entry.mismatched_key) {
        problems.push_back(where + (matches ? ": matches its certificate but must not"
                                            : ": does not match " + c.cert.string()));
    }
}

void check_credential(const pki::CatalogueEntry &entry, const Credential &c,
                      std::vector<std::string> &problems) {
    const auto cert = pki::load_cert(c.cert);
    if (!cert) {
        problems.push_back(c.name + ": " + c.cert.string() + ": missing or not a certificate");
        return;
    }
    if (pki::fingerprint(cert.get()) != c.sha256_fingerprint) {
        problems.push_back(c.name + ": " + c.cert.string() + ": changed since manifest.json was written");
        return;
    }
    if (entry.chain) {
        const auto leaf = c.chain.empty() ? nullptr : pki::load_cert(c.chain);
        if (!leaf || pki::fingerprint(leaf.get()) != c.sha256_fingerprint) {
            problems.push_back(c.name + ": chain file missing or not starting with " +
                               c.cert.filename().string());
        }
    }
    check_key(entry, c, cert.get(), problems);
    check_validity(entry, cert.get(), problems);
}

std::vector<std::string> requested_sans(const PkiOptions &options) {
    std::vector<std::string> sans;
    for (const auto &dns : options.dns_names) sans.push_back("DNS:" + dns);
    for (const auto &ip : options.ip_addresses) sans.push_back("IP:" + ip);
    return sans;
}

std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

} // namespace

std::vector<std::string> TestPki::check(const PkiOptions &options) const {
    std::vector<std::string> problems;
    for (const auto &entry : pki::catalogue(options)) {
        const auto it = credentials_.find(entry.name);
        if (it == credentials_.end()) {
            problems.push_back(entry.name +
                               ": not in manifest.json (made by another hil version or options)");
            continue;
        }
        check_credential(entry, it->second, problems);
    }
    // The hosts a broker certificate names are fixed when it is issued.
    const auto broker = credentials_.find("broker");
    if (broker != credentials_.end() && broker->second.sans != requested_sans(options)) {
        problems.push_back("broker: names " + joined(broker->second.sans) + ", asked for " +
                           joined(requested_sans(options)));
    }

    const auto crl = pki::load_crl(crl_.file);
    if (!crl) {
        problems.push_back(crl_.name + ": " + crl_.file.string() + ": missing or not a CRL");
    } else if (pki::fingerprint(crl.get()) != crl_.sha256_fingerprint) {
        problems.push_back(crl_.name + ": " + crl_.file.string() +
                           ": changed since manifest.json was written");
    } else if (X509_CRL_get0_nextUpdate(crl.get()) == nullptr ||
               is_before_now(X509_CRL_get0_nextUpdate(crl.get()))) {
        problems.push_back(crl_.name + ": next update " + crl_.next_update +
                           " has passed (a CRL-checking broker would refuse every client)");
    }
    return problems;
}

} // namespace hil

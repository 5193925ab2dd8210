#include "catalogue.hpp"

namespace hil::pki {

namespace {

using std::chrono::seconds;
constexpr seconds kDay{24 * 3600};
// Intentionally invalid credentials keep their state as long as a kept PKI lives and against a
// device clock that is off by weeks: expired a month ago, valid only ten years from now.
constexpr seconds kExpiredNotBefore = -395 * kDay;
constexpr seconds kExpiredNotAfter = -30 * kDay;
constexpr seconds kFutureNotBefore = 3650 * kDay;
constexpr seconds kFutureNotAfter = (3650 + 365) * kDay;

CertificateSpec ca_spec(const std::string &cn, seconds validity, int path_length = -1) {
    CertificateSpec s;
    s.common_name = cn;
    s.usage = Usage::ca;
    s.path_length = path_length;
    s.not_after_offset = validity;
    return s;
}

CertificateSpec leaf_spec(const std::string &cn, Usage usage, seconds validity, const PkiOptions &options) {
    CertificateSpec s;
    s.common_name = cn;
    s.usage = usage;
    s.not_after_offset = validity;
    if (usage == Usage::server) {
        s.dns_names = options.dns_names;
        s.ip_addresses = options.ip_addresses;
    }
    return s;
}

CertificateSpec with_validity(CertificateSpec s, Validity v) {
    if (v == Validity::expired) {
        s.not_before_offset = kExpiredNotBefore;
        s.not_after_offset = kExpiredNotAfter;
    } else if (v == Validity::not_yet_valid) {
        s.not_before_offset = kFutureNotBefore;
        s.not_after_offset = kFutureNotAfter;
    }
    return s;
}

CertificateSpec with_key(CertificateSpec s, KeyType type) {
    s.key_type = type;
    return s;
}

} // namespace

const char *role_of(Usage usage) {
    switch (usage) {
    case Usage::ca: return "ca";
    case Usage::server: return "server";
    case Usage::client: return "client";
    }
    return "client";
}

std::vector<CatalogueEntry> catalogue(const PkiOptions &options) {
    const auto validity = std::chrono::duration_cast<seconds>(options.validity);
    const auto broker = leaf_spec("hil test broker", Usage::server, validity, options);
    const auto device = leaf_spec(options.device_common_name, Usage::client, validity, options);
    const auto cloud = leaf_spec(options.cloud_common_name, Usage::client, validity, options);
    const auto named = [](CertificateSpec s, const std::string &cn) {
        s.common_name = cn;
        return s;
    };
    auto wrong_host = named(broker, "hil broker for another host");
    wrong_host.dns_names = {"not-this-host.invalid"};
    wrong_host.ip_addresses = {"192.0.2.1"}; // TEST-NET-1: nobody's address

    std::vector<CatalogueEntry> c;
    const auto add = [&c](std::string name, std::string kind, std::string issued_by, std::string provokes,
                          std::string purpose, CertificateSpec spec, Validity v = Validity::current) {
        c.push_back({std::move(name), std::move(kind), std::move(issued_by), std::move(provokes),
                     std::move(purpose), with_validity(std::move(spec), v), v, false, false});
        return &c.back();
    };
    // ---- certificate authorities
    add("ca", "ca", "", "none", "trust anchor: broker, devices and cloud chain to it",
        ca_spec("hil test root CA", validity));
    add("intermediate", "ca", "ca", "none",
        "intermediate CA (pathlen 0) under ca: issues the *_intermediate leaves",
        ca_spec("hil test intermediate CA", validity, 0));
    add("other_ca", "ca", "", "none", "an unknown root nobody trusts: issues the untrusted variants",
        ca_spec("hil unrelated root CA", validity));

    // ---- broker (server) certificates: what a device must accept or refuse
    add("broker", "broker", "ca", "none", "the embedded broker's TLS listener", broker);
    add("broker_ecdsa", "broker", "ca", "none", "good broker certificate, ECDSA P-256 key",
        with_key(named(broker, "hil test broker (ECDSA)"), KeyType::ec_p256));
    add("broker_intermediate", "broker", "intermediate", "none",
        "good broker certificate issued by the intermediate: the listener must send the chain file",
        named(broker, "hil test broker (intermediate)"))
        ->chain = true;
    add("broker_expired", "broker", "ca", "tls.server_expired",
        "expired broker certificate: the device must refuse it", named(broker, "hil expired broker"),
        Validity::expired);
    add("broker_not_yet_valid", "broker", "ca", "tls.server_not_yet_valid",
        "broker certificate valid only in ten years: the device must refuse it",
        named(broker, "hil future broker"), Validity::not_yet_valid);
    add("broker_wrong_host", "broker", "ca", "tls.hostname_mismatch",
        "broker certificate naming another host: the device must refuse it", wrong_host);
    add("broker_untrusted", "broker", "other_ca", "tls.server_untrusted",
        "broker certificate from an unknown CA: the device must refuse it",
        named(broker, "hil untrusted broker"));
    add("broker_self_signed", "broker", "", "tls.server_untrusted",
        "self-signed broker certificate: the device must refuse it", named(broker, "hil self-signed broker"));

    // ---- device and cloud (client) certificates: what a broker must accept or refuse
    add("device", "device", "ca", "none", "the device's identity (uploaded to its RAM slots)", device);
    add("device_ecdsa", "device", "ca", "none", "good device certificate, ECDSA P-256 key",
        with_key(device, KeyType::ec_p256));
    add("device_intermediate", "device", "intermediate", "none",
        "good device certificate issued by the intermediate: the device must send the chain file", device)
        ->chain = true;
    add("device_expired", "device", "ca", "tls.peer_rejected",
        "expired device certificate: the broker must refuse it", device, Validity::expired);
    add("device_not_yet_valid", "device", "ca", "tls.peer_rejected",
        "device certificate valid only in ten years: the broker must refuse it", device,
        Validity::not_yet_valid);
    add("device_unknown_ca", "device", "other_ca", "tls.peer_rejected",
        "device certificate from an unknown CA: the broker must refuse it", device);
    add("device_revoked", "device", "ca", "tls.peer_rejected",
        "device certificate listed in crl.pem: a CRL-checking broker must refuse it", device);
    add("device_mismatched_key", "device", "ca", "tls.bad_credentials",
        "device certificate with another key in its key file: the device's TLS stack must refuse the pair",
        device)
        ->mismatched_key = true;
    add("cloud", "cloud", "ca", "none", "the cloud application's identity (Paho)", cloud);

    if (options.registry_variants) {
        // Valid for TLS in every way: only a registry's status refuses them (at CONNECT, C.3).
        add("device_inactive", "device", "ca", "net.closed",
            "good device certificate a certificate registry lists as INACTIVE: refused at CONNECT", device);
        add("device_registry_revoked", "device", "ca", "net.closed",
            "good device certificate a certificate registry lists as REVOKED (not in crl.pem): refused at "
            "CONNECT",
            device);
    }
    if (options.rsa_variants) {
        // Last, so that nothing else depends on this option.
        add("broker_rsa", "broker", "ca", "none", "good broker certificate, RSA-2048 key",
            with_key(named(broker, "hil test broker (RSA)"), KeyType::rsa_2048));
        add("device_rsa", "device", "ca", "none", "good device certificate, RSA-2048 key",
            with_key(device, KeyType::rsa_2048));
    }
    return c;
}

CrlEntry crl_entry(const PkiOptions &options) {
    CrlEntry e;
    e.name = "crl";
    e.file = "crl.pem";
    e.issued_by = "ca";
    e.revokes = {"device_revoked"};
    e.purpose = "revocation list of ca: revokes device_revoked (a broker's crlfile)";
    e.spec.next_update_offset = std::chrono::duration_cast<seconds>(options.validity);
    return e;
}

} // namespace hil::pki

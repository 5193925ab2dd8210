#pragma once
// Bench files (fixtures/benches/*.yaml, docs/cli.md "Bench files"): what the bench is made of.
// The device is the virtual one; the broker is either the embedded one (profiles aws-twin and
// mosquitto: hil runs it, with the run's test PKI) or one hil does not run (profiles aws and
// external: a real AWS IoT Core endpoint, or any MQTT broker, with credentials from files).

#include "hil/broker/broker_profile.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace hil {

/// A certificate and its private key, as files.
struct IdentityFiles {
    std::filesystem::path cert; ///< PEM certificate (leaf first; a chain may follow)
    std::filesystem::path key;  ///< PEM private key, unencrypted
};

/// A broker hil does not run: profile `aws` (AWS IoT Core) or `external` (any MQTT broker). The
/// run has no broker control and no test PKI; each device connects with `device_identity` through
/// its fault proxy, the cloud client with `application_identity` (docs/decisions/0012).
struct RemoteBroker {
    std::string profile;    ///< "aws" or "external"
    std::string host;       ///< where clients connect: the endpoint's DNS name or an address
    std::uint16_t port = 0; ///< aws: 8883 unless given; external: from the URL
    bool tls = true;        ///< aws: always; external: mqtts:// / ssl://
    /// TLS: the name sent as SNI and that the broker's certificate must carry: `host` (the cloud
    /// client, Paho, sends the host of its URI; devices dial their fault proxy and name this).
    std::string server_name;
    /// TLS: the ALPN protocol offered ("" = none). aws: `x-amzn-mqtt-ca` on port 443 (AWS routes
    /// X.509 clients on 443 to MQTT only with it), none on 8883, unless the file says otherwise.
    std::string alpn;
    std::filesystem::path ca; ///< TLS: trust anchor(s) for the broker's certificate
    IdentityFiles device_identity;
    IdentityFiles application_identity;
    /// What scenarios may `require` (scenarios/README.md): aws: AWS IoT Core's; external: `mqtt`
    /// plus what the bench file declares.
    std::set<std::string> capabilities;
    /// The highest QoS the broker serves (the cloud client subscribes at most at it).
    int max_qos = 1;
};

/// Settings of a bench file.
struct BenchConfig {
    std::string name = "virtual";
    std::string bind_address = "127.0.0.1"; ///< where the embedded broker and the fault proxies listen
    std::string host_name = "localhost";    ///< the broker's name in its certificate; TLS clients use it
    bool tls = true;                        ///< devices and the cloud connect over mutual TLS
    bool require_client_certificate = true; ///< false only to prove a scenario catches a lax broker
    /// The `tls` listener checks client certificates against the run CA's CRL (refusing
    /// device_revoked); false only to prove the revocation scenario catches a broker without it.
    bool check_crl = true;
    /// aws-twin: device_inactive and device_registry_revoked are registered with those statuses;
    /// false registers them ACTIVE, only to prove the registry scenarios catch a broker ignoring it.
    bool registry_status = true;
    /// aws-twin's endpoint listeners (`endpoint`, `endpoint443`) refuse a ClientHello without the
    /// SNI `host_name` (AWS IoT Core's rule, switchable as the reference asks); false only to prove
    /// a scenario catches an endpoint that does not check it.
    bool endpoint_sni = true;
    /// `endpoint443` refuses a ClientHello that does not offer ALPN x-amzn-mqtt-ca; false only to
    /// prove a scenario catches an endpoint that does not check it.
    bool endpoint_alpn = true;
    /// RSA-2048 credentials (device_rsa, broker_rsa and the `rsa` listener). Not a bench-file key:
    /// the run asks for them when a selected scenario needs them (needs_rsa_credentials()), as
    /// their keys cost 100–600 ms to make.
    bool rsa_credentials = false;
    bool save_on_every_change = true; ///< false: Mosquitto's default persistence (loses on kill -9)
    /// Bench key `shadow_store: disk` (default) or `memory`: the twin keeps shadows in memory only,
    /// so a broker kill loses them — only to prove the shadow-survives scenario catches that.
    bool durable_shadows = true;
    BrokerProfile profile = BrokerProfile::aws_twin; ///< the run's default broker profile
    /// aws-twin: the policy of the device certificate (`application` allows everything: only to
    /// prove a policy scenario catches a permissive broker).
    std::string device_policy = "device";
    std::filesystem::path policies_dir; ///< aws-twin: the policy documents; empty: default_policies_dir()
    std::filesystem::path vdev;         ///< empty: default_vdev_path()
    /// A running `hil broker up` (its directory, or its broker.json) to use instead of starting a
    /// broker: several runs then share one broker. mosquitto profile only; no broker faults.
    std::filesystem::path attach;
    /// Profiles `aws` and `external`: the broker is not hil's (no embedded broker, no test PKI).
    std::optional<RemoteBroker> remote;
};

/// Reads a bench file. Throws ConfigError (file:line: what was expected) for unknown keys, bad
/// values, and credential files that are missing, not PEM, or a key that is not the
/// certificate's (never quoting a file's content).
[[nodiscard]] BenchConfig load_bench_file(const std::filesystem::path &file);

/// A run's profile choice (`hil run --profile`, `hil.run(profile=)`) over the bench file's: an
/// embedded broker's profile, or the remote one the file already describes. Throws UsageError
/// for an unknown name, and for aws / external without a bench file saying where and with what.
void apply_profile_option(const std::string &name, BenchConfig &config);

/// The profiles a bench file may name: the embedded broker's and `aws`, `external`.
[[nodiscard]] const std::vector<std::string_view> &bench_profile_names();

} // namespace hil

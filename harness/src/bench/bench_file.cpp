// Bench files: YAML -> BenchConfig, every problem reported with its file:line at once.
#include "hil/bench/bench_config.hpp"

#include "hil/core/error.hpp"
#include "hil/pki/pem_to_c.hpp"
#include "hil/scenario/names.hpp"

#include "../core/yaml_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>

namespace hil {

namespace {

constexpr const char *kAwsAlpn = "x-amzn-mqtt-ca";
constexpr std::uint16_t kAwsMqttPort = 8883;
constexpr std::uint16_t kAwsAlpnPort = 443;

/// Capabilities a bench file cannot declare for an external broker, and why.
const char *undeclarable(const std::string &capability) {
    if (capability == "tls") return "it means the run's test PKI, which an external broker does not have";
    if (capability == "broker-control") return "hil does not run an external broker, so it cannot kill it";
    if (capability == "virtual-device") return "the device driver decides it, not the broker";
    if (capability == "policies")
        return "the policy scenarios register things in the embedded aws-twin's registry";
    return nullptr;
}

class BenchFileReader {
  public:
    explicit BenchFileReader(std::filesystem::path file) : file_(std::move(file)) {}

    BenchConfig read() {
        const YAML::Node root = load_yaml_mapping(file_, "bench");
        for (const auto &kv : root) {
            const std::string key = kv.first.Scalar();
            if (key == "name")
                config_.name = kv.second.Scalar();
            else if (key == "broker")
                read_broker(kv.second);
            else if (key == "device")
                read_device(kv.second);
            else
                at(kv.first, "unknown key '" + key + "' (known: name, broker, device)");
        }
        if (!issues_.empty()) throw ConfigError(issues_);
        return config_;
    }

  private:
    void at(const YAML::Node &n, std::string msg) {
        issues_.push_back({file_.string(), n.Mark().line + 1, n.Mark().column + 1, std::move(msg)});
    }

    void flag(const YAML::Node &value, const std::string &key, bool &out) {
        if (value.Scalar() == "true" || value.Scalar() == "false")
            out = value.Scalar() == "true";
        else
            at(value, key + ": expected true or false");
    }

    /// Paths in a bench file are relative to it, like every path a file names.
    std::filesystem::path path(const YAML::Node &value) const { return file_.parent_path() / value.Scalar(); }

    void read_broker(const YAML::Node &broker) {
        if (!broker.IsMap()) {
            at(broker, "broker: expected a mapping");
            return;
        }
        // The profile decides which keys mean something: read it first.
        std::string profile = "aws-twin";
        YAML::Node profile_node;
        for (const auto &b : broker) {
            if (b.first.Scalar() == "profile") {
                profile = b.second.Scalar();
                profile_node = b.second;
            }
        }
        const auto &names = bench_profile_names();
        if (std::find(names.begin(), names.end(), profile) == names.end()) {
            at(profile_node, "profile: '" + profile + "' (known: aws-twin, mosquitto, aws, external)");
            return;
        }
        if (profile == "aws" || profile == "external") {
            read_remote(broker, profile);
            return;
        }
        config_.profile = *parse_broker_profile(profile);
        for (const auto &b : broker) {
            const std::string bk = b.first.Scalar();
            const YAML::Node &v = b.second;
            if (bk == "profile") {
                continue;
            } else if (bk == "bind") {
                config_.bind_address = v.Scalar();
            } else if (bk == "host_name") {
                config_.host_name = v.Scalar();
            } else if (bk == "tls") {
                flag(v, bk, config_.tls);
            } else if (bk == "require_client_certificate") {
                flag(v, bk, config_.require_client_certificate);
            } else if (bk == "check_crl") {
                flag(v, bk, config_.check_crl);
            } else if (bk == "registry_status") {
                flag(v, bk, config_.registry_status);
            } else if (bk == "endpoint_sni") {
                flag(v, bk, config_.endpoint_sni);
            } else if (bk == "endpoint_alpn") {
                flag(v, bk, config_.endpoint_alpn);
            } else if (bk == "persistence") {
                const std::string mode = v.Scalar();
                if (mode != "every-change" && mode != "mosquitto-default")
                    at(v, "persistence: '" + mode + "' (known: every-change, mosquitto-default)");
                config_.save_on_every_change = mode != "mosquitto-default";
            } else if (bk == "shadow_store") {
                const std::string store = v.Scalar();
                if (store != "disk" && store != "memory")
                    at(v, "shadow_store: '" + store + "' (known: disk, memory)");
                config_.durable_shadows = store != "memory";
            } else if (bk == "device_policy") {
                config_.device_policy = v.Scalar();
                if (config_.device_policy.empty()) at(v, "device_policy: expected a policy name");
            } else if (bk == "attach") {
                config_.attach = path(v);
            } else if (bk == "policies") {
                config_.policies_dir = path(v);
            } else {
                at(b.first,
                   "unknown broker key '" + bk + "' for profile " + profile +
                       " (known: profile, bind, host_name, tls, require_client_certificate, check_crl, "
                       "registry_status, endpoint_sni, endpoint_alpn, persistence, shadow_store, "
                       "device_policy, "
                       "policies, attach)");
            }
        }
    }

    void read_remote(const YAML::Node &broker, const std::string &profile) {
        RemoteBroker remote;
        remote.profile = profile;
        const bool aws = profile == "aws";
        const std::size_t before = issues_.size();
        std::optional<std::uint16_t> port;
        std::optional<std::string> alpn;
        YAML::Node location; // endpoint (aws) or url (external)
        bool located = false;
        YAML::Node declared;
        bool declares = false;
        std::map<std::string, YAML::Node> files; // key -> its node, for positions
        for (const auto &b : broker) {
            const std::string bk = b.first.Scalar();
            const YAML::Node &v = b.second;
            if (bk == "profile") {
                continue;
            } else if (aws && bk == "endpoint") {
                remote.host = v.Scalar();
                location = v;
                located = true;
            } else if (aws && bk == "port") {
                port = read_port(v);
            } else if (!aws && bk == "url") {
                read_url(v, remote);
                location = v;
                located = true;
            } else if (!aws && bk == "capabilities") {
                declared = v;
                declares = true;
            } else if (bk == "alpn") {
                alpn = v.Scalar();
            } else if (bk == "ca") {
                remote.ca = path(v);
                files["ca"] = v;
            } else if (bk == "device_identity" || bk == "application_identity") {
                IdentityFiles &identity =
                    bk == "device_identity" ? remote.device_identity : remote.application_identity;
                read_identity(v, bk, identity);
                files[bk] = v;
            } else {
                at(b.first, "unknown broker key '" + bk + "' for profile " + profile + " (known: " +
                                (aws ? "profile, endpoint, port" : "profile, url, capabilities") +
                                ", alpn, ca, device_identity, application_identity)");
            }
        }
        if (!located) {
            at(broker, aws ? "profile aws: expected `endpoint` (your account's iot:Data-ATS endpoint)"
                           : "profile external: expected `url` (mqtt://host:port or mqtts://host:port)");
        }
        if (aws) {
            remote.port = port.value_or(kAwsMqttPort);
            remote.alpn = alpn.value_or(remote.port == kAwsAlpnPort ? kAwsAlpn : "");
            remote.capabilities = {"mqtt",   "qos1",      "retained",      "persistent-session",
                                   "shadow", "aws-rules", "virtual-device"};
            remote.max_qos = 1;
        } else {
            remote.alpn = alpn.value_or("");
            remote.capabilities = {"mqtt", "virtual-device"};
            if (declares) read_capabilities(declared, remote.capabilities);
            remote.max_qos = remote.capabilities.count("qos2") != 0 ? 2 : 1;
        }
        if (remote.tls) {
            if (remote.ca.empty())
                at(broker, "profile " + profile + ": expected `ca` (the broker's trust anchor)");
            if (remote.device_identity.cert.empty())
                at(broker, "profile " + profile + ": expected `device_identity: {cert: FILE, key: FILE}`");
            if (remote.application_identity.cert.empty())
                at(broker,
                   "profile " + profile + ": expected `application_identity: {cert: FILE, key: FILE}`");
            check_files(files, remote);
        } else if (located && (!files.empty() || !remote.alpn.empty())) {
            at(location, "a tcp:// broker takes no credentials and no alpn (use mqtts://)");
        }
        // Both clients name the broker by the host they dial: Paho sends its URI's host as SNI.
        remote.server_name = remote.host;
        if (issues_.size() == before) config_.remote = std::move(remote);
    }

    std::optional<std::uint16_t> read_port(const YAML::Node &v) {
        try {
            const int port = v.as<int>();
            if (port >= 1 && port <= 65535) return static_cast<std::uint16_t>(port);
        } catch (const YAML::Exception &) {
        }
        at(v, "port: expected 1-65535 (AWS IoT Core: 8883, or 443 with ALPN)");
        return std::nullopt;
    }

    void read_url(const YAML::Node &v, RemoteBroker &remote) {
        const std::string &url = v.Scalar();
        const auto scheme_end = url.find("://");
        const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
        const std::string rest = scheme_end == std::string::npos ? "" : url.substr(scheme_end + 3);
        const auto colon = rest.rfind(':');
        if ((scheme != "mqtt" && scheme != "tcp" && scheme != "mqtts" && scheme != "ssl") ||
            colon == std::string::npos || colon == 0) {
            at(v, "url: '" + url + "' (expected mqtt://host:port or mqtts://host:port)");
            return;
        }
        remote.tls = scheme == "mqtts" || scheme == "ssl";
        remote.host = rest.substr(0, colon);
        try {
            std::size_t used = 0;
            const int port = std::stoi(rest.substr(colon + 1), &used);
            if (used == rest.size() - colon - 1 && port >= 1 && port <= 65535) {
                remote.port = static_cast<std::uint16_t>(port);
                return;
            }
        } catch (const std::exception &) {
        }
        at(v, "url: '" + url + "': the port must be 1-65535");
    }

    void read_identity(const YAML::Node &v, const std::string &key, IdentityFiles &out) {
        if (!v.IsMap() || !v["cert"] || !v["key"]) {
            at(v, key + ": expected {cert: FILE, key: FILE}");
            return;
        }
        out.cert = path(v["cert"]);
        out.key = path(v["key"]);
        for (const auto &entry : v) {
            const std::string k = entry.first.Scalar();
            if (k != "cert" && k != "key")
                at(entry.first, key + ": unknown key '" + k + "' (known: cert, key)");
        }
    }

    void read_capabilities(const YAML::Node &v, std::set<std::string> &out) {
        if (!v.IsSequence()) {
            at(v, "capabilities: expected a list, e.g. [qos2, retained, persistent-session]");
            return;
        }
        for (const auto &item : v) {
            const std::string name = item.Scalar();
            if (!names::contains(names::capabilities(), name)) {
                const auto near = names::nearest(names::capabilities(), name);
                at(item, "unknown capability '" + name + "'" +
                             (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
            } else if (const char *why = undeclarable(name)) {
                at(item, "capability '" + name + "' cannot be declared: " + why);
            } else {
                out.insert(name);
            }
        }
    }

    /// The credentials must be usable before the run starts: a bad file found mid-run would fail
    /// every scenario with a TLS error instead of one clear line.
    void check_files(const std::map<std::string, YAML::Node> &files, const RemoteBroker &remote) {
        const auto check = [&](const char *key, const std::function<void()> &run) {
            const auto node = files.find(key);
            if (node == files.end()) return;
            try {
                run();
            } catch (const UsageError &e) {
                at(node->second, std::string(key) + ": " + e.what());
            }
        };
        check("ca", [&] { check_pem_credentials(remote.ca, {}, {}); });
        check("device_identity",
              [&] { check_pem_credentials({}, remote.device_identity.cert, remote.device_identity.key); });
        check("application_identity", [&] {
            check_pem_credentials({}, remote.application_identity.cert, remote.application_identity.key);
        });
    }

    void read_device(const YAML::Node &device) {
        for (const auto &d : device) {
            const std::string dk = d.first.Scalar();
            if (dk == "driver") {
                if (d.second.Scalar() != "virtual")
                    at(d.second, "device driver '" + d.second.Scalar() +
                                     "' is not available in this version (known: virtual)");
            } else if (dk == "executable") {
                config_.vdev = d.second.Scalar();
            } else {
                at(d.first, "unknown device key '" + dk + "' (known: driver, executable)");
            }
        }
    }

    std::filesystem::path file_;
    BenchConfig config_;
    std::vector<ConfigIssue> issues_;
};

} // namespace

const std::vector<std::string_view> &bench_profile_names() {
    static const std::vector<std::string_view> names = {"aws-twin", "mosquitto", "aws", "external"};
    return names;
}

void apply_profile_option(const std::string &name, BenchConfig &config) {
    if (config.remote) {
        if (name != config.remote->profile) {
            throw UsageError("--profile " + name + ": the bench file describes a broker with profile " +
                             config.remote->profile + ", which hil does not run");
        }
        return;
    }
    if (name == "aws" || name == "external") {
        throw UsageError(
            "--profile " + name +
            " needs a bench file with the broker's endpoint and credentials (docs/cli.md, Bench files)");
    }
    const auto profile = parse_broker_profile(name);
    if (!profile)
        throw UsageError("unknown broker profile '" + name + "' (known: aws-twin, mosquitto, aws, external)");
    config.profile = *profile;
}

BenchConfig load_bench_file(const std::filesystem::path &file) {
    return BenchFileReader(file).read();
}

} // namespace hil

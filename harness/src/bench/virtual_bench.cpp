#include "hil/bench/virtual_bench.hpp"

#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/device/credentials.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/faults/fault_proxy.hpp"
#include "hil/scenario/template.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <shared_mutex>

#include <signal.h>

namespace hil {

BenchConfig load_bench_file(const std::filesystem::path &file) {
    BenchConfig config;
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile &) {
        throw ConfigError(ConfigIssue{file.string(), 0, 0, "cannot read the bench file"});
    } catch (const YAML::Exception &e) {
        throw ConfigError(
            ConfigIssue{file.string(), e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    }
    std::vector<ConfigIssue> issues;
    auto at = [&](const YAML::Node &n, std::string msg) {
        issues.push_back({file.string(), n.Mark().line + 1, n.Mark().column + 1, std::move(msg)});
    };
    if (!root.IsMap()) throw ConfigError(ConfigIssue{file.string(), 1, 1, "a bench file must be a mapping"});
    for (const auto &kv : root) {
        const std::string key = kv.first.Scalar();
        if (key == "name")
            config.name = kv.second.Scalar();
        else if (key == "broker") {
            for (const auto &b : kv.second) {
                const std::string bk = b.first.Scalar();
                const auto flag = [&](bool &out) {
                    if (b.second.Scalar() == "true" || b.second.Scalar() == "false")
                        out = b.second.Scalar() == "true";
                    else
                        at(b.second, bk + ": expected true or false");
                };
                if (bk == "bind") {
                    config.bind_address = b.second.Scalar();
                } else if (bk == "host_name") {
                    config.host_name = b.second.Scalar();
                } else if (bk == "tls") {
                    flag(config.tls);
                } else if (bk == "require_client_certificate") {
                    flag(config.require_client_certificate);
                } else if (bk == "check_crl") {
                    flag(config.check_crl);
                } else if (bk == "registry_status") {
                    flag(config.registry_status);
                } else if (bk == "persistence") {
                    const std::string mode = b.second.Scalar();
                    if (mode != "every-change" && mode != "mosquitto-default") {
                        at(b.second, "persistence: '" + mode + "' (known: every-change, mosquitto-default)");
                    }
                    config.save_on_every_change = mode != "mosquitto-default";
                } else if (bk == "profile") {
                    if (const auto profile = parse_broker_profile(b.second.Scalar()))
                        config.profile = *profile;
                    else
                        at(b.second, "profile: '" + b.second.Scalar() + "' (known: aws-twin, mosquitto)");
                } else if (bk == "device_policy") {
                    config.device_policy = b.second.Scalar();
                    if (config.device_policy.empty()) at(b.second, "device_policy: expected a policy name");
                } else if (bk == "attach") {
                    config.attach = file.parent_path() / b.second.Scalar();
                } else if (bk == "policies") {
                    // Relative to the bench file, like every path a file names.
                    config.policies_dir = file.parent_path() / b.second.Scalar();
                } else {
                    at(b.first,
                       "unknown broker key '" + bk +
                           "' (known: bind, host_name, tls, require_client_certificate, check_crl, "
                           "registry_status, persistence, profile, device_policy, policies, attach)");
                }
            }
        } else if (key == "device") {
            for (const auto &d : kv.second) {
                const std::string dk = d.first.Scalar();
                if (dk == "driver") {
                    if (d.second.Scalar() != "virtual")
                        at(d.second, "device driver '" + d.second.Scalar() +
                                         "' is not available in this version (known: virtual)");
                } else if (dk == "executable") {
                    config.vdev = d.second.Scalar();
                } else {
                    at(d.first, "unknown device key '" + dk + "' (known: driver, executable)");
                }
            }
        } else {
            at(kv.first, "unknown key '" + key + "' (known: name, broker, device)");
        }
    }
    if (!issues.empty()) throw ConfigError(issues);
    return config;
}

namespace {

constexpr auto kSetupTimeout = std::chrono::seconds(10);

/// One execution on the virtual bench. Each device reaches the broker through its own fault
/// proxy (`link-<handle>`), so link faults hit one device only; the broker is shared by the
/// executions of the run (of its profile), so broker faults need the execution to run alone
/// (`exclusive`).
class VirtualScenarioBench final : public ScenarioBench, public Faults {
  public:
    VirtualScenarioBench(const BenchConfig &config, EmbeddedBroker &broker, const TestPki &pki, EventBus &bus,
                         const ExecutionRequest &request, const std::vector<std::string> &misbehaviours,
                         std::shared_mutex &broker_use, std::shared_ptr<PahoCloudConnection> cloud_connection)
        : config_(config), broker_(broker), pki_(pki), bus_(bus), run_(request.run), dir_(request.log_dir),
          misbehaviours_(misbehaviours), tls_(config.tls) {
        if (request.exclusive)
            exclusive_lock_ = std::unique_lock(broker_use);
        else
            shared_lock_ = std::shared_lock(broker_use);
        const BrokerEndpoint &main = tls_ ? broker.tls("tls") : broker.plain();
        vars_ = {{"run", run_},
                 {"run_id", run_.substr(0, run_.find('-'))},
                 {"thing", "hil-" + run_ + "-dut"},
                 {"client_id", "hil-" + run_ + "-dut"},
                 {"cloud.client_id", cloud_connection->options().client_id},
                 {"broker.host", main.host},
                 {"broker.port", std::to_string(main.port)},
                 {"broker.url", main.uri()}};
        for (const auto &[name, endpoint] : broker.endpoints()) {
            vars_["broker." + name + ".host"] = endpoint.host;
            vars_["broker." + name + ".port"] = std::to_string(endpoint.port);
            vars_["broker." + name + ".url"] = endpoint.uri();
        }
        endpoint_ = main;
        opened_ = bus.next_seq();
        logs_["broker"] = broker.log_path().string();
        for (const auto &decl : request.devices) {
            // Each handle has its own identity; `${thing}`/`${client_id}` name the `dut`'s.
            const std::string &handle = decl.handle;
            const std::string thing =
                decl.thing.empty() ? "hil-" + run_ + "-" + handle : substitute(decl.thing, vars_);
            const std::string client_id = decl.client_id.empty() ? thing : substitute(decl.client_id, vars_);
            vars_["device." + handle + ".thing"] = thing;
            vars_["device." + handle + ".client_id"] = client_id;
            client_ids_[handle] = client_id;
            things_[handle] = thing;
            identities_[handle] = decl.identity.empty() ? kDeviceCertificate : decl.identity;
            (void)pki_.get(identities_[handle]); // a bench without it (RSA off) fails here, not mid-run
            if (handle == "dut") {
                vars_["thing"] = thing;
                vars_["client_id"] = client_id;
            }
        }
        register_things();
        try {
            for (const auto &decl : request.devices) {
                faults::ProxyOptions link;
                link.name = "link-" + decl.handle;
                link.listen_address = config.bind_address;
                link.upstream_host = config.bind_address;
                link.upstream_port = main.port;
                link.context = run_;
                links_.emplace(decl.handle, std::make_unique<faults::FaultProxy>(link, bus));
                start_device(decl.handle);
            }
            // The broker's shared cloud connection: connected once, so an execution costs no
            // MQTT connect (and no wait on Paho's socket poll).
            cloud_ = std::make_unique<PahoCloudClient>(std::move(cloud_connection), run_);
            cloud_->connect(Deadline::after(kSetupTimeout));
        } catch (...) {
            unregister_things(); // no destructor runs for a half-built execution
            throw;
        }
    }

    ~VirtualScenarioBench() override {
        // A paused broker would leave the next execution hanging: an execution ends with it running.
        if (broker_paused_) broker_.resume();
        cloud_.reset();
        devices_.clear();
        links_.clear();
        unregister_things();
    }

    DeviceSession &device(const std::string &handle) override { return device_of(handle).session(); }
    CloudClient &cloud() override { return *cloud_; }
    const std::map<std::string, std::string, std::less<>> &variables() const override { return vars_; }
    std::map<std::string, std::string> logs() const override { return logs_; }
    Faults &faults() override { return *this; }

    std::vector<std::string> broker_sessions(const std::string &client_id, Deadline until) override {
        return broker_.sessions(client_id, opened_, until);
    }

    nlohmann::json connect_defaults(const std::string &handle) const override {
        // The device dials its fault proxy; over TLS it still names (and verifies) the broker.
        const auto link = links_.find(handle);
        nlohmann::json args = {{"host", endpoint_.host},
                               {"port", link != links_.end() ? link->second->port() : endpoint_.port},
                               {"client_id", client_ids_.count(handle) != 0 ? client_ids_.at(handle)
                                                                            : "hil-" + run_ + "-" + handle}};
        if (tls_) {
            args["tls"] = true;
            args["ca_slot"] = slots_.ca;
            args["cert_slot"] = slots_.cert;
            args["key_slot"] = slots_.key;
        }
        return args;
    }

    // ---- Faults ------------------------------------------------------------------------------
    void add_toxic(const std::string &handle, faults::ToxicSpec spec) override {
        link_of(handle).add(std::move(spec));
    }
    void remove_toxic(const std::string &handle, const std::string &name) override {
        if (!link_of(handle).remove(name))
            throw InfraError("no toxic '" + name + "' on the link of '" + handle + "'");
    }
    void reset_link(const std::string &handle) override { link_of(handle).reset_connections(); }
    void broker_kill() override {
        require_exclusive("fault.broker.kill");
        broker_.kill();
    }
    void broker_restart() override {
        require_exclusive("fault.broker.restart");
        broker_paused_ = false;
        broker_.restart();
    }
    void broker_pause() override {
        require_exclusive("fault.broker.pause");
        broker_.pause();
        broker_paused_ = true;
    }
    void broker_resume() override {
        require_exclusive("fault.broker.resume");
        broker_.resume();
        broker_paused_ = false;
    }
    void device_kill(const std::string &handle) override {
        auto &device = device_of(handle);
        ::kill(device.process().pid(), SIGKILL);
        device.process().wait_exit(Deadline::after(std::chrono::seconds(5)));
    }
    void device_restart(const std::string &handle) override {
        device_of(handle); // exists?
        devices_.erase(handle);
        start_device(handle);
    }

  private:
    /// aws-twin over TLS: the devices' things exist, attached to each handle's identity (the run's
    /// device certificate unless `identity:` names another), before any device can connect
    /// (CONNECT is allowed only as one of its things).
    void register_things() {
        if (broker_.profile() != BrokerProfile::aws_twin || !tls_ || things_.empty()) return;
        broker_.update_registry([&](TwinRegistry &registry) {
            for (const auto &[handle, thing] : things_) {
                registry.attach_thing(identities_.at(handle), thing, {{{"run", run_}, {"handle", handle}}});
            }
        });
        registered_ = true;
    }

    void unregister_things() noexcept {
        if (!registered_) return;
        try {
            broker_.update_registry([&](TwinRegistry &registry) {
                for (const auto &[handle, thing] : things_) registry.remove_thing(thing);
            });
        } catch (const std::exception &e) {
            // The things stay registered: harmless for the rest of the run (names are unique).
            bus_.publish(Source::harness, "bench", "bench.warning",
                         {{"text", std::string("could not remove the execution's things: ") + e.what()}},
                         run_);
        }
    }

    void start_device(const std::string &handle) {
        VirtualDeviceOptions opts;
        opts.name = handle;
        opts.context = run_;
        opts.executable = config_.vdev;
        opts.misbehaviours = misbehaviours_;
        opts.log_dir = dir_;
        auto device = std::make_unique<VirtualDevice>(opts, bus_);
        logs_["console-" + handle] = device->session().console_log().string();
        logs_["vdev-" + handle] = device->process().log_path().string();
        if (tls_) provision(device->session(), pki_.get(identities_.at(handle)));
        devices_[handle] = std::move(device);
    }

    // The device's identity goes in over its console, as on a board: no reflashing per identity
    // (and a restarted device has empty RAM slots again). One issued by the intermediate goes in
    // with its chain: the broker trusts only the root.
    void provision(DeviceSession &session, const Credential &identity) const {
        const auto deadline = Deadline::after(kSetupTimeout);
        upload_credential(session, slots_.ca, read_text_file(pki_.ca().cert), deadline);
        upload_credential(session, slots_.cert,
                          read_text_file(identity.chain.empty() ? identity.cert : identity.chain), deadline);
        upload_credential(session, slots_.key, read_text_file(identity.key), deadline);
    }

    VirtualDevice &device_of(const std::string &handle) {
        const auto it = devices_.find(handle);
        if (it == devices_.end()) throw InfraError("the bench has no device '" + handle + "'");
        return *it->second;
    }
    faults::FaultProxy &link_of(const std::string &handle) {
        const auto it = links_.find(handle);
        if (it == links_.end()) throw InfraError("the bench has no link for device '" + handle + "'");
        return *it->second;
    }
    void require_exclusive(const char *step) const {
        if (!exclusive_lock_.owns_lock()) {
            throw InfraError(std::string(step) + " needs the broker to itself, but this execution shares it");
        }
    }

    const BenchConfig &config_;
    EmbeddedBroker &broker_;
    const TestPki &pki_;
    EventBus &bus_;
    std::string run_;
    std::filesystem::path dir_;
    std::vector<std::string> misbehaviours_;
    bool tls_;
    bool broker_paused_ = false;
    std::shared_lock<std::shared_mutex> shared_lock_;
    std::unique_lock<std::shared_mutex> exclusive_lock_;
    CredentialSlots slots_;
    BrokerEndpoint endpoint_;
    std::map<std::string, std::string, std::less<>> vars_;
    std::map<std::string, std::string> logs_;
    std::map<std::string, std::unique_ptr<faults::FaultProxy>> links_;
    std::map<std::string, std::unique_ptr<VirtualDevice>> devices_;
    std::map<std::string, std::string> client_ids_;
    std::map<std::string, std::string> things_;     // handle -> thing name
    std::map<std::string, std::string> identities_; // handle -> catalogue name of its credential
    std::uint64_t opened_ = 0;                      // the bus sequence number the execution began at
    bool registered_ = false;
    std::unique_ptr<PahoCloudClient> cloud_;
};

} // namespace

const std::vector<TlsListenerVariant> &tls_listener_variants() {
    // Names are scenario variables (`${broker.<name>.port}`, builtin_variable_names()).
    static const std::vector<TlsListenerVariant> variants = {{"untrusted", "broker_untrusted"},
                                                             {"wronghost", "broker_wrong_host"},
                                                             {"expired", "broker_expired"},
                                                             {"notyetvalid", "broker_not_yet_valid"},
                                                             {"selfsigned", "broker_self_signed"},
                                                             {"intermediate", "broker_intermediate"},
                                                             {"rsa", "broker_rsa"}};
    return variants;
}

bool needs_rsa_credentials(const Scenario &scenario) {
    const auto rsa_identity = [](const DeviceDecl &d) {
        for (const auto &entry : catalogue_names()) {
            if (entry.name == d.identity) return entry.key_type == "rsa-2048";
        }
        return false;
    };
    const bool rsa_listener =
        std::any_of(scenario.builtins.begin(), scenario.builtins.end(),
                    [](const std::string &name) { return name.starts_with("broker.rsa."); });
    return rsa_listener || std::any_of(scenario.devices.begin(), scenario.devices.end(), rsa_identity);
}

std::string registry_status(const std::string &credential) {
    if (credential == "device_inactive") return "INACTIVE";
    if (credential == "device_registry_revoked") return "REVOKED";
    return "ACTIVE";
}

std::set<std::string> profile_capabilities(BrokerProfile profile, bool tls) {
    if (profile == BrokerProfile::mosquitto) return {"qos2"};
    std::set<std::string> caps = {"aws-rules"};
    if (tls) caps.insert("policies"); // clients without a certificate are not bound by policies
    return caps;
}

EmbeddedBrokerOptions run_broker_options(const BenchConfig &config, BrokerProfile profile, const TestPki &pki,
                                         const std::filesystem::path &dir, bool test_listeners) {
    EmbeddedBrokerOptions opts;
    opts.bind_address = config.bind_address;
    opts.host_name = config.host_name;
    opts.dir = dir;
    opts.save_on_every_change = config.save_on_every_change;
    opts.twin_plugin = default_twin_plugin_path();
    opts.profile = profile;
    // Only `tls` checks the CRL: the test listeners refuse the device's server checks, and the
    // `intermediate` one must accept device_intermediate, whose issuer has no CRL.
    opts.tls_listeners = {{"tls", pki.ca().cert, pki.broker().cert, pki.broker().key,
                           config.require_client_certificate,
                           config.check_crl ? pki.crl().file : std::filesystem::path()}};
    for (const auto &variant : test_listeners ? tls_listener_variants() : std::vector<TlsListenerVariant>{}) {
        if (pki.all().count(variant.credential) == 0) continue; // broker_rsa without RSA credentials
        const Credential &server = pki.get(variant.credential);
        opts.tls_listeners.push_back({variant.name, pki.ca().cert,
                                      server.chain.empty() ? server.cert : server.chain, server.key,
                                      config.require_client_certificate, ""});
    }
    if (profile == BrokerProfile::aws_twin) {
        opts.policies_dir = config.policies_dir.empty() ? default_policies_dir() : config.policies_dir;
        // Every device identity a scenario may choose: a refusal of one by TLS must not be the
        // registry's, and two of them exist to be refused by the registry.
        for (const auto &[name, credential] : pki.all()) {
            if (credential.kind != "device") continue;
            opts.registry.add_certificate(name, {credential.sha256_fingerprint,
                                                 config.registry_status ? registry_status(name) : "ACTIVE",
                                                 {config.device_policy},
                                                 {}});
        }
        opts.registry.add_certificate(kCloudCertificate,
                                      {pki.cloud().sha256_fingerprint, "ACTIVE", {kApplicationPolicy}, {}});
    }
    return opts;
}

VirtualBench::VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                           std::vector<std::string> misbehaviours)
    : config_(std::move(config)), bus_(bus), run_dir_(run_dir), misbehaviours_(std::move(misbehaviours)) {
    shadow_ = !default_twin_plugin_path().empty();
    for (const auto name : broker_profile_names()) {
        brokers_.emplace(*parse_broker_profile(name), std::make_unique<BrokerSlot>());
    }
    if (!config_.attach.empty()) {
        attach_to(config_.attach);
        return;
    }
    PkiOptions pki_options;
    pki_options.dns_names = {config_.host_name};
    pki_options.ip_addresses = {config_.bind_address};
    pki_options.registry_variants = true;
    pki_options.rsa_variants = config_.rsa_credentials;
    pki_ = TestPki::create(run_dir / "pki", pki_options);
    bus_.publish(Source::harness, "pki", "pki.created", {{"dir", pki_->dir().string()}});
    started(config_.profile); // the default profile's broker: a bench that cannot start fails here
}

VirtualBench::~VirtualBench() = default;

void VirtualBench::attach_to(const std::filesystem::path &where) {
    const auto description = std::filesystem::is_directory(where) ? where / "broker.json" : where;
    auto broker = EmbeddedBroker::attach(description, bus_);
    if (broker->profile() == BrokerProfile::aws_twin) {
        // Its registry of things is the other process's: this run could not add its own.
        throw InfraError("cannot attach to the aws-twin broker of " + description.string() +
                         ": its registry belongs to the process running it; start it with `hil broker up "
                         "--profile mosquitto` to share it between runs");
    }
    pki_ = TestPki::load(description.parent_path() / "pki");
    config_.profile = broker->profile();
    bus_.publish(Source::harness, "bench", "broker.attached",
                 {{"description", description.string()}, {"profile", to_string(broker->profile())}});
    brokers_.at(config_.profile)->broker = std::move(broker);
}

EmbeddedBroker &VirtualBench::started(BrokerProfile profile) {
    BrokerSlot &slot = *brokers_.at(profile);
    const std::lock_guard lock(slot.start);
    if (slot.broker) return *slot.broker;
    if (!config_.attach.empty()) {
        throw InfraError("the bench is attached to a " + std::string(to_string(config_.profile)) +
                         " broker; it cannot start a " + std::string(to_string(profile)) + " one");
    }
    if (!slot.failed.empty()) throw InfraError(slot.failed); // once is enough to find out
    // The default profile's broker keeps the historical names (`<run>/broker`, origin `mosquitto`).
    const bool main = profile == config_.profile;
    const std::string suffix = main ? "" : "-" + std::string(to_string(profile));
    auto options = run_broker_options(config_, profile, *pki_, run_dir_ / ("broker" + suffix));
    options.name = "mosquitto" + suffix;
    try {
        slot.broker = std::make_unique<EmbeddedBroker>(std::move(options), bus_);
    } catch (const InfraError &e) {
        slot.failed = "the " + std::string(to_string(profile)) + " broker did not start: " + e.what() +
                      (e.log_path().empty() ? "" : " (log: " + e.log_path() + ")");
        throw;
    }
    return *slot.broker;
}

const EmbeddedBroker &VirtualBench::broker() const {
    return *brokers_.at(config_.profile)->broker;
}

std::string VirtualBench::default_profile() const {
    return std::string(to_string(config_.profile));
}

std::set<std::string> VirtualBench::capabilities() const {
    return capabilities_for(default_profile()).value_or(std::set<std::string>{});
}

std::optional<std::set<std::string>> VirtualBench::capabilities_for(const std::string &name) const {
    const auto profile = name.empty() ? config_.profile : parse_broker_profile(name);
    if (!profile) return std::nullopt; // aws, external: not a virtual bench's
    if (*profile == BrokerProfile::aws_twin && !shadow_) return std::nullopt;        // needs the plugin
    if (!config_.attach.empty() && *profile != config_.profile) return std::nullopt; // one broker only
    std::set<std::string> caps = {"mqtt", "qos1", "retained", "persistent-session", "virtual-device"};
    if (config_.attach.empty()) caps.insert("broker-control"); // an attached broker is not ours to kill
    if (config_.tls) caps.insert("tls");
    if (shadow_) caps.insert("shadow");
    caps.merge(profile_capabilities(*profile, config_.tls));
    return caps;
}

std::unique_ptr<ScenarioBench> VirtualBench::open(const ExecutionRequest &request) {
    const auto profile = request.profile.empty() ? config_.profile : parse_broker_profile(request.profile);
    if (!profile) throw InfraError("the virtual bench has no broker profile '" + request.profile + "'");
    EmbeddedBroker &broker = started(*profile);
    std::vector<std::string> all = misbehaviours_;
    all.insert(all.end(), request.misbehaviours.begin(), request.misbehaviours.end());
    BrokerSlot &slot = *brokers_.at(*profile);
    std::shared_ptr<PahoCloudConnection> connection;
    {
        std::lock_guard lock(slot.cloud_start);
        if (!slot.cloud) {
            const BrokerEndpoint &main = config_.tls ? broker.tls("tls") : broker.plain();
            PahoCloudOptions cloud;
            cloud.server_uri = main.uri();
            cloud.client_id = "hil-" + request.run.substr(0, request.run.find('-')) + "-cloud";
            // AWS IoT Core closes a QoS 2 SUBSCRIBE: the cloud client asks for what the broker serves.
            cloud.max_qos = broker.profile() == BrokerProfile::aws_twin ? 1 : 2;
            if (config_.tls) cloud.tls = CloudTls{pki_->ca().cert, pki_->cloud().cert, pki_->cloud().key};
            slot.cloud = std::make_shared<PahoCloudConnection>(cloud, bus_);
        }
        connection = slot.cloud;
    }
    return std::make_unique<VirtualScenarioBench>(config_, broker, *pki_, bus_, request, all, slot.use,
                                                  std::move(connection));
}

} // namespace hil

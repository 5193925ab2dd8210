#include "hil/bench/virtual_bench.hpp"

#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/device/credentials.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/faults/fault_proxy.hpp"
#include "hil/scenario/template.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <shared_mutex>

#include <signal.h>

namespace hil {

namespace {

constexpr auto kSetupTimeout = std::chrono::seconds(10);

/// What an execution's clients connect to, and with which credentials: the embedded broker with
/// the run's test PKI, or a broker hil does not run (aws, external) with the bench file's files.
struct BrokerAccess {
    EmbeddedBroker *embedded = nullptr; ///< nullptr: not hil's (no faults, no sessions, no registry)
    BrokerEndpoint main;                ///< where the devices' links and the cloud client go
    std::string server_name;            ///< TLS to a remote broker: the SNI devices send
    std::string alpn;                   ///< TLS to a remote broker: the ALPN devices offer
    std::filesystem::path ca;
    /// A device handle's identity by name (a PKI catalogue name); throws InfraError if none.
    std::function<const Credential &(const std::string &)> identity;
};

/// One execution on the virtual bench. Each device reaches the broker through its own fault
/// proxy (`link-<handle>`), so link faults hit one device only; the broker is shared by the
/// executions of the run (of its profile), so broker faults need the execution to run alone
/// (`exclusive`).
class VirtualScenarioBench final : public ScenarioBench, public Faults {
  public:
    VirtualScenarioBench(const BenchConfig &config, BrokerAccess access, EventBus &bus,
                         const ExecutionRequest &request, const std::vector<std::string> &misbehaviours,
                         std::shared_mutex &broker_use, std::shared_ptr<PahoCloudConnection> cloud_connection)
        : config_(config), access_(std::move(access)), broker_(access_.embedded), bus_(bus),
          run_(request.run), dir_(request.log_dir), misbehaviours_(misbehaviours), tls_(access_.main.tls) {
        if (request.exclusive)
            exclusive_lock_ = std::unique_lock(broker_use);
        else
            shared_lock_ = std::shared_lock(broker_use);
        const BrokerEndpoint &main = access_.main;
        vars_ = {{"run", run_},
                 {"run_id", run_.substr(0, run_.find('-'))},
                 {"thing", "hil-" + run_ + "-dut"},
                 {"client_id", "hil-" + run_ + "-dut"},
                 {"cloud.client_id", cloud_connection->options().client_id},
                 {"broker.host", main.host},
                 {"broker.port", std::to_string(main.port)},
                 {"broker.url", main.uri()}};
        if (broker_ != nullptr) {
            for (const auto &[name, endpoint] : broker_->endpoints()) {
                vars_["broker." + name + ".host"] = endpoint.host;
                vars_["broker." + name + ".port"] = std::to_string(endpoint.port);
                vars_["broker." + name + ".url"] = endpoint.uri();
            }
            logs_["broker"] = broker_->log_path().string();
        }
        endpoint_ = main;
        opened_ = bus.next_seq();
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
            (void)access_.identity(identities_[handle]); // a bench without it fails here, not mid-run
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
                link.upstream_host = broker_ != nullptr ? config.bind_address : main.host;
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
        if (broker_paused_) broker_->resume();
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
        if (broker_ == nullptr) return ScenarioBench::broker_sessions(client_id, until); // throws
        return broker_->sessions(client_id, opened_, until);
    }

    nlohmann::json connect_defaults(const std::string &handle) const override {
        // The device dials its fault proxy; over TLS it still names (and verifies) the broker. The
        // embedded broker's name resolves to the proxy's address (both on loopback); a remote
        // broker's does not, so the device dials the address and names the broker with `sni`.
        const auto link = links_.find(handle);
        const bool remote = broker_ == nullptr;
        nlohmann::json args = {
            {"host", remote && link != links_.end() ? config_.bind_address : endpoint_.host},
            {"port", link != links_.end() ? link->second->port() : endpoint_.port},
            {"client_id",
             client_ids_.count(handle) != 0 ? client_ids_.at(handle) : "hil-" + run_ + "-" + handle}};
        if (tls_) {
            args["tls"] = true;
            args["ca_slot"] = slots_.ca;
            args["cert_slot"] = slots_.cert;
            args["key_slot"] = slots_.key;
            if (remote) args["sni"] = access_.server_name;
            if (remote && !access_.alpn.empty()) args["alpn"] = access_.alpn;
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
    void broker_kill() override { own_broker("fault.broker.kill").kill(); }
    void broker_restart() override {
        EmbeddedBroker &broker = own_broker("fault.broker.restart");
        broker_paused_ = false;
        broker.restart();
    }
    void broker_pause() override {
        own_broker("fault.broker.pause").pause();
        broker_paused_ = true;
    }
    void broker_resume() override {
        own_broker("fault.broker.resume").resume();
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
        if (broker_ == nullptr || broker_->profile() != BrokerProfile::aws_twin || !tls_ || things_.empty())
            return;
        broker_->update_registry([&](TwinRegistry &registry) {
            for (const auto &[handle, thing] : things_) {
                registry.attach_thing(identities_.at(handle), thing, {{{"run", run_}, {"handle", handle}}});
            }
        });
        registered_ = true;
    }

    void unregister_things() noexcept {
        if (!registered_) return;
        try {
            broker_->update_registry([&](TwinRegistry &registry) {
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
        if (tls_) provision(device->session(), access_.identity(identities_.at(handle)));
        devices_[handle] = std::move(device);
    }

    // The device's identity goes in over its console, as on a board: no reflashing per identity
    // (and a restarted device has empty RAM slots again). One issued by the intermediate goes in
    // with its chain: the broker trusts only the root.
    void provision(DeviceSession &session, const Credential &identity) const {
        const auto deadline = Deadline::after(kSetupTimeout);
        upload_credential(session, slots_.ca, read_text_file(access_.ca), deadline);
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
    /// The broker a broker fault acts on: hil's own, held by this execution alone.
    EmbeddedBroker &own_broker(const char *step) const {
        if (broker_ == nullptr)
            throw InfraError(std::string(step) + ": hil does not run this bench's broker");
        if (!exclusive_lock_.owns_lock()) {
            throw InfraError(std::string(step) + " needs the broker to itself, but this execution shares it");
        }
        return *broker_;
    }

    const BenchConfig &config_;
    BrokerAccess access_;
    EmbeddedBroker *broker_; // access_.embedded
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
    if (tls) caps.insert("policies");     // clients without a certificate are not bound by policies
    if (tls) caps.insert("aws-endpoint"); // the endpoint rules front the mutual-TLS listener
    return caps;
}

EmbeddedBrokerOptions run_broker_options(const BenchConfig &config, BrokerProfile profile, const TestPki &pki,
                                         const std::filesystem::path &dir, bool test_listeners) {
    EmbeddedBrokerOptions opts;
    opts.bind_address = config.bind_address;
    opts.host_name = config.host_name;
    opts.dir = dir;
    opts.save_on_every_change = config.save_on_every_change;
    opts.durable_shadows = config.durable_shadows;
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
        opts.endpoint_rules = EndpointRules{config.endpoint_sni, config.endpoint_alpn};
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
    if (config_.remote) {
        use_remote(*config_.remote);
        return;
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

void VirtualBench::use_remote(const RemoteBroker &remote) {
    remote_slot_ = std::make_unique<BrokerSlot>();
    remote_device_.name = kDeviceCertificate;
    remote_device_.kind = "device";
    remote_device_.cert = remote.device_identity.cert;
    remote_device_.key = remote.device_identity.key;
    // Where, and how, never with what: key files are named in the bench file, not here.
    bus_.publish(Source::harness, "bench", "broker.remote",
                 {{"profile", remote.profile},
                  {"host", remote.host},
                  {"port", remote.port},
                  {"tls", remote.tls},
                  {"alpn", remote.alpn},
                  {"capabilities", remote.capabilities}});
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
    if (config_.remote)
        throw InfraError("the bench's broker (profile " + config_.remote->profile + ") is not hil's");
    return *brokers_.at(config_.profile)->broker;
}

const TestPki &VirtualBench::pki() const {
    if (!pki_) throw InfraError("a bench with profile " + default_profile() + " has no test PKI");
    return *pki_;
}

std::string VirtualBench::default_profile() const {
    return config_.remote ? config_.remote->profile : std::string(to_string(config_.profile));
}

std::string VirtualBench::profile_for(const std::string &pin) const {
    if (config_.remote && remote_serves(pin)) return config_.remote->profile;
    return pin.empty() ? default_profile() : pin;
}

std::set<std::string> VirtualBench::capabilities() const {
    return capabilities_for(default_profile()).value_or(std::set<std::string>{});
}

std::optional<std::set<std::string>> VirtualBench::capabilities_for(const std::string &name) const {
    if (config_.remote) {
        // A pin chooses between the embedded broker's profiles (qos2 scenarios pin mosquitto
        // because aws-twin closes QoS 2): on a broker hil does not run, what it offers decides.
        if (!remote_serves(name)) return std::nullopt;
        return config_.remote->capabilities;
    }
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
    std::vector<std::string> all = misbehaviours_;
    all.insert(all.end(), request.misbehaviours.begin(), request.misbehaviours.end());
    if (config_.remote) return open_remote(request, all);
    const auto profile = request.profile.empty() ? config_.profile : parse_broker_profile(request.profile);
    if (!profile) throw InfraError("the virtual bench has no broker profile '" + request.profile + "'");
    EmbeddedBroker &broker = started(*profile);
    BrokerSlot &slot = *brokers_.at(*profile);
    BrokerAccess access;
    access.embedded = &broker;
    access.main = config_.tls ? broker.tls("tls") : broker.plain();
    access.ca = pki_->ca().cert;
    access.identity = [pki = &*pki_](const std::string &name) -> const Credential & {
        return pki->get(name);
    };
    auto connection = shared_cloud(slot, request.run, [&] {
        PahoCloudOptions cloud;
        cloud.server_uri = access.main.uri();
        // AWS IoT Core closes a QoS 2 SUBSCRIBE: the cloud client asks for what the broker serves.
        cloud.max_qos = broker.profile() == BrokerProfile::aws_twin ? 1 : 2;
        if (config_.tls) cloud.tls = CloudTls{pki_->ca().cert, pki_->cloud().cert, pki_->cloud().key, {}};
        return cloud;
    });
    return std::make_unique<VirtualScenarioBench>(config_, std::move(access), bus_, request, all, slot.use,
                                                  std::move(connection));
}

bool VirtualBench::remote_serves(const std::string &pin) const {
    // A pin chooses between the embedded broker's profiles (qos2 scenarios pin mosquitto because
    // aws-twin closes QoS 2): on a broker hil does not run, what it offers decides.
    return pin.empty() || pin == config_.remote->profile || parse_broker_profile(pin).has_value();
}

std::shared_ptr<PahoCloudConnection>
VirtualBench::shared_cloud(BrokerSlot &slot, const std::string &run,
                           const std::function<PahoCloudOptions()> &options) {
    const std::lock_guard lock(slot.cloud_start);
    if (!slot.cloud) {
        PahoCloudOptions cloud = options();
        cloud.client_id = "hil-" + run.substr(0, run.find('-')) + "-cloud"; // one per run and broker
        slot.cloud = std::make_shared<PahoCloudConnection>(std::move(cloud), bus_);
    }
    return slot.cloud;
}

std::unique_ptr<ScenarioBench> VirtualBench::open_remote(const ExecutionRequest &request,
                                                         const std::vector<std::string> &misbehaviours) {
    const RemoteBroker &remote = *config_.remote;
    if (!remote_serves(request.profile)) {
        throw InfraError("the bench's broker has profile " + remote.profile + ", not " + request.profile);
    }
    BrokerAccess access;
    access.main = BrokerEndpoint{remote.host, remote.port, remote.tls};
    access.server_name = remote.server_name;
    access.alpn = remote.alpn;
    access.ca = remote.ca;
    access.identity = [this](const std::string &name) -> const Credential & {
        if (name != kDeviceCertificate) {
            throw InfraError("identity '" + name +
                             "' is a credential of the embedded broker's test PKI; profile " +
                             config_.remote->profile + " has only the bench file's device_identity");
        }
        return remote_device_;
    };
    auto connection = shared_cloud(*remote_slot_, request.run, [&] {
        PahoCloudOptions cloud;
        cloud.server_uri = access.main.uri();
        cloud.max_qos = remote.max_qos;
        if (remote.tls) {
            cloud.tls = CloudTls{remote.ca, remote.application_identity.cert, remote.application_identity.key,
                                 remote.alpn.empty() ? std::vector<std::string>{}
                                                     : std::vector<std::string>{remote.alpn}};
        }
        return cloud;
    });
    return std::make_unique<VirtualScenarioBench>(config_, std::move(access), bus_, request, misbehaviours,
                                                  remote_slot_->use, std::move(connection));
}

} // namespace hil

#include "hil/bench/virtual_bench.hpp"

#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/device/credentials.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/scenario/template.hpp"

#include <yaml-cpp/yaml.h>

#include <map>

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
                if (b.first.Scalar() == "bind")
                    config.bind_address = b.second.Scalar();
                else
                    at(b.first, "unknown broker key '" + b.first.Scalar() + "' (known: bind)");
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

class VirtualScenarioBench final : public ScenarioBench {
  public:
    VirtualScenarioBench(const BenchConfig &config, const EmbeddedBroker &broker, const TestPki &pki,
                         EventBus &bus, const std::vector<DeviceDecl> &devices,
                         const std::vector<std::string> &misbehaviours, const std::string &run,
                         const std::filesystem::path &dir)
        : run_(run), tls_(config.tls) {
        const BrokerEndpoint &main = tls_ ? broker.tls("tls") : broker.plain();
        vars_ = {{"run", run},
                 {"run_id", run.substr(0, run.find('-'))},
                 {"thing", "hil-" + run + "-dut"},
                 {"client_id", "hil-" + run + "-dut"},
                 {"cloud.client_id", "hil-" + run + "-cloud"},
                 {"broker.host", main.host},
                 {"broker.port", std::to_string(main.port)},
                 {"broker.url", main.uri()}};
        for (const auto &[name, endpoint] : broker.endpoints()) {
            vars_["broker." + name + ".host"] = endpoint.host;
            vars_["broker." + name + ".port"] = std::to_string(endpoint.port);
            vars_["broker." + name + ".url"] = endpoint.uri();
        }
        endpoint_ = main;
        logs_["broker"] = broker.log_path().string();
        for (const auto &decl : devices) {
            // Each handle has its own identity; `${thing}`/`${client_id}` name the `dut`'s.
            const std::string &handle = decl.handle;
            const std::string thing =
                decl.thing.empty() ? "hil-" + run + "-" + handle : substitute(decl.thing, vars_);
            const std::string client_id = decl.client_id.empty() ? thing : substitute(decl.client_id, vars_);
            vars_["device." + handle + ".thing"] = thing;
            vars_["device." + handle + ".client_id"] = client_id;
            client_ids_[handle] = client_id;
            if (handle == "dut") {
                vars_["thing"] = thing;
                vars_["client_id"] = client_id;
            }
            VirtualDeviceOptions opts;
            opts.name = handle;
            opts.context = run;
            opts.executable = config.vdev;
            opts.misbehaviours = misbehaviours;
            opts.log_dir = dir;
            auto device = std::make_unique<VirtualDevice>(opts, bus);
            logs_["console-" + handle] = device->session().console_log().string();
            logs_["vdev-" + handle] = device->process().log_path().string();
            if (tls_) provision(device->session(), pki);
            devices_.emplace(handle, std::move(device));
        }
        PahoCloudOptions cloud;
        cloud.server_uri = main.uri();
        cloud.client_id = vars_.at("cloud.client_id");
        cloud.context = run;
        if (tls_) cloud.tls = CloudTls{pki.ca().cert, pki.cloud().cert, pki.cloud().key};
        cloud_ = std::make_unique<PahoCloudClient>(cloud, bus);
        cloud_->connect(Deadline::after(kSetupTimeout));
    }

    DeviceSession &device(const std::string &handle) override {
        const auto it = devices_.find(handle);
        if (it == devices_.end()) throw InfraError("the bench has no device '" + handle + "'");
        return it->second->session();
    }
    CloudClient &cloud() override { return *cloud_; }
    const std::map<std::string, std::string, std::less<>> &variables() const override { return vars_; }
    std::map<std::string, std::string> logs() const override { return logs_; }

    nlohmann::json connect_defaults(const std::string &handle) const override {
        nlohmann::json args = {{"host", endpoint_.host},
                               {"port", endpoint_.port},
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

  private:
    // The device's identity goes in over its console, as on a board: no reflashing per identity.
    void provision(DeviceSession &session, const TestPki &pki) const {
        const auto deadline = Deadline::after(kSetupTimeout);
        upload_credential(session, slots_.ca, read_text_file(pki.ca().cert), deadline);
        upload_credential(session, slots_.cert, read_text_file(pki.device().cert), deadline);
        upload_credential(session, slots_.key, read_text_file(pki.device().key), deadline);
    }

    std::string run_;
    bool tls_;
    CredentialSlots slots_;
    BrokerEndpoint endpoint_;
    std::map<std::string, std::string, std::less<>> vars_;
    std::map<std::string, std::string> logs_;
    std::map<std::string, std::unique_ptr<VirtualDevice>> devices_;
    std::map<std::string, std::string> client_ids_;
    std::unique_ptr<PahoCloudClient> cloud_;
};

} // namespace

VirtualBench::VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                           std::vector<std::string> misbehaviours)
    : config_(std::move(config)), bus_(bus), misbehaviours_(std::move(misbehaviours)) {
    PkiOptions pki_options;
    pki_options.dns_names = {config_.host_name};
    pki_options.ip_addresses = {config_.bind_address};
    pki_ = TestPki::create(run_dir / "pki", pki_options);
    bus_.publish(Source::harness, "pki", "pki.created", {{"dir", pki_->dir().string()}});

    EmbeddedBrokerOptions opts;
    opts.bind_address = config_.bind_address;
    opts.host_name = config_.host_name;
    opts.dir = run_dir / "broker";
    opts.tls_listeners = {
        {"tls", pki_->ca().cert, pki_->broker().cert, pki_->broker().key, config_.require_client_certificate},
        {"untrusted", pki_->ca().cert, pki_->get("broker_untrusted").cert, pki_->get("broker_untrusted").key,
         config_.require_client_certificate}};
    broker_ = std::make_unique<EmbeddedBroker>(opts, bus_);
}

VirtualBench::~VirtualBench() = default;

std::set<std::string> VirtualBench::capabilities() const {
    std::set<std::string> caps = {"mqtt",           "qos1",          "qos2", "retained", "persistent-session",
                                  "broker-control", "virtual-device"};
    if (config_.tls) caps.insert("tls");
    return caps;
}

std::unique_ptr<ScenarioBench> VirtualBench::open(const std::string &run, const std::string &log_dir,
                                                  const std::vector<DeviceDecl> &devices,
                                                  const std::vector<std::string> &misbehaviours) {
    std::vector<std::string> all = misbehaviours_;
    all.insert(all.end(), misbehaviours.begin(), misbehaviours.end());
    return std::make_unique<VirtualScenarioBench>(config_, *broker_, *pki_, bus_, devices, all, run, log_dir);
}

} // namespace hil

#include "hil/bench/virtual_bench.hpp"

#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/device/virtual_device.hpp"

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

class VirtualScenarioBench final : public ScenarioBench {
  public:
    VirtualScenarioBench(const BenchConfig &config, const BrokerEndpoint &broker, EventBus &bus,
                         const std::vector<std::string> &handles,
                         const std::vector<std::string> &misbehaviours, const std::string &run,
                         const std::filesystem::path &dir, const std::filesystem::path &broker_log) {
        vars_ = {{"run", run},
                 {"run_id", run.substr(0, run.find('-'))},
                 {"thing", "hil-" + run + "-dut"},
                 {"client_id", "hil-" + run + "-dut"},
                 {"cloud.client_id", "hil-" + run + "-cloud"},
                 {"broker.host", broker.host},
                 {"broker.port", std::to_string(broker.port)},
                 {"broker.url", broker.uri()}};
        logs_["broker"] = broker_log.string();
        for (const auto &handle : handles) {
            VirtualDeviceOptions opts;
            opts.name = handle;
            opts.executable = config.vdev;
            opts.misbehaviours = misbehaviours;
            opts.log_dir = dir;
            devices_.emplace(handle, std::make_unique<VirtualDevice>(opts, bus));
            logs_["console-" + handle] = devices_.at(handle)->session().console_log().string();
            logs_["vdev-" + handle] = devices_.at(handle)->process().log_path().string();
        }
        PahoCloudOptions cloud;
        cloud.server_uri = broker.uri();
        cloud.client_id = vars_.at("cloud.client_id");
        cloud_ = std::make_unique<PahoCloudClient>(cloud, bus);
        cloud_->connect(Deadline::after(std::chrono::seconds(10)));
    }

    DeviceSession &device(const std::string &handle) override {
        const auto it = devices_.find(handle);
        if (it == devices_.end()) throw InfraError("the bench has no device '" + handle + "'");
        return it->second->session();
    }
    CloudClient &cloud() override { return *cloud_; }
    const std::map<std::string, std::string, std::less<>> &variables() const override { return vars_; }
    std::map<std::string, std::string> logs() const override { return logs_; }

  private:
    std::map<std::string, std::string, std::less<>> vars_;
    std::map<std::string, std::string> logs_;
    std::map<std::string, std::unique_ptr<VirtualDevice>> devices_;
    std::unique_ptr<PahoCloudClient> cloud_;
};

} // namespace

VirtualBench::VirtualBench(BenchConfig config, const std::filesystem::path &run_dir, EventBus &bus,
                           std::vector<std::string> misbehaviours)
    : config_(std::move(config)), bus_(bus), misbehaviours_(std::move(misbehaviours)) {
    EmbeddedBrokerOptions opts;
    opts.bind_address = config_.bind_address;
    opts.dir = run_dir / "broker";
    broker_ = std::make_unique<EmbeddedBroker>(opts, bus_);
}

VirtualBench::~VirtualBench() = default;

std::set<std::string> VirtualBench::capabilities() const {
    return {"mqtt", "qos1", "qos2", "retained", "persistent-session", "broker-control", "virtual-device"};
}

std::unique_ptr<ScenarioBench> VirtualBench::open(const std::string &run, const std::string &log_dir,
                                                  const std::vector<std::string> &device_handles) {
    return std::make_unique<VirtualScenarioBench>(config_, broker_->plain(), bus_, device_handles,
                                                  misbehaviours_, run, log_dir, broker_->log_path());
}

} // namespace hil

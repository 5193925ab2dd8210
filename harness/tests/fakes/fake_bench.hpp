#pragma once
// Fakes for unit tests of the engine (never the proof a feature works: the component and system
// tests use the real broker, Paho and the virtual device). A FakeConsole is a scripted device: a
// responder turns each request line into the lines the device prints back. FakeCloud loops
// publishes back to matching subscriptions and lets a test inject messages.

#include "hil/cloud/cloud_client.hpp"
#include "hil/console/console.hpp"
#include "hil/console/protocol.hpp"
#include "hil/core/error.hpp"
#include "hil/faults/faults.hpp"
#include "hil/scenario/scenario_bench.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace hil::fakes {

/// What a scripted device prints for one request: lines without '\n'.
using Responder = std::function<std::vector<std::string>(std::uint64_t id, const std::string &command,
                                                         const nlohmann::json &args)>;

/// Answers every request `@id ok {}` and prints nothing else.
[[nodiscard]] Responder answer_ok();

class FakeConsole final : public Console {
  public:
    explicit FakeConsole(Responder responder) : responder_(std::move(responder)) {}
    void write(std::string_view bytes, Deadline deadline) override;
    long read_some(std::span<char> buffer, Deadline deadline) override;
    void interrupt() override;
    [[nodiscard]] std::string describe() const override { return "fake console"; }

    /// The device prints `line` (as if spontaneously: an event or a log line).
    void emit(const std::string &line);
    /// Requests received so far, as (command, args).
    [[nodiscard]] std::vector<std::pair<std::string, nlohmann::json>> requests() const;

  private:
    Responder responder_;
    mutable std::mutex mutex_;
    std::condition_variable readable_;
    std::string outgoing_; // bytes the harness has not read yet
    std::string incoming_; // partial request line
    bool interrupted_ = false;
    std::vector<std::pair<std::string, nlohmann::json>> requests_;
};

class FakeCloud final : public CloudClient {
  public:
    FakeCloud(EventBus &bus, std::string context) : bus_(bus), context_(std::move(context)) {}
    void connect(Deadline) override {}
    void subscribe(const std::string &filter, int qos, Deadline) override;
    void publish(const std::string &topic, const std::string &payload, int qos, bool retain,
                 Deadline) override;
    void disconnect() noexcept override {}
    [[nodiscard]] const std::string &client_id() const override { return id_; }

    /// A message arrives at the cloud client.
    void deliver(const std::string &topic, const std::string &payload, int qos = 0);
    /// Called after every publish (outside any lock): a test's broker-side behaviour, e.g. a
    /// shadow service answering requests.
    std::function<void(FakeCloud &, const std::string &topic, const std::string &payload)> on_publish;
    [[nodiscard]] std::vector<std::string> published_topics() const;

  private:
    EventBus &bus_;
    std::string context_;
    std::string id_ = "fake-cloud";
    mutable std::mutex mutex_;
    std::vector<std::string> filters_;
    std::vector<std::string> published_;
};

/// Faults that only record what was asked of them ("reset_link dut", "add_toxic dut lag/upstream"),
/// for the runner's unit tests; like the real bench, removing an unknown toxic throws.
class RecordingFaults final : public Faults {
  public:
    void add_toxic(const std::string &handle, faults::ToxicSpec spec) override {
        toxics_.insert(handle + " " + spec.name);
        record("add_toxic " + handle + " " + spec.name);
    }
    void remove_toxic(const std::string &handle, const std::string &name) override {
        if (toxics_.erase(handle + " " + name) == 0) throw InfraError("no toxic '" + name + "'");
        record("remove_toxic " + handle + " " + name);
    }
    void reset_link(const std::string &handle) override { record("reset_link " + handle); }
    void broker_kill() override { record("broker_kill"); }
    void broker_restart() override { record("broker_restart"); }
    void broker_pause() override { record("broker_pause"); }
    void broker_resume() override { record("broker_resume"); }
    void device_kill(const std::string &handle) override { record("device_kill " + handle); }
    void device_restart(const std::string &handle) override { record("device_restart " + handle); }
    /// Outlives the execution: a test keeps it (from FakeBench::on_open) to look afterwards.
    std::shared_ptr<std::vector<std::string>> calls = std::make_shared<std::vector<std::string>>();

  private:
    void record(std::string call) {
        const std::lock_guard lock(mutex_);
        calls->push_back(std::move(call));
    }
    std::mutex mutex_;
    std::set<std::string> toxics_;
};

/// One execution: devices on fake consoles (all with the same responder) and a FakeCloud.
class FakeScenarioBench final : public ScenarioBench {
  public:
    FakeScenarioBench(EventBus &bus, const std::string &run, const std::vector<DeviceDecl> &devices,
                      const Responder &responder);
    DeviceSession &device(const std::string &handle) override;
    CloudClient &cloud() override { return cloud_; }
    [[nodiscard]] nlohmann::json connect_defaults(const std::string &handle) const override;
    [[nodiscard]] const std::map<std::string, std::string, std::less<>> &variables() const override {
        return vars_;
    }
    [[nodiscard]] std::map<std::string, std::string> logs() const override { return {}; }
    Faults &faults() override { return faults_; }
    RecordingFaults &recorded_faults() { return faults_; }

    FakeConsole &console(const std::string &handle) { return *consoles_.at(handle); }
    FakeCloud &fake_cloud() { return cloud_; }

  private:
    std::map<std::string, std::string, std::less<>> vars_;
    std::map<std::string, FakeConsole *> consoles_;
    std::map<std::string, std::unique_ptr<DeviceSession>> sessions_;
    FakeCloud cloud_;
    RecordingFaults faults_;
};

/// A bench whose executions are FakeScenarioBenches; `last()` is the one most recently opened.
class FakeBench final : public Bench {
  public:
    FakeBench(EventBus &bus, Responder responder, std::set<std::string> capabilities = {"mqtt", "qos1"})
        : bus_(bus), responder_(std::move(responder)), capabilities_(std::move(capabilities)) {}
    [[nodiscard]] std::set<std::string> capabilities() const override { return capabilities_; }
    [[nodiscard]] std::string default_profile() const override { return default_profile_; }
    [[nodiscard]] std::optional<std::set<std::string>>
    capabilities_for(const std::string &profile) const override {
        if (profiles_.empty()) return Bench::capabilities_for(profile);
        const auto it = profiles_.find(profile.empty() ? default_profile_ : profile);
        if (it == profiles_.end()) return std::nullopt;
        return it->second;
    }
    /// Gives the bench broker profiles: name -> capabilities, the first argument its default.
    void set_profiles(std::string default_profile, std::map<std::string, std::set<std::string>> profiles) {
        default_profile_ = std::move(default_profile);
        profiles_ = std::move(profiles);
    }
    std::unique_ptr<ScenarioBench> open(const ExecutionRequest &request) override;
    /// Called with each execution right after it opens (to emit events, deliver messages...).
    std::function<void(FakeScenarioBench &)> on_open;
    /// The profile each execution asked for, in order.
    std::vector<std::string> opened_profiles;

  private:
    std::string default_profile_;
    std::map<std::string, std::set<std::string>> profiles_;
    EventBus &bus_;
    Responder responder_;
    std::set<std::string> capabilities_;
};

} // namespace hil::fakes

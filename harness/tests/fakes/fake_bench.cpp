#include "fake_bench.hpp"

#include "hil/core/error.hpp"
#include "hil/scenario/matcher.hpp"

#include <filesystem>

namespace hil::fakes {

Responder answer_ok() {
    return [](std::uint64_t id, const std::string &, const nlohmann::json &) {
        return std::vector<std::string>{"@" + std::to_string(id) + " ok"};
    };
}

void FakeConsole::write(std::string_view bytes, Deadline) {
    std::vector<std::string> replies;
    {
        const std::lock_guard lock(mutex_);
        incoming_.append(bytes);
        for (auto nl = incoming_.find('\n'); nl != std::string::npos; nl = incoming_.find('\n')) {
            const std::string line = incoming_.substr(0, nl);
            incoming_.erase(0, nl + 1);
            // "@id command {json}"
            const auto space = line.find(' ');
            const std::uint64_t id = std::stoull(line.substr(1, space - 1));
            const auto rest = line.substr(space + 1);
            const auto args_at = rest.find(' ');
            const std::string command = rest.substr(0, args_at);
            const auto args = args_at == std::string::npos ? nlohmann::json::object()
                                                           : nlohmann::json::parse(rest.substr(args_at + 1));
            requests_.emplace_back(command, args);
            for (auto &reply : responder_(id, command, args)) replies.push_back(std::move(reply));
        }
        for (const auto &reply : replies) outgoing_ += reply + "\n";
    }
    readable_.notify_all();
}

long FakeConsole::read_some(std::span<char> buffer, Deadline deadline) {
    std::unique_lock lock(mutex_);
    readable_.wait_until(lock, deadline.when(), [this] { return !outgoing_.empty() || interrupted_; });
    if (interrupted_) {
        interrupted_ = false;
        return 0;
    }
    const std::size_t n = std::min(buffer.size(), outgoing_.size());
    outgoing_.copy(buffer.data(), n);
    outgoing_.erase(0, n);
    return static_cast<long>(n);
}

void FakeConsole::interrupt() {
    {
        const std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    readable_.notify_all();
}

void FakeConsole::emit(const std::string &line) {
    {
        const std::lock_guard lock(mutex_);
        outgoing_ += line + "\n";
    }
    readable_.notify_all();
}

std::vector<std::pair<std::string, nlohmann::json>> FakeConsole::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

void FakeCloud::subscribe(const std::string &filter, int, Deadline) {
    const std::lock_guard lock(mutex_);
    filters_.push_back(filter);
}

void FakeCloud::publish(const std::string &topic, const std::string &payload, int qos, bool, Deadline) {
    bool loops_back = false;
    {
        const std::lock_guard lock(mutex_);
        published_.push_back(topic);
        for (const auto &f : filters_) loops_back = loops_back || topic_matches(f, topic);
    }
    if (loops_back) deliver(topic, payload, qos);
    if (on_publish) on_publish(*this, topic, payload);
}

void FakeCloud::deliver(const std::string &topic, const std::string &payload, int qos) {
    bus_.publish(Source::cloud, "cloud", kCloudMessageKind,
                 {{"topic", topic}, {"payload", payload}, {"qos", qos}, {"retain", false}, {"dup", false}},
                 context_);
}

std::vector<std::string> FakeCloud::published_topics() const {
    const std::lock_guard lock(mutex_);
    return published_;
}

FakeScenarioBench::FakeScenarioBench(EventBus &bus, const std::string &run,
                                     const std::vector<DeviceDecl> &devices, const Responder &responder)
    : cloud_(bus, run) {
    vars_ = {{"run", run},
             {"run_id", "fake"},
             {"thing", "thing-" + run},
             {"client_id", "thing-" + run},
             {"cloud.client_id", "cloud-" + run},
             {"broker.host", "broker.test"},
             {"broker.port", "1883"},
             {"broker.url", "tcp://broker.test:1883"}};
    const auto log_dir = std::filesystem::temp_directory_path() / "hil-fake-consoles";
    for (const auto &decl : devices) {
        auto console = std::make_unique<FakeConsole>(responder);
        consoles_[decl.handle] = console.get();
        sessions_[decl.handle] = std::make_unique<DeviceSession>(
            decl.handle, std::move(console), bus, log_dir / (run + "-" + decl.handle + ".log"), run);
    }
}

DeviceSession &FakeScenarioBench::device(const std::string &handle) {
    const auto it = sessions_.find(handle);
    if (it == sessions_.end()) throw InfraError("no fake device '" + handle + "'");
    return *it->second;
}

nlohmann::json FakeScenarioBench::connect_defaults(const std::string &handle) const {
    return {{"host", "broker.test"},
            {"port", 1883},
            {"client_id", "client-" + handle},
            {"tls", true},
            {"cert_slot", 1}};
}

std::unique_ptr<ScenarioBench> FakeBench::open(const ExecutionRequest &request) {
    auto bench = std::make_unique<FakeScenarioBench>(bus_, request.run, request.devices, responder_);
    opened_profiles.push_back(request.profile);
    if (on_open) on_open(*bench);
    return bench;
}

} // namespace hil::fakes

// hil._hil.Bench / Execution: a bench (PKI, broker) and executions with their devices and cloud
// client, driven step by step from Python — what the C++ BenchTest fixture gives GoogleTest.
#include "bindings.hpp"

#include "hil/bench/virtual_bench.hpp"
#include "hil/cloud/cloud_client.hpp"
#include "hil/cloud/shadow_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/run_id.hpp"
#include "hil/scenario/matcher.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>

namespace hil::python {

namespace {

Deadline after_seconds(double seconds) {
    if (seconds < 0) throw UsageError("timeout must not be negative");
    return Deadline::after(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
}

Source parse_source(const std::string &name) {
    if (name == "device") return Source::device;
    if (name == "cloud") return Source::cloud;
    if (name == "broker") return Source::broker;
    if (name == "harness") return Source::harness;
    throw UsageError("source '" + name + "' (known: device, cloud, broker, harness)");
}

nlohmann::json event_json(const Event &e) {
    return {{"seq", e.seq},         {"source", to_string(e.source)}, {"origin", e.origin}, {"kind", e.kind},
            {"payload", e.payload}, {"context", e.context},          {"time", e.wall}};
}

/// A bench and its event stream; events.jsonl is written as on a `hil run`.
class PyBench {
  public:
    PyBench(const std::optional<std::filesystem::path> &bench_file, const std::optional<std::string> &profile,
            const std::filesystem::path &run_dir) {
        BenchConfig config = bench_file ? load_bench_file(*bench_file) : BenchConfig{};
        if (profile) apply_profile_option(*profile, config);
        std::filesystem::create_directories(run_dir);
        run_dir_ = std::filesystem::canonical(run_dir);
        bus_ = std::make_unique<EventBus>();
        record_events(*bus_, run_dir_ / "events.jsonl");
        run_id_ = make_run_id();
        py::gil_scoped_release release;
        bench_ = std::make_unique<VirtualBench>(config, run_dir_, *bus_);
    }

    void close() {
        py::gil_scoped_release release;
        bench_.reset();
    }
    [[nodiscard]] VirtualBench &bench() {
        if (!bench_) throw InfraError("the bench is closed");
        return *bench_;
    }
    [[nodiscard]] EventBus &bus() { return *bus_; }
    [[nodiscard]] const std::filesystem::path &run_dir() const { return run_dir_; }
    std::string next_run_name() { return run_id_ + "-" + std::to_string(++executions_); }
    std::vector<std::string> capabilities() {
        const auto caps = bench().capabilities();
        return {caps.begin(), caps.end()};
    }
    std::string profile() { return bench().default_profile(); }

  private:
    std::unique_ptr<EventBus> bus_; // outlives the bench, whose parts publish until they stop
    std::unique_ptr<VirtualBench> bench_;
    std::filesystem::path run_dir_;
    std::string run_id_;
    int executions_ = 0;
};

/// One execution: devices by handle, a connected cloud client, this execution's events.
class PyExecution {
  public:
    PyExecution(std::shared_ptr<PyBench> bench, const std::vector<std::string> &handles,
                const std::vector<std::string> &misbehaviours)
        : bench_(std::move(bench)) {
        ExecutionRequest request;
        request.run = bench_->next_run_name();
        request.log_dir = bench_->run_dir() / "executions" / request.run;
        for (const auto &handle : handles) request.devices.push_back(DeviceDecl{handle, "", "", ""});
        request.misbehaviours = misbehaviours;
        run_ = request.run;
        start_ = bench_->bus().next_seq();
        py::gil_scoped_release release;
        execution_ = bench_->bench().open(request);
    }

    void close() {
        py::gil_scoped_release release;
        shadow_.reset();
        execution_.reset();
    }

    ScenarioBench &execution() {
        if (!execution_) throw InfraError("the execution is closed");
        return *execution_;
    }

    py::object request(const std::string &handle, const std::string &command, const py::object &args,
                       double timeout) {
        const nlohmann::json json_args = args.is_none() ? nlohmann::json::object() : from_python(args);
        std::optional<protocol::Answer> answer;
        {
            py::gil_scoped_release release;
            answer = execution().device(handle).request(command, json_args, after_seconds(timeout));
        }
        if (!answer) {
            PyErr_SetString(PyExc_TimeoutError,
                            (handle + ": no answer to " + command + " before the deadline").c_str());
            throw py::error_already_set();
        }
        return to_python({{"ok", answer->ok}, {"body", answer->body}});
    }

    /// The first event of this execution from `source` (origin `origin` unless empty) named
    /// `kind` whose payload contains `match`, after the execution began; None at the deadline.
    py::object wait_event(const std::string &source, const std::string &origin, const std::string &kind,
                          const py::object &match, double timeout, std::uint64_t after) {
        const Source wanted = parse_source(source);
        const nlohmann::json expected = match.is_none() ? nlohmann::json() : from_python(match);
        std::optional<Event> found;
        {
            py::gil_scoped_release release;
            found = bench_->bus().wait_for(
                std::max(start_, after + 1),
                [&](const Event &e) {
                    return e.context == run_ && e.source == wanted &&
                           (origin.empty() || e.origin == origin) && e.kind == kind &&
                           (expected.is_null() || json_contains(e.payload, expected).ok);
                },
                after_seconds(timeout));
        }
        return found ? to_python(event_json(*found)) : py::none();
    }

    py::object events() {
        const auto all = bench_->bus().snapshot(start_, 0, [&](const Event &e) { return e.context == run_; });
        nlohmann::json out = nlohmann::json::array();
        for (const auto &e : all) out.push_back(event_json(e));
        return to_python(out);
    }

    void subscribe(const std::string &filter, int qos, double timeout) {
        py::gil_scoped_release release;
        execution().cloud().subscribe(filter, qos, after_seconds(timeout));
    }
    void publish(const std::string &topic, const std::string &payload, int qos, bool retain, double timeout) {
        py::gil_scoped_release release;
        execution().cloud().publish(topic, payload, qos, retain, after_seconds(timeout));
    }

    /// A shadow request as the application makes it; the answer, or None at the deadline.
    py::object shadow(const std::string &op, const std::string &thing, const std::string &name,
                      const py::object &body, double timeout) {
        const nlohmann::json json_body = body.is_none() ? nlohmann::json::object() : from_python(body);
        std::optional<ShadowClient::Response> response;
        {
            py::gil_scoped_release release;
            if (!shadow_) shadow_.emplace(execution().cloud(), bench_->bus(), run_);
            response = shadow_->request(thing, name, op, json_body, after_seconds(timeout));
        }
        if (!response) return py::none();
        return to_python({{"accepted", response->accepted}, {"body", response->body}});
    }

    py::object connect_args(const std::string &handle) {
        return to_python(execution().connect_defaults(handle));
    }
    py::object variables() {
        nlohmann::json out = nlohmann::json::object();
        for (const auto &[name, value] : execution().variables()) out[name] = value;
        return to_python(out);
    }
    py::object logs() { return to_python(nlohmann::json(execution().logs())); }
    [[nodiscard]] const std::string &run() const { return run_; }
    [[nodiscard]] std::uint64_t start() const { return start_; }

  private:
    std::shared_ptr<PyBench> bench_; // kept alive while an execution uses it
    std::unique_ptr<ScenarioBench> execution_;
    std::optional<ShadowClient> shadow_;
    std::string run_;
    std::uint64_t start_ = 1;
};

} // namespace

void bind_bench(py::module_ &m) {
    py::class_<PyBench, std::shared_ptr<PyBench>>(m, "Bench")
        .def(py::init<const std::optional<std::filesystem::path> &, const std::optional<std::string> &,
                      const std::filesystem::path &>(),
             py::arg("bench"), py::arg("profile"), py::arg("run_dir"))
        .def("close", &PyBench::close)
        .def_property_readonly("run_dir", &PyBench::run_dir)
        .def_property_readonly("capabilities", &PyBench::capabilities)
        .def_property_readonly("profile", &PyBench::profile);
    py::class_<PyExecution>(m, "Execution")
        .def(py::init<std::shared_ptr<PyBench>, const std::vector<std::string> &,
                      const std::vector<std::string> &>(),
             py::arg("bench"), py::arg("devices"), py::arg("misbehaviours"))
        .def("close", &PyExecution::close)
        .def("request", &PyExecution::request, py::arg("handle"), py::arg("command"), py::arg("args"),
             py::arg("timeout"))
        .def("wait_event", &PyExecution::wait_event, py::arg("source"), py::arg("origin"), py::arg("kind"),
             py::arg("match"), py::arg("timeout"), py::arg("after"))
        .def("events", &PyExecution::events)
        .def("subscribe", &PyExecution::subscribe, py::arg("filter"), py::arg("qos"), py::arg("timeout"))
        .def("publish", &PyExecution::publish, py::arg("topic"), py::arg("payload"), py::arg("qos"),
             py::arg("retain"), py::arg("timeout"))
        .def("shadow", &PyExecution::shadow, py::arg("op"), py::arg("thing"), py::arg("name"),
             py::arg("body"), py::arg("timeout"))
        .def("connect_args", &PyExecution::connect_args, py::arg("handle"))
        .def("variables", &PyExecution::variables)
        .def("logs", &PyExecution::logs)
        .def_property_readonly("run", &PyExecution::run);
}

} // namespace hil::python

// hil._hil.run / list: the same load, plan and execute_run as `hil run` and `hil list`.
#include "bindings.hpp"

#include "hil/bench/bench_config.hpp"
#include "hil/core/error.hpp"
#include "hil/run/scenario_run.hpp"
#include "hil/scenario/selection.hpp"

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

namespace hil::python {

namespace {

std::vector<PlannedExecution> plan(const std::vector<Scenario> &scenarios, const std::string &tags,
                                   const std::string &filter, const std::string &shard, int repeat) {
    SelectionOptions selection;
    selection.tags = tags;
    selection.filter = filter;
    selection.repeat = repeat;
    if (!shard.empty()) parse_shard(shard, selection);
    auto planned = plan_executions(scenarios, selection);
    if (planned.empty()) throw UsageError("the selection matched no scenario");
    return planned;
}

/// The bench file's settings with `profile` over them, as `hil run --profile` does.
BenchConfig bench_settings(const std::optional<std::filesystem::path> &bench_file,
                           const std::optional<std::string> &profile) {
    BenchConfig config = bench_file ? load_bench_file(*bench_file) : BenchConfig{};
    if (profile) apply_profile_option(*profile, config);
    return config;
}

std::string run(const std::vector<std::filesystem::path> &paths,
                const std::optional<std::filesystem::path> &bench, const std::optional<std::string> &profile,
                int jobs, const std::vector<std::string> &misbehaviours,
                const std::optional<std::filesystem::path> &out_dir, const std::string &tags,
                const std::string &filter, const std::string &shard, int repeat, bool until_fail,
                const std::function<void(const std::string &)> &on_result) {
    if (jobs < 1) throw UsageError("jobs must be at least 1");
    check_misbehaviours(misbehaviours);
    // Everything is validated before anything starts, as with `hil run`.
    const auto scenarios = load_scenarios(paths);
    const auto planned = plan(scenarios, tags, filter, shard, repeat);
    RunSettings settings;
    settings.bench = bench_settings(bench, profile);
    settings.misbehaviours = misbehaviours;
    settings.jobs = jobs;
    settings.until_fail = until_fail;
    settings.out_dir = out_dir;
    RunHooks hooks;
    if (on_result) {
        hooks.on_result = [&](const ScenarioResult &result) {
            RunReport one;
            one.scenarios = {result};
            const std::string text = to_results_json(one)["scenarios"][0].dump();
            py::gil_scoped_acquire acquire;
            try {
                on_result(text);
            } catch (py::error_already_set &e) {
                e.discard_as_unraisable("hil.run on_result callback"); // a callback never stops the run
            }
        };
    }
    EventBus bus;
    RunOutcome outcome;
    run_interruptibly([&] { outcome = execute_run(scenarios, planned, settings, bus, hooks); },
                      [&] { bus.cancel(); });
    return outcome.results.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string list(const std::vector<std::filesystem::path> &paths, const std::string &tags,
                 const std::string &filter) {
    const auto scenarios = load_scenarios(paths);
    nlohmann::json out = nlohmann::json::array();
    for (const auto &planned : plan(scenarios, tags, filter, "", 1)) {
        out.push_back(describe_execution(scenarios[planned.scenario], planned));
    }
    return out.dump();
}

} // namespace

void bind_run(py::module_ &m) {
    m.def("run", &run, py::arg("paths"), py::arg("bench") = std::nullopt, py::arg("profile") = std::nullopt,
          py::arg("jobs") = 1, py::arg("misbehaviours") = std::vector<std::string>{},
          py::arg("out_dir") = std::nullopt, py::arg("tags") = "", py::arg("filter") = "",
          py::arg("shard") = "", py::arg("repeat") = 1, py::arg("until_fail") = false,
          py::arg("on_result") = nullptr, "Runs scenarios like `hil run`; returns results.json's text.");
    m.def("list", &list, py::arg("paths"), py::arg("tags") = "", py::arg("filter") = "",
          "The executions a selection plans, like `hil list --json`; returns JSON text.");
}

} // namespace hil::python

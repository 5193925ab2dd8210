#include "hil/testing/bench_fixture.hpp"

#include "hil/cloud/cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/core/run_id.hpp"
#include "hil/scenario/loader.hpp"
#include "hil/scenario/matcher.hpp"
#include "hil/scenario/runner.hpp"
#include "hil/scenario/selection.hpp"

#include <unistd.h>

#include <cstdlib>

namespace hil::testing {

namespace {

BenchConfig bench_config() {
    if (const char *file = std::getenv("HIL_BENCH"); file != nullptr && *file != '\0')
        return load_bench_file(file);
    return BenchConfig{};
}

std::string describe_recent(const EventBus &bus, std::uint64_t from, const std::string &context) {
    std::string text;
    const auto events = bus.snapshot(from, 0, [&](const Event &e) { return e.context == context; });
    const std::size_t first = events.size() > 12 ? events.size() - 12 : 0;
    for (std::size_t i = first; i < events.size(); ++i) {
        text += "\n  " + events[i].origin + " " + events[i].kind + " " +
                events[i].payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return text.empty() ? "\n  (nothing)" : text;
}
} // namespace

std::filesystem::path test_run_directory() {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name =
        info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "hil";
    std::filesystem::path base;
    if (const char *dir = std::getenv("HIL_TEST_RUN_DIR"); dir != nullptr && *dir != '\0') {
        base = dir;
    } else {
        base = std::filesystem::temp_directory_path() / ("hil-gtest-" + std::to_string(getpid()));
    }
    return base / (name + "-" + make_run_id());
}

void BenchTest::SetUp() {
    const auto dir = test_run_directory();
    bus_ = std::make_unique<EventBus>();
    bench_ = std::make_unique<VirtualBench>(bench_config(), dir, *bus_);
    run_ = make_run_id() + "-1";
    start_ = bus_->next_seq();
    execution_ = bench_->open({run_, dir / "test", {DeviceDecl{"dut", "", "", ""}}, {}, false, ""});
}

void BenchTest::TearDown() {
    execution_.reset();
    bench_.reset();
    bus_.reset();
}

const std::string &BenchTest::var(const std::string &name) const {
    const auto &vars = execution_->variables();
    const auto it = vars.find(name);
    if (it == vars.end()) throw InfraError("no bench variable '" + name + "'");
    return it->second;
}

std::optional<Event> BenchTest::expect_device_event(const std::string &kind, const nlohmann::json &match,
                                                    Clock::duration timeout, const std::string &handle) {
    auto event = bus_->wait_for(
        start_,
        [&](const Event &e) {
            // `{}` arrives as null: both mean "any payload".
            return e.context == run_ && e.source == Source::device && e.origin == handle && e.kind == kind &&
                   (match.is_null() || json_contains(e.payload, match).ok);
        },
        Deadline::after(timeout));
    if (!event) {
        ADD_FAILURE() << "expected device '" << handle << "' event " << kind << " matching " << match.dump()
                      << "; recent events:" << describe_recent(*bus_, start_, run_);
    }
    return event;
}

std::optional<Event> BenchTest::expect_cloud_message(const std::string &topic_filter,
                                                     const nlohmann::json &match, Clock::duration timeout) {
    auto event = bus_->wait_for(
        start_,
        [&](const Event &e) {
            if (e.context != run_ || e.kind != kCloudMessageKind) return false;
            if (!topic_matches(topic_filter, e.payload.value("topic", ""))) return false;
            const auto body = nlohmann::json::parse(e.payload.value("payload", ""), nullptr, false);
            return match.is_null() || match.empty() ||
                   (!body.is_discarded() && json_contains(body, match).ok);
        },
        Deadline::after(timeout));
    if (!event) {
        ADD_FAILURE() << "expected a cloud message on '" << topic_filter << "' matching " << match.dump()
                      << "; recent events:" << describe_recent(*bus_, start_, run_);
    }
    return event;
}

std::vector<ScenarioResult> run_scenario_file(const std::filesystem::path &file,
                                              const std::filesystem::path &run_dir) {
    const auto scenarios = load_scenario_file(file);
    EventBus bus;
    VirtualBench bench(bench_config(), run_dir, bus);
    ScenarioRunner runner(bench, bus);
    std::vector<ScenarioResult> results;
    const std::string run_id = make_run_id();
    const auto ids = scenario_ids(scenarios);
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        const std::string &id = ids[i];
        results.push_back(
            runner.run(scenarios[i], id, run_id + "-" + std::to_string(i + 1), run_dir / "scenarios" / id));
    }
    return results;
}

} // namespace hil::testing

#include "broker_command.hpp"

#include "hil/bench/virtual_bench.hpp"
#include "hil/broker/embedded_broker.hpp"
#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/files.hpp"
#include "hil/core/run_id.hpp"
#include "hil/core/signals.hpp"
#include "hil/pki/test_pki.hpp"
#include "hil/run/exit_codes.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace hil::cli {

namespace {

/// Re-armed until a signal cancels the bus: a foreground server has no natural end.
constexpr auto kWatchInterval = std::chrono::hours(1);

std::filesystem::path fresh_directory(const std::optional<std::filesystem::path> &given) {
    const auto dir = given.value_or(std::filesystem::path("hil-runs") / ("broker-" + make_run_id()));
    if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir)) {
        // A second broker in the same directory would share (and overwrite) the first one's PKI.
        throw UsageError("broker directory " + dir.string() + " exists and is not empty");
    }
    std::filesystem::create_directories(dir);
    return std::filesystem::canonical(dir);
}

/// Paths only: a key's content never goes to stdout.
nlohmann::json describe(EmbeddedBroker &broker, const TestPki &pki, const BenchConfig &config,
                        const std::vector<std::string> &things, const std::filesystem::path &dir) {
    const bool aws = broker.profile() == BrokerProfile::aws_twin;
    nlohmann::json endpoints = nlohmann::json::object();
    for (const auto &[name, endpoint] : broker.endpoints()) endpoints[name] = endpoint.uri();
    nlohmann::json out = {{"profile", to_string(broker.profile())},
                          {"dir", dir.string()},
                          {"endpoints", endpoints},
                          {"host", broker.tls("tls").host},
                          {"ca", pki.ca().cert.string()},
                          {"application",
                           {{"cert", pki.cloud().cert.string()},
                            {"key", pki.cloud().key.string()},
                            {"policy", aws ? nlohmann::json(kApplicationPolicy) : nlohmann::json(nullptr)}}},
                          {"device",
                           {{"cert", pki.device().cert.string()},
                            {"key", pki.device().key.string()},
                            {"policy", aws ? nlohmann::json(config.device_policy) : nlohmann::json(nullptr)},
                            {"things", aws ? things : std::vector<std::string>{}}}},
                          {"log", broker.log_path().string()},
                          {"pid", broker.process().pid()}};
    if (aws) out["registry"] = broker.registry_path().string();
    return out;
}

void print_human(const nlohmann::json &d) {
    std::cout << "hil broker up: profile " << d["profile"].get<std::string>() << ", directory "
              << d["dir"].get<std::string>() << "\n"
              << "  plain  " << d["endpoints"]["plain"].get<std::string>() << "  (no client certificate)\n"
              << "  tls    " << d["endpoints"]["tls"].get<std::string>() << "  (mutual TLS; CA "
              << d["ca"].get<std::string>() << ")\n"
              << "  application identity: " << d["application"]["cert"].get<std::string>() << " + key "
              << d["application"]["key"].get<std::string>() << "\n"
              << "  device identity:      " << d["device"]["cert"].get<std::string>() << " + key "
              << d["device"]["key"].get<std::string>();
    if (!d["device"]["things"].empty()) std::cout << "  (things: " << d["device"]["things"].dump() << ")";
    std::cout << "\n  log: " << d["log"].get<std::string>() << "\nCtrl-C stops it." << std::endl;
}

} // namespace

int broker_up_command(const BrokerUpOptions &options) {
    // Signals first: the mask must be in place before any thread exists.
    EventBus bus;
    SignalWatcher signals([&bus](int) { bus.cancel(); });
    BenchConfig config = options.bench ? load_bench_file(*options.bench) : BenchConfig{};
    if (config.remote) {
        throw UsageError("hil broker up runs the embedded broker; " + options.bench->string() +
                         " describes one with profile " + config.remote->profile +
                         ", which hil does not run");
    }
    if (options.profile) {
        const auto profile = parse_broker_profile(*options.profile);
        if (!profile)
            throw UsageError("unknown broker profile '" + *options.profile +
                             "' (known: aws-twin, mosquitto)");
        config.profile = *profile;
    }
    const auto dir = fresh_directory(options.dir);
    record_events(bus, dir / "events.jsonl");
    try {
        PkiOptions pki_options;
        pki_options.dns_names = {config.host_name};
        pki_options.ip_addresses = {config.bind_address};
        // The whole catalogue: runs that attach to this broker may need any credential of it.
        pki_options.rsa_variants = true;
        pki_options.registry_variants = true;
        const TestPki pki = TestPki::create(dir / "pki", pki_options);
        auto broker_options = run_broker_options(config, config.profile, pki, dir / "broker", true);
        if (config.profile == BrokerProfile::aws_twin) {
            for (const auto &thing : options.things) {
                broker_options.registry.attach_thing(kDeviceCertificate, thing,
                                                     {{{"origin", "hil broker up"}}});
            }
        }
        const std::uint64_t from = bus.next_seq();
        EmbeddedBroker broker(std::move(broker_options), bus);
        const auto description = describe(broker, pki, config, options.things, dir);
        // For `broker: {attach: DIR}` in a bench file: other runs use this broker, its test
        // listeners and this PKI.
        write_file_atomically(dir / "broker.json", description.dump(2) + "\n");
        if (options.json)
            std::cout << description.dump() << std::endl;
        else
            print_human(description);
        const pid_t pid = broker.process().pid();
        for (;;) {
            const auto exited = bus.wait_for(
                from,
                [pid](const Event &e) {
                    return e.kind == "process.exited" && e.payload.value("pid", 0) == pid;
                },
                Deadline::after(kWatchInterval));
            if (exited) {
                std::cerr << "hil broker: mosquitto " << broker.process().status_text()
                          << "\n  log: " << broker.log_path().string() << std::endl;
                return kInfraError;
            }
        }
    } catch (const Cancelled &) {
        // SIGINT/SIGTERM: the way to end it. The destructors have stopped Mosquitto by now.
        std::cerr << "hil broker: stopped" << std::endl;
        return kAllPassed;
    }
}

} // namespace hil::cli

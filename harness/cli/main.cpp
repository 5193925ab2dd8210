// hil — hardware-in-the-loop integration tests for MQTT / AWS IoT firmware.

#include "broker_command.hpp"
#include "hil/run/exit_codes.hpp"
#include "lab_command.hpp"
#include "pki_command.hpp"
#include "run_command.hpp"

#include "hil/core/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv) {
    using namespace hil::cli;
    CLI::App app{
        "hil: hardware-in-the-loop tests for MQTT / AWS IoT firmware (PSoC6 kits and the virtual device)"};
    app.set_version_flag("--version", std::string("hil ") + HIL_VERSION);
    app.require_subcommand(1);

    // Options that choose scenarios, shared by `run` and `list`.
    auto add_selection = [](CLI::App *cmd, SelectOptions &select) {
        cmd->add_option("paths", select.paths, "Scenario files or directories (searched for *.yaml)")
            ->required();
        cmd->add_option("--tags", select.selection.tags, "Tag expression, e.g. 'smoke and not slow'");
        cmd->add_option("--filter", select.selection.filter,
                        "Glob on the scenario id or name, e.g. 'cloud-*'");
        cmd->add_option("--shard", select.shard, "Run shard K of N (K/N), deterministic by position");
    };

    RunOptions run;
    auto *run_cmd = app.add_subcommand("run", "Run scenario files on a bench");
    add_selection(run_cmd, run.select);
    run_cmd->add_option("--out", run.out_dir,
                        "Run directory (default: hil-runs/<run-id>; must not exist or be empty)");
    run_cmd->add_option("--junit", run.junit, "Also write JUnit XML here");
    run_cmd->add_option("--json", run.json, "Also write results.json here");
    run_cmd->add_option("--bench", run.bench, "Bench file (default: the virtual bench on loopback)");
    run_cmd
        ->add_option("--profile", run.profile,
                     "Broker profile of the run, instead of the bench file's (default aws-twin); scenarios "
                     "with 'profile:' still get theirs. aws and external need a bench file saying where")
        ->check(CLI::IsMember({"aws-twin", "mosquitto", "aws", "external"}));
    run_cmd
        ->add_option("--misbehave", run.misbehaviours,
                     "Start virtual devices with this misbehaviour (negative control); repeatable")
        ->allow_extra_args(false); // one name per --misbehave: what follows is a path again
    run_cmd->add_option("-j,--jobs", run.jobs, "Scenario executions at once (isolated by run-derived names)")
        ->check(CLI::Range(1, 64));
    run_cmd->add_option("--repeat", run.select.selection.repeat, "Run every selected scenario N times")
        ->check(CLI::Range(1, 100000));
    run_cmd->add_flag("--until-fail", run.until_fail,
                      "Stop at the first FAIL or ERROR (repeats up to --repeat rounds, default 100)");
    run_cmd->add_flag("-v,--verbose", run.verbose, "Print each step as it starts");
    run_cmd->add_option("--timeout-scale", run.timeout_scale, "Multiply every timeout (slow benches)")
        ->check(CLI::PositiveNumber);
    run_cmd->footer(
        "Exit codes: 0 all executed scenarios passed, 1 a scenario failed, 2 usage or scenario-file "
        "error (also: nothing selected), 3 infrastructure error, 128+N interrupted by signal N.");

    RunOptions selftest;
    auto *selftest_cmd = app.add_subcommand(
        "selftest", "Prove scenarios catch what they claim: run each on the good virtual device and on every "
                    "misbehaviour in its kills: (must FAIL at an expectation)");
    add_selection(selftest_cmd, selftest.select);
    selftest_cmd->add_option("--out", selftest.out_dir, "Run directory (default: hil-runs/<run-id>)");
    selftest_cmd->add_option("--bench", selftest.bench,
                             "Bench file (default: the virtual bench on loopback)");
    selftest_cmd
        ->add_option("--profile", selftest.profile, "Broker profile of the run, instead of the bench file's")
        ->check(CLI::IsMember({"aws-twin", "mosquitto", "aws", "external"}));
    selftest_cmd->add_option("-j,--jobs", selftest.jobs, "Scenario executions at once")
        ->check(CLI::Range(1, 64));
    selftest_cmd->add_option("--timeout-scale", selftest.timeout_scale, "Multiply every timeout")
        ->check(CLI::PositiveNumber);
    selftest_cmd->add_option("--json", selftest.json, "Also write results.json (with the kill matrix) here");

    SelectOptions list;
    bool list_json = false;
    auto *list_cmd =
        app.add_subcommand("list", "List the scenarios a selection would run (validates them too)");
    add_selection(list_cmd, list);
    list_cmd->add_flag("--json", list_json, "One JSON object per scenario");

    PkiCommand pki;
    auto *pki_cmd = add_pki_command(app, pki);
    auto *broker_cmd = app.add_subcommand("broker", "The embedded cloud on its own, for bench work");
    broker_cmd->require_subcommand(1);
    BrokerUpOptions broker_up;
    std::vector<std::string> things;
    auto *broker_up_cmd = broker_cmd->add_subcommand(
        "up",
        "Run the embedded broker (fresh test PKI, plain and mutual-TLS listeners) until SIGINT/SIGTERM");
    broker_up_cmd
        ->add_option("--profile", broker_up.profile, "Broker profile (default: the bench file's, aws-twin)")
        ->check(CLI::IsMember({"aws-twin", "mosquitto"}));
    broker_up_cmd->add_flag("--json", broker_up.json,
                            "Print one JSON object (endpoints, CA, identities) as the first line of stdout");
    broker_up_cmd->add_option(
        "--dir", broker_up.dir,
        "Directory for the PKI, config, log and shadows (default: hil-runs/broker-<id>; "
        "must not exist or be empty)");
    broker_up_cmd->add_option("--bench", broker_up.bench, "Bench file (bind address, host name, policies)");
    broker_up_cmd->add_option("--thing", things,
                              "aws-twin: a thing attached to the device certificate (repeatable; default "
                              "hil-device)");
    broker_up_cmd->footer(
        "Exit codes: 0 stopped by SIGINT/SIGTERM, 2 usage error, 3 the broker could not start "
        "or died.");

    KitsOptions kits;
    auto *kits_cmd =
        app.add_subcommand("kits", "The kits hil knows and the probes attached to this host (libserialport)");
    kits_cmd->add_option("--kits", kits.kits_dir,
                         "Kit files directory (default: $HIL_KITS_DIR, else the installed or "
                         "source fixtures/kits)");
    kits_cmd->add_flag("--json", kits.json, "One JSON object");

    FlashOptions flash;
    auto *flash_cmd =
        app.add_subcommand("flash", "Program and verify a kit with OpenOCD (Infineon's fork for the "
                                    "PSoC6 2M parts), as `make program` does");
    flash_cmd->add_option("--kit", flash.kit, "Kit name (hil kits)")->required();
    flash_cmd->add_option("--image", flash.image, "Image to program (.hex or .elf)")->required();
    flash_cmd->add_option("--probe", flash.probe,
                          "Probe serial number (OpenOCD `adapter serial`; hil kits shows it)");
    flash_cmd->add_option("--openocd", flash.openocd,
                          "OpenOCD executable (default: $HIL_OPENOCD, else PATH)");
    flash_cmd->add_option("-s,--scripts", flash.scripts, "Extra OpenOCD scripts directory (repeatable)");
    flash_cmd->add_option("--kits", flash.kits_dir, "Kit files directory");
    flash_cmd->add_option("--log", flash.log,
                          "OpenOCD's output (default: a file in the temporary directory)");
    flash_cmd->footer(
        "Exit codes: 0 verified, 2 usage error (kit, image), 3 OpenOCD, probe or target failed.");

    try {
        app.parse(argc, argv);
        if (!things.empty()) broker_up.things = things;
        run.repeat_given = run_cmd->count("--repeat") > 0;
    } catch (const CLI::ParseError &e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : hil::kUsageError;
    }

    try {
        if (*run_cmd) return run_command(run);
        if (*list_cmd) return list_command(list, list_json);
        if (*selftest_cmd) return selftest_command(selftest);
        if (*pki_cmd) return pki_command(pki);
        if (*broker_up_cmd) return broker_up_command(broker_up);
        if (*kits_cmd) return kits_command(kits);
        if (*flash_cmd) return flash_command(flash);
    } catch (const hil::ConfigError &e) {
        std::cerr << e.what() << "\nhil: " << e.issues().size() << " error(s) in scenario or bench files"
                  << std::endl;
        return hil::kUsageError;
    } catch (const hil::UsageError &e) {
        std::cerr << "hil: " << e.what() << std::endl;
        return hil::kUsageError;
    } catch (const hil::InfraError &e) {
        std::cerr << "hil: infrastructure error: " << e.what()
                  << (e.log_path().empty() ? "" : "\n  log: " + e.log_path()) << std::endl;
        return hil::kInfraError;
    } catch (const std::exception &e) {
        std::cerr << "hil: internal error: " << e.what() << std::endl;
        return hil::kInfraError;
    }
    return hil::kUsageError;
}

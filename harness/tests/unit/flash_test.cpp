// Module flash: kit files, OpenOCD command lines, and OpenOCD output classification on lines
// captured from Debian's OpenOCD 0.12.0 (/usr/bin/openocd) on this machine, with no probe attached.
#include "hil/core/error.hpp"
#include "hil/core/files.hpp"
#include "hil/flash/kit.hpp"
#include "hil/flash/openocd_command.hpp"
#include "hil/flash/openocd_output.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace hil::flash {
namespace {

std::filesystem::path kit_file(const std::string &name, const std::string &text) {
    const auto dir = std::filesystem::temp_directory_path() / ("hil-kit-file-" + std::to_string(getpid()));
    write_file_atomically(dir / name, text);
    return dir / name;
}

// ---- kits

TEST(Kit, TheProjectKitsLoad) {
    const std::filesystem::path dir = HIL_KITS_DIR;
    const auto names = kit_names(dir);
    ASSERT_EQ(names, (std::vector<std::string>{"CY8CEVAL-062S2-LAI-4373M2", "CY8CKIT-062S2-43012",
                                               "CY8CPROTO-062-4343W"}));
    for (const auto &name : names) {
        const Kit kit = find_kit(dir, name);
        EXPECT_EQ(kit.name, name);
        EXPECT_EQ(kit.device, "CY8C624ABZI-S2D44");
        EXPECT_EQ(kit.probe.vid, 0x04B4);
        ASSERT_EQ(kit.probe.modes.size(), 3u);
        EXPECT_EQ(kit.probe.modes[0].pid, 0xF155);
        EXPECT_EQ(kit.probe.modes[0].mode, "kp3-bulk");
        EXPECT_TRUE(kit.probe.accepts(0x04B4, 0xF166));
        EXPECT_FALSE(kit.probe.accepts(0x04B4, 0xF138)); // KitProg2: needs fw-loader --update-kp3
        EXPECT_EQ(kit.openocd.interface_cfg, "interface/kitprog3.cfg");
        EXPECT_EQ(kit.openocd.target_cfg, "target/infineon/cy8cxxa.cfg");
        EXPECT_EQ(kit.openocd.legacy_target_cfg, "target/psoc6_2m.cfg");
        EXPECT_EQ(kit.uart.to_string(), "115200 8N1");
        EXPECT_EQ(kit.flash_timeout, std::chrono::seconds(120));
    }
}

TEST(Kit, UnknownKeysAndBadValuesAreFileErrorsAtTheirLines) {
    const auto file = kit_file("bad.yaml", "name: X\n"                                  // 1
                                           "device: CY8C624ABZI-S2D44\n"                // 2
                                           "probe:\n"                                   // 3
                                           "  vid: 0x4B4Z\n"                            // 4
                                           "  modes: [{pid: 0xF155, mode: kp3-bulk}]\n" // 5
                                           "openocd:\n"                                 // 6
                                           "  interface: interface/kitprog3.cfg\n"      // 7
                                           "  target: target/[evil].cfg\n"              // 8
                                           "uart: {baud: fast, parity: mark}\n"         // 9
                                           "flash: {timeout: soon}\n"                   // 10
                                           "colour: blue\n");                           // 11
    try {
        (void)load_kit_file(file);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError &e) {
        std::vector<std::pair<int, std::string>> got;
        for (const auto &issue : e.issues()) got.emplace_back(issue.line, issue.message);
        ASSERT_EQ(got.size(), 7u) << e.what();
        EXPECT_EQ(got[0].first, 4);
        EXPECT_NE(got[0].second.find("probe.vid"), std::string::npos);
        EXPECT_EQ(got[1].first, 8);
        EXPECT_NE(got[1].second.find("openocd.target"), std::string::npos);
        EXPECT_EQ(got[2].first, 9);
        EXPECT_NE(got[2].second.find("uart.baud"), std::string::npos);
        EXPECT_EQ(got[3].first, 9);
        EXPECT_NE(got[3].second.find("uart.parity: 'mark'"), std::string::npos);
        EXPECT_EQ(got[4].first, 10);
        EXPECT_EQ(got[5].first, 11);
        EXPECT_NE(got[5].second.find("unknown key 'colour'"), std::string::npos);
        EXPECT_NE(got[6].second.find("expected `openocd.target`"), std::string::npos); // refused above
        EXPECT_EQ(e.issues()[0].to_string().rfind(file.string() + ":4:", 0), 0u);
    }
}

TEST(Kit, MissingRequiredKeysAreNamed) {
    try {
        (void)load_kit_file(kit_file("empty.yaml", "name: X\n"));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError &e) {
        const std::string what = e.what();
        EXPECT_EQ(e.issues().size(), 4u) << what;
    }
}

TEST(Kit, AnUnknownKitNameSuggestsTheClosestAndListsTheKnownOnes) {
    try {
        (void)find_kit(HIL_KITS_DIR, "cy8cproto-062-4343");
        FAIL() << "expected UsageError";
    } catch (const UsageError &e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("unknown kit 'cy8cproto-062-4343'"), std::string::npos) << what;
        EXPECT_NE(what.find("did you mean 'CY8CPROTO-062-4343W'?"), std::string::npos) << what;
        EXPECT_NE(
            what.find("known kits: CY8CEVAL-062S2-LAI-4373M2, CY8CKIT-062S2-43012, CY8CPROTO-062-4343W"),
            std::string::npos)
            << what;
    }
    try {
        (void)find_kit(HIL_KITS_DIR, "nucleo-f401re");
        FAIL() << "expected UsageError";
    } catch (const UsageError &e) {
        EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
    }
}

// ---- command lines

OpenOcdSetup proto_setup(std::string serial = "102015B003137400") {
    return setup_for_kit(find_kit(HIL_KITS_DIR, "CY8CPROTO-062-4343W"), std::move(serial),
                         {"/opt/mtb/openocd/scripts"});
}

TEST(OpenOcdCommand, ProgramIsWhatMakeProgramRuns) {
    const auto argv = program_argv("openocd", proto_setup(), "build/last_config/app.hex");
    const std::string setup = "source [find interface/kitprog3.cfg]; adapter serial 102015B003137400; "
                              "transport select swd; source [find target/infineon/cy8cxxa.cfg]; "
                              "psoc6 allow_efuse_program off; psoc6 sflash_restrictions 1; ";
    const std::vector<std::string> expected{"openocd", "-s", "/opt/mtb/openocd/scripts", "-c",
                                            setup + "program {build/last_config/app.hex} verify reset exit;"};
    EXPECT_EQ(argv, expected);
}

TEST(OpenOcdCommand, SerialAndScriptsAreOptionalAndOptionsDropWords) {
    OpenOcdSetup setup = proto_setup("");
    setup.scripts_dirs.clear();
    setup.variables = {{"ENABLE_ACQUIRE", "0"}};
    const auto argv = program_argv("/opt/openocd", setup, "/fw/app.elf", ProgramOptions{true, false, false});
    ASSERT_EQ(argv.size(), 3u);
    EXPECT_EQ(argv[1], "-c");
    EXPECT_EQ(argv[2], "source [find interface/kitprog3.cfg]; transport select swd; set ENABLE_ACQUIRE 0; "
                       "source [find target/infineon/cy8cxxa.cfg]; psoc6 allow_efuse_program off; "
                       "psoc6 sflash_restrictions 1; program {/fw/app.elf} verify;");
}

TEST(OpenOcdCommand, EraseAndResetRun) {
    const auto erase = erase_argv("openocd", proto_setup());
    EXPECT_NE(erase.back().find("psoc6 sflash_restrictions 1; init; reset init; erase_all; exit;"),
              std::string::npos)
        << erase.back();
    const auto reset = reset_run_argv("openocd", proto_setup());
    EXPECT_TRUE(reset.back().ends_with("; init; reset run; shutdown;")) << reset.back();
}

TEST(OpenOcdCommand, SpacesAreBraceQuotedAndTclSpecialsAreRefused) {
    EXPECT_EQ(program_command("/home/me/my fw/app.hex"),
              "program {/home/me/my fw/app.hex} verify reset exit");
    for (const std::string bad : {"a\"b.hex", "a[b.hex", "a]b.hex", "$HOME/a.hex", "a\\b.hex", "a;b.hex",
                                  "a{b.hex", "a}b.hex", "a\nb.hex"}) {
        EXPECT_THROW((void)program_command(bad), UsageError) << bad;
    }
    try {
        (void)program_command("fw/[exec rm].hex");
        FAIL();
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("holds '['"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)program_command("app.bin"), UsageError); // no load address
    EXPECT_THROW((void)program_argv("openocd", proto_setup("1020 15B0"), "a.hex"), UsageError);
    EXPECT_THROW((void)program_argv("openocd", proto_setup("10;shutdown"), "a.hex"), UsageError);
}

// ---- output, captured from /usr/bin/openocd (Debian 0.12.0) here without hardware

TEST(OpenOcdOutput, MissingKitProg3ScriptMeansTheWrongOpenOcd) {
    // openocd -c "source [find interface/kitprog3.cfg]"
    const auto a = classify_openocd_line("Can't find interface/kitprog3.cfg");
    ASSERT_EQ(a.kind, OpenOcdLine::Kind::error);
    EXPECT_EQ(a.error, FlashErrorClass::config_not_found);
    EXPECT_EQ(a.message.rfind("this OpenOCD has no interface/kitprog3.cfg: flashing PSoC6 2M parts needs "
                              "Infineon's OpenOCD (ModusToolbox); point hil at it",
                              0),
              0u)
        << a.message;
    // openocd -f interface/kitprog3.cfg
    const auto b = classify_openocd_line("embedded:startup.tcl:28: Error: Can't find interface/kitprog3.cfg");
    EXPECT_EQ(b.error, FlashErrorClass::config_not_found);
    EXPECT_NE(b.message.find("no interface/kitprog3.cfg:"), std::string::npos);
    const auto c = classify_openocd_line("Can't find board/my-board.cfg");
    EXPECT_EQ(c.error, FlashErrorClass::config_not_found);
    EXPECT_NE(c.message.find("scripts directories"), std::string::npos);
}

TEST(OpenOcdOutput, NoProbeExplainsInitFailed) {
    // openocd -f interface/cmsis-dap.cfg -c "adapter serial 102015B003137400" -c "transport select swd"
    //         -f target/psoc6.cfg -c "program /nonexistent.hex verify reset exit"
    OpenOcdOutput out;
    for (const char *line : {"Open On-Chip Debugger 0.12.0", "Licensed under GNU GPL v2", "swd",
                             "Error: unable to find a matching CMSIS-DAP device", "** OpenOCD init failed **",
                             "shutdown command invoked"}) {
        out.feed(line);
    }
    ASSERT_TRUE(out.error());
    EXPECT_EQ(out.error()->error, FlashErrorClass::no_probe);
    EXPECT_EQ(out.error()->message.rfind("no probe found", 0), 0u);
    EXPECT_EQ(classify_openocd_line("** OpenOCD init failed **").error, FlashErrorClass::init_failed);
    // The reference's wording for KitProg2 boards (not captured here).
    EXPECT_EQ(classify_openocd_line("Error: unable to find CMSIS-DAP device").error,
              FlashErrorClass::no_probe);
}

TEST(OpenOcdOutput, ATargetThatDoesNotAnswer) {
    // openocd -c "adapter driver dummy" -c "adapter speed 1000" -c "transport select jtag"
    //         -f target/psoc6.cfg -c "program /nonexistent.hex verify reset exit"
    OpenOcdOutput out;
    for (const char *line :
         {"Info : TAP psoc6.cpu does not have valid IDCODE (idcode=0x0)",
          "Warn : Unexpected idcode after end of chain: 21 0xfffff800",
          "Error: double-check your JTAG setup (interface, speed, ...)",
          "Error: Trying to use configured scan chain anyway...",
          "Error: psoc6.cpu: IR capture error; saw 0x0f not 0x01",
          "Warn : Bypassing JTAG setup events due to errors", "Error: Invalid ACK (7) in DAP response",
          "Error: JTAG-DP STICKY ERROR", "in procedure 'program'", "** OpenOCD init failed **",
          "shutdown command invoked"}) {
        out.feed(line);
    }
    ASSERT_TRUE(out.error());
    EXPECT_EQ(out.error()->error, FlashErrorClass::target_not_answering);
    EXPECT_EQ(out.error()->line, "Error: psoc6.cpu: IR capture error; saw 0x0f not 0x01");
    // OpenOCD 0.12.0's SWD wording (binary string, not captured: needs a probe without a target).
    EXPECT_EQ(classify_openocd_line("Error: Error connecting DP: cannot read IDR").error,
              FlashErrorClass::target_not_answering);
}

TEST(OpenOcdOutput, ImageFileProblems) {
    // openocd -c "adapter driver dummy" ... -c "jtag newtap t cpu -irlen 4"
    //         -c "target create t.cpu testee -chain-position t.cpu" -c "init; load_image /nonexistent.hex;
    //         exit"
    const auto a = classify_openocd_line("Error: couldn't open /nonexistent.hex");
    EXPECT_EQ(a.error, FlashErrorClass::image_file);
    EXPECT_NE(a.message.find("/nonexistent.hex"), std::string::npos);
    EXPECT_EQ(classify_openocd_line("Error: no flash bank found for address 0x10000000").error,
              FlashErrorClass::image_file);
}

TEST(OpenOcdOutput, ProgressOfProgramAndVerifyFailure) {
    // startup.tcl's `program` procedure (strings /usr/bin/openocd); the same in Infineon's fork.
    OpenOcdOutput out;
    for (const char *line :
         {"Info : Detected Device: CY8C624ABZI-S2D44 (213-BGA), Main Flash size, kb: 2048",
          "** Programming Started **", "** Programming Finished **", "** Verify Started **",
          "** Verified OK **", "** Resetting Target **", "shutdown command invoked"}) {
        out.feed(line);
    }
    EXPECT_FALSE(out.error());
    EXPECT_EQ(out.detected_device(), "CY8C624ABZI-S2D44");
    EXPECT_EQ(out.progress(),
              (std::vector<FlashProgress>{FlashProgress::device_detected, FlashProgress::programming_started,
                                          FlashProgress::programming_finished, FlashProgress::verify_started,
                                          FlashProgress::verified, FlashProgress::resetting}));
    EXPECT_EQ(classify_openocd_line("**Verified OK - No flashing**").progress, FlashProgress::verified);
    EXPECT_EQ(classify_openocd_line("Verified OK").kind, OpenOcdLine::Kind::progress);
    EXPECT_EQ(classify_openocd_line("** Verify Failed **").error, FlashErrorClass::verify_failed);
    EXPECT_EQ(classify_openocd_line("** Programming Failed **").error, FlashErrorClass::programming_failed);
    // A warning on the way to a binary compare is not a failure.
    EXPECT_EQ(classify_openocd_line("Warn : checksum mismatch - attempting binary compare").kind,
              OpenOcdLine::Kind::other);
}

TEST(OpenOcdOutput, PortInUseAndOtherErrors) {
    // openocd (dummy adapter) -c "tcl_port N" with N already bound by another socket
    EXPECT_EQ(
        classify_openocd_line("Error: couldn't bind tcl to socket on port 54913: Address already in use")
            .error,
        FlashErrorClass::port_in_use);
    const auto other = classify_openocd_line("Error: something new");
    EXPECT_EQ(other.error, FlashErrorClass::other);
    EXPECT_EQ(other.message, "OpenOCD: something new");
    EXPECT_EQ(classify_openocd_line("Info : clock speed 1000 kHz").kind, OpenOcdLine::Kind::other);
}

} // namespace
} // namespace hil::flash

// ---- probes (libserialport's view, grouped by USB serial) -------------------------------------

#include "hil/lab/probes.hpp"

namespace hil::lab {
namespace {

SerialPortInfo usb_port(std::string name, std::uint16_t pid, std::string serial) {
    SerialPortInfo p;
    p.name = std::move(name);
    p.usb = true;
    p.vid = 0x04B4;
    p.pid = pid;
    p.usb_serial = std::move(serial);
    return p;
}

TEST(Probes, KitProg3PortsAreGroupedBySerialAndOthersLeftOut) {
    const auto kit = flash::find_kit(HIL_KITS_DIR, "CY8CKIT-062S2-43012");
    SerialPortInfo builtin;
    builtin.name = "/dev/ttyS0";
    auto other_vendor = usb_port("/dev/ttyUSB0", 0xF155, "X1");
    other_vendor.vid = 0x0403;
    const std::vector<SerialPortInfo> ports = {
        usb_port("/dev/ttyACM3", 0xF166, "1C1F0D5B01240400"), // dual-UART mode: two ports, one probe
        usb_port("/dev/ttyACM2", 0xF166, "1C1F0D5B01240400"),
        usb_port("/dev/ttyACM0", 0xF155, "102015B003137400"),
        usb_port("/dev/ttyACM9", 0xF155, ""),   // no serial: cannot be told apart from another
        usb_port("/dev/ttyACM7", 0x1234, "ZZ"), // a Cypress device that is no probe
        builtin,
        other_vendor};
    const auto probes = attached_probes(ports, kit.probe);
    ASSERT_EQ(probes.size(), 2u);
    EXPECT_EQ(probes[0].serial, "102015B003137400");
    EXPECT_EQ(probes[0].uarts, (std::vector<std::string>{"/dev/ttyACM0"}));
    EXPECT_EQ(probes[1].serial, "1C1F0D5B01240400");
    EXPECT_EQ(probes[1].uarts, (std::vector<std::string>{"/dev/ttyACM2", "/dev/ttyACM3"}));
    EXPECT_FALSE(probes[1].mode.empty());
}

TEST(Probes, TheHostsPortsCanBeListed) {
    // Real libserialport on this machine: whatever it has, every port has a name.
    for (const auto &port : list_serial_ports()) EXPECT_FALSE(port.name.empty());
}

} // namespace
} // namespace hil::lab

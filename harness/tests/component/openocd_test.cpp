// Module flash against the real OpenOCD (Debian's /usr/bin/openocd 0.12.0) with no hardware: the
// server with the dummy adapter on an allocated Tcl port, and one-shot runs whose output the
// classifier must explain.
#include "hil/core/error.hpp"
#include "hil/core/process.hpp"
#include "hil/flash/openocd_output.hpp"
#include "hil/flash/openocd_rpc.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <mutex>

namespace hil::flash {
namespace {

const std::filesystem::path kOpenOcd = "/usr/bin/openocd";

std::filesystem::path log_dir() {
    auto dir = std::filesystem::temp_directory_path() / ("hil-openocd-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

OpenOcdServerOptions dummy_server(const std::string &name) {
    OpenOcdServerOptions options;
    options.executable = kOpenOcd;
    options.config_args = {"-c", "adapter driver dummy", "-c", "adapter speed 1000",
                           "-c", "transport select jtag"};
    options.log_path = log_dir() / (name + ".log");
    options.name = name;
    return options;
}

bool alive(pid_t pid) {
    return std::filesystem::exists("/proc/" + std::to_string(pid));
}

class OpenOcd : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(kOpenOcd)) GTEST_SKIP() << "no " << kOpenOcd << " (apt install openocd)";
    }
};

TEST_F(OpenOcd, ServerAnswersTclRpcAndLeavesNoProcess) {
    pid_t pid = -1;
    {
        OpenOcdServer server(dummy_server("openocd-rpc"));
        pid = server.pid();
        ASSERT_GT(pid, 0);
        EXPECT_GT(server.tcl_port(), 0);
        const auto deadline = [] { return Deadline::after(std::chrono::seconds(5)); };
        EXPECT_EQ(server.call("version", deadline()).rfind("Open On-Chip Debugger 0.12.0", 0), 0u);
        EXPECT_EQ(server.call("capture \"adapter name\"", deadline()), "dummy");
        EXPECT_EQ(server.call("reset", deadline()), "invalid command name \"reset\""); // no targets
        // The connection is reused: a second client on the same port is a separate session.
        TclRpcClient other("127.0.0.1", server.tcl_port());
        EXPECT_EQ(other.call("expr {6 * 7}", deadline()), "42");
        EXPECT_TRUE(other.connected());
        EXPECT_TRUE(alive(pid));
    }
    EXPECT_FALSE(alive(pid)) << "openocd " << pid << " outlived its OpenOcdServer";
}

TEST_F(OpenOcd, ACallToAClosedServerFailsBeforeItsDeadline) {
    std::uint16_t port = 0;
    auto server = std::make_unique<OpenOcdServer>(dummy_server("openocd-closed"));
    port = server->tcl_port();
    TclRpcClient client("127.0.0.1", port);
    EXPECT_EQ(client.call("capture \"adapter name\"", Deadline::after(std::chrono::seconds(5))), "dummy");
    server.reset(); // OpenOCD shuts down: the client's connection is closed under it
    const auto deadline = Deadline::after(std::chrono::seconds(5));
    EXPECT_THROW((void)client.call("version", deadline), InfraError);
    EXPECT_FALSE(deadline.expired());
    EXPECT_FALSE(client.connected());
    // A fresh connection to the port is refused at once.
    EXPECT_THROW((void)client.call("version", deadline), InfraError);
    EXPECT_FALSE(deadline.expired());
}

TEST_F(OpenOcd, AServerThatCannotStartSaysWhy) {
    auto options = dummy_server("openocd-noprobe");
    options.config_args = {"-f", "interface/cmsis-dap.cfg", "-c", "transport select swd",
                           "-f", "target/psoc6.cfg"};
    try {
        OpenOcdServer server(options);
        FAIL() << "expected InfraError";
    } catch (const InfraError &e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("no probe found"), std::string::npos) << what;
        EXPECT_EQ(e.log_path(), options.log_path.string());
    }
}

/// Runs OpenOCD once and feeds its output to the classifier.
OpenOcdOutput run_once(const std::vector<std::string> &args, const std::string &name,
                       std::optional<int> &status) {
    OpenOcdOutput output;
    std::mutex mutex;
    ProcessSpec spec;
    spec.name = name;
    spec.argv = {kOpenOcd.string()};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.log_path = log_dir() / (name + ".log");
    spec.on_line = [&](std::string_view line) {
        const std::lock_guard lock(mutex);
        output.feed(line);
    };
    auto process = ManagedProcess::start(std::move(spec), nullptr);
    status = process->wait_exit(Deadline::after(std::chrono::seconds(20)));
    process.reset(); // joins the reader: every line is fed
    return output;
}

TEST_F(OpenOcd, OneShotWithoutAProbeIsClassifiedAsNoProbe) {
    std::optional<int> status;
    const auto output = run_once({"-f", "interface/cmsis-dap.cfg", "-c", "transport select swd", "-f",
                                  "target/psoc6.cfg", "-c", "init; exit"},
                                 "openocd-oneshot", status);
    ASSERT_TRUE(status);
    EXPECT_NE(*status, 0);
    ASSERT_TRUE(output.error());
    EXPECT_EQ(output.error()->error, FlashErrorClass::no_probe) << output.error()->line;
    EXPECT_EQ(output.error()->line, "Error: unable to find a matching CMSIS-DAP device");
}

TEST_F(OpenOcd, OneShotWithoutInfineonScriptsSaysWhichOpenOcdIsNeeded) {
    std::optional<int> status;
    const auto output = run_once({"-c", "source [find interface/kitprog3.cfg]"}, "openocd-kitprog3", status);
    ASSERT_TRUE(output.error());
    EXPECT_EQ(output.error()->error, FlashErrorClass::config_not_found);
    EXPECT_NE(output.error()->message.find("needs Infineon's OpenOCD"), std::string::npos);
}

} // namespace
} // namespace hil::flash

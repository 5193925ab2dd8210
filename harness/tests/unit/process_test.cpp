#include "hil/core/error.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/process.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hil {
namespace {

bool alive(pid_t pid) {
    return kill(pid, 0) == 0;
}

std::filesystem::path temp_dir(const std::string &name) {
    auto dir =
        std::filesystem::temp_directory_path() / ("hil-process-test-" + std::to_string(getpid())) / name;
    std::filesystem::create_directories(dir);
    return dir;
}

TEST(ManagedProcess, DestructorStopsTheWholeProcessGroup) {
    EventBus bus;
    const auto dir = temp_dir("group");
    pid_t leader = 0;
    pid_t grandchild = 0;
    {
        ProcessSpec spec;
        spec.name = "sh";
        // The grandchild prints its pid, then both wait far longer than the test.
        spec.argv = {"/bin/sh", "-c", "sleep 300 & echo child=$!; exec sleep 300"};
        spec.log_path = dir / "sh.log";
        spec.on_line = [&bus](std::string_view l) {
            bus.publish(Source::harness, "sh", "line", {{"text", std::string(l)}});
        };
        auto proc = ManagedProcess::start(spec, &bus);
        leader = proc->pid();
        const auto line = bus.wait_for(
            1, [](const Event &e) { return e.kind == "line"; }, Deadline::after(std::chrono::seconds(5)));
        ASSERT_TRUE(line);
        const std::string text = line->payload["text"];
        ASSERT_EQ(text.rfind("child=", 0), 0u) << text;
        grandchild = std::stoi(text.substr(6));
        EXPECT_TRUE(alive(leader));
        EXPECT_TRUE(alive(grandchild));
        EXPECT_EQ(getpgid(grandchild), leader);
    }
    EXPECT_FALSE(alive(leader));
    // The grandchild was re-parented and got the group's SIGKILL; it may still be dying (state R)
    // for a moment after the leader was reaped. Its pidfd becomes readable when it has exited.
    const int fd = static_cast<int>(syscall(SYS_pidfd_open, grandchild, 0));
    if (fd >= 0) { // else it is gone already (ESRCH)
        pollfd exited{fd, POLLIN, 0};
        EXPECT_EQ(poll(&exited, 1, 5000), 1) << "the grandchild outlived its process group";
        close(fd);
    }
}

TEST(ManagedProcess, OutputLinesReachTheCallbackAndTheLog) {
    EventBus bus;
    const auto dir = temp_dir("lines");
    std::vector<std::string> lines;
    std::mutex mutex;
    ProcessSpec spec;
    spec.name = "printf";
    spec.argv = {"printf", "one\\ntwo\\npartial"};
    spec.log_path = dir / "printf.log";
    spec.on_line = [&](std::string_view l) {
        const std::lock_guard lock(mutex);
        lines.emplace_back(l);
    };
    auto proc = ManagedProcess::start(spec, &bus);
    // The exit is published by the process's own reader, without anybody asking.
    const auto exited = bus.wait_for(
        1, [](const Event &e) { return e.kind == "process.exited"; },
        Deadline::after(std::chrono::seconds(5)));
    ASSERT_TRUE(exited);
    EXPECT_EQ(exited->payload["status"], "exited with 0");
    proc.reset();
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "partial"}));
    std::ifstream log(spec.log_path);
    std::stringstream text;
    text << log.rdbuf();
    EXPECT_EQ(text.str(), "one\ntwo\npartial");
}

TEST(ManagedProcess, StartedEventRecordsThePid) {
    EventBus bus;
    ProcessSpec spec;
    spec.name = "sleeper";
    spec.argv = {"sleep", "300"};
    auto proc = ManagedProcess::start(spec, &bus);
    const auto started = bus.snapshot(1, 0, [](const Event &e) { return e.kind == "process.started"; });
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].payload["pid"], proc->pid());
    EXPECT_TRUE(proc->running());
    proc->stop();
    EXPECT_FALSE(proc->running());
    EXPECT_EQ(proc->status_text(), "killed by signal 15");
}

TEST(ManagedProcess, MissingProgramIsAnInfraErrorNamingIt) {
    ProcessSpec spec;
    spec.name = "ghost";
    spec.argv = {"/nonexistent/hil-ghost"};
    try {
        (void)ManagedProcess::start(spec, nullptr);
        FAIL() << "expected InfraError";
    } catch (const InfraError &e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/hil-ghost"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);
    }
}

TEST(ManagedProcess, WaitExitHonoursItsDeadline) {
    ProcessSpec spec;
    spec.name = "sleeper";
    spec.argv = {"sleep", "300"};
    auto proc = ManagedProcess::start(spec, nullptr);
    const auto t0 = Clock::now();
    EXPECT_FALSE(proc->wait_exit(Deadline::after(Millis(100))));
    EXPECT_GE(Clock::now() - t0, Millis(100));
    EXPECT_LT(Clock::now() - t0, Millis(2000));
}

} // namespace
} // namespace hil

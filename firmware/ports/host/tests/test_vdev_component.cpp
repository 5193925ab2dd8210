// Component tests of hil-vdev against a real Mosquitto on loopback (plain TCP). Every wait has a
// deadline (poll with a timeout), no sleeps; children are killed on every exit path (RAII).
#include <gtest/gtest.h>

#include "vdev_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

using namespace vdevtest;

TEST(VdevComponent, test_vdev_BannerAndSysInfo) {
    Child vdev(vdev_argv({"--board", "test-board"}));
    ASSERT_TRUE(vdev.started());
    LineReader out(vdev.out());
    std::string banner = out.expect("!sys.boot ");
    EXPECT_NE(banner.find(R"("board":"test-board")"), std::string::npos) << banner;
    EXPECT_NE(banner.find(R"("protocol":1)"), std::string::npos) << banner;
    vdev.send("@1 sys.info");
    EXPECT_NE(out.expect("@1 ").find("@1 ok {"), std::string::npos);
}

TEST(VdevComponent, test_vdev_ConnectSubscribePublishToItself) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");

    vdev.send(connect_request(1, broker.port(), "hil-ct-dut"));
    EXPECT_EQ(out.expect("@1 "), "@1 ok");
    EXPECT_EQ(out.expect("!mqtt."), R"(!mqtt.connected {"session_present":false})");

    vdev.send(R"(@2 mqtt.subscribe {"topic":"hil/ct/#","qos":1})");
    EXPECT_EQ(out.expect("@2 "), R"(@2 ok {"mid":1})");
    EXPECT_EQ(out.expect("!mqtt.subscribed"),
              R"(!mqtt.subscribed {"mid":1,"granted_qos":1,"topic":"hil/ct/#"})");

    vdev.send(R"(@3 mqtt.publish {"topic":"hil/ct/up","payload":"hello\u0001","qos":1})");
    EXPECT_EQ(out.expect("@3 "), R"(@3 ok {"mid":2})");
    std::string msg = out.expect("!mqtt.message");
    EXPECT_NE(msg.find(R"("topic":"hil/ct/up","payload":"hello\u0001")"), std::string::npos) << msg;
    EXPECT_NE(msg.find(R"("qos":1)"), std::string::npos) << msg;
}

TEST(VdevComponent, test_vdev_PublishedEventFollowsAnswer) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker.port(), "hil-ct-pub"));
    out.expect("!mqtt.connected");
    vdev.send(R"(@2 mqtt.publish {"topic":"hil/ct/q0","payload":"a"})");
    EXPECT_EQ(out.expect("@2 "), R"(@2 ok {"mid":1})");
    EXPECT_EQ(out.expect("!mqtt.published"), R"(!mqtt.published {"mid":1,"seq":1})");
}

TEST(VdevComponent, test_vdev_MisbehaveWrongTopic) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    Broker broker;
    ASSERT_TRUE(broker.ready()) << broker.log();
    Child vdev(vdev_argv({"--misbehave", "wrong-topic"}));
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker.port(), "hil-ct-wt"));
    out.expect("!mqtt.connected");
    vdev.send(R"(@2 mqtt.subscribe {"topic":"hil/wt/#"})");
    out.expect("!mqtt.subscribed");
    vdev.send(R"(@3 mqtt.publish {"topic":"hil/wt/a","payload":"p"})");
    std::string msg = out.expect("!mqtt.message");
    EXPECT_NE(msg.find(R"("topic":"hil/wt/a/x")"), std::string::npos) << msg;
}

TEST(VdevComponent, test_vdev_ConnectRefusedIsNetUnreachable) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, free_port(), "hil-ct-refused"));
    EXPECT_EQ(out.expect("@1 "), "@1 ok");
    std::string failed = out.expect("!mqtt.connect_failed");
    EXPECT_NE(failed.find(R"("class":"net.unreachable")"), std::string::npos) << failed;
}

TEST(VdevComponent, test_vdev_BrokerGoneIsDisconnected) {
    if (!have_broker()) {
        GTEST_SKIP() << "mosquitto broker not found";
    }
    std::optional<Broker> broker(std::in_place);
    ASSERT_TRUE(broker->ready()) << broker->log();
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    vdev.send(connect_request(1, broker->port(), "hil-ct-gone"));
    out.expect("!mqtt.connected");
    broker.reset(); // SIGTERM: the broker closes the connection
    std::string gone = out.expect("!mqtt.disconnected");
    EXPECT_NE(gone.find(R"("reason":"net.closed")"), std::string::npos) << gone;
}

TEST(VdevComponent, test_vdev_ExitsWhenConsoleHangsUp) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");
    vdev.close_stdin();
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_TRUE(WIFEXITED(vdev.exit_status()));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

TEST(VdevComponent, test_vdev_ExitsOnSigterm) {
    Child vdev(vdev_argv());
    LineReader out(vdev.out());
    out.expect("!sys.boot ");
    vdev.signal(SIGTERM);
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_TRUE(WIFEXITED(vdev.exit_status()));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

TEST(VdevComponent, test_vdev_UnknownMisbehaviourExits2) {
    Child vdev(vdev_argv({"--misbehave", "no-such-thing"}));
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 2);
    LineReader err(vdev.err());
    EXPECT_NE(err.expect("hil-vdev: unknown misbehaviour").find("drop-publish"), std::string::npos);
}

TEST(VdevComponent, test_vdev_PtyIsRawAndHangupExits) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master, 0);
    ASSERT_EQ(grantpt(master), 0);
    ASSERT_EQ(unlockpt(master), 0);
    std::string slave = ptsname(master);
    Child vdev({HIL_VDEV_PATH, "--console", slave}, false);
    LineReader out(master);
    out.expect("!sys.boot ");
    std::string req = "@1 sys.info\n";
    ASSERT_EQ(write(master, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    // Raw mode: the next line is the answer, never our request echoed back.
    auto line = out.next(Clock::now() + kDeadline);
    ASSERT_TRUE(line.has_value()) << out.transcript();
    EXPECT_EQ(line->rfind("@1 ok {", 0), 0u) << *line;
    close(master);
    ASSERT_TRUE(vdev.wait_exit(3s));
    EXPECT_EQ(WEXITSTATUS(vdev.exit_status()), 0);
}

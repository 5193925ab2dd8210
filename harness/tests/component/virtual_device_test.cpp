// The virtual device (the firmware core built for the host) over a real pty, against the real
// embedded Mosquitto, observed by the real Paho cloud client.
#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/error.hpp"
#include "hil/device/virtual_device.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <signal.h>
#include <unistd.h>

namespace hil {
namespace {

std::filesystem::path fresh_dir(const std::string &name) {
    auto dir = std::filesystem::temp_directory_path() / ("hil-vdev-test-" + std::to_string(getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

class VirtualDeviceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
        EmbeddedBrokerOptions o;
        o.dir = dir_ / "broker";
        o.profile = BrokerProfile::mosquitto; // plain Mosquitto, no twin plugin
        broker_ = std::make_unique<EmbeddedBroker>(o, bus_);
    }
    VirtualDeviceOptions device_options(std::vector<std::string> misbehaviours = {}) {
        VirtualDeviceOptions o;
        o.log_dir = dir_;
        o.misbehaviours = std::move(misbehaviours);
        return o;
    }
    nlohmann::json connect_args(const std::string &id) const {
        return {{"host", broker_->plain().host}, {"port", broker_->plain().port}, {"client_id", id}};
    }
    std::optional<Event> await(std::uint64_t from, const std::string &kind, int seconds = 5) {
        return bus_.wait_for(
            from, [&](const Event &e) { return e.kind == kind; },
            Deadline::after(std::chrono::seconds(seconds)));
    }

    EventBus bus_;
    std::filesystem::path dir_;
    std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(VirtualDeviceTest, BootsWithABannerAndAnswersSysInfo) {
    VirtualDevice device(device_options(), bus_);
    EXPECT_EQ(device.identity().board, "host");
    EXPECT_GE(device.identity().protocol, protocol::kMinVersion);
    EXPECT_LE(device.identity().protocol, protocol::kMaxVersion);
    EXPECT_FALSE(device.identity().build_id.empty());
    const auto info = device.session().request("sys.info", {}, Deadline::after(std::chrono::seconds(2)));
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->ok);
    EXPECT_EQ(info->body["build_id"], device.identity().build_id);
}

TEST_F(VirtualDeviceTest, UnknownCommandsGetExactlyOneErrAnswer) {
    VirtualDevice device(device_options(), bus_);
    const auto from = bus_.next_seq();
    const auto answer = device.session().request("no.such", {}, Deadline::after(std::chrono::seconds(2)));
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->ok);
    EXPECT_EQ(answer->body["class"], "proto.unknown_command");
    // A following request is answered too: nothing is left half-read.
    ASSERT_TRUE(device.session().request("sys.info", {}, Deadline::after(std::chrono::seconds(2))));
    EXPECT_EQ(bus_.snapshot(from, 0, [](const Event &e) { return e.kind == "console.answer"; }).size(), 2u);
}

TEST_F(VirtualDeviceTest, PublishesToTheCloudAndReceivesFromIt) {
    VirtualDevice device(device_options(), bus_);
    PahoCloudClient cloud({broker_->plain().uri(), "hil-t-cloud", "cloud", 30, std::nullopt, ""}, bus_);
    cloud.connect(Deadline::after(std::chrono::seconds(5)));
    cloud.subscribe("hil/t/up", 1, Deadline::after(std::chrono::seconds(5)));
    const auto from = bus_.next_seq();
    auto &dut = device.session();
    ASSERT_TRUE(
        dut.request("mqtt.connect", connect_args("hil-t-dut"), Deadline::after(std::chrono::seconds(2)))->ok);
    ASSERT_TRUE(await(from, "mqtt.connected"));
    const auto sub = dut.request("mqtt.subscribe", {{"topic", "hil/t/down"}, {"qos", 1}},
                                 Deadline::after(std::chrono::seconds(2)));
    ASSERT_TRUE(sub && sub->ok);
    ASSERT_TRUE(await(from, "mqtt.subscribed"));
    const auto pub =
        dut.request("mqtt.publish", {{"topic", "hil/t/up"}, {"payload", "from device"}, {"qos", 1}},
                    Deadline::after(std::chrono::seconds(2)));
    ASSERT_TRUE(pub && pub->ok);
    const auto up = await(from, kCloudMessageKind);
    ASSERT_TRUE(up);
    EXPECT_EQ(up->payload["payload"], "from device");
    ASSERT_TRUE(await(from, "mqtt.published"));
    cloud.publish("hil/t/down", "from cloud", 1, false, Deadline::after(std::chrono::seconds(5)));
    const auto down = await(from, "mqtt.message");
    ASSERT_TRUE(down);
    EXPECT_EQ(down->payload["topic"], "hil/t/down");
    EXPECT_EQ(down->payload["payload"], "from cloud");
}

TEST_F(VirtualDeviceTest, ConnectToAClosedPortIsClassified) {
    VirtualDevice device(device_options(), bus_);
    const auto from = bus_.next_seq();
    auto args = connect_args("hil-t-closed");
    args["port"] = 1;
    ASSERT_TRUE(device.session().request("mqtt.connect", args, Deadline::after(std::chrono::seconds(2))));
    const auto failed = await(from, "mqtt.connect_failed", 10);
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->payload["class"], "net.unreachable");
}

TEST_F(VirtualDeviceTest, DropPublishMisbehaviourAnswersOkButSendsNothing) {
    VirtualDevice device(device_options({"drop-publish"}), bus_);
    PahoCloudClient cloud({broker_->plain().uri(), "hil-t-cloud2", "cloud", 30, std::nullopt, ""}, bus_);
    cloud.connect(Deadline::after(std::chrono::seconds(5)));
    cloud.subscribe("hil/t/#", 1, Deadline::after(std::chrono::seconds(5)));
    const auto from = bus_.next_seq();
    auto &dut = device.session();
    ASSERT_TRUE(
        dut.request("mqtt.connect", connect_args("hil-t-drop"), Deadline::after(std::chrono::seconds(2)))
            ->ok);
    ASSERT_TRUE(await(from, "mqtt.connected"));
    const auto pub = dut.request("mqtt.publish", {{"topic", "hil/t/up"}, {"payload", "x"}, {"qos", 1}},
                                 Deadline::after(std::chrono::seconds(2)));
    ASSERT_TRUE(pub && pub->ok);
    // Proof of absence needs a bound: one second of silence on the cloud side.
    EXPECT_FALSE(bus_.wait_for(
        from, [](const Event &e) { return e.kind == kCloudMessageKind; },
        Deadline::after(std::chrono::seconds(1))));
}

TEST_F(VirtualDeviceTest, DeviceProcessIsGoneAfterTheDriverIsDestroyed) {
    pid_t pid = 0;
    {
        VirtualDevice device(device_options(), bus_);
        pid = device.process().pid();
        EXPECT_EQ(kill(pid, 0), 0);
    }
    EXPECT_NE(kill(pid, 0), 0);
}

TEST_F(VirtualDeviceTest, MissingExecutableIsAnInfraErrorNamingIt) {
    auto o = device_options();
    o.executable = "/nonexistent/hil-vdev";
    try {
        VirtualDevice device(o, bus_);
        FAIL();
    } catch (const InfraError &e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/hil-vdev"), std::string::npos);
    }
}

TEST_F(VirtualDeviceTest, ABannerWithAnotherBuildIdIsRefused) {
    // A copy of the image with a different recorded id stands for "flashed X, booted Y".
    const auto exe = dir_ / "hil-vdev";
    std::filesystem::copy_file(default_vdev_path(), exe);
    std::ofstream(exe.string() + ".build-id") << "000000000000\n";
    auto o = device_options();
    o.executable = exe;
    try {
        VirtualDevice device(o, bus_);
        FAIL() << "expected InfraError";
    } catch (const InfraError &e) {
        EXPECT_NE(std::string(e.what()).find("build id"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace hil

// The AWS IoT twin plugin under load, each against a reference measured in the same run:
// - twin.shadow_roundtrip: a shadow update -> update/accepted round trip as the application sees
//   it (p50/p99, median of rounds), against a plain publish -> receive round trip of the same
//   client through the same broker; extras: sustained updates per second.
// - twin.plugin_overhead: QoS 1 publish throughput (mosquitto_pub -> mosquitto_sub) through
//   Mosquitto with the plugin in the aws-twin profile, against the same Mosquitto without it.
//   Target: at most 10% slower (ratio >= 0.9).
#include "bench_support.hpp"
#include "benchmark.hpp"

#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/cloud/shadow_client.hpp"
#include "hil/core/process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hil::bench {

namespace {

const auto kSetup = [] { return Deadline::after(std::chrono::seconds(10)); };

EmbeddedBrokerOptions twin_broker(const std::filesystem::path &dir, bool with_plugin) {
    EmbeddedBrokerOptions o;
    o.dir = dir;
    o.save_on_every_change = false; // the broker's disk is not what is measured
    o.max_queued_messages = 0;
    if (with_plugin) {
        o.twin_plugin = default_twin_plugin_path();
        o.profile = BrokerProfile::aws_twin; // every publish goes through the plugin's checks
        o.policies_dir = default_policies_dir();
    } else {
        o.profile = BrokerProfile::mosquitto;
    }
    std::filesystem::create_directories(dir);
    return o;
}

struct RoundTrips {
    std::vector<double> shadow_us, plain_us;
    double updates_per_s = 0;
};

RoundTrips shadow_round(const std::filesystem::path &dir, int count, int round) {
    EventBus bus;
    EmbeddedBroker broker(twin_broker(dir / "broker", true), bus);
    PahoCloudOptions o;
    o.server_uri = broker.plain().uri();
    o.client_id = "hil-bench-app-" + std::to_string(round);
    o.context = "bench";
    PahoCloudClient cloud(o, bus);
    cloud.connect(kSetup());
    ShadowClient shadow(cloud, bus, "bench");
    const std::string thing = "bench-lamp-" + std::to_string(round);
    const std::string echo = "hil/bench-" + std::to_string(round) + "/echo";
    cloud.subscribe(echo, 1, kSetup());
    RoundTrips r;
    for (int i = 0; i < count; ++i) {
        // Interleaved, so both see the same machine.
        const auto t0 = Clock::now();
        const auto answer =
            shadow.request(thing, "", "update", {{"state", {{"reported", {{"n", i}}}}}}, kSetup());
        if (answer && answer->accepted) r.shadow_us.push_back(us_since(t0));
        const auto from = bus.next_seq();
        const auto t1 = Clock::now();
        cloud.publish(echo, std::to_string(i), 1, false, kSetup());
        const auto back = bus.wait_for(
            from,
            [&](const Event &e) {
                return e.kind == kCloudMessageKind && e.payload.value("payload", "") == std::to_string(i);
            },
            kSetup());
        if (back) r.plain_us.push_back(us_since(t1));
    }
    // Sustained: updates sent back to back (each acknowledged), until the last is accepted.
    const int sustained = count * 2;
    const auto t0 = Clock::now();
    std::optional<ShadowClient::Response> last;
    for (int i = 0; i < sustained; ++i) {
        last = shadow.request(thing, "", "update", {{"state", {{"reported", {{"s", i}}}}}}, kSetup());
        if (!last) break;
    }
    if (last && last->accepted) r.updates_per_s = sustained / (ms_since(t0) / 1000.0);
    return r;
}

/// Wall time (s) of `count` QoS 1 messages from mosquitto_pub to mosquitto_sub through `broker`.
double publish_stream(const EmbeddedBroker &broker, const std::filesystem::path &dir, int count,
                      const std::filesystem::path &lines) {
    SubscriberLines received;
    const std::string topic = "hil/bench-overhead/" + dir.filename().string();
    // A retained marker tells when mosquitto_sub has subscribed (its first line).
    {
        ProcessSpec mark;
        mark.name = "mosquitto_pub";
        mark.argv = {"mosquitto_pub",
                     "-h",
                     broker.plain().host,
                     "-p",
                     std::to_string(broker.plain().port),
                     "-q",
                     "1",
                     "-r",
                     "-t",
                     topic,
                     "-m",
                     "ready"};
        mark.log_path = dir / "mark.log";
        auto p = ManagedProcess::start(mark, nullptr);
        (void)p->wait_exit(kSetup());
    }
    auto subscriber = start_reference_subscriber(broker.plain(), topic, static_cast<std::size_t>(count),
                                                 dir / "sub.log", received);
    if (!subscriber) return 0;
    ProcessSpec pub;
    pub.name = "mosquitto_pub";
    pub.argv = {"sh", "-c",
                "exec mosquitto_pub -h " + broker.plain().host + " -p " +
                    std::to_string(broker.plain().port) + " -q 1 -l -t " + topic + " < " + lines.string()};
    pub.log_path = dir / "pub.log";
    const auto t0 = Clock::now();
    auto publisher = ManagedProcess::start(pub, nullptr);
    const bool all =
        received.wait_count(static_cast<std::size_t>(count) + 1, Deadline::after(std::chrono::seconds(120)));
    const double seconds = ms_since(t0) / 1000.0;
    (void)publisher->wait_exit(kSetup());
    (void)subscriber->wait_exit(kSetup());
    return all ? seconds : 0;
}

} // namespace

Benchmark shadow_roundtrip_benchmark() {
    return {
        "twin.shadow_roundtrip",
        "shadow update -> accepted round trip p99 (us, median of rounds) against a plain publish -> receive "
        "round trip",
        [](bool quick) {
            const int count = quick ? 20 : 200;
            const int rounds = quick ? 1 : 3;
            const auto dir = scratch_dir("twin-roundtrip");
            std::vector<double> p50, p99, ref50, ref99, rate;
            for (int i = 0; i < rounds; ++i) {
                const auto r = shadow_round(dir / std::to_string(i), count, i);
                if (r.shadow_us.empty() || r.plain_us.empty()) continue;
                p50.push_back(percentile(r.shadow_us, 0.5));
                p99.push_back(percentile(r.shadow_us, 0.99));
                ref50.push_back(percentile(r.plain_us, 0.5));
                ref99.push_back(percentile(r.plain_us, 0.99));
                rate.push_back(r.updates_per_s);
            }
            std::filesystem::remove_all(dir);
            Measurement m;
            m.unit = "us";
            m.reference_name = "plain publish -> receive round trip p99";
            m.higher_is_better = false;
            if (p99.empty()) {
                m.failure = "no shadow update was accepted";
                return m;
            }
            m.value = median(p99);
            m.reference = median(ref99);
            m.extras = {{"p50_us", median(p50)},
                        {"reference_p50_us", median(ref50)},
                        {"updates_per_s", median(rate)},
                        {"round_trips", count},
                        {"rounds", rounds}};
            return m;
        }};
}

Benchmark plugin_overhead_benchmark() {
    return {
        "twin.plugin_overhead",
        "QoS 1 publish throughput with the twin plugin (aws-twin) against plain Mosquitto (msg/s, median; "
        "target ratio >= 0.9)",
        [](bool quick) {
            const int count = quick ? 2000 : 20000;
            const int rounds = quick ? 1 : 5;
            const auto dir = scratch_dir("twin-overhead");
            const auto lines = dir / "lines.txt";
            {
                std::ofstream out(lines);
                for (int i = 0; i < count; ++i)
                    out << R"({"n":)" << i << R"(,"pad":"0123456789abcdef"})"
                        << "\n";
            }
            EventBus bus;
            EmbeddedBroker plain(twin_broker(dir / "plain", false), bus);
            EmbeddedBroker twin(twin_broker(dir / "twin", true), bus);
            std::vector<double> with_plugin, without;
            for (int i = 0; i < rounds; ++i) {
                // Alternating, so both brokers see the same machine.
                const double a = publish_stream(plain, dir / ("p" + std::to_string(i)), count, lines);
                const double b = publish_stream(twin, dir / ("t" + std::to_string(i)), count, lines);
                if (a > 0) without.push_back(count / a);
                if (b > 0) with_plugin.push_back(count / b);
            }
            std::filesystem::remove_all(dir);
            Measurement m;
            m.unit = "msg/s";
            m.reference_name = "the same Mosquitto without the plugin";
            if (with_plugin.empty() || without.empty()) {
                m.failure = "a stream did not arrive complete";
                return m;
            }
            m.value = median(with_plugin);
            m.reference = median(without);
            m.extras = {{"messages", count}, {"rounds", rounds}, {"target_ratio", 0.9}};
            return m;
        }};
}

} // namespace hil::bench

// ledger: the harness recording a QoS 1 stream. The virtual device publishes N burst messages
// (at most 32 in flight) through the embedded broker; the harness's cloud client records every
// one on the event bus and the delivery ledger judges them, while `mosquitto_sub` — the reference
// — receives the same stream in the same run. Value: the harness's rate (messages per second from
// the burst request to the last receipt); reference: mosquitto_sub's rate over the same interval.
// A lost message fails the benchmark. Extras: memory per recorded message (resident set growth of
// this process, event bus history included), the ledger's latency percentiles.
#include "bench_support.hpp"
#include "benchmark.hpp"

#include "hil/broker/embedded_broker.hpp"
#include "hil/cloud/paho_cloud_client.hpp"
#include "hil/core/event_bus.hpp"
#include "hil/core/process.hpp"
#include "hil/device/virtual_device.hpp"
#include "hil/ledger/ledger.hpp"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace hil::bench {

namespace {

/// Resident set size of this process, bytes (VmRSS of /proc/self/status).
double resident_bytes() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            double kib = 0;
            status >> kib;
            return kib * 1024.0;
        }
        status.ignore(4096, '\n');
    }
    return 0;
}

double wall_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

struct RoundResult {
    double harness_rate = 0;
    double reference_rate = 0;
    double bytes_per_message = 0;
    LedgerSummary summary;
    std::string failure; // empty: zero loss on both sides
};

RoundResult one_round(std::uint64_t count, const std::filesystem::path &dir, int round) {
    RoundResult r;
    EventBus bus;
    EmbeddedBrokerOptions broker_options;
    broker_options.dir = dir / "broker";
    broker_options.profile = BrokerProfile::mosquitto; // plain MQTT: the harness is measured
    broker_options.save_on_every_change = false;       // measure the harness, not the broker's disk
    broker_options.max_queued_messages = 0;            // the slower reader must not lose messages
    std::filesystem::create_directories(broker_options.dir);
    EmbeddedBroker broker(broker_options, bus);
    const std::string topic = "hil/bench-ledger-" + std::to_string(round) + "/burst";
    const auto setup = [] { return Deadline::after(std::chrono::seconds(10)); };

    PahoCloudOptions cloud_options;
    cloud_options.server_uri = broker.plain().uri();
    cloud_options.client_id = "hil-bench-ledger-cloud";
    PahoCloudClient cloud(cloud_options, bus);
    cloud.connect(setup());
    // A retained marker tells when mosquitto_sub has subscribed: it is its first line.
    cloud.publish(topic, "ready", 1, true, setup());
    cloud.subscribe(topic, 1, setup());

    SubscriberLines lines;
    auto subscriber =
        start_reference_subscriber(broker.plain(), topic, count, dir / "mosquitto_sub.log", lines);
    if (!subscriber) {
        r.failure = "mosquitto_sub did not subscribe (no retained marker within 10 s)";
        return r;
    }

    VirtualDeviceOptions device_options;
    device_options.log_dir = dir / "vdev";
    device_options.context = "bench";
    VirtualDevice device(device_options, bus);
    const auto answer = device.session().request(
        "mqtt.connect",
        {{"host", broker.plain().host}, {"port", broker.plain().port}, {"client_id", "hil-bench-dev"}},
        setup());
    if (!answer || !answer->ok ||
        !bus.wait_for(
            0, [](const Event &e) { return e.kind == "mqtt.connected"; }, setup())) {
        r.failure = "the virtual device did not connect";
        return r;
    }

    const double rss_before = resident_bytes();
    const auto from = bus.next_seq();
    const auto t0 = Clock::now();
    const auto t0_wall = std::chrono::system_clock::now();
    const auto burst = device.session().request(
        "mqtt.burst", {{"topic", topic}, {"run", "bench"}, {"count", count}, {"qos", 1}}, setup());
    if (!burst || !burst->ok) {
        r.failure = "mqtt.burst was refused";
        return r;
    }
    const auto run_deadline = Deadline::after(std::chrono::seconds(120));
    const bool reference_done = lines.wait_count(count + 1, run_deadline);
    const auto last = bus.wait_for(
        from,
        [count](const Event &e) {
            if (e.kind != kCloudMessageKind) return false;
            const auto tag = parse_sequence_payload(e.payload.value("payload", ""));
            return tag && tag->seq == count;
        },
        run_deadline);

    DeliveryLedger ledger;
    for (std::uint64_t seq = 1; seq <= count; ++seq) ledger.sent(seq, t0);
    Clock::time_point last_receipt = t0;
    for (const auto &e : bus.snapshot(from)) {
        if (e.kind == "mqtt.published" && e.payload.contains("msg_seq")) {
            ledger.acknowledged(e.payload.value("msg_seq", std::uint64_t{0}), e.at);
        } else if (e.kind == kCloudMessageKind) {
            if (const auto tag = parse_sequence_payload(e.payload.value("payload", ""))) {
                ledger.received(tag->seq, e.at);
                last_receipt = std::max(last_receipt, e.at);
            }
        }
    }
    r.summary = ledger.summary();
    r.bytes_per_message = (resident_bytes() - rss_before) / static_cast<double>(count);
    const auto verdict = ledger.check(Guarantee::at_least_once);
    if (!last || !verdict.holds || r.summary.unique_received != count) {
        r.failure = "the harness lost messages: " + verdict.explanation + " (" +
                    std::to_string(r.summary.unique_received) + " of " + std::to_string(count) + " received)";
    } else if (!reference_done) {
        r.failure =
            "mosquitto_sub received " + std::to_string(lines.count() - 1) + " of " + std::to_string(count);
    }
    const double harness_s = std::chrono::duration<double>(last_receipt - t0).count();
    const double reference_s = lines.last_number() - wall_seconds(t0_wall);
    r.harness_rate = harness_s > 0 ? static_cast<double>(count) / harness_s : 0;
    r.reference_rate = reference_s > 0 ? static_cast<double>(count) / reference_s : 0;
    (void)subscriber->wait_exit(Deadline::after(std::chrono::seconds(5)));
    cloud.disconnect();
    return r;
}

} // namespace

Benchmark ledger_benchmark() {
    return {"ledger",
            "QoS 1 burst recorded by the harness (msg/s, median of rounds) against mosquitto_sub on the same "
            "stream; fails on any loss",
            [](bool quick) {
                const std::uint64_t count = quick ? 5000 : 100000;
                const int rounds = quick ? 1 : 3;
                const auto dir = scratch_dir("ledger");
                Measurement m;
                m.unit = "msg/s";
                m.reference_name = "mosquitto_sub on the same stream";
                std::vector<double> harness, reference, memory;
                LedgerSummary last;
                for (int i = 0; i < rounds; ++i) {
                    std::filesystem::remove_all(dir);
                    std::filesystem::create_directories(dir);
                    const auto r = one_round(count, dir, i);
                    if (!r.failure.empty()) {
                        m.failure = r.failure;
                        break;
                    }
                    harness.push_back(r.harness_rate);
                    reference.push_back(r.reference_rate);
                    memory.push_back(r.bytes_per_message);
                    last = r.summary;
                }
                std::filesystem::remove_all(dir);
                if (!m.failure.empty()) return m;
                m.value = median(harness);
                m.reference = median(reference);
                m.extras = {{"messages", count},   {"rounds", rounds},
                            {"target_ratio", 0.9}, {"bytes_per_message", median(memory)},
                            {"lost", last.lost},   {"duplicates", last.duplicates}};
                return m;
            }};
}

} // namespace hil::bench

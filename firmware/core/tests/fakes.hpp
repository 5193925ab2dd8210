// Named fakes for the core's port interface: a console sink, a stepping clock, an MQTT port.
#pragma once

#include "hil_device.h"
#include "hil_port.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// The core sees this as the incomplete hil_port_context_t.
struct hil_port_context {
    // ---- console sink: every write, and the text split into lines
    std::string written;
    std::vector<size_t> write_sizes;
    bool console_fails = false;

    // ---- clock: returns now_ms, then adds step_ms (deterministic "time passes")
    uint64_t now_ms = 1000;
    uint64_t step_ms = 0;

    // ---- MQTT port: calls recorded; results scripted
    struct Publish {
        std::string topic;
        std::string payload;
        uint8_t qos;
        bool retain;
    };
    std::vector<hil_port_connect_params_t> connects; // strings copied below
    std::vector<std::string> connect_hosts;
    std::vector<std::string> connect_client_ids;
    struct ConnectCopy { // the strings and blobs of a connect, copied during the call
        std::string sni, alpn, ca, cert, key, will_topic, will_payload;
    };
    std::vector<ConnectCopy> connect_copies;
    std::vector<Publish> publishes;
    std::vector<std::pair<std::string, uint8_t>> subscribes;
    hil_port_status_t connect_result = HIL_PORT_OK;
    hil_port_status_t publish_result = HIL_PORT_OK;
    hil_port_status_t subscribe_result = HIL_PORT_OK;
    hil_port_status_t unsubscribe_result = HIL_PORT_OK;
    hil_port_status_t disconnect_result = HIL_PORT_OK;
    std::vector<std::string> unsubscribes;
    int disconnects = 0;
    int reboots = 0;
    std::vector<int64_t> times_set;
    std::vector<std::pair<std::string, std::string>> wifi_connects; // ssid, password
    int wifi_disconnects = 0;
    hil_port_status_t wifi_result = HIL_PORT_OK;
    uint16_t next_mid = 1;
    // Runs inside a port call, e.g. to report an outcome synchronously like libmosquitto does.
    std::function<void()> during_call;

    // Lines written so far, without '\n'; a partial last line is not returned.
    std::vector<std::string> lines() const;
    void clear() {
        written.clear();
        write_sizes.clear();
    }
};

// A hil_port_t wired to the fake context. with_mqtt=false leaves the MQTT functions NULL (and
// the optional ones: disconnect, unsubscribe, reboot, set_time). with_wifi adds the Wi-Fi hooks
// (a board-like port; without them the link is fixed).
hil_port_t make_fake_port(hil_port_context *ctx, bool with_mqtt = true, bool with_wifi = false);

// Feed a string into the device.
hil_device_status_t feed(hil_device_t *dev, const std::string &bytes);

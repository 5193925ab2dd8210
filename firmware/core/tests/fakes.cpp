#include "fakes.hpp"

namespace {

hil_port_status_t fake_console_write(hil_port_context_t *ctx, const char *data, size_t len) {
    if (ctx->console_fails) {
        return HIL_PORT_IO;
    }
    ctx->written.append(data, len);
    ctx->write_sizes.push_back(len);
    return HIL_PORT_OK;
}

uint64_t fake_now_ms(hil_port_context_t *ctx) {
    uint64_t now = ctx->now_ms;
    ctx->now_ms += ctx->step_ms;
    return now;
}

hil_port_status_t fake_connect(hil_port_context_t *ctx, const hil_port_connect_params_t *p) {
    ctx->connects.push_back(*p);
    ctx->connect_hosts.emplace_back(p->host);
    ctx->connect_client_ids.emplace_back(p->client_id);
    auto blob = [](const hil_port_blob_t &b) {
        return b.data != nullptr ? std::string(reinterpret_cast<const char *>(b.data), b.len) : std::string();
    };
    hil_port_context::ConnectCopy copy;
    copy.sni = p->tls.sni != nullptr ? p->tls.sni : "";
    copy.alpn = p->tls.alpn != nullptr ? p->tls.alpn : "";
    copy.ca = blob(p->tls.ca);
    copy.cert = blob(p->tls.cert);
    copy.key = blob(p->tls.key);
    copy.will_topic = p->will.topic != nullptr ? p->will.topic : "";
    copy.will_payload = p->will.payload != nullptr
                            ? std::string(reinterpret_cast<const char *>(p->will.payload), p->will.len)
                            : std::string();
    ctx->connect_copies.push_back(copy);
    if (ctx->during_call) {
        ctx->during_call();
    }
    return ctx->connect_result;
}

hil_port_status_t fake_publish(hil_port_context_t *ctx, const char *topic, const uint8_t *payload, size_t len,
                               uint8_t qos, bool retain, uint16_t *mid) {
    ctx->publishes.push_back({topic, std::string(reinterpret_cast<const char *>(payload), len), qos, retain});
    *mid = ctx->next_mid++;
    if (ctx->during_call) {
        ctx->during_call();
    }
    return ctx->publish_result;
}

hil_port_status_t fake_subscribe(hil_port_context_t *ctx, const char *filter, uint8_t qos, uint16_t *mid) {
    ctx->subscribes.emplace_back(filter, qos);
    *mid = ctx->next_mid++;
    return ctx->subscribe_result;
}

hil_port_status_t fake_unsubscribe(hil_port_context_t *ctx, const char *filter, uint16_t *mid) {
    ctx->unsubscribes.emplace_back(filter);
    *mid = ctx->next_mid++;
    return ctx->unsubscribe_result;
}

hil_port_status_t fake_disconnect(hil_port_context_t *ctx) {
    ctx->disconnects++;
    if (ctx->during_call) {
        ctx->during_call();
    }
    return ctx->disconnect_result;
}

void fake_reboot(hil_port_context_t *ctx) {
    ctx->reboots++;
}

void fake_set_time(hil_port_context_t *ctx, int64_t epoch_s) {
    ctx->times_set.push_back(epoch_s);
}

hil_port_status_t fake_wifi_connect(hil_port_context_t *ctx, const char *ssid, const char *password) {
    ctx->wifi_connects.emplace_back(ssid, password);
    return ctx->wifi_result;
}

hil_port_status_t fake_wifi_disconnect(hil_port_context_t *ctx) {
    ctx->wifi_disconnects++;
    return ctx->wifi_result;
}

} // namespace

std::vector<std::string> hil_port_context::lines() const {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl = written.find('\n'); nl != std::string::npos; nl = written.find('\n', start)) {
        out.push_back(written.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

hil_port_t make_fake_port(hil_port_context *ctx, bool with_mqtt, bool with_wifi) {
    hil_port_t port{};
    port.ctx = ctx;
    port.console_write = fake_console_write;
    port.now_ms = fake_now_ms;
    if (with_mqtt) {
        port.mqtt_connect = fake_connect;
        port.mqtt_publish = fake_publish;
        port.mqtt_subscribe = fake_subscribe;
        port.mqtt_unsubscribe = fake_unsubscribe;
        port.mqtt_disconnect = fake_disconnect;
        port.reboot = fake_reboot;
        port.set_time = fake_set_time;
    }
    if (with_wifi) {
        port.wifi_connect = fake_wifi_connect;
        port.wifi_disconnect = fake_wifi_disconnect;
    }
    return port;
}

hil_device_status_t feed(hil_device_t *dev, const std::string &bytes) {
    return hil_device_feed(dev, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

/** @file fuzz_port.c @brief The fuzz targets' port: checking console, instant MQTT, stepping clock. */
#include "fuzz_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hil_port_context {
    uint64_t now;
    uint16_t mid;
    hil_device_t *dev;
};

static struct hil_port_context s_ctx;
static hil_device_t s_dev;
static hil_port_t s_port;

/* Every line the device writes must be one protocol line: at most HIL_PROTO_MAX_LINE bytes of
 * printable ASCII/TAB, one '\n' at the end; '@' answers and '!' events as the grammar says. */
static hil_port_status_t console_write(hil_port_context_t *ctx, const char *data, size_t len) {
    (void)ctx;
    if ((len == 0U) || (len > (HIL_PROTO_MAX_LINE + 1U)) || (data[len - 1U] != '\n')) {
        fprintf(stderr, "bad line length %zu\n", len);
        abort();
    }
    for (size_t i = 0U; (i + 1U) < len; i++) {
        unsigned char ch = (unsigned char)data[i];
        if (!(((ch >= 0x20U) && (ch <= 0x7eU)) || (ch == '\t'))) {
            fprintf(stderr, "unprintable byte 0x%02x at %zu: %.*s\n", ch, i, (int)len, data);
            abort();
        }
    }
    if (data[0] == '!') {
        const char *sp = memchr(data, ' ', len);
        hil_json_obj_t obj;
        if ((sp == NULL) || !hil_proto_name_valid(data + 1, (size_t)(sp - data - 1)) ||
            (hil_json_obj_init(&obj, sp + 1, len - 1U - (size_t)(sp + 1 - data)) != HIL_JSON_OK)) {
            fprintf(stderr, "malformed event: %.*s\n", (int)len, data);
            abort();
        }
    }
    return HIL_PORT_OK;
}

static uint64_t now_ms(hil_port_context_t *ctx) {
    ctx->now += 7U;
    return ctx->now;
}

static uint16_t next_mid(hil_port_context_t *ctx) {
    ctx->mid = (uint16_t)((ctx->mid == UINT16_MAX) ? 1U : ctx->mid + 1U);
    return ctx->mid;
}

static hil_port_status_t mqtt_connect(hil_port_context_t *ctx, const hil_port_connect_params_t *p) {
    /* Touch every byte the core hands over, so ASan sees any overread. */
    volatile size_t sum = strlen(p->host) + strlen(p->client_id);
    if (p->tls.enabled) {
        sum += strlen(p->tls.sni) + strlen(p->tls.alpn);
        for (size_t i = 0U; i < p->tls.ca.len; i++) {
            sum += p->tls.ca.data[i];
        }
    }
    (void)sum;
    (void)hil_device_on_connected(ctx->dev, (p->keepalive_s & 1U) != 0U);
    return HIL_PORT_OK;
}

static hil_port_status_t mqtt_publish(hil_port_context_t *ctx, const char *topic, const uint8_t *payload,
                                      size_t len, uint8_t qos, bool retain, uint16_t *mid) {
    volatile size_t sum = strlen(topic);
    (void)retain;
    for (size_t i = 0U; i < len; i++) {
        sum += payload[i];
    }
    (void)sum;
    *mid = next_mid(ctx);
    if (qos == 0U) {
        (void)hil_device_on_published(ctx->dev, *mid);
    }
    return HIL_PORT_OK;
}

static hil_port_status_t mqtt_subscribe(hil_port_context_t *ctx, const char *filter, uint8_t qos,
                                        uint16_t *mid) {
    (void)filter;
    (void)qos;
    *mid = next_mid(ctx);
    return HIL_PORT_OK;
}

static hil_port_status_t mqtt_unsubscribe(hil_port_context_t *ctx, const char *filter, uint16_t *mid) {
    (void)filter;
    *mid = next_mid(ctx);
    return HIL_PORT_OK;
}

static hil_port_status_t mqtt_disconnect(hil_port_context_t *ctx) {
    (void)hil_device_on_disconnected(ctx->dev, HIL_ERR_MQTT_REQUESTED, "fuzz");
    return HIL_PORT_OK;
}

static void reboot(hil_port_context_t *ctx) {
    (void)hil_device_reset(ctx->dev);
    (void)hil_device_start(ctx->dev);
}

hil_device_t *fuzz_device(bool connected) {
    static const hil_device_config_t cfg = {"hil-reference", "0.1.0", "fuzz", "fuzz"};
    memset(&s_ctx, 0, sizeof(s_ctx));
    memset(&s_port, 0, sizeof(s_port));
    s_ctx.dev = &s_dev;
    s_port.ctx = &s_ctx;
    s_port.console_write = console_write;
    s_port.now_ms = now_ms;
    s_port.mqtt_connect = mqtt_connect;
    s_port.mqtt_publish = mqtt_publish;
    s_port.mqtt_subscribe = mqtt_subscribe;
    s_port.mqtt_unsubscribe = mqtt_unsubscribe;
    s_port.mqtt_disconnect = mqtt_disconnect;
    s_port.reboot = reboot;
    if (hil_device_init(&s_dev, &s_port, &cfg) != HIL_DEVICE_OK) {
        abort();
    }
    if (connected) {
        static const char connect[] = "@1 mqtt.connect {\"host\":\"h\",\"port\":1,\"client_id\":\"c\"}\n";
        (void)hil_device_feed(&s_dev, (const uint8_t *)connect, sizeof(connect) - 1U);
    }
    return &s_dev;
}

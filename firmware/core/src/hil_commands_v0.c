/** @file hil_commands_v0.c @brief The commands of protocol v0: sys.info and mqtt.* (§7). */
#include "hil_device.h"

#include <string.h>

/* Map a port refusal to the error class of the answer. */
static void port_error(hil_cmd_reply_t *reply, hil_port_status_t ps, const char *field) {
    switch (ps) {
    case HIL_PORT_BAD_PARAM: hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, field); break;
    case HIL_PORT_NOT_CONNECTED:
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        break;
    case HIL_PORT_BUSY: hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "the MQTT stack is busy"); break;
    case HIL_PORT_OK:
    case HIL_PORT_FAILED:
    case HIL_PORT_IO:
    default: hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "the MQTT stack refused the operation"); break;
    }
}

static void cmd_sys_info(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    uint64_t now = dev->port->now_ms(dev->port->ctx);
    (void)args;
    (void)hil_json_add_string(&reply->body, "fw", dev->config.fw);
    (void)hil_json_add_string(&reply->body, "version", dev->config.version);
    (void)hil_json_add_string(&reply->body, "build_id", dev->config.build_id);
    (void)hil_json_add_string(&reply->body, "board", dev->config.board);
    (void)hil_json_add_int(&reply->body, "protocol", HIL_PROTO_VERSION);
    (void)hil_json_add_int(&reply->body, "uptime_ms", (int64_t)(now - dev->boot_ms));
}

/* A topic or filter argument: required, non-empty, no NUL byte. */
static bool topic_arg(hil_cmd_reply_t *reply, const hil_json_obj_t *args, char *out) {
    size_t len = 0U;
    bool ok = hil_cmd_arg_string(reply, args, "topic", true, out, HIL_DEVICE_MAX_TOPIC + 1U, &len);
    if (ok && ((len == 0U) || (strlen(out) != len))) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, "topic: empty or contains NUL");
        ok = false;
    }
    return ok;
}

static void cmd_mqtt_connect(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t port = 0;
    int64_t keepalive = 60;
    bool clean_session = true;
    size_t host_len = 0U;
    size_t id_len = 0U;
    bool ok = true;

    if (dev->port->mqtt_connect == NULL) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port has no MQTT");
        ok = false;
    } else if (dev->mqtt_state != HIL_MQTT_IDLE) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY,
                            (dev->mqtt_state == HIL_MQTT_CONNECTING) ? "connect in progress"
                                                                     : "already connected");
        ok = false;
    } else {
        ok = hil_cmd_arg_string(reply, args, "host", true, dev->host, sizeof(dev->host), &host_len) &&
             hil_cmd_arg_int(reply, args, "port", true, 1, 65535, &port) &&
             hil_cmd_arg_string(reply, args, "client_id", true, dev->client_id, sizeof(dev->client_id),
                                &id_len) &&
             hil_cmd_arg_int(reply, args, "keepalive", false, 0, 65535, &keepalive) &&
             hil_cmd_arg_bool(reply, args, "clean_session", false, &clean_session);
        if (ok && ((host_len == 0U) || (strlen(dev->host) != host_len))) {
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, "host: empty or contains NUL");
            ok = false;
        }
        if (ok && (strlen(dev->client_id) != id_len)) {
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, "client_id: contains NUL");
            ok = false;
        }
    }
    if (ok) {
        hil_port_connect_params_t params = {dev->host, (uint16_t)port, dev->client_id, (uint16_t)keepalive,
                                            clean_session};
        hil_port_status_t ps = HIL_PORT_OK;
        /* Set before the call: the port may report the outcome from inside it (the core then
         * writes that event after this answer). */
        dev->mqtt_state = HIL_MQTT_CONNECTING;
        ps = dev->port->mqtt_connect(dev->port->ctx, &params);
        if (ps != HIL_PORT_OK) {
            dev->mqtt_state = HIL_MQTT_IDLE;
            port_error(reply, ps, "client_id, keepalive: rejected by the MQTT stack");
        }
    }
}

static void cmd_mqtt_publish(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t qos = 0;
    bool retain = false;
    size_t payload_len = 0U;
    uint16_t mid = 0U;
    bool ok =
        topic_arg(reply, args, dev->topic) &&
        hil_cmd_arg_string(reply, args, "payload", true, dev->payload, sizeof(dev->payload), &payload_len) &&
        hil_cmd_arg_int(reply, args, "qos", false, 0, 2, &qos) &&
        hil_cmd_arg_bool(reply, args, "retain", false, &retain);

    if (ok && (dev->port->mqtt_publish == NULL)) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port has no MQTT");
        ok = false;
    }
    if (ok && (dev->mqtt_state != HIL_MQTT_CONNECTED)) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        ok = false;
    }
    if (ok && dev->misbehave[HIL_MISBEHAVE_DROP_PUBLISH]) {
        /* A plausible mid, never sent, so never mqtt.published. */
        dev->dropped_mid = (uint16_t)((dev->dropped_mid == UINT16_MAX) ? 1U : dev->dropped_mid + 1U);
        mid = dev->dropped_mid;
    } else if (ok) {
        hil_port_status_t ps = HIL_PORT_OK;
        if (dev->misbehave[HIL_MISBEHAVE_WRONG_TOPIC]) {
            (void)strcat(dev->topic, "/x"); /* topic buffer has room for the suffix */
        }
        if (dev->misbehave[HIL_MISBEHAVE_CORRUPT_PAYLOAD] && (payload_len > 0U)) {
            /* XOR 0x01 keeps a printable byte printable, so the event stays readable. */
            dev->payload[payload_len - 1U] = (char)(dev->payload[payload_len - 1U] ^ 0x01);
        }
        ps = dev->port->mqtt_publish(dev->port->ctx, dev->topic, (const uint8_t *)dev->payload, payload_len,
                                     (uint8_t)qos, retain, &mid);
        if (ps != HIL_PORT_OK) {
            port_error(reply, ps, "topic: rejected by the MQTT stack");
            ok = false;
        }
    } else {
        /* reply already holds the error */
    }
    if (ok) {
        (void)hil_json_add_int(&reply->body, "mid", mid);
    }
}

static void cmd_mqtt_subscribe(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t qos = 0;
    uint16_t mid = 0U;
    bool ok = topic_arg(reply, args, dev->topic) && hil_cmd_arg_int(reply, args, "qos", false, 0, 2, &qos);

    if (ok && (dev->port->mqtt_subscribe == NULL)) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port has no MQTT");
        ok = false;
    }
    if (ok && (dev->mqtt_state != HIL_MQTT_CONNECTED)) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        ok = false;
    }
    if (ok) {
        hil_port_status_t ps = dev->port->mqtt_subscribe(dev->port->ctx, dev->topic, (uint8_t)qos, &mid);
        if (ps != HIL_PORT_OK) {
            port_error(reply, ps, "topic: rejected by the MQTT stack");
            ok = false;
        }
    }
    if (ok) {
        (void)hil_json_add_int(&reply->body, "mid", mid);
    }
}

hil_cmd_status_t hil_device_register_v0_commands(hil_device_t *dev) {
    hil_cmd_status_t status = HIL_CMD_OK;
    static const struct {
        const char *name;
        hil_cmd_handler_t handler;
    } s_v0[] = {
        {"sys.info", cmd_sys_info},
        {"mqtt.connect", cmd_mqtt_connect},
        {"mqtt.publish", cmd_mqtt_publish},
        {"mqtt.subscribe", cmd_mqtt_subscribe},
    };
    if (dev == NULL) {
        status = HIL_CMD_BAD_PARAM;
    }
    for (size_t i = 0U; (status == HIL_CMD_OK) && (i < (sizeof(s_v0) / sizeof(s_v0[0]))); i++) {
        status = hil_cmd_register(&dev->commands, s_v0[i].name, s_v0[i].handler, dev);
    }
    return status;
}

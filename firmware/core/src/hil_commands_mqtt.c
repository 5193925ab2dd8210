/** @file hil_commands_mqtt.c @brief The mqtt.* commands (PROTOCOL.md §7). */
#include "hil_commands.h"

#include <string.h>

/* Map a port refusal to the error class of the answer. */
static void device_error(hil_cmd_reply_t *reply, hil_device_status_t ds, const char *field) {
    switch (ds) {
    case HIL_DEVICE_BAD_PARAM: hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, field); break;
    case HIL_DEVICE_NOT_CONNECTED:
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        break;
    case HIL_DEVICE_BUSY: hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "the MQTT stack is busy"); break;
    case HIL_DEVICE_NO_SPACE:
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY,
                            "subscription table full (HIL_DEVICE_MAX_SUBSCRIPTIONS)");
        break;
    case HIL_DEVICE_OK:
    case HIL_DEVICE_FAILED:
    case HIL_DEVICE_IO:
    default: hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "the MQTT stack refused the operation"); break;
    }
}

static void port_error(hil_cmd_reply_t *reply, hil_port_status_t ps, const char *field) {
    hil_device_status_t ds = HIL_DEVICE_FAILED;
    switch (ps) {
    case HIL_PORT_BAD_PARAM: ds = HIL_DEVICE_BAD_PARAM; break;
    case HIL_PORT_NOT_CONNECTED: ds = HIL_DEVICE_NOT_CONNECTED; break;
    case HIL_PORT_BUSY: ds = HIL_DEVICE_BUSY; break;
    case HIL_PORT_OK:
    case HIL_PORT_FAILED:
    case HIL_PORT_IO:
    default: ds = HIL_DEVICE_FAILED; break;
    }
    device_error(reply, ds, field);
}

/* A topic or filter argument: non-empty, no NUL byte. */
static bool topic_arg(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                      char *out) {
    size_t len = 0U;
    bool present = hil_cmd_has_arg(args, key);
    bool ok = hil_cmd_arg_string(reply, args, key, required, out, HIL_DEVICE_MAX_TOPIC + 1U, &len);
    if (ok && present && ((len == 0U) || (strlen(out) != len))) {
        hil_cmd_bad_arg(reply, key, "empty or contains NUL");
        ok = false;
    }
    return ok;
}

/* A text argument without NUL bytes (host names, ids). */
static bool text_arg(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                     bool allow_empty, char *out, size_t size) {
    size_t len = 0U;
    bool present = hil_cmd_has_arg(args, key);
    bool ok = hil_cmd_arg_string(reply, args, key, required, out, size, &len);
    if (ok && present && (strlen(out) != len)) {
        hil_cmd_bad_arg(reply, key, "contains NUL");
        ok = false;
    } else if (ok && present && !allow_empty && (len == 0U)) {
        hil_cmd_bad_arg(reply, key, "empty");
        ok = false;
    } else {
        /* fine */
    }
    return ok;
}

/* A slot argument: a committed slot, or absent (HIL_DEVICE_NO_SLOT). */
static bool slot_arg(hil_device_t *dev, hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key,
                     uint8_t *slot) {
    int64_t n = -1;
    bool ok = hil_cmd_arg_int(reply, args, key, false, 0, (int64_t)HIL_CRED_SLOTS - 1, &n);
    *slot = HIL_DEVICE_NO_SLOT;
    if (ok && (n >= 0)) {
        if (!dev->creds.slots[n].committed) {
            hil_cmd_bad_arg(reply, key, "slot is not committed (cred.commit)");
            ok = false;
        } else {
            *slot = (uint8_t)n;
        }
    }
    return ok;
}

/* The TLS arguments of mqtt.connect into c (tls already read). */
static bool tls_args(hil_device_t *dev, hil_cmd_reply_t *reply, const hil_json_obj_t *args,
                     hil_mqtt_config_t *c) {
    static const char *const s_tls_only[] = {"ca_slot",     "cert_slot", "key_slot",   "sni",
                                             "verify_host", "alpn",      "tls_version"};
    char version[8] = "";
    bool ok = true;
    if (!c->tls) {
        for (size_t i = 0U; ok && (i < (sizeof(s_tls_only) / sizeof(s_tls_only[0]))); i++) {
            if (hil_cmd_has_arg(args, s_tls_only[i])) {
                hil_cmd_bad_arg(reply, s_tls_only[i], "needs \"tls\":true");
                ok = false;
            }
        }
    } else {
        c->verify_host = true;
        ok = slot_arg(dev, reply, args, "ca_slot", &c->ca_slot) &&
             slot_arg(dev, reply, args, "cert_slot", &c->cert_slot) &&
             slot_arg(dev, reply, args, "key_slot", &c->key_slot) &&
             text_arg(reply, args, "sni", false, false, c->sni, sizeof(c->sni)) &&
             hil_cmd_arg_bool(reply, args, "verify_host", false, &c->verify_host) &&
             text_arg(reply, args, "alpn", false, false, c->alpn, sizeof(c->alpn)) &&
             text_arg(reply, args, "tls_version", false, false, version, sizeof(version));
        if (ok && (c->ca_slot == HIL_DEVICE_NO_SLOT)) {
            hil_cmd_bad_arg(reply, "ca_slot", "missing (required with tls)");
            ok = false;
        }
        if (ok && ((c->cert_slot == HIL_DEVICE_NO_SLOT) != (c->key_slot == HIL_DEVICE_NO_SLOT))) {
            hil_cmd_bad_arg(reply, "cert_slot, key_slot", "give both or neither");
            ok = false;
        }
        if (ok && (version[0] != '\0')) {
            if (strcmp(version, "1.2") == 0) {
                c->tls_version = HIL_TLS_VERSION_1_2;
            } else if (strcmp(version, "1.3") == 0) {
                c->tls_version = HIL_TLS_VERSION_1_3;
            } else {
                hil_cmd_bad_arg(reply, "tls_version", "expected \"1.2\" or \"1.3\"");
                ok = false;
            }
        }
        if (ok && (c->sni[0] == '\0')) {
            (void)memcpy(c->sni, c->host, strlen(c->host) + 1U);
        }
    }
    return ok;
}

/* The last-will arguments of mqtt.connect into c. */
static bool will_args(hil_cmd_reply_t *reply, const hil_json_obj_t *args, hil_mqtt_config_t *c) {
    int64_t qos = 0;
    char *payload = (char *)c->will_payload;
    bool ok = topic_arg(reply, args, "will_topic", false, c->will_topic) &&
              hil_cmd_arg_string(reply, args, "will_payload", false, payload, sizeof(c->will_payload),
                                 &c->will_len) &&
              hil_cmd_arg_int(reply, args, "will_qos", false, 0, 2, &qos) &&
              hil_cmd_arg_bool(reply, args, "will_retain", false, &c->will_retain);
    c->has_will = c->will_topic[0] != '\0';
    c->will_qos = (uint8_t)qos;
    if (ok && !c->has_will) {
        static const char *const s_will_only[] = {"will_payload", "will_qos", "will_retain"};
        for (size_t i = 0U; ok && (i < (sizeof(s_will_only) / sizeof(s_will_only[0]))); i++) {
            if (hil_cmd_has_arg(args, s_will_only[i])) {
                hil_cmd_bad_arg(reply, s_will_only[i], "needs will_topic");
                ok = false;
            }
        }
    }
    return ok;
}

static void cmd_mqtt_connect(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    hil_mqtt_config_t *c = &dev->mqtt;
    int64_t port = 0;
    int64_t keepalive = 60;
    int64_t min_ms = HIL_RECONNECT_MIN_MS;
    int64_t max_ms = HIL_RECONNECT_MAX_MS;
    bool ok = true;

    if (dev->port->mqtt_connect == NULL) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port has no MQTT");
        ok = false;
    } else if ((dev->mqtt_state == HIL_MQTT_CONNECTING) || (dev->mqtt_state == HIL_MQTT_CONNECTED)) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY,
                            (dev->mqtt_state == HIL_MQTT_CONNECTING) ? "connect in progress"
                                                                     : "already connected");
        ok = false;
    } else {
        /* A new connection replaces everything of the old one, a pending reconnect included. */
        dev->mqtt_state = HIL_MQTT_IDLE;
        hil_device_session_reset(dev);
        (void)memset(c, 0, sizeof(*c));
        c->clean_session = true;
        c->reconnect = true;
        ok = text_arg(reply, args, "host", true, false, c->host, sizeof(c->host)) &&
             hil_cmd_arg_int(reply, args, "port", true, 1, 65535, &port) &&
             text_arg(reply, args, "client_id", true, true, c->client_id, sizeof(c->client_id)) &&
             hil_cmd_arg_int(reply, args, "keepalive", false, 0, 65535, &keepalive) &&
             hil_cmd_arg_bool(reply, args, "clean_session", false, &c->clean_session) &&
             hil_cmd_arg_bool(reply, args, "tls", false, &c->tls) && tls_args(dev, reply, args, c) &&
             will_args(reply, args, c) && hil_cmd_arg_bool(reply, args, "reconnect", false, &c->reconnect) &&
             hil_cmd_arg_int(reply, args, "reconnect_min_ms", false, 10, 3600000, &min_ms) &&
             hil_cmd_arg_int(reply, args, "reconnect_max_ms", false, 10, 3600000, &max_ms);
        if (ok && (max_ms < min_ms)) {
            hil_cmd_bad_arg(reply, "reconnect_max_ms", "less than reconnect_min_ms");
            ok = false;
        }
        c->port = (uint16_t)port;
        c->keepalive_s = (uint16_t)keepalive;
        c->reconnect_min_ms = (uint32_t)min_ms;
        c->reconnect_max_ms = (uint32_t)max_ms;
    }
    if (ok) {
        hil_port_status_t ps = hil_device_start_attempt(dev, false);
        if (ps != HIL_PORT_OK) {
            port_error(reply, ps, "client_id, keepalive: rejected by the MQTT stack");
        }
    }
}

static void cmd_mqtt_disconnect(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    (void)args;
    dev->mqtt.reconnect = false; /* whatever the port reports next, no automatic reconnect */
    switch (dev->mqtt_state) {
    case HIL_MQTT_CONNECTED:
        if (dev->port->mqtt_disconnect == NULL) {
            hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port cannot disconnect");
        } else {
            hil_port_status_t ps = dev->port->mqtt_disconnect(dev->port->ctx);
            if (ps != HIL_PORT_OK) {
                port_error(reply, ps, "");
            }
        }
        break;
    case HIL_MQTT_CONNECTING:
        /* Abandon the attempt; the core reports it, a late outcome of it is ignored. */
        if (dev->port->mqtt_disconnect != NULL) {
            (void)dev->port->mqtt_disconnect(dev->port->ctx);
        }
        (void)hil_device_on_connect_failed(dev, HIL_ERR_MQTT_REQUESTED, "connect attempt abandoned");
        break;
    case HIL_MQTT_RECONNECT_WAIT:
        dev->mqtt_state = HIL_MQTT_CONNECTED; /* report the end of the session as requested */
        (void)hil_device_on_disconnected(dev, HIL_ERR_MQTT_REQUESTED, "automatic reconnect cancelled");
        break;
    case HIL_MQTT_IDLE:
    default: hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session"); break;
    }
}

static void cmd_mqtt_publish(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t qos = 0;
    bool retain = false;
    size_t payload_len = 0U;
    uint16_t mid = 0U;
    bool ok =
        topic_arg(reply, args, "topic", true, dev->topic) &&
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
        hil_device_status_t ds = HIL_DEVICE_OK;
        if (dev->misbehave[HIL_MISBEHAVE_WRONG_TOPIC]) {
            (void)strcat(dev->topic, "/x"); /* topic buffer has room for the suffix */
        }
        if (dev->misbehave[HIL_MISBEHAVE_CORRUPT_PAYLOAD] && (payload_len > 0U)) {
            /* XOR 0x01 keeps a printable byte printable, so the event stays readable. */
            dev->payload[payload_len - 1U] = (char)(dev->payload[payload_len - 1U] ^ 0x01);
        }
        ds = hil_device_publish(dev, dev->topic, (const uint8_t *)dev->payload, payload_len, (uint8_t)qos,
                                retain, &mid);
        if (ds != HIL_DEVICE_OK) {
            device_error(reply, ds, "topic: rejected by the MQTT stack");
            ok = false;
        }
    } else {
        /* reply already holds the error */
    }
    if (ok) {
        (void)hil_json_add_int(&reply->body, "mid", mid);
    }
}

/* Common checks of subscribe/unsubscribe; false with the reply set. */
static bool can_mqtt(hil_device_t *dev, hil_cmd_reply_t *reply, bool has_port_fn) {
    bool ok = true;
    if (!has_port_fn) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "this port has no MQTT");
        ok = false;
    } else if (dev->mqtt_state != HIL_MQTT_CONNECTED) {
        hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        ok = false;
    } else {
        /* fine */
    }
    return ok;
}

static void cmd_mqtt_subscribe(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t qos = 0;
    uint16_t mid = 0U;
    bool ok = topic_arg(reply, args, "topic", true, dev->topic) &&
              hil_cmd_arg_int(reply, args, "qos", false, 0, 2, &qos) &&
              can_mqtt(dev, reply, dev->port->mqtt_subscribe != NULL);
    if (ok) {
        hil_device_status_t ds = hil_device_subscribe(dev, dev->topic, (uint8_t)qos, &mid);
        if (ds != HIL_DEVICE_OK) {
            device_error(reply, ds, "topic: rejected by the MQTT stack");
            ok = false;
        }
    }
    if (ok) {
        (void)hil_json_add_int(&reply->body, "mid", mid);
    }
}

static void cmd_mqtt_unsubscribe(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    uint16_t mid = 0U;
    bool ok = topic_arg(reply, args, "topic", true, dev->topic) &&
              can_mqtt(dev, reply, dev->port->mqtt_unsubscribe != NULL);
    if (ok) {
        hil_device_status_t ds = hil_device_unsubscribe(dev, dev->topic, &mid);
        if (ds != HIL_DEVICE_OK) {
            device_error(reply, ds, "topic: rejected by the MQTT stack");
            ok = false;
        }
    }
    if (ok) {
        (void)hil_json_add_int(&reply->body, "mid", mid);
    }
}

/* A run id: 1..64 of [A-Za-z0-9_.:-], so it needs no escaping inside the payload. */
static bool run_id_valid(const char *run) {
    bool ok = run[0] != '\0';
    for (size_t i = 0U; ok && (run[i] != '\0'); i++) {
        char ch = run[i];
        ok = ((ch >= 'a') && (ch <= 'z')) || ((ch >= 'A') && (ch <= 'Z')) || ((ch >= '0') && (ch <= '9')) ||
             (ch == '_') || (ch == '.') || (ch == ':') || (ch == '-');
    }
    return ok;
}

static void cmd_mqtt_burst(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    hil_burst_t *b = &dev->burst;
    char run[HIL_DEVICE_MAX_RUN_ID + 1U] = "";
    int64_t count = 0;
    int64_t interval = 0;
    int64_t size = 0;
    int64_t qos = 0;
    int64_t first = 1;
    bool retain = false;
    bool ok = topic_arg(reply, args, "topic", true, dev->topic) &&
              text_arg(reply, args, "run", true, false, run, sizeof(run)) &&
              hil_cmd_arg_int(reply, args, "count", true, 1, 1000000, &count) &&
              hil_cmd_arg_int(reply, args, "interval_ms", false, 0, 3600000, &interval) &&
              hil_cmd_arg_int(reply, args, "size", false, 0, HIL_BURST_MAX_PAYLOAD, &size) &&
              hil_cmd_arg_int(reply, args, "qos", false, 0, 2, &qos) &&
              hil_cmd_arg_int(reply, args, "first_seq", false, 0, 1000000000, &first) &&
              hil_cmd_arg_bool(reply, args, "retain", false, &retain);
    uint32_t last = (uint32_t)(first + count - 1);

    if (ok && !run_id_valid(run)) {
        hil_cmd_bad_arg(reply, "run", "expected 1..64 of [A-Za-z0-9_.:-]");
        ok = false;
    }
    if (ok && (size == 0)) {
        size = (int64_t)hil_burst_min_size(run, last);
    }
    if (ok && ((size_t)size < hil_burst_min_size(run, last))) {
        hil_cmd_bad_arg(reply, "size", "too small for the run id and sequence numbers");
        ok = false;
    }
    if (ok && b->active) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "a burst is running");
        ok = false;
    }
    ok = ok && can_mqtt(dev, reply, dev->port->mqtt_publish != NULL);
    if (ok) {
        (void)memset(b, 0, sizeof(*b)); /* acks of an earlier burst now carry no msg_seq */
        b->active = true;
        b->qos = (uint8_t)qos;
        b->retain = retain;
        b->first_seq = (uint32_t)first;
        b->next_seq = (uint32_t)first;
        b->last_seq = last;
        b->interval_ms = (uint32_t)interval;
        b->next_ms = dev->port->now_ms(dev->port->ctx); /* the first message goes at the next tick */
        b->size = (size_t)size;
        (void)memcpy(b->run, run, strlen(run) + 1U);
        (void)memcpy(b->topic, dev->topic, strlen(dev->topic) + 1U);
        (void)hil_json_add_string(&reply->body, "run", run);
        (void)hil_json_add_int(&reply->body, "count", count);
        (void)hil_json_add_int(&reply->body, "first_seq", first);
        (void)hil_json_add_int(&reply->body, "last_seq", last);
        (void)hil_json_add_int(&reply->body, "size", size);
    }
}

static const hil_command_def_t s_mqtt_commands[] = {
    {"mqtt.connect", cmd_mqtt_connect},         {"mqtt.disconnect", cmd_mqtt_disconnect},
    {"mqtt.publish", cmd_mqtt_publish},         {"mqtt.subscribe", cmd_mqtt_subscribe},
    {"mqtt.unsubscribe", cmd_mqtt_unsubscribe}, {"mqtt.burst", cmd_mqtt_burst},
};

hil_cmd_status_t hil_commands_register_mqtt(hil_device_t *dev) {
    return hil_commands_register(dev, s_mqtt_commands, sizeof(s_mqtt_commands) / sizeof(s_mqtt_commands[0]));
}

/** @file hil_device.c @brief Console loop, event emission and MQTT outcome reporting. */
#include "hil_device.h"

#include <string.h>

/* ---- output ---------------------------------------------------------------------------------- */

/* Write buf[0..len) plus '\n'; buf must have one spare byte. */
static hil_device_status_t write_line(hil_device_t *dev, char *buf, size_t len) {
    hil_device_status_t status = HIL_DEVICE_OK;
    HIL_ASSERT(len <= HIL_PROTO_MAX_LINE);
    buf[len] = '\n';
    if (dev->port->console_write(dev->port->ctx, buf, len + 1U) != HIL_PORT_OK) {
        status = HIL_DEVICE_IO;
    }
    buf[len] = '\0';
    return status;
}

static hil_device_status_t flush_deferred(hil_device_t *dev) {
    hil_device_status_t status = HIL_DEVICE_OK;
    for (size_t i = 0U; i < dev->deferred_count; i++) {
        hil_device_status_t s = write_line(dev, dev->deferred[i], dev->deferred_len[i]);
        if (s != HIL_DEVICE_OK) {
            status = s;
        }
    }
    dev->deferred_count = 0U;
    return status;
}

hil_device_status_t hil_event_emit(hil_device_t *dev, const char *name, const char *json) {
    hil_device_status_t status = HIL_DEVICE_OK;
    size_t len = 0U;
    hil_cmd_status_t cs = HIL_CMD_OK;

    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        cs = hil_event_format(name, json, dev->event, sizeof(dev->event) - 1U, &len);
        if (cs == HIL_CMD_NO_SPACE) {
            status = HIL_DEVICE_NO_SPACE;
        } else if (cs != HIL_CMD_OK) {
            status = HIL_DEVICE_BAD_PARAM;
        } else if (dev->in_request && (dev->deferred_count < HIL_DEVICE_DEFERRED_EVENTS)) {
            /* Keep "answer first": the harness learns e.g. a mid before its mqtt.published.
             * When the queue is full, writing now is still legal (PROTOCOL.md §3). */
            (void)memcpy(dev->deferred[dev->deferred_count], dev->event, len + 1U);
            dev->deferred_len[dev->deferred_count] = len;
            dev->deferred_count++;
        } else {
            status = write_line(dev, dev->event, len);
        }
    }
    return status;
}

hil_device_status_t hil_device_log(hil_device_t *dev, const char *text) {
    hil_device_status_t status = HIL_DEVICE_OK;
    size_t n = 0U;
    if ((dev == NULL) || (text == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        if ((text[0] == '@') || (text[0] == '!')) {
            dev->line[n] = ' ';
            n++;
        }
        for (size_t i = 0U; (text[i] != '\0') && (n < HIL_PROTO_MAX_LINE); i++) {
            unsigned char ch = (unsigned char)text[i];
            dev->line[n] = (((ch >= 0x20U) && (ch <= 0x7eU)) || (ch == (unsigned char)'\t')) ? (char)ch : '?';
            n++;
        }
        status = write_line(dev, dev->line, n);
    }
    return status;
}

/* Finish w and emit it as event ev (registry name). */
static hil_device_status_t emit_built(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w) {
    hil_device_status_t status = HIL_DEVICE_NO_SPACE;
    if (hil_json_writer_finish(w, NULL) == HIL_JSON_OK) {
        status = hil_event_emit(dev, hil_event_name(ev), w->buf);
    }
    return status;
}

/* JSON room for event ev: the line is "!" name " " json. */
static size_t event_json_room(hil_event_t ev) {
    return (HIL_PROTO_MAX_LINE + 1U) - (strlen(hil_event_name(ev)) + 2U);
}

/* Start building the payload of event ev in the device's scratch buffer. The port may report
 * an outcome from inside a command handler, which builds into reply.body_buf, so events have
 * their own scratch. */
static void event_begin(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w) {
    (void)hil_json_writer_init(w, dev->json, event_json_room(ev));
}

/* proto.error {"detail":..., "line":...} for a line the device had to drop. */
static hil_device_status_t proto_error(hil_device_t *dev, const char *detail, const char *line,
                                       size_t line_len, size_t bytes) {
    hil_json_writer_t w;
    event_begin(dev, HIL_EVENT_PROTO_ERROR, &w);
    (void)hil_json_add_string(&w, "detail", detail);
    if (line != NULL) {
        (void)hil_json_add_string_n(&w, "line", line,
                                    (line_len < HIL_PROTO_QUOTE_MAX) ? line_len : HIL_PROTO_QUOTE_MAX);
    }
    if (bytes > 0U) {
        (void)hil_json_add_int(&w, "bytes", (int64_t)bytes);
    }
    return emit_built(dev, HIL_EVENT_PROTO_ERROR, &w);
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

hil_device_status_t hil_device_init(hil_device_t *dev, const hil_port_t *port,
                                    const hil_device_config_t *config) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (port == NULL) || (config == NULL) || (port->console_write == NULL) ||
        (port->now_ms == NULL) || (config->fw == NULL) || (config->version == NULL) ||
        (config->build_id == NULL) || (config->board == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        (void)memset(dev, 0, sizeof(*dev));
        dev->port = port;
        dev->config = *config;
        dev->mqtt_state = HIL_MQTT_IDLE;
        hil_framer_init(&dev->framer);
        hil_cmd_registry_init(&dev->commands);
        if (hil_device_register_v0_commands(dev) != HIL_CMD_OK) {
            status = HIL_DEVICE_BAD_PARAM;
        }
    }
    return status;
}

hil_cmd_registry_t *hil_device_commands(hil_device_t *dev) {
    return (dev != NULL) ? &dev->commands : NULL;
}

hil_device_status_t hil_device_set_misbehaviour(hil_device_t *dev, hil_misbehaviour_t mb, bool on) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || ((int)mb < 0) || (mb >= HIL_MISBEHAVE__COUNT)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->misbehave[mb] = on;
    }
    return status;
}

hil_mqtt_state_t hil_device_mqtt_state(const hil_device_t *dev) {
    return (dev != NULL) ? dev->mqtt_state : HIL_MQTT_IDLE;
}

hil_device_status_t hil_device_start(hil_device_t *dev) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        size_t n = 0U;
        dev->boot_ms = dev->port->now_ms(dev->port->ctx);
        /* Free-form boot log first, then the banner (PROTOCOL.md §5). */
        n = strlen(dev->config.fw) + strlen(dev->config.version) + 11U;
        if (n < sizeof(dev->json)) { /* dev->json is free scratch here */
            (void)memcpy(dev->json, dev->config.fw, strlen(dev->config.fw) + 1U);
            (void)strcat(dev->json, " ");
            (void)strcat(dev->json, dev->config.version);
            (void)strcat(dev->json, " starting");
            status = hil_device_log(dev, dev->json);
        }
        event_begin(dev, HIL_EVENT_SYS_BOOT, &w);
        (void)hil_json_add_string(&w, "fw", dev->config.fw);
        (void)hil_json_add_string(&w, "version", dev->config.version);
        (void)hil_json_add_string(&w, "build_id", dev->config.build_id);
        (void)hil_json_add_string(&w, "board", dev->config.board);
        (void)hil_json_add_int(&w, "protocol", HIL_PROTO_VERSION);
        {
            hil_device_status_t s = emit_built(dev, HIL_EVENT_SYS_BOOT, &w);
            status = (status == HIL_DEVICE_OK) ? s : status;
        }
    }
    return status;
}

/* ---- input ----------------------------------------------------------------------------------- */

static hil_device_status_t handle_line(hil_device_t *dev, const char *line, size_t len) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_request_t req;
    hil_proto_status_t ps = HIL_PROTO_OK;
    size_t alen = 0U;

    if (len == 0U) {
        /* An empty line (e.g. a terminal's Enter) is not a request. */
    } else {
        ps = hil_request_parse(line, len, &req);
        if (ps == HIL_PROTO_NO_ID) {
            status = proto_error(dev, (line[0] == '@') ? "bad request id" : "not a request", line, len, 0U);
        } else {
            hil_cmd_status_t cs = HIL_CMD_OK;
            dev->in_request = true;
            if (ps == HIL_PROTO_SYNTAX) {
                cs = hil_cmd_format_error(req.id, HIL_ERR_PROTO_SYNTAX, "expected: @id command [json-object]",
                                          dev->line, sizeof(dev->line) - 1U, &alen);
            } else {
                cs = hil_cmd_dispatch(&dev->commands, &req, &dev->reply, dev->line, sizeof(dev->line) - 1U,
                                      &alen);
            }
            HIL_ASSERT(cs == HIL_CMD_OK); /* buffers are sized for any answer */
            (void)cs;
            dev->in_request = false;
            status = write_line(dev, dev->line, alen);
            {
                hil_device_status_t s = flush_deferred(dev);
                status = (status == HIL_DEVICE_OK) ? s : status;
            }
        }
    }
    return status;
}

hil_device_status_t hil_device_feed(hil_device_t *dev, const uint8_t *data, size_t len) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || ((data == NULL) && (len > 0U))) {
        status = HIL_DEVICE_BAD_PARAM;
    }
    for (size_t i = 0U; (status != HIL_DEVICE_BAD_PARAM) && (i < len); i++) {
        hil_device_status_t s = HIL_DEVICE_OK;
        hil_framer_t *f = &dev->framer;
        switch (hil_framer_push(f, data[i])) {
        case HIL_FRAME_LINE: s = handle_line(dev, f->line, f->len); break;
        case HIL_FRAME_GARBAGE:
            dev->garbage_lines++;
            s = proto_error(dev, "garbage", NULL, 0U, f->garbage);
            break;
        case HIL_FRAME_OVERLONG:
            dev->overlong_lines++;
            s = proto_error(dev, "overlong", f->line, f->len, 0U);
            break;
        case HIL_FRAME_NONE:
        default: break;
        }
        if (s != HIL_DEVICE_OK) {
            status = s;
        }
    }
    return status;
}

/* ---- MQTT outcomes --------------------------------------------------------------------------- */

hil_device_status_t hil_device_on_connected(hil_device_t *dev, bool session_present) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->mqtt_state = HIL_MQTT_CONNECTED;
        if (!dev->misbehave[HIL_MISBEHAVE_NO_CONNECTED_EVENT]) {
            event_begin(dev, HIL_EVENT_MQTT_CONNECTED, &w);
            (void)hil_json_add_bool(&w, "session_present", session_present);
            status = emit_built(dev, HIL_EVENT_MQTT_CONNECTED, &w);
        }
    }
    return status;
}

/* {"class"|"reason": <class>, "detail": <text>} for connect_failed and disconnected. */
static hil_device_status_t emit_class(hil_device_t *dev, hil_event_t ev, const char *key,
                                      hil_error_class_t cls, const char *detail) {
    hil_json_writer_t w;
    const char *text = (detail != NULL) ? detail : "";
    event_begin(dev, ev, &w);
    (void)hil_json_add_string(&w, key, hil_error_class_name(cls));
    (void)hil_json_add_string_fit(&w, "detail", text, strlen(text), 1U, NULL);
    return emit_built(dev, ev, &w);
}

hil_device_status_t hil_device_on_connect_failed(hil_device_t *dev, hil_error_class_t cls,
                                                 const char *detail) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (hil_error_class_name(cls) == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->mqtt_state = HIL_MQTT_IDLE;
        status = emit_class(dev, HIL_EVENT_MQTT_CONNECT_FAILED, "class", cls, detail);
    }
    return status;
}

hil_device_status_t hil_device_on_disconnected(hil_device_t *dev, hil_error_class_t reason,
                                               const char *detail) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (hil_error_class_name(reason) == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->mqtt_state = HIL_MQTT_IDLE;
        status = emit_class(dev, HIL_EVENT_MQTT_DISCONNECTED, "reason", reason, detail);
    }
    return status;
}

hil_device_status_t hil_device_on_message(hil_device_t *dev, const char *topic, const uint8_t *payload,
                                          size_t len, uint8_t qos, bool retain) {
    /* Room kept after the topic for the payload key and the truncation fields, and after the
     * payload for `,"truncated":true,"payload_len":4294967295}`. */
    const size_t after_topic = 96U;
    const size_t after_payload = 48U;
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if ((dev == NULL) || (topic == NULL) || ((payload == NULL) && (len > 0U))) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (!dev->misbehave[HIL_MISBEHAVE_IGNORE_MESSAGES]) {
        size_t tlen = strlen(topic);
        size_t topic_taken = 0U;
        size_t payload_taken = 0U;
        dev->message_seq++;
        event_begin(dev, HIL_EVENT_MQTT_MESSAGE, &w);
        (void)hil_json_add_int(&w, "qos", qos);
        (void)hil_json_add_bool(&w, "retain", retain);
        (void)hil_json_add_int(&w, "seq", dev->message_seq);
        (void)hil_json_add_string_fit(&w, "topic", topic, tlen, after_topic, &topic_taken);
        (void)hil_json_add_string_fit(&w, "payload", (payload != NULL) ? (const char *)payload : "", len,
                                      after_payload, &payload_taken);
        if ((topic_taken < tlen) || (payload_taken < len)) {
            (void)hil_json_add_bool(&w, "truncated", true);
            (void)hil_json_add_int(&w, "payload_len", (int64_t)len);
        }
        status = emit_built(dev, HIL_EVENT_MQTT_MESSAGE, &w);
    } else {
        /* ignore-messages: received, never reported */
    }
    return status;
}

hil_device_status_t hil_device_on_published(hil_device_t *dev, uint16_t mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->published_seq++;
        event_begin(dev, HIL_EVENT_MQTT_PUBLISHED, &w);
        (void)hil_json_add_int(&w, "mid", mid);
        (void)hil_json_add_int(&w, "seq", dev->published_seq);
        status = emit_built(dev, HIL_EVENT_MQTT_PUBLISHED, &w);
    }
    return status;
}

hil_device_status_t hil_device_on_subscribed(hil_device_t *dev, uint16_t mid, int granted_qos) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        event_begin(dev, HIL_EVENT_MQTT_SUBSCRIBED, &w);
        (void)hil_json_add_int(&w, "mid", mid);
        (void)hil_json_add_int(&w, "granted_qos", granted_qos);
        status = emit_built(dev, HIL_EVENT_MQTT_SUBSCRIBED, &w);
    }
    return status;
}

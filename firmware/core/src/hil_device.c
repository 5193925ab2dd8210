/** @file hil_device.c @brief Console loop, event emission, lifecycle and ticks. */
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

/* JSON room for event ev: the line is "!" name " " json. */
static size_t event_json_room(hil_event_t ev) {
    return (HIL_PROTO_MAX_LINE + 1U) - (strlen(hil_event_name(ev)) + 2U);
}

/* Events are built in the device's own scratch buffer: the port may report an outcome from
 * inside a command handler, which builds into reply.body_buf. */
void hil_device_event_begin(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w) {
    (void)hil_json_writer_init(w, dev->json, event_json_room(ev));
}

hil_device_status_t hil_device_event_end(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w) {
    hil_device_status_t status = HIL_DEVICE_NO_SPACE;
    if (hil_json_writer_finish(w, NULL) == HIL_JSON_OK) {
        status = hil_event_emit(dev, hil_event_name(ev), w->buf);
    }
    return status;
}

/* proto.error {"detail":..., "line":...} for a line the device had to drop. */
static hil_device_status_t proto_error(hil_device_t *dev, const char *detail, const char *line,
                                       size_t line_len, size_t bytes) {
    hil_json_writer_t w;
    hil_device_event_begin(dev, HIL_EVENT_PROTO_ERROR, &w);
    (void)hil_json_add_string(&w, "detail", detail);
    if (line != NULL) {
        (void)hil_json_add_string_n(&w, "line", line,
                                    (line_len < HIL_PROTO_QUOTE_MAX) ? line_len : HIL_PROTO_QUOTE_MAX);
    }
    if (bytes > 0U) {
        (void)hil_json_add_int(&w, "bytes", (int64_t)bytes);
    }
    return hil_device_event_end(dev, HIL_EVENT_PROTO_ERROR, &w);
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
        dev->wifi_up = port->wifi_connect == NULL; /* a port without Wi-Fi has a fixed link */
        hil_framer_init(&dev->framer);
        hil_cred_init(&dev->creds);
        hil_cmd_registry_init(&dev->commands);
        if (hil_device_register_commands(dev) != HIL_CMD_OK) {
            status = HIL_DEVICE_BAD_PARAM;
        }
    }
    return status;
}

hil_device_status_t hil_device_reset(hil_device_t *dev) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        /* What survives a power cycle: the image (commands, listeners, misbehaviours chosen at
         * start). Everything else is RAM and starts over, the credential slots included. */
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if (l->on_reset != NULL) {
                l->on_reset(l->user);
            }
        }
        hil_framer_init(&dev->framer);
        dev->deferred_count = 0U;
        dev->in_request = false;
        dev->reboot_pending = false;
        dev->time_set = false;
        dev->time_offset_ms = 0;
        dev->wifi_up = dev->port->wifi_connect == NULL;
        dev->wifi_ssid[0] = '\0';
        dev->mqtt_state = HIL_MQTT_IDLE;
        (void)memset(&dev->mqtt, 0, sizeof(dev->mqtt));
        hil_device_session_reset(dev);
        dev->dropped_mid = 0U;
        (void)memset(dev->twin_mid, 0, sizeof(dev->twin_mid));
        dev->twin_next = 0U;
        dev->message_seq = 0U;
        dev->published_seq = 0U;
        dev->garbage_lines = 0U;
        dev->overlong_lines = 0U;
        hil_cred_init(&dev->creds);
    }
    return status;
}

hil_cmd_registry_t *hil_device_commands(hil_device_t *dev) {
    return (dev != NULL) ? &dev->commands : NULL;
}

hil_device_status_t hil_device_add_listener(hil_device_t *dev, hil_device_listener_t *listener) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (listener == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_device_listener_t **tail = &dev->listeners;
        while ((*tail != NULL) && (*tail != listener)) {
            tail = &(*tail)->next;
        }
        if (*tail == NULL) {
            listener->next = NULL;
            *tail = listener; /* in registration order */
        }
    }
    return status;
}

hil_device_status_t hil_device_set_misbehaviour(hil_device_t *dev, hil_misbehaviour_t mb, bool on) {
    hil_device_status_t status = HIL_DEVICE_OK;
    /* unsigned: the enum may be unsigned and short (arm-none-eabi uses -fshort-enums) */
    if ((dev == NULL) || ((unsigned)mb >= (unsigned)HIL_MISBEHAVE__COUNT)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        dev->misbehave[mb] = on;
    }
    return status;
}

bool hil_device_misbehaving(const hil_device_t *dev, hil_misbehaviour_t mb) {
    return (dev != NULL) && ((unsigned)mb < (unsigned)HIL_MISBEHAVE__COUNT) && dev->misbehave[mb];
}

hil_mqtt_state_t hil_device_mqtt_state(const hil_device_t *dev) {
    return (dev != NULL) ? dev->mqtt_state : HIL_MQTT_IDLE;
}

uint64_t hil_device_uptime_ms(const hil_device_t *dev) {
    uint64_t up = 0U;
    if (dev != NULL) {
        uint64_t now = dev->port->now_ms(dev->port->ctx);
        up = (now >= dev->boot_ms) ? (now - dev->boot_ms) : 0U;
    }
    return up;
}

bool hil_device_unix_ms(const hil_device_t *dev, int64_t *unix_ms) {
    bool known = (dev != NULL) && (unix_ms != NULL) && dev->time_set;
    if (known) {
        *unix_ms = (int64_t)dev->port->now_ms(dev->port->ctx) + dev->time_offset_ms;
    }
    return known;
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
        hil_device_event_begin(dev, HIL_EVENT_SYS_BOOT, &w);
        (void)hil_json_add_string(&w, "fw", dev->config.fw);
        (void)hil_json_add_string(&w, "version", dev->config.version);
        (void)hil_json_add_string(&w, "build_id", dev->config.build_id);
        (void)hil_json_add_string(&w, "board", dev->config.board);
        (void)hil_json_add_int(&w, "protocol", HIL_PROTO_VERSION);
        {
            hil_device_status_t s = hil_device_event_end(dev, HIL_EVENT_SYS_BOOT, &w);
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
        if (dev->reboot_pending) {
            /* sys.reboot was answered: the device resets now, the rest of the input is lost
             * as it would be on a board. */
            dev->reboot_pending = false;
            dev->port->reboot(dev->port->ctx);
            break;
        }
    }
    return status;
}

/* ---- timed work ------------------------------------------------------------------------------ */

/* Earliest of a and b. */
static uint64_t earliest(uint64_t a, uint64_t b) {
    return (a < b) ? a : b;
}

hil_device_status_t hil_device_tick(hil_device_t *dev) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        uint64_t now = dev->port->now_ms(dev->port->ctx);
        hil_device_session_tick(dev, now);
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if ((l->tick != NULL) && (l->next_due != NULL) && (l->next_due(l->user) <= now)) {
                l->tick(l->user, now);
            }
        }
    }
    return status;
}

int64_t hil_device_next_tick_ms(hil_device_t *dev) {
    int64_t ms = -1;
    if (dev != NULL) {
        uint64_t now = dev->port->now_ms(dev->port->ctx);
        uint64_t due = hil_device_session_next_due(dev);
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if ((l->tick != NULL) && (l->next_due != NULL)) {
                due = earliest(due, l->next_due(l->user));
            }
        }
        if (due != UINT64_MAX) {
            ms = (due <= now) ? 0 : (int64_t)(due - now);
        }
    }
    return ms;
}

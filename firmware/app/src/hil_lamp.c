/** @file hil_lamp.c @brief The reference lamp application and its shadow synchronisation. */
#include "hil_lamp.h"

#include <string.h>

static const char *const s_colors[] = {"white", "warm", "red", "green", "blue", "yellow", "cyan", "magenta"};

static const hil_lamp_state_t s_default = {"white", 50, 60};

bool hil_lamp_color_valid(const char *color) {
    bool ok = false;
    for (size_t i = 0U; (color != NULL) && !ok && (i < (sizeof(s_colors) / sizeof(s_colors[0]))); i++) {
        ok = strcmp(color, s_colors[i]) == 0;
    }
    if (!ok && (color != NULL) && (color[0] == '#') && (strlen(color) == 7U)) {
        ok = true;
        for (size_t i = 1U; ok && (i < 7U); i++) {
            char ch = color[i];
            ok = ((ch >= '0') && (ch <= '9')) || ((ch >= 'a') && (ch <= 'f')) || ((ch >= 'A') && (ch <= 'F'));
        }
    }
    return ok;
}

static uint64_t now_ms(const hil_lamp_t *lamp) {
    return lamp->dev->port->now_ms(lamp->dev->port->ctx);
}

static size_t event_room(hil_event_t ev) {
    return (HIL_PROTO_MAX_LINE + 1U) - (strlen(hil_event_name(ev)) + 2U);
}

static void emit(hil_lamp_t *lamp, hil_event_t ev, hil_json_writer_t *w) {
    if (hil_json_writer_finish(w, NULL) == HIL_JSON_OK) {
        (void)hil_event_emit(lamp->dev, hil_event_name(ev), lamp->event);
    }
}

static void add_state(hil_json_writer_t *w, const hil_lamp_state_t *st) {
    (void)hil_json_add_string(w, "color", st->color);
    (void)hil_json_add_int(w, "brightness", st->brightness);
    (void)hil_json_add_int(w, "report_interval", st->report_interval);
}

/* lamp.state: the state changed (source: delta, get, console). */
static void emit_state(hil_lamp_t *lamp, const char *source, int64_t version) {
    hil_json_writer_t w;
    (void)hil_json_writer_init(&w, lamp->event, event_room(HIL_EVENT_LAMP_STATE));
    add_state(&w, &lamp->state);
    (void)hil_json_add_string(&w, "source", source);
    if (version >= 0) {
        (void)hil_json_add_int(&w, "version", version);
    }
    emit(lamp, HIL_EVENT_LAMP_STATE, &w);
}

static void emit_invalid(hil_lamp_t *lamp, const char *field, const char *detail, int64_t version) {
    hil_json_writer_t w;
    (void)hil_json_writer_init(&w, lamp->event, event_room(HIL_EVENT_LAMP_INVALID));
    (void)hil_json_add_string_fit(&w, "field", field, strlen(field), 96U, NULL);
    (void)hil_json_add_string(&w, "detail", detail);
    if (version >= 0) {
        (void)hil_json_add_int(&w, "version", version);
    }
    emit(lamp, HIL_EVENT_LAMP_INVALID, &w);
}

/* Report @p st as the shadow's reported state (clientToken lamp-<n>). */
static void report(hil_lamp_t *lamp, const hil_lamp_state_t *st) {
    hil_json_writer_t w;
    char inner[128];
    hil_json_writer_t in;
    (void)hil_json_writer_init(&in, inner, sizeof(inner));
    add_state(&in, st);
    (void)hil_json_writer_init(&w, lamp->report, sizeof(lamp->report));
    if ((hil_json_writer_finish(&in, NULL) == HIL_JSON_OK) &&
        (hil_json_add_raw(&w, "reported", inner) == HIL_JSON_OK) &&
        (hil_json_writer_finish(&w, NULL) == HIL_JSON_OK)) {
        (void)hil_shadow_request(&lamp->shadow, HIL_SHADOW_UPDATE, lamp->shadow_name, lamp->report, -1,
                                 "lamp", NULL, NULL);
    }
}

static void reschedule_telemetry(hil_lamp_t *lamp) {
    lamp->next_telemetry_ms = now_ms(lamp) + ((uint64_t)lamp->state.report_interval * 1000U);
}

/* One member of a desired state: validated into *st, or the reason it is refused. */
static const char *take_value(hil_lamp_state_t *st, const char *key, const char *raw, size_t len) {
    const char *why = NULL;
    char text[48];
    hil_json_obj_t one;
    /* Read the value with the flat getters: wrap it as {"v":<raw>}. */
    size_t n = 0U;
    if ((len + 7U) > sizeof(text)) {
        why = "value too long";
    } else {
        (void)memcpy(text, "{\"v\":", 5U);
        n = 5U;
        (void)memcpy(&text[n], raw, len);
        n += len;
        text[n] = '}';
        n++;
        text[n] = '\0';
        if (hil_json_obj_init(&one, text, n) != HIL_JSON_OK) {
            why = "unreadable value";
        }
    }
    if (why != NULL) {
        /* reported below */
    } else if (strcmp(key, "color") == 0) {
        char color[HIL_LAMP_MAX_COLOR + 1U];
        if ((hil_json_get_string(&one, "v", color, sizeof(color), NULL) != HIL_JSON_OK) ||
            !hil_lamp_color_valid(color)) {
            why = "expected white, warm, red, green, blue, yellow, cyan, magenta or #rrggbb";
        } else {
            (void)memcpy(st->color, color, strlen(color) + 1U);
        }
    } else if (strcmp(key, "brightness") == 0) {
        int64_t v = -1;
        if ((hil_json_get_int(&one, "v", &v) != HIL_JSON_OK) || (v < 0) || (v > 100)) {
            why = "expected an integer 0..100";
        } else {
            st->brightness = v;
        }
    } else if (strcmp(key, "report_interval") == 0) {
        int64_t v = -1;
        if ((hil_json_get_int(&one, "v", &v) != HIL_JSON_OK) || (v < 0) || (v > HIL_LAMP_MAX_INTERVAL_S)) {
            why = "expected an integer 0..86400 (seconds)";
        } else {
            st->report_interval = v;
        }
    } else {
        why = "unknown field";
    }
    return why;
}

/* Apply a desired state (delta or get's state.delta) of @p version. */
static void apply(hil_lamp_t *lamp, const hil_json_obj_t *state, int64_t version, const char *source,
                  hil_shadow_delta_result_t *result) {
    hil_lamp_state_t next = lamp->state;
    const hil_lamp_state_t before = lamp->state;
    size_t pos = 0U;
    char key[32];
    const char *raw = NULL;
    size_t len = 0U;
    hil_json_status_t js = HIL_JSON_OK;
    bool changed = false;

    result->handled = true;
    if ((version >= 0) && (lamp->last_version >= 0) && (version <= lamp->last_version)) {
        /* Out of order or repeated (QoS 1): not newer than what was applied. */
        result->dropped = true;
        result->last_version = lamp->last_version;
        return;
    }
    while ((js = hil_json_member_next(state, &pos, key, sizeof(key), &raw, &len)) != HIL_JSON_NOT_FOUND) {
        hil_lamp_state_t candidate = next;
        const char *why = (js == HIL_JSON_OK) ? take_value(&candidate, key, raw, len) : "unknown field";
        if (js == HIL_JSON_BAD_PARAM) {
            break;
        }
        if (why == NULL) {
            next = candidate;
            result->applied++;
        } else {
            result->rejected++;
            emit_invalid(lamp, key, why, version);
        }
    }
    if (version >= 0) {
        lamp->last_version = version;
    }
    lamp->state = next;
    changed = (strcmp(next.color, before.color) != 0) || (next.brightness != before.brightness) ||
              (next.report_interval != before.report_interval);
    if (changed) {
        lamp->previous = before;
        if (next.report_interval != before.report_interval) {
            reschedule_telemetry(lamp);
        }
        emit_state(lamp, source, version);
    }
    if (!hil_device_misbehaving(lamp->dev, HIL_MISBEHAVE_STALE_REPORT)) {
        if (result->applied > 0U) {
            report(lamp, &lamp->state); /* also when nothing changed: reported was behind */
        }
    } else if (changed) {
        /* stale-report: applied, but the cloud is told the values from before the change (and
         * only once, so the shadow settles with reported != desired) */
        report(lamp, &lamp->previous);
    } else {
        /* stale-report and nothing changed: silence */
    }
}

/* ---- shadow handler -------------------------------------------------------------------------- */

static bool mine(const hil_lamp_t *lamp, const char *shadow) {
    return lamp->started && (strcmp(shadow, lamp->shadow_name) == 0);
}

static void on_delta(void *user, const char *shadow, int64_t version, const hil_json_obj_t *state,
                     hil_shadow_delta_result_t *result) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    if (!mine(lamp, shadow)) {
        result->handled = false;
    } else if (hil_device_misbehaving(lamp->dev, HIL_MISBEHAVE_IGNORE_DELTAS)) {
        result->silent = true; /* received, never applied, never reported, not even seen */
    } else {
        apply(lamp, state, version, "delta", result);
    }
}

static void on_document(void *user, const char *shadow, int64_t version, const hil_json_obj_t *delta) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    hil_shadow_delta_result_t result;
    (void)memset(&result, 0, sizeof(result));
    if (mine(lamp, shadow)) {
        if ((delta != NULL) && !hil_device_misbehaving(lamp->dev, HIL_MISBEHAVE_IGNORE_DELTAS)) {
            apply(lamp, delta, version, "get", &result);
        }
        if (result.applied == 0U) {
            report(lamp, &lamp->state); /* reported reflects the device after every (re)start */
        }
    }
}

static void on_get_rejected(void *user, const char *shadow, int64_t code) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    if (mine(lamp, shadow) && (code == 404)) {
        report(lamp, &lamp->state); /* no shadow yet: create it */
    }
}

/* ---- device listener ------------------------------------------------------------------------- */

static void sync(hil_lamp_t *lamp) {
    (void)hil_shadow_request(&lamp->shadow, HIL_SHADOW_GET, lamp->shadow_name, NULL, -1, "lamp", NULL, NULL);
}

static void listener_connected(void *user, bool session_present) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    (void)session_present;
    if (lamp->started) {
        reschedule_telemetry(lamp);
        sync(lamp); /* deltas may have been missed while offline */
    }
}

static uint64_t listener_next_due(void *user) {
    const hil_lamp_t *lamp = (const hil_lamp_t *)user;
    uint64_t due = UINT64_MAX;
    if (lamp->started && (lamp->state.report_interval > 0) &&
        (hil_device_mqtt_state(lamp->dev) == HIL_MQTT_CONNECTED)) {
        due = lamp->next_telemetry_ms;
    }
    return due;
}

static void listener_tick(void *user, uint64_t now) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    hil_json_writer_t w;
    uint16_t mid = 0U;
    char payload[160];
    lamp->next_telemetry_ms = now + ((uint64_t)lamp->state.report_interval * 1000U);
    lamp->telemetry_seq++;
    (void)hil_json_writer_init(&w, payload, sizeof(payload));
    (void)hil_json_add_int(&w, "seq", lamp->telemetry_seq);
    (void)hil_json_add_string(&w, "color", lamp->state.color);
    (void)hil_json_add_int(&w, "brightness", lamp->state.brightness);
    (void)hil_json_add_int(&w, "uptime_ms", (int64_t)hil_device_uptime_ms(lamp->dev));
    if ((hil_json_writer_finish(&w, NULL) == HIL_JSON_OK) &&
        (hil_device_publish(lamp->dev, lamp->telemetry_topic, (const uint8_t *)payload, strlen(payload), 0U,
                            false, &mid) == HIL_DEVICE_OK)) {
        (void)hil_json_writer_init(&w, lamp->event, event_room(HIL_EVENT_LAMP_TELEMETRY));
        (void)hil_json_add_int(&w, "seq", lamp->telemetry_seq);
        (void)hil_json_add_int(&w, "mid", mid);
        emit(lamp, HIL_EVENT_LAMP_TELEMETRY, &w);
    }
}

static void listener_reset(void *user) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    lamp->started = false;
    lamp->state = s_default;
    lamp->last_version = -1;
    lamp->telemetry_seq = 0U;
    lamp->shadow_name[0] = '\0';
}

/* ---- commands -------------------------------------------------------------------------------- */

static void status_body(const hil_lamp_t *lamp, hil_cmd_reply_t *reply) {
    (void)hil_json_add_bool(&reply->body, "started", lamp->started);
    (void)hil_json_add_string(&reply->body, "thing", lamp->shadow.thing);
    (void)hil_json_add_string(&reply->body, "shadow", lamp->shadow_name);
    add_state(&reply->body, &lamp->state);
    (void)hil_json_add_int(&reply->body, "last_version", lamp->last_version);
}

static void cmd_lamp_start(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    char thing[HIL_SHADOW_MAX_THING + 1U] = "";
    char shadow[HIL_SHADOW_MAX_NAME + 1U] = "";
    char topic[HIL_DEVICE_MAX_TOPIC + 1U] = "";
    size_t tlen = 0U;
    bool ok = hil_cmd_arg_string(reply, args, "thing", true, thing, sizeof(thing), NULL) &&
              hil_cmd_arg_string(reply, args, "shadow", false, shadow, sizeof(shadow), NULL) &&
              hil_cmd_arg_string(reply, args, "telemetry_topic", false, topic, sizeof(topic), &tlen);
    if (ok && !hil_shadow_name_valid(thing, HIL_SHADOW_MAX_THING)) {
        hil_cmd_bad_arg(reply, "thing", "expected 1..128 of [A-Za-z0-9:_-]");
        ok = false;
    }
    if (ok && (shadow[0] != '\0') && !hil_shadow_name_valid(shadow, HIL_SHADOW_MAX_NAME)) {
        hil_cmd_bad_arg(reply, "shadow", "expected 1..64 of [A-Za-z0-9:_-]");
        ok = false;
    }
    if (ok && hil_cmd_has_arg(args, "telemetry_topic") && ((tlen == 0U) || (strlen(topic) != tlen))) {
        hil_cmd_bad_arg(reply, "telemetry_topic", "empty or contains NUL");
        ok = false;
    }
    if (ok) {
        if (tlen == 0U) {
            size_t n = 0U;
            (void)memcpy(topic, "lamp/", 5U);
            n = 5U;
            (void)memcpy(&topic[n], thing, strlen(thing));
            n += strlen(thing);
            (void)memcpy(&topic[n], "/telemetry", 11U);
        }
        if (strcmp(thing, lamp->shadow.thing) != 0) {
            lamp->last_version = -1; /* another thing: its versions are its own */
        }
        (void)memcpy(lamp->shadow_name, shadow, strlen(shadow) + 1U);
        (void)memcpy(lamp->telemetry_topic, topic, strlen(topic) + 1U);
        lamp->started = true;
        (void)hil_shadow_set_thing(&lamp->shadow, thing); /* subscribes now when connected */
        if (hil_device_mqtt_state(lamp->dev) == HIL_MQTT_CONNECTED) {
            reschedule_telemetry(lamp);
            sync(lamp);
        }
        (void)hil_json_add_string(&reply->body, "thing", thing);
        (void)hil_json_add_string(&reply->body, "shadow", shadow);
        (void)hil_json_add_string(&reply->body, "telemetry_topic", topic);
    }
}

static void cmd_lamp_set(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_lamp_t *lamp = (hil_lamp_t *)user;
    hil_lamp_state_t next = lamp->state;
    size_t pos = 0U;
    char key[32];
    const char *raw = NULL;
    size_t len = 0U;
    hil_json_status_t js = HIL_JSON_OK;
    bool ok = true;
    while (ok &&
           ((js = hil_json_member_next(args, &pos, key, sizeof(key), &raw, &len)) != HIL_JSON_NOT_FOUND)) {
        const char *why = (js == HIL_JSON_OK) ? take_value(&next, key, raw, len) : "unknown field";
        if (why != NULL) {
            hil_cmd_bad_arg(reply, key, why);
            ok = false;
        }
    }
    if (ok) {
        bool changed = (strcmp(next.color, lamp->state.color) != 0) ||
                       (next.brightness != lamp->state.brightness) ||
                       (next.report_interval != lamp->state.report_interval);
        bool interval_changed = next.report_interval != lamp->state.report_interval;
        lamp->state = next;
        add_state(&reply->body, &lamp->state);
        if (interval_changed) {
            reschedule_telemetry(lamp);
        }
        if (changed) {
            emit_state(lamp, "console", -1);
            if (lamp->started) {
                report(lamp, &lamp->state); /* like a button press: the device reports it */
            }
        }
    }
}

static void cmd_lamp_status(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    (void)args;
    status_body((const hil_lamp_t *)user, reply);
}

hil_device_status_t hil_lamp_init(hil_lamp_t *lamp, hil_device_t *dev) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_shadow_handler_t handler;
    if ((lamp == NULL) || (dev == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_cmd_registry_t *reg = hil_device_commands(dev);
        (void)memset(lamp, 0, sizeof(*lamp));
        lamp->dev = dev;
        lamp->state = s_default;
        lamp->last_version = -1;
        handler.user = lamp;
        handler.on_delta = on_delta;
        handler.on_document = on_document;
        handler.on_get_rejected = on_get_rejected;
        status = hil_shadow_init(&lamp->shadow, dev, &handler); /* its listener runs first */
        lamp->listener.user = lamp;
        lamp->listener.on_connected = listener_connected;
        lamp->listener.next_due = listener_next_due;
        lamp->listener.tick = listener_tick;
        lamp->listener.on_reset = listener_reset;
        if ((status != HIL_DEVICE_OK) ||
            (hil_cmd_register(reg, "lamp.start", cmd_lamp_start, lamp) != HIL_CMD_OK) ||
            (hil_cmd_register(reg, "lamp.set", cmd_lamp_set, lamp) != HIL_CMD_OK) ||
            (hil_cmd_register(reg, "lamp.status", cmd_lamp_status, lamp) != HIL_CMD_OK)) {
            status = HIL_DEVICE_BAD_PARAM;
        } else {
            status = hil_device_add_listener(dev, &lamp->listener);
        }
    }
    return status;
}

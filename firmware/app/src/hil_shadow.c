/** @file hil_shadow.c @brief AWS IoT Device Shadow client: topics, requests, responses, events. */
#include "hil_shadow.h"

#include <string.h>

static const char *const s_ops[] = {"get", "update", "delete"};

bool hil_shadow_name_valid(const char *name, size_t max) {
    size_t n = 0U;
    bool ok = name != NULL;
    while (ok && (name[n] != '\0')) {
        char ch = name[n];
        ok = ((ch >= 'a') && (ch <= 'z')) || ((ch >= 'A') && (ch <= 'Z')) || ((ch >= '0') && (ch <= '9')) ||
             (ch == ':') || (ch == '_') || (ch == '-');
        n++;
        ok = ok && (n <= max);
    }
    return ok && (n > 0U);
}

/* Append text to buf (size) at *len; false when it does not fit. */
static bool append(char *buf, size_t size, size_t *len, const char *text) {
    size_t n = strlen(text);
    bool ok = (*len + n) < size;
    if (ok) {
        (void)memcpy(&buf[*len], text, n + 1U);
        *len += n;
    }
    return ok;
}

/* "$aws/things/<thing>/shadow[/name/<name>]" + tail into shadow->topic. */
static bool build_topic(hil_shadow_t *s, const char *name, const char *tail) {
    size_t len = 0U;
    bool ok = append(s->topic, sizeof(s->topic), &len, "$aws/things/") &&
              append(s->topic, sizeof(s->topic), &len, s->thing) &&
              append(s->topic, sizeof(s->topic), &len, "/shadow");
    if (ok && (name[0] != '\0')) {
        ok = append(s->topic, sizeof(s->topic), &len, "/name/") &&
             append(s->topic, sizeof(s->topic), &len, name);
    }
    return ok && append(s->topic, sizeof(s->topic), &len, tail);
}

static void subscribe_responses(hil_shadow_t *s) {
    if (s->configured && (hil_device_mqtt_state(s->dev) == HIL_MQTT_CONNECTED)) {
        if (!hil_device_subscribed(s->dev, s->filter_classic)) {
            (void)hil_device_subscribe(s->dev, s->filter_classic, 1U, NULL);
        }
        if (!hil_device_subscribed(s->dev, s->filter_named)) {
            (void)hil_device_subscribe(s->dev, s->filter_named, 1U, NULL);
        }
    }
}

hil_device_status_t hil_shadow_request(hil_shadow_t *s, hil_shadow_op_t op, const char *name,
                                       const char *state_json, int64_t version, const char *token_prefix,
                                       char *token, uint16_t *mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    char digits[24];
    size_t tlen = 0U;
    if ((s == NULL) || !s->configured || (name == NULL) ||
        ((name[0] != '\0') && !hil_shadow_name_valid(name, HIL_SHADOW_MAX_NAME)) ||
        ((unsigned)op > (unsigned)HIL_SHADOW_DELETE) || (token_prefix == NULL) ||
        ((op == HIL_SHADOW_UPDATE) && ((state_json == NULL) || (state_json[0] != '{')))) {
        status = HIL_DEVICE_BAD_PARAM;
    }
    if (status == HIL_DEVICE_OK) {
        /* clientToken "<prefix>-<n>" */
        uint32_t n = ++s->token_seq;
        size_t nd = 0U;
        do {
            digits[sizeof(digits) - 1U - nd] = (char)('0' + (n % 10U));
            n /= 10U;
            nd++;
        } while (n != 0U);
        s->token[0] = '\0';
        if (!append(s->token, sizeof(s->token) - nd - 1U, &tlen, token_prefix) ||
            !append(s->token, sizeof(s->token), &tlen, "-")) {
            status = HIL_DEVICE_BAD_PARAM;
        } else {
            (void)memcpy(&s->token[tlen], &digits[sizeof(digits) - nd], nd);
            s->token[tlen + nd] = '\0';
        }
    }
    if (status == HIL_DEVICE_OK) {
        const char *tail =
            (op == HIL_SHADOW_GET) ? "/get" : ((op == HIL_SHADOW_UPDATE) ? "/update" : "/delete");
        (void)hil_json_writer_init(&w, s->request, sizeof(s->request));
        if (op == HIL_SHADOW_UPDATE) {
            (void)hil_json_add_raw(&w, "state", state_json);
        }
        (void)hil_json_add_string(&w, "clientToken", s->token);
        if ((op == HIL_SHADOW_UPDATE) && (version >= 0)) {
            (void)hil_json_add_int(&w, "version", version);
        }
        if ((hil_json_writer_finish(&w, NULL) != HIL_JSON_OK) || !build_topic(s, name, tail)) {
            status = HIL_DEVICE_BAD_PARAM;
        }
    }
    if (status == HIL_DEVICE_OK) {
        status = hil_device_publish(s->dev, s->topic, (const uint8_t *)s->request, strlen(s->request), 1U,
                                    false, mid);
    }
    if ((token != NULL) && (status == HIL_DEVICE_OK)) {
        (void)memcpy(token, s->token, strlen(s->token) + 1U);
    }
    return status;
}

/* ---- responses ------------------------------------------------------------------------------- */

/* Topic "$aws/things/<thing>/shadow/[name/<n>/]<op>/<suffix>" of our thing: name, op, suffix. */
static bool parse_topic(const hil_shadow_t *s, const char *topic, char *name, int *op, const char **suffix) {
    size_t tl = strlen(s->thing);
    const char *p = topic;
    bool ok = (strncmp(p, "$aws/things/", 12U) == 0);
    name[0] = '\0';
    *op = -1;
    if (ok) {
        p += 12;
        ok = (strncmp(p, s->thing, tl) == 0) && (strncmp(&p[tl], "/shadow/", 8U) == 0);
        p += tl + 8U;
    }
    if (ok && (strncmp(p, "name/", 5U) == 0)) {
        const char *slash = strchr(p + 5, '/');
        size_t nl = (slash != NULL) ? (size_t)(slash - (p + 5)) : 0U;
        ok = (slash != NULL) && (nl > 0U) && (nl <= HIL_SHADOW_MAX_NAME);
        if (ok) {
            (void)memcpy(name, p + 5, nl);
            name[nl] = '\0';
            p = slash + 1;
        }
    }
    for (int i = 0; ok && (i < 3); i++) {
        size_t ol = strlen(s_ops[i]);
        if ((strncmp(p, s_ops[i], ol) == 0) && (p[ol] == '/')) {
            *op = i;
            *suffix = &p[ol + 1U];
        }
    }
    return ok && (*op >= 0);
}

/* The int member key, or -1. */
static int64_t int_member(const hil_json_obj_t *obj, const char *key) {
    int64_t v = -1;
    (void)hil_json_get_int(obj, key, &v);
    return v;
}

/* The object member key into out; false when absent or not an object. */
static bool obj_member(const hil_json_obj_t *obj, const char *key, hil_json_obj_t *out) {
    const char *raw = NULL;
    size_t len = 0U;
    return (hil_json_get_raw(obj, key, &raw, &len) == HIL_JSON_OK) && (len > 0U) && (raw[0] == '{') &&
           (hil_json_obj_init(out, raw, len) == HIL_JSON_OK);
}

static void emit(hil_shadow_t *s, hil_event_t ev, hil_json_writer_t *w) {
    if (hil_json_writer_finish(w, NULL) == HIL_JSON_OK) {
        (void)hil_event_emit(s->dev, hil_event_name(ev), s->event);
    }
}

/* Room for an event's JSON: "!" name " " json within one line. */
static size_t event_room(hil_event_t ev) {
    return (HIL_PROTO_MAX_LINE + 1U) - (strlen(hil_event_name(ev)) + 2U);
}

static void add_token(const hil_json_obj_t *doc, hil_json_writer_t *w) {
    char token[HIL_SHADOW_MAX_TOKEN + 1U];
    if (hil_json_get_string(doc, "clientToken", token, sizeof(token), NULL) == HIL_JSON_OK) {
        (void)hil_json_add_string(w, "client_token", token);
    }
}

static void on_accepted(hil_shadow_t *s, const char *name, int op, const hil_json_obj_t *doc) {
    hil_json_writer_t w;
    int64_t version = int_member(doc, "version");
    (void)hil_json_writer_init(&w, s->event, event_room(HIL_EVENT_SHADOW_ACCEPTED));
    (void)hil_json_add_string(&w, "op", s_ops[op]);
    (void)hil_json_add_string(&w, "shadow", name);
    if (version >= 0) {
        (void)hil_json_add_int(&w, "version", version);
    }
    add_token(doc, &w);
    emit(s, HIL_EVENT_SHADOW_ACCEPTED, &w);
    if ((op == (int)HIL_SHADOW_GET) && (s->handler.on_document != NULL)) {
        hil_json_obj_t state;
        hil_json_obj_t delta;
        bool has_delta = obj_member(doc, "state", &state) && obj_member(&state, "delta", &delta);
        s->handler.on_document(s->handler.user, name, version, has_delta ? &delta : NULL);
    }
}

static void on_rejected(hil_shadow_t *s, const char *name, int op, const hil_json_obj_t *doc) {
    hil_json_writer_t w;
    char message[128] = "";
    int64_t code = int_member(doc, "code");
    size_t mlen = 0U;
    (void)hil_json_get_string(doc, "message", message, sizeof(message), &mlen);
    (void)hil_json_writer_init(&w, s->event, event_room(HIL_EVENT_SHADOW_REJECTED));
    (void)hil_json_add_string(&w, "op", s_ops[op]);
    (void)hil_json_add_string(&w, "shadow", name);
    (void)hil_json_add_int(&w, "code", code);
    add_token(doc, &w);
    (void)hil_json_add_string_fit(&w, "message", message, strlen(message), 1U, NULL);
    if (!hil_device_misbehaving(s->dev, HIL_MISBEHAVE_IGNORE_REJECTED)) {
        emit(s, HIL_EVENT_SHADOW_REJECTED, &w);
    }
    if ((op == (int)HIL_SHADOW_GET) && (s->handler.on_get_rejected != NULL)) {
        s->handler.on_get_rejected(s->handler.user, name, code);
    }
}

static void on_delta(hil_shadow_t *s, const char *name, const hil_json_obj_t *doc) {
    hil_json_writer_t w;
    hil_json_obj_t state;
    hil_shadow_delta_result_t result;
    int64_t version = int_member(doc, "version");
    (void)memset(&result, 0, sizeof(result));
    if (obj_member(doc, "state", &state) && (s->handler.on_delta != NULL)) {
        s->handler.on_delta(s->handler.user, name, version, &state, &result);
    }
    if (!result.silent) {
        (void)hil_json_writer_init(&w, s->event, event_room(HIL_EVENT_SHADOW_DELTA));
        (void)hil_json_add_string(&w, "shadow", name);
        (void)hil_json_add_int(&w, "version", version);
        add_token(doc, &w);
        if (!result.handled) {
            (void)hil_json_add_bool(&w, "handled", false);
        } else if (result.dropped) {
            (void)hil_json_add_string(&w, "dropped", "stale");
            (void)hil_json_add_int(&w, "last_version", result.last_version);
        } else {
            (void)hil_json_add_int(&w, "applied", result.applied);
            (void)hil_json_add_int(&w, "rejected", result.rejected);
        }
        emit(s, HIL_EVENT_SHADOW_DELTA, &w);
    }
}

static void listener_message(void *user, const char *topic, const uint8_t *payload, size_t len) {
    hil_shadow_t *s = (hil_shadow_t *)user;
    char name[HIL_SHADOW_MAX_NAME + 1U];
    int op = -1;
    const char *suffix = NULL;
    hil_json_obj_t doc;
    if (s->configured && parse_topic(s, topic, name, &op, &suffix) &&
        (hil_json_obj_init(&doc, (const char *)payload, len) == HIL_JSON_OK)) {
        if (strcmp(suffix, "accepted") == 0) {
            on_accepted(s, name, op, &doc);
        } else if (strcmp(suffix, "rejected") == 0) {
            on_rejected(s, name, op, &doc);
        } else if ((strcmp(suffix, "delta") == 0) && (op == (int)HIL_SHADOW_UPDATE)) {
            on_delta(s, name, &doc);
        } else {
            /* update/documents, or a request echoed by a wide subscription: not for the device */
        }
    }
}

static void listener_connected(void *user, bool session_present) {
    (void)session_present;
    subscribe_responses((hil_shadow_t *)user);
}

static void listener_reset(void *user) {
    hil_shadow_reset((hil_shadow_t *)user);
}

/* ---- commands -------------------------------------------------------------------------------- */

static void request_cmd(hil_shadow_t *s, hil_shadow_op_t op, const hil_json_obj_t *args,
                        hil_cmd_reply_t *reply) {
    const char *state = NULL;
    size_t state_len = 0U;
    int64_t version = -1;
    uint16_t mid = 0U;
    bool ok = false;
    s->shadow_arg[0] = '\0';
    ok = hil_cmd_arg_string(reply, args, "shadow", false, s->shadow_arg, sizeof(s->shadow_arg), NULL);
    if (ok && (s->shadow_arg[0] != '\0') && !hil_shadow_name_valid(s->shadow_arg, HIL_SHADOW_MAX_NAME)) {
        hil_cmd_bad_arg(reply, "shadow", "expected 1..64 of [A-Za-z0-9:_-]");
        ok = false;
    }
    if (ok && !s->configured) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "no thing (lamp.start)");
        ok = false;
    }
    if (ok && (op == HIL_SHADOW_UPDATE)) {
        ok = hil_cmd_arg_int(reply, args, "version", false, 0, INT32_MAX, &version);
        if (ok &&
            ((hil_json_get_raw(args, "state", &state, &state_len) != HIL_JSON_OK) || (state[0] != '{'))) {
            hil_cmd_bad_arg(reply, "state", "expected an object");
            ok = false;
        }
    }
    if (ok) {
        /* The state object is copied out of the request line (NUL-terminated). */
        char *raw = s->state_raw;
        hil_device_status_t ds = HIL_DEVICE_OK;
        if (state_len >= sizeof(s->state_raw)) {
            hil_cmd_bad_arg(reply, "state", "too long");
            ds = HIL_DEVICE_BAD_PARAM;
        } else {
            if (state != NULL) {
                (void)memcpy(raw, state, state_len);
            }
            raw[state_len] = '\0';
            ds = hil_shadow_request(s, op, s->shadow_arg, raw, version, "hil", s->token, &mid);
        }
        if (ds == HIL_DEVICE_NOT_CONNECTED) {
            hil_cmd_reply_error(reply, HIL_ERR_MQTT_NOT_CONNECTED, "no MQTT session");
        } else if (ds == HIL_DEVICE_BUSY) {
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "the MQTT stack is busy");
        } else if (ds != HIL_DEVICE_OK) {
            hil_cmd_reply_error(reply, HIL_ERR_MQTT_FAILED, "the shadow request could not be published");
        } else {
            (void)hil_json_add_string(&reply->body, "client_token", s->token);
            (void)hil_json_add_int(&reply->body, "mid", mid);
        }
    }
}

static void cmd_shadow_get(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    request_cmd((hil_shadow_t *)user, HIL_SHADOW_GET, args, reply);
}
static void cmd_shadow_update(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    request_cmd((hil_shadow_t *)user, HIL_SHADOW_UPDATE, args, reply);
}
static void cmd_shadow_delete(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    request_cmd((hil_shadow_t *)user, HIL_SHADOW_DELETE, args, reply);
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

hil_device_status_t hil_shadow_init(hil_shadow_t *s, hil_device_t *dev, const hil_shadow_handler_t *handler) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((s == NULL) || (dev == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_cmd_registry_t *reg = hil_device_commands(dev);
        (void)memset(s, 0, sizeof(*s));
        s->dev = dev;
        if (handler != NULL) {
            s->handler = *handler;
        }
        s->listener.user = s;
        s->listener.on_connected = listener_connected;
        s->listener.on_message = listener_message;
        s->listener.on_reset = listener_reset;
        if ((hil_cmd_register(reg, "shadow.get", cmd_shadow_get, s) != HIL_CMD_OK) ||
            (hil_cmd_register(reg, "shadow.update", cmd_shadow_update, s) != HIL_CMD_OK) ||
            (hil_cmd_register(reg, "shadow.delete", cmd_shadow_delete, s) != HIL_CMD_OK)) {
            status = HIL_DEVICE_BAD_PARAM;
        } else {
            status = hil_device_add_listener(dev, &s->listener);
        }
    }
    return status;
}

hil_device_status_t hil_shadow_set_thing(hil_shadow_t *s, const char *thing) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((s == NULL) || !hil_shadow_name_valid(thing, HIL_SHADOW_MAX_THING)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        size_t len = 0U;
        (void)memcpy(s->thing, thing, strlen(thing) + 1U);
        s->configured = true;
        s->filter_classic[0] = '\0';
        s->filter_named[0] = '\0';
        (void)(append(s->filter_classic, sizeof(s->filter_classic), &len, "$aws/things/") &&
               append(s->filter_classic, sizeof(s->filter_classic), &len, thing) &&
               append(s->filter_classic, sizeof(s->filter_classic), &len, "/shadow/+/+"));
        len = 0U;
        (void)(append(s->filter_named, sizeof(s->filter_named), &len, "$aws/things/") &&
               append(s->filter_named, sizeof(s->filter_named), &len, thing) &&
               append(s->filter_named, sizeof(s->filter_named), &len, "/shadow/name/+/+/+"));
        subscribe_responses(s);
    }
    return status;
}

void hil_shadow_reset(hil_shadow_t *s) {
    if (s != NULL) {
        s->configured = false;
        s->thing[0] = '\0';
        s->token_seq = 0U;
    }
}

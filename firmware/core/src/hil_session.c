/**
 * @file hil_session.c
 * @brief The MQTT session policy of the core: outcomes reported by the port become events,
 *        automatic reconnect with backoff, re-subscription, publish bursts.
 */
#include "hil_device.h"

#include <string.h>

/* ---- helpers --------------------------------------------------------------------------------- */

static hil_device_status_t status_of(hil_port_status_t ps) {
    hil_device_status_t status = HIL_DEVICE_FAILED;
    switch (ps) {
    case HIL_PORT_OK: status = HIL_DEVICE_OK; break;
    case HIL_PORT_BAD_PARAM: status = HIL_DEVICE_BAD_PARAM; break;
    case HIL_PORT_NOT_CONNECTED: status = HIL_DEVICE_NOT_CONNECTED; break;
    case HIL_PORT_BUSY: status = HIL_DEVICE_BUSY; break;
    case HIL_PORT_FAILED:
    case HIL_PORT_IO:
    default: status = HIL_DEVICE_FAILED; break;
    }
    return status;
}

static uint64_t now_ms(const hil_device_t *dev) {
    return dev->port->now_ms(dev->port->ctx);
}

/* {"class"|"reason": <class>, "detail": <text>[, "attempt": n]} */
static hil_device_status_t emit_class(hil_device_t *dev, hil_event_t ev, const char *key,
                                      hil_error_class_t cls, const char *detail, uint32_t attempt) {
    hil_json_writer_t w;
    const char *text = (detail != NULL) ? detail : "";
    hil_device_event_begin(dev, ev, &w);
    (void)hil_json_add_string(&w, key, hil_error_class_name(cls));
    if (attempt > 0U) {
        (void)hil_json_add_int(&w, "attempt", attempt);
    }
    /* Room kept for the closing brace. */
    (void)hil_json_add_string_fit(&w, "detail", text, strlen(text), 1U, NULL);
    return hil_device_event_end(dev, ev, &w);
}

static hil_device_status_t keep_first(hil_device_status_t a, hil_device_status_t b) {
    return (a != HIL_DEVICE_OK) ? a : b;
}

/* ---- publish burst --------------------------------------------------------------------------- */

static hil_device_status_t burst_done(hil_device_t *dev, const char *stopped) {
    hil_burst_t *b = &dev->burst;
    hil_json_writer_t w;
    b->active = false;
    hil_device_event_begin(dev, HIL_EVENT_MQTT_BURST_DONE, &w);
    (void)hil_json_add_string(&w, "run", b->run);
    (void)hil_json_add_int(&w, "count", (int64_t)b->last_seq - (int64_t)b->first_seq + 1);
    (void)hil_json_add_int(&w, "queued", b->queued);
    (void)hil_json_add_int(&w, "first_seq", b->first_seq);
    (void)hil_json_add_int(&w, "last_seq", b->last_seq);
    if (stopped != NULL) {
        (void)hil_json_add_string(&w, "stopped", stopped);
    }
    return hil_device_event_end(dev, HIL_EVENT_MQTT_BURST_DONE, &w);
}

/* Number of decimal digits of v. */
static size_t digits_of(uint32_t v) {
    size_t n = 1U;
    while (v >= 10U) {
        v /= 10U;
        n++;
    }
    return n;
}

size_t hil_burst_min_size(const char *run, uint32_t seq) {
    /* {"run":"<run>","seq":<seq>,"pad":""} */
    return 26U + strlen(run) + digits_of(seq);
}

/* The payload of message seq: {"run":"<run>","seq":<seq>,"pad":"xx..."}, exactly b->size bytes. */
static size_t burst_payload(hil_burst_t *b, uint32_t seq) {
    char digits[12];
    size_t nd = digits_of(seq);
    size_t n = 0U;
    size_t pad = b->size - hil_burst_min_size(b->run, seq);
    HIL_ASSERT(b->size >= hil_burst_min_size(b->run, seq));
    HIL_ASSERT(b->size <= sizeof(b->payload));
    for (size_t i = 0U; i < nd; i++) {
        digits[nd - 1U - i] = (char)('0' + (seq % 10U));
        seq /= 10U;
    }
#define PUT(s, l)                                                                                            \
    do {                                                                                                     \
        (void)memcpy(&b->payload[n], (s), (l));                                                              \
        n += (l);                                                                                            \
    } while (0)
    PUT("{\"run\":\"", 8U);
    PUT(b->run, strlen(b->run));
    PUT("\",\"seq\":", 8U);
    PUT(digits, nd);
    PUT(",\"pad\":\"", 8U);
    (void)memset(&b->payload[n], 'x', pad);
    n += pad;
    PUT("\"}", 2U);
#undef PUT
    HIL_ASSERT(n == b->size);
    return n;
}

static int window_find(const hil_burst_t *b, uint16_t mid) {
    int found = -1;
    for (unsigned i = 0U; (i < HIL_BURST_WINDOW) && (found < 0); i++) {
        if ((mid != 0U) && (b->window_mid[i] == mid)) {
            found = (int)i;
        }
    }
    return found;
}

static void window_clear(hil_burst_t *b) {
    (void)memset(b->window_mid, 0, sizeof(b->window_mid));
}

static hil_device_status_t emit_published(hil_device_t *dev, uint16_t mid, bool burst, uint32_t msg_seq) {
    hil_json_writer_t w;
    dev->published_seq++;
    hil_device_event_begin(dev, HIL_EVENT_MQTT_PUBLISHED, &w);
    (void)hil_json_add_int(&w, "mid", mid);
    (void)hil_json_add_int(&w, "seq", dev->published_seq);
    if (burst) {
        (void)hil_json_add_string(&w, "run", dev->burst.run);
        (void)hil_json_add_int(&w, "msg_seq", msg_seq);
    }
    return hil_device_event_end(dev, HIL_EVENT_MQTT_PUBLISHED, &w);
}

/* Queue what is due of the burst. */
static hil_device_status_t burst_tick(hil_device_t *dev, uint64_t now) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_burst_t *b = &dev->burst;
    unsigned sent = 0U;

    if (b->active && (dev->mqtt_state == HIL_MQTT_IDLE)) {
        /* No session and none coming: the burst cannot finish. */
        status = burst_done(dev, hil_error_class_name(HIL_ERR_MQTT_NOT_CONNECTED));
    }
    while (b->active && (dev->mqtt_state == HIL_MQTT_CONNECTED) && (sent < HIL_BURST_PER_TICK) &&
           (now >= b->next_ms)) {
        int slot = -1;
        uint16_t mid = 0U;
        hil_device_status_t ps = HIL_DEVICE_OK;
        for (unsigned i = 0U; (i < HIL_BURST_WINDOW) && (slot < 0); i++) {
            if (b->window_mid[i] == 0U) {
                slot = (int)i;
            }
        }
        if (slot < 0) {
            break; /* window full: the next ack makes room */
        }
        b->early_acked = false;
        b->in_publish = true;
        {
            const size_t len = burst_payload(b, b->next_seq);
            if (dev->misbehave[HIL_MISBEHAVE_CORRUPT_PAYLOAD] && (len > 0U)) {
                /* The same corruption as mqtt.publish: the last byte, XOR 0x01. */
                b->payload[len - 1U] = (uint8_t)(b->payload[len - 1U] ^ 0x01U);
            }
            ps = hil_device_publish(dev, b->topic, b->payload, len, b->qos, b->retain, &mid);
        }
        b->in_publish = false;
        if (ps == HIL_DEVICE_BUSY) {
            b->next_ms = now + 10U; /* the stack's queue is full: try again shortly */
            break;
        }
        if (ps != HIL_DEVICE_OK) {
            status = burst_done(dev, hil_error_class_name((ps == HIL_DEVICE_NOT_CONNECTED)
                                                              ? HIL_ERR_MQTT_NOT_CONNECTED
                                                              : HIL_ERR_MQTT_FAILED));
            break;
        }
        if (b->early_acked && (b->early_mid == mid)) {
            /* Sent and reported inside the publish call (QoS 0 on a free socket). */
            status = keep_first(status, emit_published(dev, mid, true, b->next_seq));
        } else {
            if (b->early_acked) {
                status = keep_first(status, emit_published(dev, b->early_mid, false, 0U));
            }
            b->window_mid[slot] = (mid != 0U) ? mid : 0xffffU;
            b->window_seq[slot] = b->next_seq;
        }
        b->queued++;
        sent++;
        if (b->next_seq == b->last_seq) {
            status = keep_first(status, burst_done(dev, NULL));
        } else {
            b->next_seq++;
            if (b->interval_ms == 0U) {
                b->next_ms = now;
            } else {
                b->next_ms += b->interval_ms;
                if (b->next_ms <= now) {
                    b->next_ms = now + b->interval_ms; /* fell behind (paused): no catch-up burst */
                }
            }
        }
    }
    return status;
}

/* ---- reconnect ------------------------------------------------------------------------------- */

static hil_device_status_t schedule_reconnect(hil_device_t *dev) {
    hil_json_writer_t w;
    uint64_t delay = dev->mqtt.reconnect_min_ms;
    dev->reconnect_attempt++;
    for (uint32_t i = 1U; (i < dev->reconnect_attempt) && (delay < dev->mqtt.reconnect_max_ms); i++) {
        delay *= 2U;
    }
    if (delay > dev->mqtt.reconnect_max_ms) {
        delay = dev->mqtt.reconnect_max_ms;
    }
    dev->mqtt_state = HIL_MQTT_RECONNECT_WAIT;
    dev->reconnect_at_ms = now_ms(dev) + delay;
    hil_device_event_begin(dev, HIL_EVENT_MQTT_RECONNECTING, &w);
    (void)hil_json_add_int(&w, "attempt", dev->reconnect_attempt);
    (void)hil_json_add_int(&w, "delay_ms", (int64_t)delay);
    return hil_device_event_end(dev, HIL_EVENT_MQTT_RECONNECTING, &w);
}

/* The blob of a committed slot, or false. */
static bool slot_blob(const hil_device_t *dev, uint8_t slot, hil_port_blob_t *blob) {
    bool ok = true;
    blob->data = NULL;
    blob->len = 0U;
    if (slot != HIL_DEVICE_NO_SLOT) {
        ok = hil_cred_get(&dev->creds, slot, &blob->data, &blob->len) == HIL_CRED_OK;
    }
    return ok;
}

hil_port_status_t hil_device_start_attempt(hil_device_t *dev, bool automatic) {
    hil_port_status_t ps = HIL_PORT_OK;
    const hil_mqtt_config_t *c = &dev->mqtt;
    hil_port_connect_params_t p;

    (void)memset(&p, 0, sizeof(p));
    p.host = c->host;
    p.port = c->port;
    p.client_id = c->client_id;
    p.keepalive_s = c->keepalive_s;
    p.clean_session = c->clean_session || dev->misbehave[HIL_MISBEHAVE_ALWAYS_CLEAN_SESSION];
    p.tls.enabled = c->tls;
    if (c->tls) {
        p.tls.sni = c->sni;
        p.tls.send_sni = !dev->misbehave[HIL_MISBEHAVE_NO_SNI];
        p.tls.alpn = dev->misbehave[HIL_MISBEHAVE_NO_ALPN] ? "" : c->alpn;
        p.tls.version = c->tls_version;
        p.tls.verify_server = !dev->misbehave[HIL_MISBEHAVE_SKIP_SERVER_VERIFY];
        p.tls.verify_host = c->verify_host && !dev->misbehave[HIL_MISBEHAVE_SKIP_HOSTNAME_CHECK];
    }
    if (c->has_will && !dev->misbehave[HIL_MISBEHAVE_NO_WILL]) {
        p.will.topic = c->will_topic;
        p.will.payload = c->will_payload;
        p.will.len = c->will_len;
        p.will.qos = c->will_qos;
        p.will.retain = c->will_retain;
    }
    p.resume = automatic && !dev->misbehave[HIL_MISBEHAVE_LOSE_INFLIGHT];

    /* Set before the call: the port may report the outcome from inside it (the core then
     * writes that event after the answer of the running request). */
    dev->mqtt_state = HIL_MQTT_CONNECTING;
    dev->reconnecting = automatic;
    if (c->tls && (!slot_blob(dev, c->ca_slot, &p.tls.ca) || !slot_blob(dev, c->cert_slot, &p.tls.cert) ||
                   !slot_blob(dev, c->key_slot, &p.tls.key))) {
        /* Only an automatic attempt gets here (mqtt.connect checks the slots): a slot was
         * cleared or rewritten since. Nothing is sent. */
        (void)hil_device_on_connect_failed(dev, HIL_ERR_TLS_BAD_CREDENTIALS,
                                           "a credential slot of this connection is no longer committed");
    } else {
        if (!p.resume) {
            /* Unacknowledged burst messages will never be acknowledged now. */
            window_clear(&dev->burst);
        }
        ps = dev->port->mqtt_connect(dev->port->ctx, &p);
        if ((ps != HIL_PORT_OK) && (dev->mqtt_state == HIL_MQTT_CONNECTING)) {
            if (automatic) {
                (void)hil_device_on_connect_failed(dev, HIL_ERR_MQTT_FAILED,
                                                   "the MQTT stack refused the attempt");
                ps = HIL_PORT_OK;
            } else {
                dev->mqtt_state = HIL_MQTT_IDLE;
                dev->reconnecting = false;
            }
        }
    }
    return ps;
}

void hil_device_session_reset(hil_device_t *dev) {
    dev->reconnecting = false;
    dev->reconnect_attempt = 0U;
    dev->reconnect_at_ms = 0U;
    (void)memset(dev->subs, 0, sizeof(dev->subs));
    (void)memset(&dev->burst, 0, sizeof(dev->burst));
}

void hil_device_session_tick(hil_device_t *dev, uint64_t now) {
    if ((dev->mqtt_state == HIL_MQTT_RECONNECT_WAIT) && (now >= dev->reconnect_at_ms)) {
        (void)hil_device_start_attempt(dev, true);
    }
    (void)burst_tick(dev, now);
}

uint64_t hil_device_session_next_due(const hil_device_t *dev) {
    uint64_t due = UINT64_MAX;
    const hil_burst_t *b = &dev->burst;
    if (dev->mqtt_state == HIL_MQTT_RECONNECT_WAIT) {
        due = dev->reconnect_at_ms;
    }
    if (b->active) {
        bool room = false;
        for (unsigned i = 0U; (i < HIL_BURST_WINDOW) && !room; i++) {
            room = b->window_mid[i] == 0U;
        }
        if (dev->mqtt_state == HIL_MQTT_IDLE) {
            due = 0U; /* to report that the burst stopped */
        } else if (room && (dev->mqtt_state == HIL_MQTT_CONNECTED) && (b->next_ms < due)) {
            due = b->next_ms;
        } else {
            /* waits for an ack or the session */
        }
    }
    return due;
}

/* ---- MQTT for applications and commands ------------------------------------------------------ */

hil_device_status_t hil_device_publish(hil_device_t *dev, const char *topic, const uint8_t *payload,
                                       size_t len, uint8_t qos, bool retain, uint16_t *mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    uint16_t m = 0U;
    if ((dev == NULL) || (topic == NULL) || ((payload == NULL) && (len > 0U)) || (qos > 2U)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->port->mqtt_publish == NULL) {
        status = HIL_DEVICE_FAILED;
    } else if (dev->mqtt_state != HIL_MQTT_CONNECTED) {
        status = HIL_DEVICE_NOT_CONNECTED;
    } else {
        status = status_of(dev->port->mqtt_publish(dev->port->ctx, topic, payload, len, qos, retain, &m));
        if ((status == HIL_DEVICE_OK) && (qos == 2U) && dev->misbehave[HIL_MISBEHAVE_QOS2_TWICE]) {
            /* The same message again as a new publish (new mid): a duplicate at QoS 2. */
            uint16_t again = 0U;
            if (dev->port->mqtt_publish(dev->port->ctx, topic, payload, len, qos, retain, &again) ==
                HIL_PORT_OK) {
                /* invisible on the console: its acknowledgement is not reported */
                dev->twin_mid[dev->twin_next] = again;
                dev->twin_next = (uint8_t)((dev->twin_next + 1U) % HIL_BURST_WINDOW);
            }
        }
    }
    if (mid != NULL) {
        *mid = m;
    }
    return status;
}

static hil_subscription_t *sub_find(hil_device_t *dev, const char *filter) {
    hil_subscription_t *found = NULL;
    for (unsigned i = 0U; (i < HIL_DEVICE_MAX_SUBSCRIPTIONS) && (found == NULL); i++) {
        if (dev->subs[i].used && (strcmp(dev->subs[i].filter, filter) == 0)) {
            found = &dev->subs[i];
        }
    }
    return found;
}

static hil_subscription_t *sub_by_mid(hil_device_t *dev, uint16_t mid) {
    hil_subscription_t *found = NULL;
    for (unsigned i = 0U; (i < HIL_DEVICE_MAX_SUBSCRIPTIONS) && (found == NULL) && (mid != 0U); i++) {
        if (dev->subs[i].used && (dev->subs[i].mid == mid)) {
            found = &dev->subs[i];
        }
    }
    return found;
}

bool hil_device_subscribed(const hil_device_t *dev, const char *filter) {
    bool found = false;
    for (unsigned i = 0U; (dev != NULL) && (filter != NULL) && (i < HIL_DEVICE_MAX_SUBSCRIPTIONS) && !found;
         i++) {
        found =
            dev->subs[i].used && !dev->subs[i].unsubscribing && (strcmp(dev->subs[i].filter, filter) == 0);
    }
    return found;
}

hil_device_status_t hil_device_subscribe(hil_device_t *dev, const char *filter, uint8_t qos, uint16_t *mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_subscription_t *entry = NULL;
    uint16_t m = 0U;
    if ((dev == NULL) || (filter == NULL) || (strlen(filter) > HIL_DEVICE_MAX_TOPIC) || (qos > 2U)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->port->mqtt_subscribe == NULL) {
        status = HIL_DEVICE_FAILED;
    } else if (dev->mqtt_state != HIL_MQTT_CONNECTED) {
        status = HIL_DEVICE_NOT_CONNECTED;
    } else {
        entry = sub_find(dev, filter);
        for (unsigned i = 0U; (i < HIL_DEVICE_MAX_SUBSCRIPTIONS) && (entry == NULL); i++) {
            if (!dev->subs[i].used) {
                entry = &dev->subs[i];
            }
        }
        if (entry == NULL) {
            status = HIL_DEVICE_NO_SPACE;
        } else {
            status = status_of(dev->port->mqtt_subscribe(dev->port->ctx, filter, qos, &m));
        }
        if (status == HIL_DEVICE_OK) {
            if (!entry->used) {
                (void)memcpy(entry->filter, filter, strlen(filter) + 1U);
            }
            entry->used = true;
            entry->qos = qos;
            entry->mid = m;
            entry->unsubscribing = false;
        }
    }
    if (mid != NULL) {
        *mid = m;
    }
    return status;
}

hil_device_status_t hil_device_unsubscribe(hil_device_t *dev, const char *filter, uint16_t *mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    uint16_t m = 0U;
    if ((dev == NULL) || (filter == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->port->mqtt_unsubscribe == NULL) {
        status = HIL_DEVICE_FAILED;
    } else if (dev->mqtt_state != HIL_MQTT_CONNECTED) {
        status = HIL_DEVICE_NOT_CONNECTED;
    } else if (dev->misbehave[HIL_MISBEHAVE_IGNORE_UNSUBSCRIBE]) {
        /* Misbehaviour: report an UNSUBACK that never came; the broker keeps the subscription. */
        hil_subscription_t *entry = sub_find(dev, filter);
        dev->dropped_mid = (uint16_t)((dev->dropped_mid == UINT16_MAX) ? 1U : dev->dropped_mid + 1U);
        m = dev->dropped_mid;
        if (entry != NULL) {
            entry->unsubscribing = true;
            entry->mid = m;
        }
        status = hil_device_on_unsubscribed(dev, m);
    } else {
        status = status_of(dev->port->mqtt_unsubscribe(dev->port->ctx, filter, &m));
        if (status == HIL_DEVICE_OK) {
            hil_subscription_t *entry = sub_find(dev, filter);
            if (entry != NULL) {
                /* Forgotten at once: a reconnect before the UNSUBACK must not subscribe it. */
                entry->unsubscribing = true;
                entry->mid = m;
            }
        }
    }
    if (mid != NULL) {
        *mid = m;
    }
    return status;
}

/* ---- outcomes reported by the port ----------------------------------------------------------- */

hil_device_status_t hil_device_on_connected(hil_device_t *dev, bool session_present) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->mqtt_state == HIL_MQTT_CONNECTING) {
        bool automatic = dev->reconnecting;
        uint32_t attempt = dev->reconnect_attempt;
        const char *tls = (dev->port->tls_version != NULL) ? dev->port->tls_version(dev->port->ctx) : NULL;
        dev->mqtt_state = HIL_MQTT_CONNECTED;
        dev->reconnecting = false;
        dev->reconnect_attempt = 0U;
        if (!dev->misbehave[HIL_MISBEHAVE_NO_CONNECTED_EVENT]) {
            hil_device_event_begin(dev, HIL_EVENT_MQTT_CONNECTED, &w);
            (void)hil_json_add_bool(&w, "session_present", session_present);
            if (tls != NULL) {
                (void)hil_json_add_string(&w, "tls_version", tls);
            }
            if (automatic) {
                (void)hil_json_add_int(&w, "attempt", attempt);
            }
            status = hil_device_event_end(dev, HIL_EVENT_MQTT_CONNECTED, &w);
        }
        if (dev->burst.qos == 0U) {
            window_clear(&dev->burst); /* QoS 0 is never sent again */
        }
        /* Without a session the broker forgot the subscriptions: subscribe them again. */
        for (unsigned i = 0U; (i < HIL_DEVICE_MAX_SUBSCRIPTIONS) && !session_present; i++) {
            hil_subscription_t *s = &dev->subs[i];
            if (s->used && s->unsubscribing) {
                s->used = false;
            } else if (s->used && !dev->misbehave[HIL_MISBEHAVE_NO_RESUBSCRIBE]) {
                uint16_t mid = 0U;
                if (dev->port->mqtt_subscribe(dev->port->ctx, s->filter, s->qos, &mid) == HIL_PORT_OK) {
                    s->mid = mid;
                }
            } else {
                /* free slot, or no-resubscribe: the entry stays, the broker does not know it */
            }
        }
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if ((l->on_connected != NULL) && (dev->mqtt_state == HIL_MQTT_CONNECTED)) {
                l->on_connected(l->user, session_present);
            }
        }
    } else {
        /* No attempt of ours is running (a late outcome): nothing to report. */
    }
    return status;
}

hil_device_status_t hil_device_on_connect_failed(hil_device_t *dev, hil_error_class_t cls,
                                                 const char *detail) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (hil_error_class_name(cls) == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->mqtt_state == HIL_MQTT_CONNECTING) {
        bool automatic = dev->reconnecting;
        dev->reconnecting = false;
        dev->mqtt_state = HIL_MQTT_IDLE;
        status = emit_class(dev, HIL_EVENT_MQTT_CONNECT_FAILED, "class", cls, detail,
                            automatic ? dev->reconnect_attempt : 0U);
        if (automatic && (cls != HIL_ERR_MQTT_REQUESTED)) {
            status = keep_first(status, schedule_reconnect(dev));
        }
    } else {
        /* No attempt of ours is running. */
    }
    return status;
}

hil_device_status_t hil_device_on_disconnected(hil_device_t *dev, hil_error_class_t reason,
                                               const char *detail) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if ((dev == NULL) || (hil_error_class_name(reason) == NULL)) {
        status = HIL_DEVICE_BAD_PARAM;
    } else if (dev->mqtt_state == HIL_MQTT_CONNECTING) {
        status = hil_device_on_connect_failed(dev, reason, detail);
    } else if (dev->mqtt_state == HIL_MQTT_CONNECTED) {
        dev->mqtt_state = HIL_MQTT_IDLE;
        status = emit_class(dev, HIL_EVENT_MQTT_DISCONNECTED, "reason", reason, detail, 0U);
        if (dev->burst.qos == 0U) {
            window_clear(&dev->burst);
        }
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if (l->on_disconnected != NULL) {
                l->on_disconnected(l->user);
            }
        }
        if ((reason != HIL_ERR_MQTT_REQUESTED) && dev->mqtt.reconnect && (dev->mqtt_state == HIL_MQTT_IDLE)) {
            dev->reconnect_attempt = 0U;
            status = keep_first(status, schedule_reconnect(dev));
        }
    } else {
        /* Nothing established: nothing to report. */
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
        hil_device_event_begin(dev, HIL_EVENT_MQTT_MESSAGE, &w);
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
        status = hil_device_event_end(dev, HIL_EVENT_MQTT_MESSAGE, &w);
    } else {
        /* ignore-messages: received, never reported */
    }
    if (status != HIL_DEVICE_BAD_PARAM) {
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if (l->on_message != NULL) {
                l->on_message(l->user, topic, (payload != NULL) ? payload : (const uint8_t *)"", len);
            }
        }
    }
    return status;
}

hil_device_status_t hil_device_on_published(hil_device_t *dev, uint16_t mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_burst_t *b = &dev->burst;
        int slot = window_find(b, mid);
        bool twin = false;
        for (unsigned i = 0U; (i < HIL_BURST_WINDOW) && !twin && (mid != 0U); i++) {
            if (dev->twin_mid[i] == mid) {
                dev->twin_mid[i] = 0U;
                twin = true;
            }
        }
        if (twin) {
            /* the qos2-twice duplicate: acknowledged, not reported */
        } else if (slot >= 0) {
            b->window_mid[slot] = 0U;
            status = emit_published(dev, mid, true, b->window_seq[slot]);
        } else if (b->in_publish && !b->early_acked) {
            /* Reported from inside the burst's own publish call, before its mid is known. */
            b->early_acked = true;
            b->early_mid = mid;
        } else {
            status = emit_published(dev, mid, false, 0U);
        }
        for (hil_device_listener_t *l = dev->listeners; l != NULL; l = l->next) {
            if (l->on_published != NULL) {
                l->on_published(l->user, mid);
            }
        }
    }
    return status;
}

hil_device_status_t hil_device_on_subscribed(hil_device_t *dev, uint16_t mid, int granted_qos) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_subscription_t *s = sub_by_mid(dev, mid);
        hil_device_event_begin(dev, HIL_EVENT_MQTT_SUBSCRIBED, &w);
        (void)hil_json_add_int(&w, "mid", mid);
        (void)hil_json_add_int(&w, "granted_qos", granted_qos);
        if ((s != NULL) && !s->unsubscribing) {
            (void)hil_json_add_string_fit(&w, "topic", s->filter, strlen(s->filter), 1U, NULL);
            s->mid = 0U;
            if ((granted_qos < 0) || (granted_qos > 2)) {
                s->used = false; /* refused by the broker: nothing to subscribe again */
            }
        }
        status = hil_device_event_end(dev, HIL_EVENT_MQTT_SUBSCRIBED, &w);
    }
    return status;
}

hil_device_status_t hil_device_on_unsubscribed(hil_device_t *dev, uint16_t mid) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        hil_subscription_t *s = sub_by_mid(dev, mid);
        hil_device_event_begin(dev, HIL_EVENT_MQTT_UNSUBSCRIBED, &w);
        (void)hil_json_add_int(&w, "mid", mid);
        if ((s != NULL) && s->unsubscribing) {
            (void)hil_json_add_string_fit(&w, "topic", s->filter, strlen(s->filter), 1U, NULL);
            s->used = false;
        }
        status = hil_device_event_end(dev, HIL_EVENT_MQTT_UNSUBSCRIBED, &w);
    }
    return status;
}

hil_device_status_t hil_device_on_wifi(hil_device_t *dev, bool up, const char *detail) {
    hil_device_status_t status = HIL_DEVICE_OK;
    hil_json_writer_t w;
    if (dev == NULL) {
        status = HIL_DEVICE_BAD_PARAM;
    } else {
        const char *text = (detail != NULL) ? detail : "";
        hil_event_t ev = up ? HIL_EVENT_WIFI_CONNECTED : HIL_EVENT_WIFI_DISCONNECTED;
        dev->wifi_up = up;
        hil_device_event_begin(dev, ev, &w);
        (void)hil_json_add_string(&w, "ssid", dev->wifi_ssid);
        (void)hil_json_add_string_fit(&w, up ? "detail" : "reason", text, strlen(text), 1U, NULL);
        status = hil_device_event_end(dev, ev, &w);
    }
    return status;
}

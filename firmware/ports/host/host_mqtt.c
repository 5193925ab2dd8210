/** @file host_mqtt.c @brief MQTT for the host port through libmosquitto, single-threaded. */
#include "host_port.h"

#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

/* Map a socket errno to the registry's connect-failure taxonomy. */
static hil_error_class_t classify_errno(int err) {
    hil_error_class_t cls = HIL_ERR_NET_CLOSED;
    switch (err) {
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EADDRNOTAVAIL:
    case ENETDOWN: cls = HIL_ERR_NET_UNREACHABLE; break;
    case ETIMEDOUT: cls = HIL_ERR_NET_TIMEOUT; break;
    default: cls = HIL_ERR_NET_CLOSED; break;
    }
    return cls;
}

/* Report an outcome once: connect_failed while connecting, disconnected once connected. */
static void report(struct hil_port_context *ctx, hil_error_class_t cls, const char *detail) {
    if (ctx->state == HOST_MQTT_CONNECTING) {
        ctx->state = HOST_MQTT_IDLE;
        (void)hil_device_on_connect_failed(ctx->dev, cls, detail);
    } else if (ctx->state == HOST_MQTT_CONNECTED) {
        ctx->state = HOST_MQTT_IDLE;
        (void)hil_device_on_disconnected(ctx->dev, cls, detail);
    } else {
        /* already reported (e.g. CONNACK refusal, then the close) */
    }
}

/* The session or the attempt ended: classify it (TLS first, from the handshake's own record),
 * then report it once. */
static void report_lost(struct hil_port_context *ctx, int rc, int err) {
    char tls_detail[192];
    hil_error_class_t cls = HIL_ERR_NET_CLOSED;
    const char *detail = mosquitto_strerror(rc);
    host_tls_drain(ctx, (ctx->mosq != NULL) ? mosquitto_ssl_get(ctx->mosq) : NULL);
    if (ctx->disconnect_requested && (ctx->state == HOST_MQTT_CONNECTED)) {
        cls = HIL_ERR_MQTT_REQUESTED;
        detail = "DISCONNECT sent";
    } else if (host_tls_classify(ctx, &cls, tls_detail, sizeof(tls_detail))) {
        detail = tls_detail;
    } else if (rc == MOSQ_ERR_ERRNO) {
        cls = classify_errno(err);
        detail = strerror(err);
    } else if (rc == MOSQ_ERR_CONN_LOST) {
        detail = "connection closed by the peer";
    } else if (rc == MOSQ_ERR_KEEPALIVE) {
        cls = HIL_ERR_NET_TIMEOUT;
    } else {
        /* other library errors: the connection is gone either way */
    }
    report(ctx, cls, detail);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    if (ctx->state != HOST_MQTT_CONNECTING) {
        /* a late CONNACK after a timeout was reported: drop the session */
        (void)mosquitto_disconnect(mosq);
    } else if (rc == 0) {
        host_tls_release(ctx); /* never keep a second handle on a healthy connection */
        ctx->state = HOST_MQTT_CONNECTED;
        (void)hil_device_on_connected(ctx->dev, (flags & 0x01) != 0);
    } else {
        ctx->state = HOST_MQTT_IDLE;
        (void)mosquitto_disconnect(mosq);
        (void)hil_device_on_connect_failed(ctx->dev, HIL_ERR_MQTT_REFUSED, mosquitto_connack_string(rc));
    }
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    int err = (ctx->sock_error != 0) ? ctx->sock_error : errno;
    (void)mosq;
    /* rc 0 means we asked for it (mosquitto_disconnect); anything else is a loss. */
    report_lost(ctx, (rc == 0) ? MOSQ_ERR_CONN_LOST : rc, err);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    (void)mosq;
    (void)hil_device_on_published(ctx->dev, (uint16_t)mid);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count, const int *granted_qos) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    (void)mosq;
    (void)hil_device_on_subscribed(ctx->dev, (uint16_t)mid, (qos_count > 0) ? granted_qos[0] : 128);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    (void)mosq;
    (void)hil_device_on_message(ctx->dev, msg->topic, (const uint8_t *)msg->payload, (size_t)msg->payloadlen,
                                (uint8_t)msg->qos, msg->retain);
}

static void on_unsubscribe(struct mosquitto *mosq, void *obj, int mid) {
    struct hil_port_context *ctx = (struct hil_port_context *)obj;
    (void)mosq;
    (void)hil_device_on_unsubscribed(ctx->dev, (uint16_t)mid);
}

/* mosquitto_reinitialise() forgets the callbacks and options: set them after every
 * (re)initialisation. MQTT 3.1.1, as AWS IoT Core speaks it (libmosquitto defaults to 3.1). */
static void set_callbacks(struct mosquitto *mosq) {
    mosquitto_connect_with_flags_callback_set(mosq, on_connect);
    mosquitto_disconnect_callback_set(mosq, on_disconnect);
    mosquitto_publish_callback_set(mosq, on_publish);
    mosquitto_subscribe_callback_set(mosq, on_subscribe);
    mosquitto_unsubscribe_callback_set(mosq, on_unsubscribe);
    mosquitto_message_callback_set(mosq, on_message);
    (void)mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
}

int host_mqtt_init(struct hil_port_context *ctx) {
    int rc = -1;
    ctx->tls.keep_fd = -1;
    ctx->tls.keep_ssl = NULL;
    if (mosquitto_lib_init() == MOSQ_ERR_SUCCESS) {
        ctx->mosq = mosquitto_new(NULL, true, ctx);
        if (ctx->mosq != NULL) {
            set_callbacks(ctx->mosq);
            rc = 0;
        }
    }
    ctx->state = HOST_MQTT_IDLE;
    return rc;
}

void host_mqtt_cleanup(struct hil_port_context *ctx) {
    host_tls_release(ctx);
    if (ctx->mosq != NULL) {
        if (ctx->state == HOST_MQTT_CONNECTED) {
            /* Best effort: a clean DISCONNECT so the broker does not fire a will. */
            (void)mosquitto_disconnect(ctx->mosq);
            (void)mosquitto_loop_write(ctx->mosq, 1);
        }
        ctx->state = HOST_MQTT_IDLE;
        mosquitto_destroy(ctx->mosq);
        ctx->mosq = NULL;
    }
    (void)mosquitto_lib_cleanup();
}

/* A fresh client for params: id, clean session, will, TLS context. false when the outcome was
 * reported already (unusable credentials) or *status says why not. */
static bool fresh_client(struct hil_port_context *ctx, const hil_port_connect_params_t *params,
                         hil_port_status_t *status) {
    const char *id = (params->client_id[0] != '\0') ? params->client_id : NULL;
    int rc = mosquitto_reinitialise(ctx->mosq, id, params->clean_session, ctx);
    bool ok = rc == MOSQ_ERR_SUCCESS;
    ctx->tls_active = false;
    if (ok) {
        set_callbacks(ctx->mosq);
    }
    if (ok && (params->will.topic != NULL)) {
        rc = mosquitto_will_set(ctx->mosq, params->will.topic, (int)params->will.len, params->will.payload,
                                params->will.qos, params->will.retain);
        ok = rc == MOSQ_ERR_SUCCESS;
    }
    *status = ok ? HIL_PORT_OK
                 : ((rc == MOSQ_ERR_INVAL) || (rc == MOSQ_ERR_MALFORMED_UTF8) ? HIL_PORT_BAD_PARAM
                                                                              : HIL_PORT_FAILED);
    if (ok && params->tls.enabled) {
        hil_error_class_t cls = HIL_ERR_TLS_BAD_CREDENTIALS;
        char detail[160];
        struct ssl_ctx_st *sctx = host_tls_context(ctx, &params->tls, &cls, detail, sizeof(detail));
        if (sctx == NULL) {
            /* Unusable credentials: an outcome of the attempt (nothing was sent). */
            ctx->state = HOST_MQTT_CONNECTING;
            report(ctx, cls, detail);
            ok = false;
        } else {
            /* Our context only: none of libmosquitto's TLS defaults, checks or insecure flags. */
            ok = (mosquitto_int_option(ctx->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) == MOSQ_ERR_SUCCESS) &&
                 (mosquitto_void_option(ctx->mosq, MOSQ_OPT_SSL_CTX, sctx) == MOSQ_ERR_SUCCESS);
            host_tls_free(sctx); /* libmosquitto holds its own reference now */
            ctx->tls_active = ok;
            *status = ok ? HIL_PORT_OK : HIL_PORT_FAILED;
        }
    }
    return ok;
}

hil_port_status_t host_mqtt_connect(hil_port_context_t *ctx, const hil_port_connect_params_t *params) {
    hil_port_status_t status = HIL_PORT_OK;
    int rc = MOSQ_ERR_SUCCESS;

    if (ctx->state != HOST_MQTT_IDLE) {
        status = HIL_PORT_BUSY;
    } else if ((params->client_id[0] == '\0') && !params->clean_session) {
        status = HIL_PORT_BAD_PARAM; /* a persistent session needs a client id */
    } else if (params->resume && ctx->resumable) {
        /* Automatic reconnect: the same client, so unacknowledged QoS 1/2 publishes go again. */
        host_tls_begin_attempt(ctx);
        ctx->sock_error = 0;
        ctx->disconnect_requested = false;
        ctx->state = HOST_MQTT_CONNECTING;
        ctx->connect_deadline = host_now_ms(ctx) + HIL_CONNECT_TIMEOUT_MS;
        rc = mosquitto_reconnect_async(ctx->mosq);
    } else if (fresh_client(ctx, params, &status)) {
        ctx->sock_error = 0;
        ctx->disconnect_requested = false;
        ctx->resumable = true;
        ctx->state = HOST_MQTT_CONNECTING;
        ctx->connect_deadline = host_now_ms(ctx) + HIL_CONNECT_TIMEOUT_MS;
        /* Non-blocking TCP connect; TLS and CONNECT go out when the socket becomes writable. */
        rc = mosquitto_connect_async(ctx->mosq, params->host, params->port, params->keepalive_s);
    } else {
        rc = MOSQ_ERR_SUCCESS; /* status says it, or the outcome was reported */
    }
    if ((status == HIL_PORT_OK) && (rc != MOSQ_ERR_SUCCESS)) {
        if (rc == MOSQ_ERR_INVAL) {
            ctx->state = HOST_MQTT_IDLE;
            status = HIL_PORT_BAD_PARAM;
        } else if (rc == MOSQ_ERR_EAI) {
            report(ctx, HIL_ERR_NET_UNREACHABLE, "host name does not resolve");
        } else if ((rc == MOSQ_ERR_ERRNO) || (rc == MOSQ_ERR_TLS)) {
            /* The attempt was made and failed at once: refused, or (on loopback) a whole TLS
             * handshake ran inside the call. An outcome, reported after the ok answer. */
            report_lost(ctx, rc, errno);
        } else {
            ctx->state = HOST_MQTT_IDLE;
            status = HIL_PORT_FAILED;
        }
    }
    return status;
}

hil_port_status_t host_mqtt_disconnect(hil_port_context_t *ctx) {
    hil_port_status_t status = HIL_PORT_OK;
    if (ctx->state == HOST_MQTT_CONNECTED) {
        /* DISCONNECT (no will); on_disconnect reports mqtt.requested when it was written. */
        ctx->disconnect_requested = true;
        if (mosquitto_disconnect(ctx->mosq) != MOSQ_ERR_SUCCESS) {
            report(ctx, HIL_ERR_MQTT_REQUESTED, "connection closed");
        }
    } else if (ctx->state == HOST_MQTT_CONNECTING) {
        /* The core reports the abandoned attempt; drop the client's connection silently. */
        ctx->state = HOST_MQTT_IDLE;
        host_mqtt_abort(ctx);
    } else {
        status = HIL_PORT_NOT_CONNECTED;
    }
    return status;
}

void host_mqtt_abort(struct hil_port_context *ctx) {
    /* No DISCONNECT: the broker sees the connection drop and publishes the will, as after a
     * power cut. reinitialise closes the socket without calling any callback. */
    ctx->state = HOST_MQTT_IDLE;
    ctx->resumable = false;
    ctx->tls_active = false;
    host_tls_release(ctx);
    if (ctx->mosq != NULL) {
        (void)mosquitto_reinitialise(ctx->mosq, NULL, true, ctx);
        set_callbacks(ctx->mosq);
    }
}

static hil_port_status_t map_rc(int rc) {
    hil_port_status_t status = HIL_PORT_FAILED;
    switch (rc) {
    case MOSQ_ERR_SUCCESS: status = HIL_PORT_OK; break;
    case MOSQ_ERR_NO_CONN: status = HIL_PORT_NOT_CONNECTED; break;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET:
    case MOSQ_ERR_QOS_NOT_SUPPORTED: status = HIL_PORT_BAD_PARAM; break;
    default: status = HIL_PORT_FAILED; break;
    }
    return status;
}

hil_port_status_t host_mqtt_publish(hil_port_context_t *ctx, const char *topic, const uint8_t *payload,
                                    size_t len, uint8_t qos, bool retain, uint16_t *mid) {
    int m = 0;
    hil_port_status_t status = HIL_PORT_NOT_CONNECTED;
    if (ctx->state == HOST_MQTT_CONNECTED) {
        status = map_rc(mosquitto_publish(ctx->mosq, &m, topic, (int)len, payload, qos, retain));
        *mid = (uint16_t)m;
    }
    return status;
}

hil_port_status_t host_mqtt_unsubscribe(hil_port_context_t *ctx, const char *filter, uint16_t *mid) {
    int m = 0;
    hil_port_status_t status = HIL_PORT_NOT_CONNECTED;
    if (ctx->state == HOST_MQTT_CONNECTED) {
        status = map_rc(mosquitto_unsubscribe(ctx->mosq, &m, filter));
        *mid = (uint16_t)m;
    }
    return status;
}

hil_port_status_t host_mqtt_subscribe(hil_port_context_t *ctx, const char *filter, uint8_t qos,
                                      uint16_t *mid) {
    int m = 0;
    hil_port_status_t status = HIL_PORT_NOT_CONNECTED;
    if (ctx->state == HOST_MQTT_CONNECTED) {
        status = map_rc(mosquitto_subscribe(ctx->mosq, &m, filter, qos));
        *mid = (uint16_t)m;
    }
    return status;
}

int host_mqtt_socket(struct hil_port_context *ctx) {
    return (ctx->mosq != NULL) ? mosquitto_socket(ctx->mosq) : -1;
}

bool host_mqtt_want_write(struct hil_port_context *ctx) {
    return (ctx->mosq != NULL) && mosquitto_want_write(ctx->mosq);
}

int host_mqtt_ms_to_deadline(struct hil_port_context *ctx) {
    int ms = -1;
    if (ctx->state == HOST_MQTT_CONNECTING) {
        uint64_t now = host_now_ms(ctx);
        ms = (now >= ctx->connect_deadline) ? 0 : (int)(ctx->connect_deadline - now);
    }
    return ms;
}

void host_mqtt_service(struct hil_port_context *ctx, short revents) {
    int rc = MOSQ_ERR_SUCCESS;
    int sock = host_mqtt_socket(ctx);

    if ((sock >= 0) && ((revents & (POLLERR | POLLHUP)) != 0)) {
        /* Keep the real cause (e.g. ECONNREFUSED of a non-blocking connect) before libmosquitto
         * turns it into a generic error. */
        int err = 0;
        socklen_t len = sizeof(err);
        if ((getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) == 0) && (err != 0)) {
            ctx->sock_error = err;
        }
    }
    if ((sock >= 0) && ((revents & (POLLIN | POLLERR | POLLHUP)) != 0)) {
        rc = mosquitto_loop_read(ctx->mosq, 1);
    }
    if ((rc == MOSQ_ERR_SUCCESS) && (host_mqtt_socket(ctx) >= 0) && ((revents & POLLOUT) != 0)) {
        rc = mosquitto_loop_write(ctx->mosq, 1);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        /* libmosquitto called on_disconnect already in most cases; report_lost is idempotent. */
        report_lost(ctx, rc, (ctx->sock_error != 0) ? ctx->sock_error : errno);
    }
    if (ctx->mosq != NULL) {
        (void)mosquitto_loop_misc(ctx->mosq); /* keep-alive PINGREQ, housekeeping */
    }
    if ((ctx->state == HOST_MQTT_CONNECTING) && (host_now_ms(ctx) >= ctx->connect_deadline)) {
        ctx->state = HOST_MQTT_IDLE;
        host_tls_release(ctx);
        (void)mosquitto_disconnect(ctx->mosq);
        (void)hil_device_on_connect_failed(ctx->dev, HIL_ERR_NET_TIMEOUT,
                                           "no CONNACK within the connect deadline");
    }
}

/**
 * @file hil_port.h
 * @brief What a port (board or host) provides to the core, and how it reports back.
 *
 * The core reaches the outside only through a hil_port_t: a console sink, a monotonic clock and
 * three MQTT operations. Outcomes of MQTT operations come back through the hil_device_on_*()
 * functions of hil_device.h, called from the same thread/task that calls hil_device_feed() (the
 * core is single-threaded and has no locks). See firmware/docs/porting.md.
 */
#ifndef HIL_PORT_H
#define HIL_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status a port function returns. */
typedef enum {
    HIL_PORT_OK = 0,        /**< Done (console) or started (MQTT). */
    HIL_PORT_BAD_PARAM,     /**< The port or its stack rejects an argument (e.g. topic syntax). */
    HIL_PORT_NOT_CONNECTED, /**< The operation needs an MQTT session. */
    HIL_PORT_BUSY,          /**< Not possible in the current state (e.g. connect in progress). */
    HIL_PORT_FAILED,        /**< The MQTT stack refused the operation for another reason. */
    HIL_PORT_IO,            /**< The console cannot be written (hung up). */
} hil_port_status_t;

/** Opaque port state; each port defines `struct hil_port_context` (incomplete in the core). */
typedef struct hil_port_context hil_port_context_t;

/** A byte range owned by the core (e.g. a credential slot); valid only during the call. */
typedef struct {
    const uint8_t *data; /**< First byte; NULL when absent. */
    size_t len;          /**< Length in bytes (0 when absent); not NUL-terminated. */
} hil_port_blob_t;

/** TLS protocol versions a connect attempt may negotiate. */
typedef enum {
    HIL_TLS_VERSION_ANY = 0, /**< TLS 1.2 or 1.3, whatever the server prefers. */
    HIL_TLS_VERSION_1_2,     /**< TLS 1.2 only. */
    HIL_TLS_VERSION_1_3,     /**< TLS 1.3 only. */
} hil_tls_version_t;

/** TLS settings of a connect attempt (PEM text straight from the credential slots). */
typedef struct {
    bool enabled;              /**< false: plain TCP, the other fields are unset. */
    hil_port_blob_t ca;        /**< Trusted CA certificate(s), PEM; always present with TLS. */
    hil_port_blob_t cert;      /**< Client certificate (chain), PEM; len 0 = no client certificate. */
    hil_port_blob_t key;       /**< Client private key, PEM; present exactly when cert is. */
    const char *sni;           /**< Server name sent as SNI and checked against the certificate. */
    bool send_sni;             /**< Send @ref sni in the ClientHello (false only under a misbehaviour). */
    bool verify_server;        /**< Verify the server chain (false only under a misbehaviour). */
    bool verify_host;          /**< Check the server certificate names @ref sni. */
    const char *alpn;          /**< Comma-separated ALPN protocol list; "" = no ALPN. */
    hil_tls_version_t version; /**< Versions allowed. */
} hil_port_tls_t;

/** Last will of a connect attempt. */
typedef struct {
    const char *topic;      /**< NULL: no will. */
    const uint8_t *payload; /**< Will payload bytes. */
    size_t len;             /**< Its length. */
    uint8_t qos;            /**< 0..2. */
    bool retain;            /**< Retain flag. */
} hil_port_will_t;

/** Arguments of a connect attempt (strings and blobs valid only during the call: copy them). */
typedef struct {
    const char *host;      /**< Broker host name or address. */
    uint16_t port;         /**< Broker TCP port. */
    const char *client_id; /**< MQTT client id (may be empty). */
    uint16_t keepalive_s;  /**< Keep-alive interval in seconds. */
    bool clean_session;    /**< MQTT 3.1.1 clean-session flag. */
    hil_port_tls_t tls;    /**< TLS settings. */
    hil_port_will_t will;  /**< Last will (topic NULL: none). */
    /** An automatic reconnect of a lost session: keep the client's unacknowledged outgoing
     * QoS 1/2 messages and send them again (false: start from an empty client state). */
    bool resume;
} hil_port_connect_params_t;

/**
 * The port interface. console_write and now_ms are mandatory; an MQTT function may be NULL on a
 * port without MQTT (the command then answers err mqtt.failed).
 */
typedef struct {
    hil_port_context_t *ctx; /**< Passed back to every function. */

    /**
     * Write all @p len bytes to the console (blocking until written; the core writes whole
     * lines, `\n` included, in one call so lines never interleave).
     * @return HIL_PORT_OK or HIL_PORT_IO.
     */
    hil_port_status_t (*console_write)(hil_port_context_t *ctx, const char *data, size_t len);

    /** Monotonic milliseconds since an arbitrary origin. */
    uint64_t (*now_ms)(hil_port_context_t *ctx);

    /**
     * Start a connect attempt and return without waiting for it. Exactly one outcome follows:
     * hil_device_on_connected() or hil_device_on_connect_failed(). A failure detected inside
     * this call (e.g. connection refused on loopback) may be reported from inside it, then
     * HIL_PORT_OK returned: the core writes the event after the ok answer.
     * @return HIL_PORT_OK (started), HIL_PORT_BAD_PARAM, HIL_PORT_BUSY or HIL_PORT_FAILED.
     */
    hil_port_status_t (*mqtt_connect)(hil_port_context_t *ctx, const hil_port_connect_params_t *params);

    /**
     * Queue a publish; @p mid receives its message id. hil_device_on_published(mid) follows
     * when it was sent (QoS 0) or acknowledged (QoS 1, 2).
     * @return HIL_PORT_OK, HIL_PORT_BAD_PARAM, HIL_PORT_NOT_CONNECTED or HIL_PORT_FAILED.
     */
    hil_port_status_t (*mqtt_publish)(hil_port_context_t *ctx, const char *topic, const uint8_t *payload,
                                      size_t len, uint8_t qos, bool retain, uint16_t *mid);

    /**
     * Queue a subscribe; @p mid receives its message id. hil_device_on_subscribed() follows at
     * SUBACK.
     * @return HIL_PORT_OK, HIL_PORT_BAD_PARAM, HIL_PORT_NOT_CONNECTED or HIL_PORT_FAILED.
     */
    hil_port_status_t (*mqtt_subscribe)(hil_port_context_t *ctx, const char *filter, uint8_t qos,
                                        uint16_t *mid);

    /* ---- optional (NULL: the command answers err, or the feature is absent) ---------------- */

    /**
     * End the session with a DISCONNECT (the broker publishes no will), or abandon a connect
     * attempt. The outcome is hil_device_on_disconnected(HIL_ERR_MQTT_REQUESTED) (or, for an
     * attempt, any outcome of it), reported once, possibly from inside this call.
     * @return HIL_PORT_OK, HIL_PORT_NOT_CONNECTED or HIL_PORT_FAILED.
     */
    hil_port_status_t (*mqtt_disconnect)(hil_port_context_t *ctx);

    /**
     * Queue an unsubscribe; @p mid receives its message id. hil_device_on_unsubscribed()
     * follows at UNSUBACK.
     * @return HIL_PORT_OK, HIL_PORT_BAD_PARAM, HIL_PORT_NOT_CONNECTED or HIL_PORT_FAILED.
     */
    hil_port_status_t (*mqtt_unsubscribe)(hil_port_context_t *ctx, const char *filter, uint16_t *mid);

    /**
     * Reset the device as a power cycle would: no DISCONNECT (the broker fires the will), RAM
     * state lost, the banner again. Called after the answer to sys.reboot was written; it may
     * return (the host port resets at the top of its loop) or not (a board resets at once).
     */
    void (*reboot)(hil_port_context_t *ctx);

    /**
     * Set the wall clock (seconds since 1970, UTC) used for certificate validity checks, as
     * sys.time.set asks. Without it the device keeps the time for sys.info only.
     */
    void (*set_time)(hil_port_context_t *ctx, int64_t epoch_s);

    /** Free heap/RAM in bytes for sys.info, or -1 when unknown. */
    int64_t (*free_memory)(hil_port_context_t *ctx);

    /**
     * The TLS protocol version the current session negotiated, as `mqtt.connect`'s
     * `tls_version` names it ("1.2", "1.3"); NULL for a plain session or when the stack cannot
     * tell. Called from inside hil_device_on_connected() for `!mqtt.connected`'s `tls_version`.
     */
    const char *(*tls_version)(hil_port_context_t *ctx);

    /**
     * Join a Wi-Fi network (start it; hil_device_on_wifi() reports the outcome). NULL: the
     * device has a fixed network link (e.g. the virtual device) and reports itself connected.
     * @return HIL_PORT_OK, HIL_PORT_BAD_PARAM, HIL_PORT_BUSY or HIL_PORT_FAILED.
     */
    hil_port_status_t (*wifi_connect)(hil_port_context_t *ctx, const char *ssid, const char *password);

    /** Leave the Wi-Fi network; hil_device_on_wifi(false) follows. @return as wifi_connect. */
    hil_port_status_t (*wifi_disconnect)(hil_port_context_t *ctx);
} hil_port_t;

#ifdef __cplusplus
}
#endif

#endif /* HIL_PORT_H */

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

/** Arguments of a connect attempt (strings valid only during the call: copy them). */
typedef struct {
    const char *host;      /**< Broker host name or address. */
    uint16_t port;         /**< Broker TCP port. */
    const char *client_id; /**< MQTT client id (may be empty). */
    uint16_t keepalive_s;  /**< Keep-alive interval in seconds. */
    bool clean_session;    /**< MQTT 3.1.1 clean-session flag. */
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
} hil_port_t;

#ifdef __cplusplus
}
#endif

#endif /* HIL_PORT_H */

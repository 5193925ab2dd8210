/**
 * @file hil_device.h
 * @brief The console loop: bytes in, one answer per request out, MQTT outcomes as events.
 *
 * A port owns one hil_device_t (static storage: it holds the line buffers), calls
 * hil_device_init(), sets misbehaviours, registers product commands, calls hil_device_start()
 * (boot banner), then feeds console bytes with hil_device_feed() and reports MQTT outcomes with
 * the hil_device_on_*() functions, all from one thread/task.
 */
#ifndef HIL_DEVICE_H
#define HIL_DEVICE_H

#include "hil_cmd.h"
#include "hil_config_defaults.h"
#include "hil_names.h"
#include "hil_port.h"
#include "hil_proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest topic or filter a command accepts (bytes, decoded). */
#define HIL_DEVICE_MAX_TOPIC 256U
/** Longest payload mqtt.publish accepts (bytes, decoded); bounded by the request line anyway. */
#define HIL_DEVICE_MAX_PAYLOAD HIL_PROTO_MAX_LINE

/** Status of the device module. */
typedef enum {
    HIL_DEVICE_OK = 0,    /**< Success. */
    HIL_DEVICE_BAD_PARAM, /**< A NULL pointer or an invalid argument was passed. */
    HIL_DEVICE_IO,        /**< The console write failed (the port returned HIL_PORT_IO). */
    HIL_DEVICE_NO_SPACE,  /**< An event did not fit one line; nothing was written. */
} hil_device_status_t;

/** Identity stated by the boot banner and sys.info (strings with static lifetime). */
typedef struct {
    const char *fw;       /**< e.g. "hil-reference". */
    const char *version;  /**< e.g. "0.1.0". */
    const char *build_id; /**< Hex hash identifying the image. */
    const char *board;    /**< Kit name, or "host". */
} hil_device_config_t;

/** MQTT session state as the core sees it. */
typedef enum {
    HIL_MQTT_IDLE = 0,   /**< No session, no attempt. */
    HIL_MQTT_CONNECTING, /**< mqtt.connect answered ok, outcome pending. */
    HIL_MQTT_CONNECTED,  /**< Session up. */
} hil_mqtt_state_t;

/** Device state. Treat as opaque; the fields are public only so it can be allocated statically. */
typedef struct {
    const hil_port_t *port;
    hil_device_config_t config;
    hil_framer_t framer;
    hil_cmd_registry_t commands;
    hil_cmd_reply_t reply;
    char line[HIL_PROTO_MAX_LINE + 2U];  /* an outgoing line plus '\n' */
    char event[HIL_PROTO_MAX_LINE + 2U]; /* an outgoing event (separate: may be built mid-request) */
    char json[HIL_PROTO_MAX_LINE + 1U];  /* payload of an event being built */
    char deferred[HIL_DEVICE_DEFERRED_EVENTS][HIL_PROTO_MAX_LINE + 2U];
    size_t deferred_len[HIL_DEVICE_DEFERRED_EVENTS];
    size_t deferred_count;
    bool in_request;
    bool misbehave[HIL_MISBEHAVE__COUNT];
    hil_mqtt_state_t mqtt_state;
    uint64_t boot_ms;
    uint16_t dropped_mid;                  /* mids invented by drop-publish */
    uint32_t message_seq;                  /* `seq` of mqtt.message */
    uint32_t published_seq;                /* `seq` of mqtt.published */
    uint32_t garbage_lines;                /* console lines dropped for garbage */
    uint32_t overlong_lines;               /* console lines dropped as overlong */
    char topic[HIL_DEVICE_MAX_TOPIC + 3U]; /* + "/x" of wrong-topic */
    char payload[HIL_DEVICE_MAX_PAYLOAD + 1U];
    char host[HIL_DEVICE_MAX_TOPIC];
    char client_id[HIL_DEVICE_MAX_TOPIC];
} hil_device_t;

/**
 * @brief Initialise the device and register the v0 commands (sys.info, mqtt.*).
 * @param[out] dev Device storage.
 * @param[in] port Port; must outlive @p dev; console_write and now_ms must be set.
 * @param[in] config Identity (copied; the strings must outlive @p dev).
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_device_init(hil_device_t *dev, const hil_port_t *port,
                                    const hil_device_config_t *config);

/**
 * @brief The registry, so a product firmware can add commands with hil_cmd_register().
 * @return The registry, or NULL when @p dev is NULL.
 */
hil_cmd_registry_t *hil_device_commands(hil_device_t *dev);

/**
 * @brief Switch a misbehaviour on or off (normally once, before hil_device_start()).
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_device_set_misbehaviour(hil_device_t *dev, hil_misbehaviour_t mb, bool on);

/**
 * @brief Write a free-form start log line and the `!sys.boot` banner; uptime starts now.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_start(hil_device_t *dev);

/**
 * @brief Feed console bytes. Every complete request line gets exactly one answer before this
 *        returns; dropped lines are reported with `!proto.error`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO (a write failed; the remaining
 *         bytes were still consumed).
 */
hil_device_status_t hil_device_feed(hil_device_t *dev, const uint8_t *data, size_t len);

/**
 * @brief Emit an event `!name json`; while a request runs it is written after the answer.
 * @param[in] name Event name: hil_event_name() for registry events, or a product's own.
 * @param[in] json One JSON object, printable ASCII (e.g. from hil_json_writer_t).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM (bad name or json), HIL_DEVICE_NO_SPACE or
 *         HIL_DEVICE_IO.
 */
hil_device_status_t hil_event_emit(hil_device_t *dev, const char *name, const char *json);

/**
 * @brief Write a free-form log line; a line starting with `@` or `!` gets a leading space, and
 *        bytes that are not printable become `?`, so a log can never look like protocol.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_log(hil_device_t *dev, const char *text);

/* ---- MQTT outcomes reported by the port ------------------------------------------------------ */

/**
 * @brief The session is up: emits `!mqtt.connected` (unless no-connected-event).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_connected(hil_device_t *dev, bool session_present);

/**
 * @brief The attempt failed: emits `!mqtt.connect_failed {"class","detail"}`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_connect_failed(hil_device_t *dev, hil_error_class_t cls,
                                                 const char *detail);

/**
 * @brief An established session ended: emits `!mqtt.disconnected {"reason","detail"}` where
 *        reason is an error class (e.g. net.closed).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_disconnected(hil_device_t *dev, hil_error_class_t reason,
                                               const char *detail);

/**
 * @brief A message arrived: emits `!mqtt.message {"topic","qos","retain","payload","seq"}`
 *        (unless ignore-messages). A payload too long for one line is cut and the event gets
 *        `"truncated":true` and `"payload_len"`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_message(hil_device_t *dev, const char *topic, const uint8_t *payload,
                                          size_t len, uint8_t qos, bool retain);

/**
 * @brief A publish was sent (QoS 0) or acknowledged: emits `!mqtt.published {"mid","seq"}`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_published(hil_device_t *dev, uint16_t mid);

/**
 * @brief SUBACK: emits `!mqtt.subscribed {"mid","granted_qos"}` (128 = refused by the broker).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_subscribed(hil_device_t *dev, uint16_t mid, int granted_qos);

/**
 * @brief Current MQTT state as the core sees it.
 * @return The state (HIL_MQTT_IDLE when @p dev is NULL).
 */
hil_mqtt_state_t hil_device_mqtt_state(const hil_device_t *dev);

/** Registers sys.info and mqtt.* (called by hil_device_init(); internal to the core). */
hil_cmd_status_t hil_device_register_v0_commands(hil_device_t *dev);

#ifdef __cplusplus
}
#endif

#endif /* HIL_DEVICE_H */

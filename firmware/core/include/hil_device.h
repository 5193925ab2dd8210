/**
 * @file hil_device.h
 * @brief The console loop: bytes in, one answer per request out, MQTT outcomes as events.
 *
 * A port owns one hil_device_t (static storage: it holds the line buffers and the credential
 * slots), calls hil_device_init(), sets misbehaviours, registers product commands and listeners,
 * calls hil_device_start() (boot banner), then feeds console bytes with hil_device_feed(), calls
 * hil_device_tick() when hil_device_next_tick_ms() says so, and reports MQTT outcomes with the
 * hil_device_on_*() functions, all from one thread/task.
 *
 * The core owns the MQTT session policy: automatic reconnect with backoff, re-subscription after
 * a reconnect without a session, publish bursts. The port only carries out single operations.
 */
#ifndef HIL_DEVICE_H
#define HIL_DEVICE_H

#include "hil_cmd.h"
#include "hil_config_defaults.h"
#include "hil_cred.h"
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
/** Longest host name, client id or SNI name (bytes). */
#define HIL_DEVICE_MAX_HOST 255U
/** Longest ALPN protocol list (bytes, comma-separated). */
#define HIL_DEVICE_MAX_ALPN 64U
/** Longest last-will payload (bytes). */
#define HIL_DEVICE_MAX_WILL 256U
/** Longest run id of a publish burst (bytes). */
#define HIL_DEVICE_MAX_RUN_ID 64U
/** No slot (cert_slot/key_slot of a connection without a client certificate). */
#define HIL_DEVICE_NO_SLOT 0xffU

/** Status of the device module. */
typedef enum {
    HIL_DEVICE_OK = 0,        /**< Success. */
    HIL_DEVICE_BAD_PARAM,     /**< A NULL pointer or an invalid argument was passed. */
    HIL_DEVICE_IO,            /**< The console write failed (the port returned HIL_PORT_IO). */
    HIL_DEVICE_NO_SPACE,      /**< An event did not fit one line, or a table is full. */
    HIL_DEVICE_NOT_CONNECTED, /**< The operation needs an MQTT session. */
    HIL_DEVICE_FAILED,        /**< The port refused the operation (or has no MQTT). */
    HIL_DEVICE_BUSY,          /**< The port cannot take it now; try again later. */
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
    HIL_MQTT_IDLE = 0,       /**< No session, no attempt, no reconnect pending. */
    HIL_MQTT_CONNECTING,     /**< An attempt is running (mqtt.connect or a reconnect). */
    HIL_MQTT_CONNECTED,      /**< Session up. */
    HIL_MQTT_RECONNECT_WAIT, /**< Session lost; the next automatic attempt is scheduled. */
} hil_mqtt_state_t;

/** Everything mqtt.connect chose, kept for automatic reconnects. */
typedef struct {
    char host[HIL_DEVICE_MAX_HOST + 1U];
    char client_id[HIL_DEVICE_MAX_HOST + 1U];
    uint16_t port;
    uint16_t keepalive_s;
    bool clean_session;
    bool tls;
    uint8_t ca_slot;
    uint8_t cert_slot; /* HIL_DEVICE_NO_SLOT: none */
    uint8_t key_slot;  /* HIL_DEVICE_NO_SLOT: none */
    bool verify_host;
    hil_tls_version_t tls_version;
    char sni[HIL_DEVICE_MAX_HOST + 1U];
    char alpn[HIL_DEVICE_MAX_ALPN + 1U];
    bool has_will;
    uint8_t will_qos;
    bool will_retain;
    char will_topic[HIL_DEVICE_MAX_TOPIC + 1U];
    uint8_t will_payload[HIL_DEVICE_MAX_WILL + 1U];
    size_t will_len;
    bool reconnect;
    uint32_t reconnect_min_ms;
    uint32_t reconnect_max_ms;
} hil_mqtt_config_t;

/** A subscription the device holds (re-subscribed after a reconnect without a session). */
typedef struct {
    bool used;
    uint8_t qos;
    uint16_t mid; /* of the SUBSCRIBE/UNSUBSCRIBE in flight, 0 when none */
    bool unsubscribing;
    char filter[HIL_DEVICE_MAX_TOPIC + 1U];
} hil_subscription_t;

/** A publish burst in progress (mqtt.burst). */
typedef struct {
    bool active;
    uint8_t qos;
    bool retain;
    uint32_t next_seq;    /* seq of the next message to queue */
    uint32_t last_seq;    /* seq of the last message */
    uint32_t first_seq;   /* seq of the first message */
    uint32_t interval_ms; /* between two messages; 0 = as fast as the window allows */
    uint64_t next_ms;     /* when the next message is due */
    size_t size;          /* payload bytes */
    uint32_t queued;      /* messages handed to the port */
    char run[HIL_DEVICE_MAX_RUN_ID + 1U];
    char topic[HIL_DEVICE_MAX_TOPIC + 1U];
    bool in_publish;  /* inside the port's publish call for a burst message */
    bool early_acked; /* ... and the port reported a publish from inside it */
    uint16_t early_mid;
    uint16_t window_mid[HIL_BURST_WINDOW]; /* mids awaiting their ack, 0 = free */
    uint32_t window_seq[HIL_BURST_WINDOW]; /* their seq */
    uint8_t payload[HIL_BURST_MAX_PAYLOAD];
} hil_burst_t;

struct hil_device;

/**
 * An application on top of the core (e.g. the reference lamp with its shadow client) that wants
 * MQTT outcomes and ticks. Caller storage; register with hil_device_add_listener(). Every
 * callback may be NULL. They run after the core has emitted its own event for the outcome.
 */
typedef struct hil_device_listener {
    void *user;
    /** A session came up (also after an automatic reconnect). */
    void (*on_connected)(void *user, bool session_present);
    /** The session ended (any reason). */
    void (*on_disconnected)(void *user);
    /** A message arrived (also reported as mqtt.message). */
    void (*on_message)(void *user, const char *topic, const uint8_t *payload, size_t len);
    /** A publish was acknowledged (QoS 1/2) or sent (QoS 0). */
    void (*on_published)(void *user, uint16_t mid);
    /** When the listener next needs tick(): absolute now_ms() time, UINT64_MAX for never. */
    uint64_t (*next_due)(void *user);
    /** Periodic work, called by hil_device_tick() once next_due() has come. */
    void (*tick)(void *user, uint64_t now_ms);
    /** The device is being reset (sys.reboot): forget all state. */
    void (*on_reset)(void *user);
    struct hil_device_listener *next; /* owned by the core */
} hil_device_listener_t;

/** Device state. Treat as opaque; the fields are public only so it can be allocated statically. */
typedef struct hil_device {
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
    bool reboot_pending; /* sys.reboot answered: reset after the answer is written */
    bool misbehave[HIL_MISBEHAVE__COUNT];
    hil_device_listener_t *listeners;
    uint64_t boot_ms;
    /* wall clock (sys.time.set): unix_ms = now_ms() + time_offset_ms when time_set */
    bool time_set;
    int64_t time_offset_ms;
    /* network link (wifi.*) */
    bool wifi_up;
    char wifi_ssid[33];
    /* MQTT session */
    hil_mqtt_state_t mqtt_state;
    hil_mqtt_config_t mqtt;
    bool reconnecting;          /* the running attempt is automatic */
    uint32_t reconnect_attempt; /* 1, 2, ... of the current outage */
    uint64_t reconnect_at_ms;   /* when the next automatic attempt starts */
    hil_subscription_t subs[HIL_DEVICE_MAX_SUBSCRIPTIONS];
    hil_burst_t burst;
    uint16_t dropped_mid;                /* mids invented by drop-publish, ignore-unsubscribe */
    uint16_t twin_mid[HIL_BURST_WINDOW]; /* mids of qos2-twice duplicates: acks stay silent */
    uint8_t twin_next;
    uint32_t message_seq;                  /* `seq` of mqtt.message */
    uint32_t published_seq;                /* `seq` of mqtt.published */
    uint32_t garbage_lines;                /* console lines dropped for garbage */
    uint32_t overlong_lines;               /* console lines dropped as overlong */
    char topic[HIL_DEVICE_MAX_TOPIC + 3U]; /* + "/x" of wrong-topic */
    char payload[HIL_DEVICE_MAX_PAYLOAD + 1U];
    hil_cred_store_t creds; /* last: the largest member */
} hil_device_t;

/**
 * @brief Initialise the device and register the reference commands (sys.*, wifi.*, cred.*,
 *        mqtt.*). Credential slots start empty.
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
 * @brief Add an application listener (caller storage, must outlive @p dev).
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_device_add_listener(hil_device_t *dev, hil_device_listener_t *listener);

/**
 * @brief Switch a misbehaviour on or off (normally once, before hil_device_start()).
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_device_set_misbehaviour(hil_device_t *dev, hil_misbehaviour_t mb, bool on);

/** @brief Whether a misbehaviour is on (false for NULL or out of range). */
bool hil_device_misbehaving(const hil_device_t *dev, hil_misbehaviour_t mb);

/**
 * @brief Write a free-form start log line and the `!sys.boot` banner; uptime starts now.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_start(hil_device_t *dev);

/**
 * @brief Reset after sys.reboot as a power cycle would (port-driven): forget the MQTT session,
 *        subscriptions, bursts, time and credential slots, tell the listeners, keep the
 *        registered commands, listeners and misbehaviours. Call hil_device_start() next.
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_device_reset(hil_device_t *dev);

/**
 * @brief Feed console bytes. Every complete request line gets exactly one answer before this
 *        returns; dropped lines are reported with `!proto.error`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO (a write failed; the remaining
 *         bytes were still consumed).
 */
hil_device_status_t hil_device_feed(hil_device_t *dev, const uint8_t *data, size_t len);

/**
 * @brief Run timed work that is due: automatic reconnects, publish bursts, listener ticks.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_tick(hil_device_t *dev);

/**
 * @brief Milliseconds until hil_device_tick() has work (0: now), or -1 when nothing is timed.
 *        A port waits for console input at most this long.
 */
int64_t hil_device_next_tick_ms(hil_device_t *dev);

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

/** @brief Milliseconds since hil_device_start(). */
uint64_t hil_device_uptime_ms(const hil_device_t *dev);

/**
 * @brief Wall-clock time in milliseconds since 1970 (UTC), once sys.time.set has set it.
 * @return true and *unix_ms set, or false when the time is unknown.
 */
bool hil_device_unix_ms(const hil_device_t *dev, int64_t *unix_ms);

/* ---- MQTT for applications (the same path as the mqtt.* commands) ---------------------------- */

/**
 * @brief Publish through the port (qos2-twice applies; the console misbehaviours of mqtt.publish
 *        do not).
 * @param[out] mid Message id of the publish; may be NULL.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM, HIL_DEVICE_NOT_CONNECTED, HIL_DEVICE_BUSY or
 *         HIL_DEVICE_FAILED.
 */
hil_device_status_t hil_device_publish(hil_device_t *dev, const char *topic, const uint8_t *payload,
                                       size_t len, uint8_t qos, bool retain, uint16_t *mid);

/**
 * @brief Subscribe and remember the filter, so it is subscribed again after a reconnect without
 *        a session. Subscribing a remembered filter again updates its QoS.
 * @return As hil_device_publish(), or HIL_DEVICE_NO_SPACE (HIL_DEVICE_MAX_SUBSCRIPTIONS held).
 */
hil_device_status_t hil_device_subscribe(hil_device_t *dev, const char *filter, uint8_t qos, uint16_t *mid);

/**
 * @brief Unsubscribe and forget the filter.
 * @return As hil_device_publish().
 */
hil_device_status_t hil_device_unsubscribe(hil_device_t *dev, const char *filter, uint16_t *mid);

/** @brief Whether @p filter is among the remembered subscriptions. */
bool hil_device_subscribed(const hil_device_t *dev, const char *filter);

/**
 * @brief Current MQTT state as the core sees it.
 * @return The state (HIL_MQTT_IDLE when @p dev is NULL).
 */
hil_mqtt_state_t hil_device_mqtt_state(const hil_device_t *dev);

/* ---- outcomes reported by the port ----------------------------------------------------------- */

/**
 * @brief The session is up: emits `!mqtt.connected` (unless no-connected-event), subscribes the
 *        remembered filters again when there is no session present, tells the listeners.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_connected(hil_device_t *dev, bool session_present);

/**
 * @brief The attempt failed: emits `!mqtt.connect_failed {"class","detail"}`; an automatic
 *        attempt schedules the next one. Ignored when no attempt is running.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_connect_failed(hil_device_t *dev, hil_error_class_t cls,
                                                 const char *detail);

/**
 * @brief An established session ended: emits `!mqtt.disconnected {"reason","detail"}` where
 *        reason is an error class (e.g. net.closed, mqtt.requested) and schedules an automatic
 *        reconnect when the connection asked for it. While an attempt runs, this reports the
 *        attempt's failure instead (as hil_device_on_connect_failed()).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_disconnected(hil_device_t *dev, hil_error_class_t reason,
                                               const char *detail);

/**
 * @brief A message arrived: emits `!mqtt.message {"topic","qos","retain","payload","seq"}`
 *        (unless ignore-messages), then tells the listeners. A payload too long for one line is
 *        cut and the event gets `"truncated":true` and `"payload_len"`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_message(hil_device_t *dev, const char *topic, const uint8_t *payload,
                                          size_t len, uint8_t qos, bool retain);

/**
 * @brief A publish was sent (QoS 0) or acknowledged: emits `!mqtt.published {"mid","seq"}`
 *        (plus `run`/`msg_seq` for a burst message).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_published(hil_device_t *dev, uint16_t mid);

/**
 * @brief SUBACK: emits `!mqtt.subscribed {"mid","granted_qos"[,"topic"]}` (128 = refused).
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_subscribed(hil_device_t *dev, uint16_t mid, int granted_qos);

/**
 * @brief UNSUBACK: emits `!mqtt.unsubscribed {"mid"[,"topic"]}`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_unsubscribed(hil_device_t *dev, uint16_t mid);

/**
 * @brief The Wi-Fi link went up or down (ports with wifi_connect only): emits `!wifi.connected`
 *        or `!wifi.disconnected {"reason"}`.
 * @return HIL_DEVICE_OK, HIL_DEVICE_BAD_PARAM or HIL_DEVICE_IO.
 */
hil_device_status_t hil_device_on_wifi(hil_device_t *dev, bool up, const char *detail);

/* ---- internal to the core -------------------------------------------------------------------- */

/** Registers the reference commands (called by hil_device_init()). */
hil_cmd_status_t hil_device_register_commands(hil_device_t *dev);
/** Event helpers shared by the core's sources. */
void hil_device_event_begin(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w);
hil_device_status_t hil_device_event_end(hil_device_t *dev, hil_event_t ev, hil_json_writer_t *w);
/** Starts a connect attempt from dev->mqtt (state CONNECTING); returns the port's answer. */
hil_port_status_t hil_device_start_attempt(hil_device_t *dev, bool automatic);
/** Forgets the session state (subscriptions, burst, reconnect schedule). */
void hil_device_session_reset(hil_device_t *dev);
/** Session work due at @p now (reconnect, burst) and when it is next due (UINT64_MAX: never). */
void hil_device_session_tick(hil_device_t *dev, uint64_t now);
uint64_t hil_device_session_next_due(const hil_device_t *dev);
/** Smallest burst payload for @p run and a message number up to @p seq. */
size_t hil_burst_min_size(const char *run, uint32_t seq);

#ifdef __cplusplus
}
#endif

#endif /* HIL_DEVICE_H */

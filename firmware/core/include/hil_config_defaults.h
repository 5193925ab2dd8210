/**
 * @file hil_config_defaults.h
 * @brief Compile-time configuration of the hil firmware core, with defaults.
 *
 * A port may define HIL_CONFIG_FILE (e.g. -DHIL_CONFIG_FILE='"hil_config.h"') to a header that
 * overrides any of the values below before the defaults apply (the coreMQTT pattern).
 */
#ifndef HIL_CONFIG_DEFAULTS_H
#define HIL_CONFIG_DEFAULTS_H

#ifdef HIL_CONFIG_FILE
#include HIL_CONFIG_FILE
#endif

/** Assertion for internal invariants; caller input is always checked and answered with a status. */
#ifndef HIL_ASSERT
#include <assert.h>
#define HIL_ASSERT(cond) assert(cond)
#endif

/** Maximum number of registered console commands (reference + product). */
#ifndef HIL_CMD_MAX_COMMANDS
#define HIL_CMD_MAX_COMMANDS 40U
#endif

/** Size of the `detail` text of an err answer, terminator included. */
#ifndef HIL_CMD_MAX_DETAIL
#define HIL_CMD_MAX_DETAIL 128U
#endif

/** Events raised while a request runs are written after its answer; this many can wait (each
 * costs HIL_PROTO_MAX_LINE + 2 bytes of device RAM). Beyond that they are written at once. */
#ifndef HIL_DEVICE_DEFERRED_EVENTS
#define HIL_DEVICE_DEFERRED_EVENTS 4U
#endif

/** Maximum nesting depth the JSON reader accepts when validating an args object. */
#ifndef HIL_JSON_MAX_DEPTH
#define HIL_JSON_MAX_DEPTH 8U
#endif

/** Number of credential slots (cred.*). */
#ifndef HIL_CRED_SLOTS
#define HIL_CRED_SLOTS 4U
#endif

/** Bytes of one credential slot (static RAM: HIL_CRED_SLOTS times this). */
#ifndef HIL_CRED_SLOT_SIZE
#define HIL_CRED_SLOT_SIZE 4096U
#endif

/** Topic filters the device re-subscribes after a reconnect without a session. */
#ifndef HIL_DEVICE_MAX_SUBSCRIPTIONS
#define HIL_DEVICE_MAX_SUBSCRIPTIONS 8U
#endif

/** Largest payload of a publish burst message (bytes; static RAM). */
#ifndef HIL_BURST_MAX_PAYLOAD
#define HIL_BURST_MAX_PAYLOAD 2048U
#endif

/** Burst messages that may await their acknowledgement at once (the burst waits beyond). */
#ifndef HIL_BURST_WINDOW
#define HIL_BURST_WINDOW 32U
#endif

/** Burst messages queued per hil_device_tick() at most (keeps the console responsive). */
#ifndef HIL_BURST_PER_TICK
#define HIL_BURST_PER_TICK 8U
#endif

/** Default first delay of the automatic reconnect (doubles per failed attempt). */
#ifndef HIL_RECONNECT_MIN_MS
#define HIL_RECONNECT_MIN_MS 1000U
#endif

/** Default longest delay of the automatic reconnect. */
#ifndef HIL_RECONNECT_MAX_MS
#define HIL_RECONNECT_MAX_MS 30000U
#endif

/** Milliseconds the host port allows a connect attempt (TCP + TLS + CONNACK) before net.timeout. */
#ifndef HIL_CONNECT_TIMEOUT_MS
#define HIL_CONNECT_TIMEOUT_MS 10000U
#endif

#endif /* HIL_CONFIG_DEFAULTS_H */

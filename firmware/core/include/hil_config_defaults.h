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
#define HIL_CMD_MAX_COMMANDS 24U
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

/** Milliseconds the host port allows a connect attempt (TCP + CONNACK) before net.timeout. */
#ifndef HIL_CONNECT_TIMEOUT_MS
#define HIL_CONNECT_TIMEOUT_MS 10000U
#endif

#endif /* HIL_CONFIG_DEFAULTS_H */

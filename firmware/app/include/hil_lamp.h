/**
 * @file hil_lamp.h
 * @brief The reference device application: a lamp (`color`, `brightness`, `report_interval`)
 *        kept in sync with its AWS IoT device shadow, with periodic telemetry.
 *
 * Not part of the core; built on the command registry, the device listener interface and the
 * shadow client. Commands: lamp.start, lamp.set, lamp.status (and shadow.* from the client).
 * Behaviour, as a device application must (reference/aws-iot-core-behaviour.md §A):
 * - after every session comes up: `get` its shadow; apply `state.delta`; report its state;
 * - on `update/delta`: drop it unless its version is newer than the last one applied; apply the
 *   valid values, reject the invalid ones (event `lamp.invalid`, state kept); report the state
 *   with a clientToken (`lamp-<n>`) when a valid value came;
 * - publish telemetry every `report_interval` seconds (0: none) while connected.
 */
#ifndef HIL_LAMP_H
#define HIL_LAMP_H

#include "hil_device.h"
#include "hil_shadow.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest color value ("#rrggbb" or a name). */
#define HIL_LAMP_MAX_COLOR 15U
/** Largest report_interval (seconds). */
#define HIL_LAMP_MAX_INTERVAL_S 86400

/** The lamp's state. */
typedef struct {
    char color[HIL_LAMP_MAX_COLOR + 1U];
    int64_t brightness;      /* 0..100 */
    int64_t report_interval; /* seconds, 0 = no telemetry */
} hil_lamp_state_t;

/** The application (static storage). */
typedef struct {
    hil_device_t *dev;
    hil_shadow_t shadow;
    hil_device_listener_t listener;
    bool started;
    char shadow_name[HIL_SHADOW_MAX_NAME + 1U]; /* "" = the classic shadow */
    char telemetry_topic[HIL_DEVICE_MAX_TOPIC + 1U];
    hil_lamp_state_t state;
    hil_lamp_state_t previous; /* before the last change (what stale-report reports) */
    int64_t last_version;      /* of the last delta applied, -1 = none */
    uint32_t telemetry_seq;
    uint64_t next_telemetry_ms;
    char report[192];
    char event[HIL_PROTO_MAX_LINE + 1U];
} hil_lamp_t;

/**
 * @brief Set the lamp up on @p dev (registers lamp.*, shadow.* and the listeners). Call after
 *        hil_device_init(), before hil_device_start().
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM.
 */
hil_device_status_t hil_lamp_init(hil_lamp_t *lamp, hil_device_t *dev);

/** @brief Whether a color value is acceptable (a known name or "#rrggbb"). */
bool hil_lamp_color_valid(const char *color);

#ifdef __cplusplus
}
#endif

#endif /* HIL_LAMP_H */

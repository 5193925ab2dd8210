/**
 * @file hil_shadow.h
 * @brief AWS IoT Device Shadow client on top of the hil core (classic and named shadows).
 *
 * Not part of the core: the reference application uses it, a product firmware may. It registers
 * the shadow.* console commands, subscribes to the response topics of one thing
 * (`$aws/things/<thing>/shadow/+/+` and `.../shadow/name/+/+/+`, QoS 1) whenever a session comes
 * up, publishes get/update/delete requests with a clientToken, and turns responses into events
 * (`shadow.accepted`, `shadow.rejected`, `shadow.delta`). Deltas and get documents are handed to
 * an application handler (e.g. the lamp), which says what it did with them.
 */
#ifndef HIL_SHADOW_H
#define HIL_SHADOW_H

#include "hil_device.h"
#include "hil_json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest thing name (AWS: 128). */
#define HIL_SHADOW_MAX_THING 128U
/** Longest shadow name (AWS: 64). */
#define HIL_SHADOW_MAX_NAME 64U
/** Longest clientToken the client generates or reports (AWS: 64). */
#define HIL_SHADOW_MAX_TOKEN 64U
/** Largest request payload the client builds (bytes). */
#define HIL_SHADOW_MAX_REQUEST 640U

/** Shadow operations. */
typedef enum {
    HIL_SHADOW_GET = 0,
    HIL_SHADOW_UPDATE,
    HIL_SHADOW_DELETE,
} hil_shadow_op_t;

/** What the application did with a delta (reported as the `shadow.delta` event). */
typedef struct {
    bool handled; /**< The application owns this shadow. */
    bool dropped; /**< Not newer than the last version applied: ignored. */
    int64_t last_version;
    uint32_t applied;  /**< Values taken over. */
    uint32_t rejected; /**< Values refused (the state kept). */
    bool silent;       /**< Write no shadow.delta event at all. */
} hil_shadow_delta_result_t;

/**
 * The application's side. @p shadow is "" for the classic shadow. @p state is the delta's (or
 * the get document's `state.delta`) object; @p version its version.
 */
typedef struct {
    void *user;
    void (*on_delta)(void *user, const char *shadow, int64_t version, const hil_json_obj_t *state,
                     hil_shadow_delta_result_t *result);
    /** get/accepted: @p delta is NULL when the document has no delta. */
    void (*on_document)(void *user, const char *shadow, int64_t version, const hil_json_obj_t *delta);
    /** get/rejected (e.g. 404: no shadow yet). */
    void (*on_get_rejected)(void *user, const char *shadow, int64_t code);
} hil_shadow_handler_t;

/** Client state (static storage). */
typedef struct {
    hil_device_t *dev;
    hil_device_listener_t listener;
    hil_shadow_handler_t handler;
    bool configured;
    char thing[HIL_SHADOW_MAX_THING + 1U];
    uint32_t token_seq;
    char topic[HIL_DEVICE_MAX_TOPIC + 1U];
    char filter_classic[HIL_DEVICE_MAX_TOPIC + 1U];
    char filter_named[HIL_DEVICE_MAX_TOPIC + 1U];
    char request[HIL_SHADOW_MAX_REQUEST];
    char shadow_arg[HIL_SHADOW_MAX_NAME + 1U];
    char token[HIL_SHADOW_MAX_TOKEN + 1U];
    char event[HIL_PROTO_MAX_LINE + 1U];
    char state_raw[HIL_PROTO_MAX_LINE];
} hil_shadow_t;

/**
 * @brief Set the client up on @p dev: registers shadow.get/update/delete and a listener.
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM (NULL, or the command table is full).
 */
hil_device_status_t hil_shadow_init(hil_shadow_t *shadow, hil_device_t *dev,
                                    const hil_shadow_handler_t *handler);

/**
 * @brief Choose the thing; subscribes to its response topics now if a session is up (and at
 *        every session without them later).
 * @return HIL_DEVICE_OK or HIL_DEVICE_BAD_PARAM (name empty, too long or not [A-Za-z0-9:_-]).
 */
hil_device_status_t hil_shadow_set_thing(hil_shadow_t *shadow, const char *thing);

/** @brief Whether a name is a valid thing (max HIL_SHADOW_MAX_THING) or shadow name. */
bool hil_shadow_name_valid(const char *name, size_t max);

/**
 * @brief Publish a request (QoS 1) to `<prefix>/<op>` of shadow @p name ("" = classic).
 * @param[in] state_json The update's `state` object (raw JSON); ignored for get/delete.
 * @param[in] version The update's expected version (optimistic locking), or -1 for none.
 * @param[in] token_prefix The clientToken is "<token_prefix>-<n>".
 * @param[out] token Receives the clientToken (HIL_SHADOW_MAX_TOKEN + 1 bytes); may be NULL.
 * @param[out] mid Message id; may be NULL.
 * @return As hil_device_publish(); HIL_DEVICE_BAD_PARAM when no thing is set, a name is invalid
 *         or the request does not fit HIL_SHADOW_MAX_REQUEST.
 */
hil_device_status_t hil_shadow_request(hil_shadow_t *shadow, hil_shadow_op_t op, const char *name,
                                       const char *state_json, int64_t version, const char *token_prefix,
                                       char *token, uint16_t *mid);

/** @brief Forget the thing (sys.reboot). */
void hil_shadow_reset(hil_shadow_t *shadow);

#ifdef __cplusplus
}
#endif

#endif /* HIL_SHADOW_H */

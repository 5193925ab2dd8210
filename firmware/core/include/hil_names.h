/**
 * @file hil_names.h
 * @brief C enums and name lookups generated from the registry hil_names.def.
 *
 * Never spell an event, error class or misbehaviour name as a string literal elsewhere: use these
 * enums, so the registry stays the one place where names live.
 */
#ifndef HIL_NAMES_H
#define HIL_NAMES_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Console events (`!name {json}`). */
typedef enum {
#define HIL_EVENT(ident, name, doc) HIL_EVENT_##ident,
#include "hil_names.def"
#undef HIL_EVENT
    HIL_EVENT__COUNT
} hil_event_t;

/** Error classes of err answers and connect failures. */
typedef enum {
#define HIL_ERROR(ident, name, doc) HIL_ERR_##ident,
#include "hil_names.def"
#undef HIL_ERROR
    HIL_ERR__COUNT
} hil_error_class_t;

/** Misbehaviours a device can be started with (virtual device `--misbehave NAME`). */
typedef enum {
#define HIL_MISBEHAVIOUR(ident, name, doc) HIL_MISBEHAVE_##ident,
#include "hil_names.def"
#undef HIL_MISBEHAVIOUR
    HIL_MISBEHAVE__COUNT
} hil_misbehaviour_t;

/**
 * @brief Registry name of an event.
 * @return The name, or NULL when @p event is out of range.
 */
const char *hil_event_name(hil_event_t event);

/**
 * @brief Registry name of an error class.
 * @return The name, or NULL when @p cls is out of range.
 */
const char *hil_error_class_name(hil_error_class_t cls);

/**
 * @brief Registry name of a misbehaviour.
 * @return The name, or NULL when @p mb is out of range.
 */
const char *hil_misbehaviour_name(hil_misbehaviour_t mb);

/**
 * @brief Look a misbehaviour up by its registry name.
 * @param[in] name NUL-terminated name, e.g. "drop-publish".
 * @param[out] out The misbehaviour when found; untouched otherwise.
 * @return true when @p name is a registered misbehaviour, false otherwise (also for NULL args).
 */
bool hil_misbehaviour_from_name(const char *name, hil_misbehaviour_t *out);

#ifdef __cplusplus
}
#endif

#endif /* HIL_NAMES_H */

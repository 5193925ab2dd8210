/** @file hil_names.c @brief Name tables generated from hil_names.def. */
#include "hil_names.h"

#include <stddef.h>
#include <string.h>

static const char *const s_event_names[HIL_EVENT__COUNT] = {
#define HIL_EVENT(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_EVENT
};

static const char *const s_error_names[HIL_ERR__COUNT] = {
#define HIL_ERROR(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_ERROR
};

static const char *const s_misbehaviour_names[HIL_MISBEHAVE__COUNT] = {
#define HIL_MISBEHAVIOUR(ident, name, doc) name,
#include "hil_names.def"
#undef HIL_MISBEHAVIOUR
};

const char *hil_event_name(hil_event_t event) {
    const char *name = NULL;
    if ((unsigned)event < (unsigned)HIL_EVENT__COUNT) {
        name = s_event_names[event];
    }
    return name;
}

const char *hil_error_class_name(hil_error_class_t cls) {
    const char *name = NULL;
    if ((unsigned)cls < (unsigned)HIL_ERR__COUNT) {
        name = s_error_names[cls];
    }
    return name;
}

const char *hil_misbehaviour_name(hil_misbehaviour_t mb) {
    const char *name = NULL;
    if ((unsigned)mb < (unsigned)HIL_MISBEHAVE__COUNT) {
        name = s_misbehaviour_names[mb];
    }
    return name;
}

bool hil_misbehaviour_from_name(const char *name, hil_misbehaviour_t *out) {
    bool found = false;
    if ((name != NULL) && (out != NULL)) {
        for (int i = 0; (i < (int)HIL_MISBEHAVE__COUNT) && !found; i++) {
            if (strcmp(name, s_misbehaviour_names[i]) == 0) {
                *out = (hil_misbehaviour_t)i;
                found = true;
            }
        }
    }
    return found;
}

/** @file hil_framer.c @brief Line framer for the console byte stream (PROTOCOL.md §1, §6). */
#include "hil_config_defaults.h"
#include "hil_proto.h"

#include <string.h>

void hil_framer_init(hil_framer_t *framer) {
    HIL_ASSERT(framer != NULL);
    framer->len = 0U;
    framer->dropped = 0U;
    framer->garbage = 0U;
    framer->complete = false;
    framer->line[0] = '\0';
}

/* Printable ASCII and TAB are the only bytes a line may carry; CR and LF are handled before. */
static bool byte_allowed(uint8_t byte) {
    return ((byte >= 0x20U) && (byte <= 0x7eU)) || (byte == (uint8_t)'\t');
}

hil_frame_t hil_framer_push(hil_framer_t *framer, uint8_t byte) {
    hil_frame_t result = HIL_FRAME_NONE;

    HIL_ASSERT(framer != NULL);
    if (framer->complete) {
        hil_framer_init(framer);
    }

    if (byte == (uint8_t)'\n') {
        framer->line[(framer->len <= HIL_PROTO_MAX_LINE) ? framer->len : HIL_PROTO_MAX_LINE] = '\0';
        framer->complete = true;
        if (framer->dropped > 0U) {
            result = HIL_FRAME_OVERLONG;
        } else if (framer->garbage > 0U) {
            result = HIL_FRAME_GARBAGE;
        } else {
            result = HIL_FRAME_LINE;
        }
    } else if (byte == (uint8_t)'\r') {
        /* Dropped: CR LF is a valid terminator, and a lone CR can never be part of a line. */
    } else {
        if (!byte_allowed(byte)) {
            framer->garbage++;
        }
        if (framer->len < HIL_PROTO_MAX_LINE) {
            framer->line[framer->len] = (char)byte;
            framer->len++;
        } else {
            framer->dropped++;
        }
    }
    return result;
}

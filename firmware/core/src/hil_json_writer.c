/** @file hil_json_writer.c @brief JSON object builder into a caller buffer. */
#include "hil_config_defaults.h"
#include "hil_json.h"

#include <string.h>

static const char s_hex[] = "0123456789abcdef";

/* Escaped form of one byte into esc (at most 6 bytes); returns its length. */
static size_t escape_byte(uint8_t byte, char esc[6]) {
    size_t n = 0U;
    switch (byte) {
    case (uint8_t)'"':
        esc[0] = '\\';
        esc[1] = '"';
        n = 2U;
        break;
    case (uint8_t)'\\':
        esc[0] = '\\';
        esc[1] = '\\';
        n = 2U;
        break;
    case (uint8_t)'\n':
        esc[0] = '\\';
        esc[1] = 'n';
        n = 2U;
        break;
    case (uint8_t)'\r':
        esc[0] = '\\';
        esc[1] = 'r';
        n = 2U;
        break;
    case (uint8_t)'\t':
        esc[0] = '\\';
        esc[1] = 't';
        n = 2U;
        break;
    default:
        if ((byte >= 0x20U) && (byte <= 0x7eU)) {
            esc[0] = (char)byte;
            n = 1U;
        } else {
            /* Everything else, bytes >= 0x7f included, keeps the line printable ASCII. */
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = s_hex[(byte >> 4) & 0x0fU];
            esc[5] = s_hex[byte & 0x0fU];
            n = 6U;
        }
        break;
    }
    return n;
}

/* Append bytes, keeping room for the terminator. */
static void put(hil_json_writer_t *w, const char *data, size_t n) {
    if (w->status == HIL_JSON_OK) {
        if ((w->size - w->len) > n) {
            (void)memcpy(&w->buf[w->len], data, n);
            w->len += n;
            w->buf[w->len] = '\0';
        } else {
            w->status = HIL_JSON_NO_SPACE;
        }
    }
}

/* Escaped string with quotes. Stops before an escape that would leave less than `reserve`
 * bytes free after the closing quote (escapes are never cut). Returns the source bytes written. */
static size_t put_string(hil_json_writer_t *w, const char *value, size_t len, size_t reserve) {
    size_t i = 0U;
    bool room = true;
    put(w, "\"", 1U);
    while ((i < len) && room && (w->status == HIL_JSON_OK)) {
        char esc[6];
        size_t n = escape_byte((uint8_t)value[i], esc);
        /* +1 closing quote, +1 terminator. */
        room = (w->size - w->len) >= (n + 2U + reserve);
        if (room) {
            put(w, esc, n);
            i++;
        }
    }
    put(w, "\"", 1U);
    return i;
}

static void put_key(hil_json_writer_t *w, const char *key) {
    if ((w->status == HIL_JSON_OK) && ((key == NULL) || w->finished)) {
        w->status = HIL_JSON_BAD_PARAM;
    }
    if (w->has_member) {
        put(w, ",", 1U);
    }
    (void)put_string(w, key, (key != NULL) ? strlen(key) : 0U, 0U);
    put(w, ":", 1U);
    w->has_member = true;
}

hil_json_status_t hil_json_writer_init(hil_json_writer_t *w, char *buf, size_t size) {
    HIL_ASSERT(w != NULL);
    w->buf = buf;
    w->size = size;
    w->len = 0U;
    w->has_member = false;
    w->finished = false;
    w->status = HIL_JSON_OK;
    if (buf == NULL) {
        w->size = 0U;
        w->status = HIL_JSON_BAD_PARAM;
    } else if (size < 3U) {
        w->status = HIL_JSON_NO_SPACE;
        if (size > 0U) {
            buf[0] = '\0';
        }
    } else {
        put(w, "{", 1U);
    }
    return w->status;
}

hil_json_status_t hil_json_add_string_n(hil_json_writer_t *w, const char *key, const char *value,
                                        size_t len) {
    HIL_ASSERT(w != NULL);
    if ((value == NULL) && (w->status == HIL_JSON_OK)) {
        w->status = HIL_JSON_BAD_PARAM;
    }
    put_key(w, key);
    if (w->status == HIL_JSON_OK) {
        size_t taken = put_string(w, value, len, 0U);
        if ((taken < len) && (w->status == HIL_JSON_OK)) {
            w->status = HIL_JSON_NO_SPACE;
        }
    }
    return w->status;
}

hil_json_status_t hil_json_add_string(hil_json_writer_t *w, const char *key, const char *value) {
    return hil_json_add_string_n(w, key, value, (value != NULL) ? strlen(value) : 0U);
}

hil_json_status_t hil_json_add_string_fit(hil_json_writer_t *w, const char *key, const char *value,
                                          size_t len, size_t reserve, size_t *taken) {
    size_t n = 0U;
    HIL_ASSERT(w != NULL);
    if ((value == NULL) && (w->status == HIL_JSON_OK)) {
        w->status = HIL_JSON_BAD_PARAM;
    }
    put_key(w, key);
    if (w->status == HIL_JSON_OK) {
        n = put_string(w, value, len, reserve);
    }
    if (taken != NULL) {
        *taken = n;
    }
    return w->status;
}

hil_json_status_t hil_json_add_int(hil_json_writer_t *w, const char *key, int64_t value) {
    char digits[24];
    size_t n = 0U;
    /* Work on the negative magnitude so INT64_MIN needs no special case. */
    int64_t v = (value < 0) ? value : -value;
    HIL_ASSERT(w != NULL);
    do {
        digits[sizeof(digits) - 1U - n] = (char)('0' - (int)(v % 10));
        v /= 10;
        n++;
    } while (v != 0);
    if (value < 0) {
        digits[sizeof(digits) - 1U - n] = '-';
        n++;
    }
    put_key(w, key);
    put(w, &digits[sizeof(digits) - n], n);
    return w->status;
}

hil_json_status_t hil_json_add_bool(hil_json_writer_t *w, const char *key, bool value) {
    HIL_ASSERT(w != NULL);
    put_key(w, key);
    put(w, value ? "true" : "false", value ? 4U : 5U);
    return w->status;
}

hil_json_status_t hil_json_add_raw(hil_json_writer_t *w, const char *key, const char *raw) {
    HIL_ASSERT(w != NULL);
    if ((raw == NULL) && (w->status == HIL_JSON_OK)) {
        w->status = HIL_JSON_BAD_PARAM;
    }
    put_key(w, key);
    if (raw != NULL) {
        put(w, raw, strlen(raw));
    }
    return w->status;
}

hil_json_status_t hil_json_writer_finish(hil_json_writer_t *w, size_t *len) {
    HIL_ASSERT(w != NULL);
    if (!w->finished) {
        put(w, "}", 1U);
        w->finished = true;
    }
    if (len != NULL) {
        *len = (w->status == HIL_JSON_OK) ? w->len : 0U;
    }
    return w->status;
}

hil_json_status_t hil_json_escape(const char *value, size_t len, char *out, size_t size, size_t *written) {
    hil_json_writer_t w;
    hil_json_status_t status = HIL_JSON_OK;
    if ((value == NULL) || (out == NULL) || (size == 0U)) {
        status = HIL_JSON_BAD_PARAM;
    } else {
        w.buf = out;
        w.size = size;
        w.len = 0U;
        w.has_member = false;
        w.finished = false;
        w.status = HIL_JSON_OK;
        out[0] = '\0';
        if ((put_string(&w, value, len, 0U) < len) && (w.status == HIL_JSON_OK)) {
            w.status = HIL_JSON_NO_SPACE;
        }
        status = w.status;
        if (written != NULL) {
            *written = w.len;
        }
    }
    return status;
}

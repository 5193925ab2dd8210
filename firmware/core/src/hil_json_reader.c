/** @file hil_json_reader.c @brief Validating JSON object reader for flat args objects. */
#include "hil_config_defaults.h"
#include "hil_json.h"

#include <string.h>

/* A cursor over [p, end). All scanners advance p and never read past end. */
typedef struct {
    const char *p;
    const char *end;
} cursor_t;

static void skip_ws(cursor_t *c) {
    while ((c->p < c->end) && ((*c->p == ' ') || (*c->p == '\t') || (*c->p == '\n') || (*c->p == '\r'))) {
        c->p++;
    }
}

static bool is_digit(char ch) {
    return (ch >= '0') && (ch <= '9');
}

static int hex_value(char ch) {
    int v = -1;
    if (is_digit(ch)) {
        v = ch - '0';
    } else if ((ch >= 'a') && (ch <= 'f')) {
        v = ch - 'a' + 10;
    } else if ((ch >= 'A') && (ch <= 'F')) {
        v = ch - 'A' + 10;
    } else {
        /* not hex */
    }
    return v;
}

/* Reads 4 hex digits at c->p into *out. */
static bool read_hex4(cursor_t *c, uint32_t *out) {
    bool ok = (c->end - c->p) >= 4;
    uint32_t v = 0U;
    for (int i = 0; ok && (i < 4); i++) {
        int h = hex_value(c->p[i]);
        ok = h >= 0;
        v = (v << 4) | (uint32_t)(ok ? h : 0);
    }
    if (ok) {
        c->p += 4;
        *out = v;
    }
    return ok;
}

/* Scan a string starting at `"`; on success c->p is after the closing quote. */
static hil_json_status_t scan_string(cursor_t *c) {
    hil_json_status_t status = HIL_JSON_SYNTAX;
    bool done = false;
    if ((c->p < c->end) && (*c->p == '"')) {
        c->p++;
        while ((c->p < c->end) && !done) {
            unsigned char ch = (unsigned char)*c->p;
            if (ch == '"') {
                c->p++;
                done = true;
                status = HIL_JSON_OK;
            } else if (ch < 0x20U) {
                break;
            } else if (ch == '\\') {
                uint32_t cp = 0U;
                c->p++;
                if (c->p >= c->end) {
                    break;
                }
                ch = (unsigned char)*c->p;
                c->p++;
                if (ch == 'u') {
                    if (!read_hex4(c, &cp)) {
                        break;
                    }
                } else if ((ch == 0U) || (strchr("\"\\/bfnrt", (int)ch) == NULL)) {
                    break;
                } else {
                    /* simple escape */
                }
            } else {
                c->p++;
            }
        }
    }
    return status;
}

static hil_json_status_t scan_number(cursor_t *c) {
    hil_json_status_t status = HIL_JSON_SYNTAX;
    if ((c->p < c->end) && (*c->p == '-')) {
        c->p++;
    }
    if ((c->p < c->end) && (*c->p == '0')) {
        c->p++;
        status = HIL_JSON_OK;
    } else if ((c->p < c->end) && is_digit(*c->p)) {
        while ((c->p < c->end) && is_digit(*c->p)) {
            c->p++;
        }
        status = HIL_JSON_OK;
    } else {
        /* no integer part */
    }
    if ((status == HIL_JSON_OK) && (c->p < c->end) && (*c->p == '.')) {
        c->p++;
        status = ((c->p < c->end) && is_digit(*c->p)) ? HIL_JSON_OK : HIL_JSON_SYNTAX;
        while ((c->p < c->end) && is_digit(*c->p)) {
            c->p++;
        }
    }
    if ((status == HIL_JSON_OK) && (c->p < c->end) && ((*c->p == 'e') || (*c->p == 'E'))) {
        c->p++;
        if ((c->p < c->end) && ((*c->p == '+') || (*c->p == '-'))) {
            c->p++;
        }
        status = ((c->p < c->end) && is_digit(*c->p)) ? HIL_JSON_OK : HIL_JSON_SYNTAX;
        while ((c->p < c->end) && is_digit(*c->p)) {
            c->p++;
        }
    }
    return status;
}

static hil_json_status_t scan_literal(cursor_t *c, const char *lit) {
    size_t n = strlen(lit);
    hil_json_status_t status = HIL_JSON_SYNTAX;
    if (((size_t)(c->end - c->p) >= n) && (memcmp(c->p, lit, n) == 0)) {
        c->p += n;
        status = HIL_JSON_OK;
    }
    return status;
}

static hil_json_status_t scan_value(cursor_t *c, unsigned depth);

/* Object or array; open is '{' or '['. */
static hil_json_status_t scan_container(cursor_t *c, unsigned depth, char open) {
    hil_json_status_t status = HIL_JSON_OK;
    const char close = (open == '{') ? '}' : ']';
    bool first = true;
    bool done = false;

    if (depth >= HIL_JSON_MAX_DEPTH) {
        status = HIL_JSON_TOO_DEEP;
    } else {
        c->p++; /* the opening bracket */
        skip_ws(c);
        if ((c->p < c->end) && (*c->p == close)) {
            c->p++;
            done = true;
        }
    }
    while ((status == HIL_JSON_OK) && !done) {
        skip_ws(c);
        if (!first) {
            if ((c->p < c->end) && (*c->p == close)) {
                c->p++;
                done = true;
                break;
            }
            if ((c->p < c->end) && (*c->p == ',')) {
                c->p++;
                skip_ws(c);
            } else {
                status = HIL_JSON_SYNTAX;
                break;
            }
        }
        first = false;
        if (open == '{') {
            status = scan_string(c);
            skip_ws(c);
            if ((status == HIL_JSON_OK) && (c->p < c->end) && (*c->p == ':')) {
                c->p++;
            } else {
                status = HIL_JSON_SYNTAX;
            }
        }
        if (status == HIL_JSON_OK) {
            status = scan_value(c, depth + 1U);
        }
    }
    return status;
}

static hil_json_status_t scan_value(cursor_t *c, unsigned depth) {
    hil_json_status_t status = HIL_JSON_SYNTAX;
    skip_ws(c);
    if (c->p < c->end) {
        switch (*c->p) {
        case '{':
        case '[': status = scan_container(c, depth, *c->p); break;
        case '"': status = scan_string(c); break;
        case 't': status = scan_literal(c, "true"); break;
        case 'f': status = scan_literal(c, "false"); break;
        case 'n': status = scan_literal(c, "null"); break;
        default: status = scan_number(c); break;
        }
    }
    skip_ws(c);
    return status;
}

hil_json_status_t hil_json_obj_init(hil_json_obj_t *obj, const char *text, size_t len) {
    hil_json_status_t status = HIL_JSON_OK;
    cursor_t c = {text, text + len};
    const char *start = NULL;

    if ((obj == NULL) || (text == NULL)) {
        status = HIL_JSON_BAD_PARAM;
    } else {
        skip_ws(&c);
        start = c.p;
        if ((c.p < c.end) && (*c.p == '{')) {
            status = scan_container(&c, 0U, '{');
        } else {
            status = HIL_JSON_SYNTAX;
        }
        if (status == HIL_JSON_OK) {
            obj->text = start;
            obj->len = (size_t)(c.p - start);
            skip_ws(&c);
            if (c.p != c.end) {
                status = HIL_JSON_SYNTAX;
            }
        }
    }
    return status;
}

/* Decode the string at c->p (validated) into out (may be NULL to compare only). Returns the
 * decoded length; writes at most size bytes. */
static size_t decode_string(cursor_t *c, char *out, size_t size) {
    size_t n = 0U;
    HIL_ASSERT((c->p < c->end) && (*c->p == '"'));
    c->p++;
    while ((c->p < c->end) && (*c->p != '"')) {
        uint8_t bytes[4];
        size_t nb = 1U;
        if (*c->p != '\\') {
            bytes[0] = (uint8_t)*c->p;
            c->p++;
        } else {
            char esc = c->p[1];
            c->p += 2;
            switch (esc) {
            case 'b': bytes[0] = 0x08U; break;
            case 'f': bytes[0] = 0x0cU; break;
            case 'n': bytes[0] = 0x0aU; break;
            case 'r': bytes[0] = 0x0dU; break;
            case 't': bytes[0] = 0x09U; break;
            case 'u': {
                uint32_t cp = 0U;
                uint32_t lo = 0U;
                (void)read_hex4(c, &cp);
                if ((cp >= 0xd800U) && (cp <= 0xdbffU) && ((c->end - c->p) >= 6) && (c->p[0] == '\\') &&
                    (c->p[1] == 'u')) {
                    cursor_t look = {c->p + 2, c->end};
                    if (read_hex4(&look, &lo) && (lo >= 0xdc00U) && (lo <= 0xdfffU)) {
                        cp = 0x10000U + ((cp - 0xd800U) << 10) + (lo - 0xdc00U);
                        c->p = look.p;
                    }
                }
                if (cp <= 0xffU) {
                    /* The inverse of the writer's \u00XX: one byte. */
                    bytes[0] = (uint8_t)cp;
                } else if (cp < 0x800U) {
                    bytes[0] = (uint8_t)(0xc0U | (cp >> 6));
                    bytes[1] = (uint8_t)(0x80U | (cp & 0x3fU));
                    nb = 2U;
                } else if (cp < 0x10000U) {
                    bytes[0] = (uint8_t)(0xe0U | (cp >> 12));
                    bytes[1] = (uint8_t)(0x80U | ((cp >> 6) & 0x3fU));
                    bytes[2] = (uint8_t)(0x80U | (cp & 0x3fU));
                    nb = 3U;
                } else {
                    bytes[0] = (uint8_t)(0xf0U | (cp >> 18));
                    bytes[1] = (uint8_t)(0x80U | ((cp >> 12) & 0x3fU));
                    bytes[2] = (uint8_t)(0x80U | ((cp >> 6) & 0x3fU));
                    bytes[3] = (uint8_t)(0x80U | (cp & 0x3fU));
                    nb = 4U;
                }
                break;
            }
            default: /* '"', '\\', '/' stand for themselves */ bytes[0] = (uint8_t)esc; break;
            }
        }
        for (size_t i = 0U; i < nb; i++) {
            if ((out != NULL) && (n < size)) {
                out[n] = (char)bytes[i];
            }
            n++;
        }
    }
    c->p++; /* closing quote */
    return n;
}

/* Compare the (validated) key string at c->p with key; advances past the key. */
static bool key_equals(cursor_t *c, const char *key) {
    char buf[64];
    size_t klen = strlen(key);
    size_t n = decode_string(c, buf, sizeof(buf));
    return (n == klen) && (klen <= sizeof(buf)) && (memcmp(buf, key, klen) == 0);
}

/* Find the value of key; value span in *value (ws trimmed). First match wins. */
static hil_json_status_t find(const hil_json_obj_t *obj, const char *key, cursor_t *value) {
    hil_json_status_t status = HIL_JSON_NOT_FOUND;
    cursor_t c = {NULL, NULL};
    bool done = false;

    if ((obj == NULL) || (key == NULL) || (obj->text == NULL)) {
        status = HIL_JSON_BAD_PARAM;
        done = true;
    } else {
        c.p = obj->text + 1; /* after '{' */
        c.end = obj->text + obj->len;
    }
    while (!done) {
        bool match = false;
        skip_ws(&c);
        if ((c.p >= c.end) || (*c.p != '"')) {
            break; /* '}' of an empty object */
        }
        match = key_equals(&c, key);
        skip_ws(&c);
        c.p++; /* ':' (validated) */
        skip_ws(&c);
        value->p = c.p;
        (void)scan_value(&c, 1U);
        value->end = c.p;
        /* scan_value skipped trailing ws: trim it from the span */
        while ((value->end > value->p) && ((value->end[-1] == ' ') || (value->end[-1] == '\t') ||
                                           (value->end[-1] == '\n') || (value->end[-1] == '\r'))) {
            value->end--;
        }
        if (match) {
            status = HIL_JSON_OK;
            done = true;
        } else if ((c.p < c.end) && (*c.p == ',')) {
            c.p++;
        } else {
            done = true;
        }
    }
    return status;
}

hil_json_status_t hil_json_get_string(const hil_json_obj_t *obj, const char *key, char *out, size_t size,
                                      size_t *out_len) {
    cursor_t v = {NULL, NULL};
    hil_json_status_t status = HIL_JSON_OK;
    if ((out == NULL) || (size == 0U)) {
        status = HIL_JSON_BAD_PARAM;
    } else {
        status = find(obj, key, &v);
    }
    if ((status == HIL_JSON_OK) && (*v.p != '"')) {
        status = HIL_JSON_WRONG_TYPE;
    }
    if (status == HIL_JSON_OK) {
        size_t n = decode_string(&v, out, size - 1U);
        if (n >= size) {
            status = HIL_JSON_NO_SPACE;
            out[0] = '\0';
        } else {
            out[n] = '\0';
            if (out_len != NULL) {
                *out_len = n;
            }
        }
    }
    return status;
}

hil_json_status_t hil_json_get_int(const hil_json_obj_t *obj, const char *key, int64_t *out) {
    cursor_t v = {NULL, NULL};
    hil_json_status_t status = (out == NULL) ? HIL_JSON_BAD_PARAM : find(obj, key, &v);
    bool negative = false;
    int64_t acc = 0; /* accumulated as a negative number: INT64_MIN fits */

    if (status == HIL_JSON_OK) {
        if (*v.p == '-') {
            negative = true;
            v.p++;
        }
        if ((v.p >= v.end) || !is_digit(*v.p)) {
            status = HIL_JSON_WRONG_TYPE;
        }
    }
    while ((status == HIL_JSON_OK) && (v.p < v.end)) {
        int d = *v.p - '0';
        if (!is_digit(*v.p)) {
            status = HIL_JSON_WRONG_TYPE; /* fraction or exponent */
        } else if (acc < ((INT64_MIN + d) / 10)) {
            status = HIL_JSON_RANGE;
        } else {
            acc = (acc * 10) - d;
            v.p++;
        }
    }
    if (status == HIL_JSON_OK) {
        if (!negative && (acc == INT64_MIN)) {
            status = HIL_JSON_RANGE;
        } else {
            *out = negative ? acc : -acc;
        }
    }
    return status;
}

hil_json_status_t hil_json_get_bool(const hil_json_obj_t *obj, const char *key, bool *out) {
    cursor_t v = {NULL, NULL};
    hil_json_status_t status = (out == NULL) ? HIL_JSON_BAD_PARAM : find(obj, key, &v);
    if (status == HIL_JSON_OK) {
        size_t n = (size_t)(v.end - v.p);
        if ((n == 4U) && (memcmp(v.p, "true", 4U) == 0)) {
            *out = true;
        } else if ((n == 5U) && (memcmp(v.p, "false", 5U) == 0)) {
            *out = false;
        } else {
            status = HIL_JSON_WRONG_TYPE;
        }
    }
    return status;
}

hil_json_status_t hil_json_get_raw(const hil_json_obj_t *obj, const char *key, const char **value,
                                   size_t *len) {
    cursor_t v = {NULL, NULL};
    hil_json_status_t status = ((value == NULL) || (len == NULL)) ? HIL_JSON_BAD_PARAM : find(obj, key, &v);
    if (status == HIL_JSON_OK) {
        *value = v.p;
        *len = (size_t)(v.end - v.p);
    }
    return status;
}

hil_json_status_t hil_json_member_next(const hil_json_obj_t *obj, size_t *pos, char *key, size_t key_size,
                                       const char **value, size_t *value_len) {
    hil_json_status_t status = HIL_JSON_NOT_FOUND;
    cursor_t c = {NULL, NULL};
    if ((obj == NULL) || (obj->text == NULL) || (obj->len < 2U) || (pos == NULL) || (key == NULL) ||
        (key_size == 0U) || (value == NULL) || (value_len == NULL) || (*pos > obj->len)) {
        status = HIL_JSON_BAD_PARAM;
    } else {
        c.p = obj->text + ((*pos == 0U) ? 1U : *pos); /* after '{', or after the previous member */
        c.end = obj->text + obj->len;
        skip_ws(&c);
        if ((c.p < c.end) && (*c.p == ',')) {
            c.p++;
            skip_ws(&c);
        }
        if ((c.p < c.end) && (*c.p == '"')) {
            /* The object was validated by hil_json_obj_init(): the structure is sound. */
            size_t n = decode_string(&c, key, key_size - 1U);
            key[(n < key_size) ? n : (key_size - 1U)] = '\0';
            status = (n < key_size) ? HIL_JSON_OK : HIL_JSON_NO_SPACE;
            skip_ws(&c);
            c.p++; /* ':' */
            skip_ws(&c);
            *value = c.p;
            (void)scan_value(&c, 1U);
            *value_len = (size_t)(c.p - *value);
            while ((*value_len > 0U) &&
                   (((*value)[*value_len - 1U] == ' ') || ((*value)[*value_len - 1U] == '\t') ||
                    ((*value)[*value_len - 1U] == '\n') || ((*value)[*value_len - 1U] == '\r'))) {
                (*value_len)--;
            }
            *pos = (size_t)(c.p - obj->text);
        }
    }
    return status;
}

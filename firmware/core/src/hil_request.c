/** @file hil_request.c @brief Request-line parser `@id command [args]` (PROTOCOL.md §2). */
#include "hil_config_defaults.h"
#include "hil_json.h"
#include "hil_proto.h"

#include <string.h>

static bool is_lc_alpha(char ch) {
    return (ch >= 'a') && (ch <= 'z');
}
static bool is_digit(char ch) {
    return (ch >= '0') && (ch <= '9');
}
static bool is_space(char ch) {
    return (ch == ' ') || (ch == '\t');
}

bool hil_proto_name_valid(const char *name, size_t len) {
    bool valid = (name != NULL) && (len > 0U) && (len <= HIL_PROTO_MAX_NAME) && is_lc_alpha(name[0]);
    for (size_t i = 1U; valid && (i < len); i++) {
        char ch = name[i];
        valid = is_lc_alpha(ch) || is_digit(ch) || (ch == '_') || (ch == '.') || (ch == '-');
    }
    return valid;
}

hil_proto_status_t hil_request_parse(const char *line, size_t len, hil_request_t *req) {
    hil_proto_status_t status = HIL_PROTO_OK;
    size_t pos = 1U;
    size_t digits = 0U;
    bool nonzero = false;

    if ((line == NULL) || (req == NULL)) {
        status = HIL_PROTO_BAD_PARAM;
    } else {
        (void)memset(req, 0, sizeof(*req));
        req->args = "{}";
        req->args_len = 2U;
        if ((len == 0U) || (line[0] != '@')) {
            status = HIL_PROTO_NO_ID;
        }
    }

    /* id = 1*9DIGIT with a value of at least 1, then SP or the end of the line */
    while ((status == HIL_PROTO_OK) && (pos < len) && is_digit(line[pos])) {
        if (digits == HIL_PROTO_MAX_ID_DIGITS) {
            status = HIL_PROTO_NO_ID;
        } else {
            req->id[digits] = line[pos];
            nonzero = nonzero || (line[pos] != '0');
            digits++;
            pos++;
        }
    }
    if ((status == HIL_PROTO_OK) && ((digits == 0U) || !nonzero || ((pos < len) && !is_space(line[pos])))) {
        status = HIL_PROTO_NO_ID;
    }
    if ((status != HIL_PROTO_OK) && (req != NULL)) {
        req->id[0] = '\0';
    }

    /* command name */
    if (status == HIL_PROTO_OK) {
        size_t start = 0U;
        while ((pos < len) && is_space(line[pos])) {
            pos++;
        }
        start = pos;
        while ((pos < len) && !is_space(line[pos])) {
            pos++;
        }
        if (hil_proto_name_valid(&line[start], pos - start)) {
            (void)memcpy(req->command, &line[start], pos - start);
            req->command[pos - start] = '\0';
        } else {
            status = HIL_PROTO_SYNTAX;
        }
    }

    /* optional args: one JSON object up to the end of the line */
    if (status == HIL_PROTO_OK) {
        while ((pos < len) && is_space(line[pos])) {
            pos++;
        }
        if (pos < len) {
            hil_json_obj_t obj;
            if (hil_json_obj_init(&obj, &line[pos], len - pos) == HIL_JSON_OK) {
                req->args = obj.text;
                req->args_len = obj.len;
            } else {
                status = HIL_PROTO_SYNTAX;
            }
        }
    }
    return status;
}

/** @file hil_cmd.c @brief Command registry, argument helpers and answer formatting. */
#include "hil_cmd.h"

#include <string.h>

/* Length of s, at most max (strnlen is POSIX, not C11). */
static size_t bounded_len(const char *s, size_t max) {
    size_t n = 0U;
    while ((n < max) && (s[n] != '\0')) {
        n++;
    }
    return n;
}

void hil_cmd_registry_init(hil_cmd_registry_t *reg) {
    HIL_ASSERT(reg != NULL);
    (void)memset(reg, 0, sizeof(*reg));
}

hil_cmd_status_t hil_cmd_register(hil_cmd_registry_t *reg, const char *name, hil_cmd_handler_t handler,
                                  void *user) {
    hil_cmd_status_t status = HIL_CMD_OK;
    if ((reg == NULL) || (name == NULL) || (handler == NULL)) {
        status = HIL_CMD_BAD_PARAM;
    } else if (!hil_proto_name_valid(name, bounded_len(name, HIL_PROTO_MAX_NAME + 1U))) {
        status = HIL_CMD_BAD_NAME;
    } else if (hil_cmd_find(reg, name) != NULL) {
        status = HIL_CMD_DUPLICATE;
    } else if (reg->count >= HIL_CMD_MAX_COMMANDS) {
        status = HIL_CMD_FULL;
    } else {
        reg->entries[reg->count].name = name;
        reg->entries[reg->count].handler = handler;
        reg->entries[reg->count].user = user;
        reg->count++;
    }
    return status;
}

const hil_cmd_entry_t *hil_cmd_find(const hil_cmd_registry_t *reg, const char *name) {
    const hil_cmd_entry_t *found = NULL;
    if ((reg != NULL) && (name != NULL)) {
        HIL_ASSERT(reg->count <= HIL_CMD_MAX_COMMANDS);
        for (size_t i = 0U; (i < reg->count) && (found == NULL); i++) {
            if (strcmp(reg->entries[i].name, name) == 0) {
                found = &reg->entries[i];
            }
        }
    }
    return found;
}

void hil_cmd_reply_error(hil_cmd_reply_t *reply, hil_error_class_t cls, const char *detail) {
    HIL_ASSERT(reply != NULL);
    if (!reply->failed) {
        const char *text = (detail != NULL) ? detail : "";
        size_t n = bounded_len(text, HIL_CMD_MAX_DETAIL - 1U);
        reply->failed = true;
        reply->err_class = cls;
        (void)memcpy(reply->detail, text, n);
        reply->detail[n] = '\0';
    }
}

void hil_cmd_bad_arg(hil_cmd_reply_t *reply, const char *key, const char *why) {
    char detail[HIL_CMD_MAX_DETAIL];
    size_t klen = bounded_len(key, HIL_CMD_MAX_DETAIL / 2U);
    size_t wlen = bounded_len(why, HIL_CMD_MAX_DETAIL - klen - 3U);
    (void)memcpy(detail, key, klen);
    detail[klen] = ':';
    detail[klen + 1U] = ' ';
    (void)memcpy(&detail[klen + 2U], why, wlen);
    detail[klen + 2U + wlen] = '\0';
    hil_cmd_reply_error(reply, HIL_ERR_PROTO_BAD_ARGS, detail);
}

static bool arg_status(hil_cmd_reply_t *reply, const char *key, bool required, hil_json_status_t js,
                       const char *type_text) {
    bool ok = false;
    if (js == HIL_JSON_OK) {
        ok = true;
    } else if (js == HIL_JSON_NOT_FOUND) {
        ok = !required;
        if (required) {
            hil_cmd_bad_arg(reply, key, "missing");
        }
    } else if (js == HIL_JSON_WRONG_TYPE) {
        hil_cmd_bad_arg(reply, key, type_text);
    } else if (js == HIL_JSON_NO_SPACE) {
        hil_cmd_bad_arg(reply, key, "too long");
    } else if (js == HIL_JSON_RANGE) {
        hil_cmd_bad_arg(reply, key, "out of range");
    } else {
        hil_cmd_bad_arg(reply, key, "unreadable");
    }
    return ok;
}

bool hil_cmd_has_arg(const hil_json_obj_t *args, const char *key) {
    const char *value = NULL;
    size_t len = 0U;
    return hil_json_get_raw(args, key, &value, &len) == HIL_JSON_OK;
}

bool hil_cmd_arg_string(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                        char *out, size_t size, size_t *out_len) {
    hil_json_status_t js = hil_json_get_string(args, key, out, size, out_len);
    return arg_status(reply, key, required, js, "expected a string");
}

bool hil_cmd_arg_int(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                     int64_t min, int64_t max, int64_t *out) {
    int64_t value = 0;
    hil_json_status_t js = hil_json_get_int(args, key, &value);
    bool ok = arg_status(reply, key, required, js, "expected an integer");
    if (ok && (js == HIL_JSON_OK)) {
        if ((value < min) || (value > max)) {
            hil_cmd_bad_arg(reply, key, "out of range");
            ok = false;
        } else {
            *out = value;
        }
    }
    return ok;
}

bool hil_cmd_arg_bool(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                      bool *out) {
    bool value = false;
    hil_json_status_t js = hil_json_get_bool(args, key, &value);
    bool ok = arg_status(reply, key, required, js, "expected a boolean");
    if (ok && (js == HIL_JSON_OK)) {
        *out = value;
    }
    return ok;
}

/* Copy "@id <word>" into answer; returns its length or 0 when it does not fit. */
static size_t answer_head(const char *id, const char *word, char *answer, size_t size) {
    size_t idlen = bounded_len(id, HIL_PROTO_MAX_ID_DIGITS + 1U);
    size_t wlen = strlen(word);
    size_t n = 0U;
    if ((idlen > 0U) && (idlen <= HIL_PROTO_MAX_ID_DIGITS) && ((idlen + wlen + 3U) <= size)) {
        answer[0] = '@';
        (void)memcpy(&answer[1], id, idlen);
        answer[1U + idlen] = ' ';
        (void)memcpy(&answer[2U + idlen], word, wlen);
        n = 2U + idlen + wlen;
        answer[n] = '\0';
    }
    return n;
}

hil_cmd_status_t hil_cmd_format_error(const char *id, hil_error_class_t cls, const char *detail, char *answer,
                                      size_t size, size_t *len) {
    hil_cmd_status_t status = HIL_CMD_OK;
    size_t head = 0U;
    const char *cls_name = hil_error_class_name(cls);
    hil_json_writer_t w;

    if ((id == NULL) || (answer == NULL) || (len == NULL) || (cls_name == NULL)) {
        status = HIL_CMD_BAD_PARAM;
    } else {
        size_t limit = (size > (HIL_PROTO_MAX_LINE + 1U)) ? (HIL_PROTO_MAX_LINE + 1U) : size;
        head = answer_head(id, "err ", answer, limit);
        if (head == 0U) {
            status = HIL_CMD_NO_SPACE;
        } else {
            const char *text = (detail != NULL) ? detail : "";
            size_t body_len = 0U;
            /* The detail is human text: cut it rather than lose the answer. Reserve "}\0". */
            (void)hil_json_writer_init(&w, &answer[head], limit - head);
            (void)hil_json_add_string(&w, "class", cls_name);
            (void)hil_json_add_string_fit(&w, "detail", text, strlen(text), 1U, NULL);
            if (hil_json_writer_finish(&w, &body_len) == HIL_JSON_OK) {
                *len = head + body_len;
            } else {
                status = HIL_CMD_NO_SPACE;
            }
        }
    }
    return status;
}

hil_cmd_status_t hil_cmd_dispatch(const hil_cmd_registry_t *reg, const hil_request_t *req,
                                  hil_cmd_reply_t *reply, char *answer, size_t size, size_t *len) {
    hil_cmd_status_t status = HIL_CMD_OK;
    const hil_cmd_entry_t *entry = NULL;
    hil_json_obj_t args = {NULL, 0U};
    size_t head = 0U;

    if ((reg == NULL) || (req == NULL) || (reply == NULL) || (answer == NULL) || (len == NULL) ||
        (size < (HIL_PROTO_MAX_LINE + 1U))) {
        status = HIL_CMD_BAD_PARAM;
    } else {
        const size_t idlen = bounded_len(req->id, HIL_PROTO_MAX_ID_DIGITS + 1U);
        /* "@" id " ok " must leave the body within HIL_PROTO_MAX_LINE. */
        const size_t body_room = (HIL_PROTO_MAX_LINE + 1U) - (idlen + 5U);

        reply->failed = false;
        reply->err_class = HIL_ERR_PROTO_SYNTAX;
        reply->detail[0] = '\0';
        (void)hil_json_writer_init(&reply->body, reply->body_buf, body_room);

        entry = hil_cmd_find(reg, req->command);
        if (entry == NULL) {
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_UNKNOWN_COMMAND, req->command);
        } else if (hil_json_obj_init(&args, req->args, req->args_len) != HIL_JSON_OK) {
            /* hil_request_parse() validated it already; keep the answer guarantee anyway. */
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_SYNTAX, "args are not a JSON object");
        } else {
            entry->handler(entry->user, &args, reply);
        }

        if (!reply->failed) {
            size_t body_len = 0U;
            if (hil_json_writer_finish(&reply->body, &body_len) != HIL_JSON_OK) {
                hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "answer too long");
            } else if (body_len <= 2U) {
                /* `@id ok` without a body means {} (PROTOCOL.md §2). */
                *len = answer_head(req->id, "ok", answer, size);
            } else {
                head = answer_head(req->id, "ok ", answer, size);
                HIL_ASSERT((head + body_len) <= HIL_PROTO_MAX_LINE);
                (void)memcpy(&answer[head], reply->body_buf, body_len + 1U);
                *len = head + body_len;
            }
        }
        if (reply->failed) {
            status = hil_cmd_format_error(req->id, reply->err_class, reply->detail, answer, size, len);
            /* The detail is cut to fit, so only an invalid id or class can fail here. */
            HIL_ASSERT(status == HIL_CMD_OK);
        }
    }
    return status;
}

hil_cmd_status_t hil_event_format(const char *name, const char *json, char *line, size_t size, size_t *len) {
    hil_cmd_status_t status = HIL_CMD_OK;
    size_t nlen = 0U;
    size_t jlen = 0U;
    if ((name == NULL) || (json == NULL) || (line == NULL) || (len == NULL)) {
        status = HIL_CMD_BAD_PARAM;
    } else {
        nlen = bounded_len(name, HIL_PROTO_MAX_NAME + 1U);
        jlen = strlen(json);
        if (!hil_proto_name_valid(name, nlen)) {
            status = HIL_CMD_BAD_NAME;
        } else if ((jlen < 2U) || (json[0] != '{') || (json[jlen - 1U] != '}')) {
            status = HIL_CMD_BAD_PARAM;
        } else {
            for (size_t i = 0U; (i < jlen) && (status == HIL_CMD_OK); i++) {
                unsigned char ch = (unsigned char)json[i];
                if ((ch < 0x20U) || (ch > 0x7eU)) {
                    status = HIL_CMD_BAD_PARAM;
                }
            }
        }
    }
    if ((status == HIL_CMD_OK) &&
        (((nlen + 2U + jlen) > HIL_PROTO_MAX_LINE) || ((nlen + 2U + jlen) >= size))) {
        status = HIL_CMD_NO_SPACE;
    }
    if (status == HIL_CMD_OK) {
        line[0] = '!';
        (void)memcpy(&line[1], name, nlen);
        line[1U + nlen] = ' ';
        (void)memcpy(&line[2U + nlen], json, jlen + 1U);
        *len = nlen + 2U + jlen;
    }
    return status;
}

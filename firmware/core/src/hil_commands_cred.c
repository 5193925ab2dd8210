/**
 * @file hil_commands_cred.c
 * @brief The cred.* commands: upload PEM text into RAM slots in chunks, check it by CRC-32,
 *        commit, clear, list. No command ever writes slot content to the console.
 */
#include "hil_commands.h"

#include <string.h>

/* The slot argument: required, 0..HIL_CRED_SLOTS-1. */
static bool slot_arg(hil_cmd_reply_t *reply, const hil_json_obj_t *args, int64_t *slot) {
    return hil_cmd_arg_int(reply, args, "slot", true, 0, (int64_t)HIL_CRED_SLOTS - 1, slot);
}

/* {"slot":N,"size":S,"crc32":"xxxxxxxx"} */
static void slot_body(hil_json_writer_t *w, const hil_cred_slot_t *s, int64_t slot) {
    char hex[9];
    hil_crc32_hex(s->crc, hex);
    (void)hil_json_add_int(w, "slot", slot);
    (void)hil_json_add_int(w, "size", (int64_t)s->size);
    (void)hil_json_add_string(w, "crc32", hex);
}

/* "data: slot overflow (limit <HIL_CRED_SLOT_SIZE> bytes)" */
static void overflow(hil_cmd_reply_t *reply) {
    char why[48] = "slot overflow (limit ";
    char digits[12];
    size_t n = 0U;
    size_t len = strlen(why);
    uint32_t v = HIL_CRED_SLOT_SIZE;
    do {
        digits[n] = (char)('0' + (v % 10U));
        v /= 10U;
        n++;
    } while (v != 0U);
    while (n > 0U) {
        n--;
        why[len] = digits[n];
        len++;
    }
    (void)memcpy(&why[len], " bytes)", 8U);
    hil_cmd_bad_arg(reply, "data", why);
}

static void cmd_cred_write(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t slot = 0;
    int64_t offset = 0;
    size_t len = 0U;
    /* The chunk is decoded into the payload scratch first: a rejected write changes nothing. */
    bool ok = slot_arg(reply, args, &slot) &&
              hil_cmd_arg_int(reply, args, "offset", true, 0, HIL_CRED_SLOT_SIZE, &offset) &&
              hil_cmd_arg_string(reply, args, "data", true, dev->payload, sizeof(dev->payload), &len);
    if (ok) {
        hil_cred_slot_t *s = &dev->creds.slots[slot];
        switch (
            hil_cred_write(&dev->creds, (unsigned)slot, (size_t)offset, (const uint8_t *)dev->payload, len)) {
        case HIL_CRED_OK: slot_body(&reply->body, s, slot); break;
        case HIL_CRED_BAD_OFFSET:
            hil_cmd_bad_arg(reply, "offset", "must be 0 (restart) or the slot's size");
            break;
        case HIL_CRED_OVERFLOW: overflow(reply); break;
        default: hil_cmd_bad_arg(reply, "slot", "out of range"); break;
        }
    }
    /* The scratch held secret text: do not leave it behind. */
    (void)memset(dev->payload, 0, sizeof(dev->payload));
}

static void cmd_cred_commit(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t slot = 0;
    char hex[16] = "";
    uint32_t crc = 0U;
    bool ok = slot_arg(reply, args, &slot) &&
              hil_cmd_arg_string(reply, args, "crc32", true, hex, sizeof(hex), NULL);
    if (ok && !hil_crc32_parse(hex, &crc)) {
        hil_cmd_bad_arg(reply, "crc32", "expected 8 hex digits");
        ok = false;
    }
    if (ok) {
        hil_cred_slot_t *s = &dev->creds.slots[slot];
        switch (hil_cred_commit(&dev->creds, (unsigned)slot, crc)) {
        case HIL_CRED_OK: slot_body(&reply->body, s, slot); break;
        case HIL_CRED_EMPTY: hil_cmd_bad_arg(reply, "slot", "empty"); break;
        case HIL_CRED_MISMATCH: hil_cmd_bad_arg(reply, "crc32", "crc mismatch"); break;
        default: hil_cmd_bad_arg(reply, "slot", "out of range"); break;
        }
    }
}

static void cmd_cred_clear(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t slot = -1;
    if (hil_cmd_arg_int(reply, args, "slot", false, 0, (int64_t)HIL_CRED_SLOTS - 1, &slot)) {
        if (slot < 0) {
            hil_cred_init(&dev->creds);
        } else {
            (void)hil_cred_clear(&dev->creds, (unsigned)slot);
        }
    }
}

static void cmd_cred_info(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    /* The array is built as raw JSON in the event scratch (free while a handler runs). */
    char *buf = dev->json;
    size_t n = 0U;
    (void)args;
    buf[n] = '[';
    n++;
    for (unsigned i = 0U; i < HIL_CRED_SLOTS; i++) {
        hil_json_writer_t w;
        size_t len = 0U;
        const hil_cred_slot_t *s = &dev->creds.slots[i];
        (void)hil_json_writer_init(&w, &buf[n], sizeof(dev->json) - n - 1U);
        slot_body(&w, s, (int64_t)i);
        (void)hil_json_add_bool(&w, "committed", s->committed);
        if (hil_json_writer_finish(&w, &len) != HIL_JSON_OK) {
            hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "answer too long");
            return;
        }
        n += len;
        buf[n] = (i + 1U < HIL_CRED_SLOTS) ? ',' : ']';
        n++;
    }
    buf[n] = '\0';
    (void)hil_json_add_int(&reply->body, "slot_size", HIL_CRED_SLOT_SIZE);
    (void)hil_json_add_raw(&reply->body, "slots", buf);
}

static const hil_command_def_t s_cred_commands[] = {
    {"cred.write", cmd_cred_write},
    {"cred.commit", cmd_cred_commit},
    {"cred.clear", cmd_cred_clear},
    {"cred.info", cmd_cred_info},
};

hil_cmd_status_t hil_commands_register_cred(hil_device_t *dev) {
    return hil_commands_register(dev, s_cred_commands, sizeof(s_cred_commands) / sizeof(s_cred_commands[0]));
}

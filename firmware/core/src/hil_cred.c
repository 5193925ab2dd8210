/** @file hil_cred.c @brief Credential slots and CRC-32/ISO-HDLC. */
#include "hil_cred.h"

#include <string.h>

/* CRC-32 (reflected 0xEDB88320) four bits at a time: a 64-byte table instead of 1 KiB. */
static const uint32_t s_crc_nibble[16] = {
    0x00000000U, 0x1db71064U, 0x3b6e20c8U, 0x26d930acU, 0x76dc4190U, 0x6b6b51f4U, 0x4db26158U, 0x5005713cU,
    0xedb88320U, 0xf00f9344U, 0xd6d6a3e8U, 0xcb61b38cU, 0x9b64c2b0U, 0x86d3d2d4U, 0xa00ae278U, 0xbdbdf21cU,
};

uint32_t hil_crc32(uint32_t crc, const uint8_t *data, size_t len) {
    uint32_t c = ~crc;
    for (size_t i = 0U; (data != NULL) && (i < len); i++) {
        c ^= data[i];
        c = (c >> 4) ^ s_crc_nibble[c & 0x0fU];
        c = (c >> 4) ^ s_crc_nibble[c & 0x0fU];
    }
    return ~c;
}

void hil_crc32_hex(uint32_t crc, char out[9]) {
    static const char s_hex[] = "0123456789abcdef";
    for (unsigned i = 0U; i < 8U; i++) {
        out[i] = s_hex[(crc >> (28U - (4U * i))) & 0x0fU];
    }
    out[8] = '\0';
}

bool hil_crc32_parse(const char *text, uint32_t *crc) {
    uint32_t v = 0U;
    size_t n = 0U;
    bool ok = (text != NULL) && (crc != NULL);
    while (ok && (text[n] != '\0')) {
        char ch = text[n];
        uint32_t d = 0U;
        if ((ch >= '0') && (ch <= '9')) {
            d = (uint32_t)(ch - '0');
        } else if ((ch >= 'a') && (ch <= 'f')) {
            d = (uint32_t)(ch - 'a') + 10U;
        } else if ((ch >= 'A') && (ch <= 'F')) {
            d = (uint32_t)(ch - 'A') + 10U;
        } else {
            ok = false;
        }
        v = (v << 4) | d;
        n++;
        ok = ok && (n <= 8U);
    }
    if (ok && (n > 0U)) {
        *crc = v;
    }
    return ok && (n > 0U);
}

static void zero_slot(hil_cred_slot_t *s) {
    /* volatile: the zeroing of secrets must not be optimised away. */
    volatile uint8_t *p = s->data;
    for (size_t i = 0U; i < sizeof(s->data); i++) {
        p[i] = 0U;
    }
    s->size = 0U;
    s->crc = 0U;
    s->committed = false;
}

void hil_cred_init(hil_cred_store_t *store) {
    HIL_ASSERT(store != NULL);
    for (unsigned i = 0U; i < HIL_CRED_SLOTS; i++) {
        zero_slot(&store->slots[i]);
    }
}

hil_cred_status_t hil_cred_write(hil_cred_store_t *store, unsigned slot, size_t offset, const uint8_t *data,
                                 size_t len) {
    hil_cred_status_t status = HIL_CRED_OK;
    hil_cred_slot_t *s = NULL;
    if ((store == NULL) || (slot >= HIL_CRED_SLOTS) || ((data == NULL) && (len > 0U))) {
        status = HIL_CRED_BAD_SLOT;
    } else {
        s = &store->slots[slot];
        if ((offset != 0U) && (offset != s->size)) {
            status = HIL_CRED_BAD_OFFSET;
        } else if (len > (HIL_CRED_SLOT_SIZE - offset)) {
            status = HIL_CRED_OVERFLOW;
        } else {
            if (offset == 0U) {
                zero_slot(s);
            }
            if (len > 0U) {
                (void)memcpy(&s->data[offset], data, len);
            }
            s->crc = hil_crc32(s->crc, data, len);
            s->size = offset + len;
            s->committed = false;
        }
    }
    return status;
}

hil_cred_status_t hil_cred_commit(hil_cred_store_t *store, unsigned slot, uint32_t crc) {
    hil_cred_status_t status = HIL_CRED_OK;
    if ((store == NULL) || (slot >= HIL_CRED_SLOTS)) {
        status = HIL_CRED_BAD_SLOT;
    } else {
        hil_cred_slot_t *s = &store->slots[slot];
        /* Recomputed over the memory, not taken from the running CRC: checks what is stored. */
        uint32_t actual = hil_crc32(0U, s->data, s->size);
        if (s->size == 0U) {
            status = HIL_CRED_EMPTY;
        } else if (actual != crc) {
            status = HIL_CRED_MISMATCH;
        } else {
            s->crc = actual;
            s->committed = true;
        }
    }
    return status;
}

hil_cred_status_t hil_cred_clear(hil_cred_store_t *store, unsigned slot) {
    hil_cred_status_t status = HIL_CRED_OK;
    if ((store == NULL) || (slot >= HIL_CRED_SLOTS)) {
        status = HIL_CRED_BAD_SLOT;
    } else {
        zero_slot(&store->slots[slot]);
    }
    return status;
}

hil_cred_status_t hil_cred_get(const hil_cred_store_t *store, unsigned slot, const uint8_t **data,
                               size_t *len) {
    hil_cred_status_t status = HIL_CRED_OK;
    if ((store == NULL) || (slot >= HIL_CRED_SLOTS) || (data == NULL) || (len == NULL)) {
        status = HIL_CRED_BAD_SLOT;
    } else if (!store->slots[slot].committed) {
        status = HIL_CRED_NOT_COMMITTED;
    } else {
        *data = store->slots[slot].data;
        *len = store->slots[slot].size;
    }
    return status;
}

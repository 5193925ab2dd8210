/**
 * @file hil_cred.h
 * @brief Credential slots in RAM: PEM text uploaded in chunks, checked by CRC-32, then committed.
 *
 * Pure code on caller storage (the device holds one hil_cred_store_t, static). Slot content is
 * never written to the console: the commands report sizes and CRCs only. Clearing a slot zeroes
 * its memory.
 */
#ifndef HIL_CRED_H
#define HIL_CRED_H

#include "hil_config_defaults.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status of the credential module. */
typedef enum {
    HIL_CRED_OK = 0,       /**< Success. */
    HIL_CRED_BAD_SLOT,     /**< No slot of that number. */
    HIL_CRED_BAD_OFFSET,   /**< A write whose offset is not the slot's current size. */
    HIL_CRED_OVERFLOW,     /**< The write would exceed HIL_CRED_SLOT_SIZE. */
    HIL_CRED_EMPTY,        /**< Commit of an empty slot. */
    HIL_CRED_MISMATCH,     /**< Commit with a CRC that is not the CRC of the slot. */
    HIL_CRED_NOT_COMMITTED /**< The slot is not committed (hil_cred_get()). */
} hil_cred_status_t;

/** One slot. */
typedef struct {
    uint8_t data[HIL_CRED_SLOT_SIZE]; /**< Bytes 0..size are the content. */
    size_t size;                      /**< Bytes stored so far. */
    uint32_t crc;                     /**< CRC-32/ISO-HDLC of data[0..size). */
    bool committed;                   /**< hil_cred_commit() accepted it; any write clears it. */
} hil_cred_slot_t;

/** All slots. */
typedef struct {
    hil_cred_slot_t slots[HIL_CRED_SLOTS];
} hil_cred_store_t;

/**
 * @brief CRC-32/ISO-HDLC (the zlib/PNG CRC: poly 0x04C11DB7 reflected, init and xorout
 *        0xFFFFFFFF), continued over @p len more bytes.
 * @param[in] crc The CRC of the bytes so far (0 for none).
 * @return The CRC of the bytes so far followed by @p data.
 */
uint32_t hil_crc32(uint32_t crc, const uint8_t *data, size_t len);

/** @brief Empty and zero every slot. */
void hil_cred_init(hil_cred_store_t *store);

/**
 * @brief Append a chunk. Offset 0 restarts the slot (its old content is zeroed first); any other
 *        offset must equal the current size. The slot becomes uncommitted. A rejected write
 *        changes nothing.
 * @return HIL_CRED_OK, HIL_CRED_BAD_SLOT, HIL_CRED_BAD_OFFSET or HIL_CRED_OVERFLOW.
 */
hil_cred_status_t hil_cred_write(hil_cred_store_t *store, unsigned slot, size_t offset, const uint8_t *data,
                                 size_t len);

/**
 * @brief Commit a slot when @p crc is the CRC of its whole content.
 * @return HIL_CRED_OK, HIL_CRED_BAD_SLOT, HIL_CRED_EMPTY or HIL_CRED_MISMATCH (nothing changes).
 */
hil_cred_status_t hil_cred_commit(hil_cred_store_t *store, unsigned slot, uint32_t crc);

/**
 * @brief Zero and empty one slot.
 * @return HIL_CRED_OK or HIL_CRED_BAD_SLOT.
 */
hil_cred_status_t hil_cred_clear(hil_cred_store_t *store, unsigned slot);

/**
 * @brief The content of a committed slot (for the port at connect time).
 * @return HIL_CRED_OK, HIL_CRED_BAD_SLOT or HIL_CRED_NOT_COMMITTED.
 */
hil_cred_status_t hil_cred_get(const hil_cred_store_t *store, unsigned slot, const uint8_t **data,
                               size_t *len);

/** @brief Format @p crc as 8 lower-case hex digits plus NUL into @p out. */
void hil_crc32_hex(uint32_t crc, char out[9]);

/**
 * @brief Parse 1 to 8 hex digits (either case) of a NUL-terminated string.
 * @return true and *crc set when @p text is exactly that.
 */
bool hil_crc32_parse(const char *text, uint32_t *crc);

#ifdef __cplusplus
}
#endif

#endif /* HIL_CRED_H */

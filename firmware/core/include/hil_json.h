/**
 * @file hil_json.h
 * @brief Tiny JSON writer (one flat object into a caller buffer) and reader (flat args objects).
 *
 * Pure code on caller buffers, no allocation. Strings are byte strings: the writer escapes `"`,
 * `\` and every byte outside 0x20-0x7e (`\n`, `\t`, ... or `\u00XX`), so the output is printable
 * ASCII; the reader decodes `\u0000`-`\u00ff` to that single byte (the inverse of the writer) and
 * higher code points to UTF-8.
 */
#ifndef HIL_JSON_H
#define HIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status of the JSON module. */
typedef enum {
    HIL_JSON_OK = 0,     /**< Success. */
    HIL_JSON_BAD_PARAM,  /**< A NULL pointer or an impossible size was passed. */
    HIL_JSON_NO_SPACE,   /**< The output buffer is too small. */
    HIL_JSON_SYNTAX,     /**< The text is not one valid JSON object. */
    HIL_JSON_TOO_DEEP,   /**< Nesting deeper than HIL_JSON_MAX_DEPTH. */
    HIL_JSON_NOT_FOUND,  /**< The key is not in the object. */
    HIL_JSON_WRONG_TYPE, /**< The key's value has another type. */
    HIL_JSON_RANGE,      /**< An integer does not fit int64_t. */
} hil_json_status_t;

/* ---- writer --------------------------------------------------------------------------------- */

/**
 * Object builder. Errors are sticky: after the first failure every call is a no-op and
 * hil_json_writer_finish() returns that failure, so callers check once at the end.
 */
typedef struct {
    char *buf;                /**< Caller buffer. */
    size_t size;              /**< Its size in bytes. */
    size_t len;               /**< Bytes written so far (no terminator). */
    bool has_member;          /**< A member was written: the next one needs a comma. */
    bool finished;            /**< The closing brace was written. */
    hil_json_status_t status; /**< First failure, or HIL_JSON_OK. */
} hil_json_writer_t;

/**
 * @brief Start an object `{` in @p buf.
 * @param[out] w Writer; must not be NULL.
 * @param[out] buf Output buffer (the result is NUL-terminated).
 * @param[in] size Size of @p buf.
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM (NULL @p buf) or HIL_JSON_NO_SPACE (size < 3);
 *         also stored as the writer's sticky status.
 */
hil_json_status_t hil_json_writer_init(hil_json_writer_t *w, char *buf, size_t size);

/**
 * @brief Add `"key":"value"` with @p len bytes of @p value, escaped.
 * @return The writer's status after the call: HIL_JSON_OK, HIL_JSON_BAD_PARAM or
 *         HIL_JSON_NO_SPACE.
 */
hil_json_status_t hil_json_add_string_n(hil_json_writer_t *w, const char *key, const char *value, size_t len);

/**
 * @brief Add `"key":"value"` for a NUL-terminated @p value.
 * @return As hil_json_add_string_n().
 */
hil_json_status_t hil_json_add_string(hil_json_writer_t *w, const char *key, const char *value);

/**
 * @brief Add as much of a string as fits while keeping @p reserve bytes of the buffer free.
 *
 * Escape sequences are never cut. Used for message payloads that may not fit a 512-byte line.
 *
 * @param[out] taken Bytes of @p value that were written (may be less than @p len); may be NULL.
 * @return As hil_json_add_string_n(); HIL_JSON_NO_SPACE only when not even `"key":""` fits.
 */
hil_json_status_t hil_json_add_string_fit(hil_json_writer_t *w, const char *key, const char *value,
                                          size_t len, size_t reserve, size_t *taken);

/**
 * @brief Add `"key":<integer>`.
 * @return As hil_json_add_string_n().
 */
hil_json_status_t hil_json_add_int(hil_json_writer_t *w, const char *key, int64_t value);

/**
 * @brief Add `"key":true` or `"key":false`.
 * @return As hil_json_add_string_n().
 */
hil_json_status_t hil_json_add_bool(hil_json_writer_t *w, const char *key, bool value);

/**
 * @brief Add `"key":<raw>` where @p raw is already valid JSON (not checked).
 * @return As hil_json_add_string_n().
 */
hil_json_status_t hil_json_add_raw(hil_json_writer_t *w, const char *key, const char *raw);

/**
 * @brief Close the object `}` and NUL-terminate.
 * @param[out] len Length of the JSON text (no terminator); may be NULL.
 * @return The sticky status: HIL_JSON_OK, HIL_JSON_BAD_PARAM or HIL_JSON_NO_SPACE.
 */
hil_json_status_t hil_json_writer_finish(hil_json_writer_t *w, size_t *len);

/**
 * @brief Write @p len bytes of @p value as a JSON string (quotes included) into @p out.
 * @param[out] written Bytes written, terminator excluded; may be NULL.
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM or HIL_JSON_NO_SPACE (@p out holds a prefix).
 */
hil_json_status_t hil_json_escape(const char *value, size_t len, char *out, size_t size, size_t *written);

/* ---- reader --------------------------------------------------------------------------------- */

/** A validated JSON object (a view into the caller's text). */
typedef struct {
    const char *text; /**< First byte of the object (`{`). */
    size_t len;       /**< Length up to and including the closing `}`. */
} hil_json_obj_t;

/**
 * @brief Validate that @p text is exactly one JSON object (whitespace around is allowed).
 *
 * The whole RFC 8259 syntax is accepted, nested values included (up to HIL_JSON_MAX_DEPTH), so a
 * product command may carry richer args; the getters below read the flat members.
 *
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM, HIL_JSON_SYNTAX or HIL_JSON_TOO_DEEP.
 */
hil_json_status_t hil_json_obj_init(hil_json_obj_t *obj, const char *text, size_t len);

/**
 * @brief Get a string member, decoded, NUL-terminated, into @p out.
 * @param[out] out_len Decoded length (may contain NUL bytes from `\u0000`); may be NULL.
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM, HIL_JSON_NOT_FOUND, HIL_JSON_WRONG_TYPE or
 *         HIL_JSON_NO_SPACE (the decoded string plus terminator does not fit @p size).
 */
hil_json_status_t hil_json_get_string(const hil_json_obj_t *obj, const char *key, char *out, size_t size,
                                      size_t *out_len);

/**
 * @brief Get an integer member (no fraction, no exponent).
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM, HIL_JSON_NOT_FOUND, HIL_JSON_WRONG_TYPE (not a
 *         number, or a number with a fraction or exponent) or HIL_JSON_RANGE.
 */
hil_json_status_t hil_json_get_int(const hil_json_obj_t *obj, const char *key, int64_t *out);

/**
 * @brief Get a boolean member.
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM, HIL_JSON_NOT_FOUND or HIL_JSON_WRONG_TYPE.
 */
hil_json_status_t hil_json_get_bool(const hil_json_obj_t *obj, const char *key, bool *out);

/**
 * @brief Iterate over the members of an object, in order.
 * @param[in,out] pos Start with 0; advanced past the member returned.
 * @param[out] key The member's key, decoded and NUL-terminated (cut to @p key_size - 1 bytes).
 * @param[out] value Raw text of the member's value (a view into the object).
 * @return HIL_JSON_OK, HIL_JSON_NOT_FOUND after the last member, HIL_JSON_NO_SPACE (the key was
 *         cut; iteration may go on) or HIL_JSON_BAD_PARAM.
 */
hil_json_status_t hil_json_member_next(const hil_json_obj_t *obj, size_t *pos, char *key, size_t key_size,
                                       const char **value, size_t *value_len);

/**
 * @brief Get the raw text of any member value (for product commands with richer args).
 * @return HIL_JSON_OK, HIL_JSON_BAD_PARAM or HIL_JSON_NOT_FOUND.
 */
hil_json_status_t hil_json_get_raw(const hil_json_obj_t *obj, const char *key, const char **value,
                                   size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* HIL_JSON_H */

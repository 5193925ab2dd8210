/**
 * @file hil_proto.h
 * @brief Console protocol (PROTOCOL.md): line framer and request-line parser.
 *
 * Pure code: no I/O, no globals, all state in caller-owned structs, so it can be fuzzed and
 * unit-tested alone.
 */
#ifndef HIL_PROTO_H
#define HIL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Protocol version stated in the boot banner. */
#define HIL_PROTO_VERSION 1
/** Maximum line length in bytes, terminator excluded (PROTOCOL.md §1). */
#define HIL_PROTO_MAX_LINE 512U
/** Maximum length of a command or event name (PROTOCOL.md §2). */
#define HIL_PROTO_MAX_NAME 48U
/** Maximum number of digits of a request id. */
#define HIL_PROTO_MAX_ID_DIGITS 9U
/** Bytes of an offending line quoted in `!proto.error` (PROTOCOL.md §3). */
#define HIL_PROTO_QUOTE_MAX 64U

/** Status of the protocol module. */
typedef enum {
    HIL_PROTO_OK = 0,    /**< Success. */
    HIL_PROTO_BAD_PARAM, /**< A NULL pointer or an impossible size was passed. */
    HIL_PROTO_NO_ID,     /**< Not a request, or its id cannot be read. */
    HIL_PROTO_SYNTAX,    /**< The id was read but the rest does not follow the grammar. */
} hil_proto_status_t;

/* ---- framer --------------------------------------------------------------------------------- */

/** What one byte fed into the framer completed. */
typedef enum {
    HIL_FRAME_NONE = 0, /**< Nothing complete yet. */
    HIL_FRAME_LINE,     /**< A valid line is in hil_framer_t::line (hil_framer_t::len bytes). */
    HIL_FRAME_GARBAGE,  /**< A line containing garbage bytes was dropped (see ::garbage). */
    HIL_FRAME_OVERLONG, /**< A line longer than HIL_PROTO_MAX_LINE was dropped (see ::dropped). */
} hil_frame_t;

/**
 * Line framer state. Owned by the caller, initialised with hil_framer_init().
 * After a HIL_FRAME_* result the fields describe that line until the next byte is pushed.
 */
typedef struct {
    char line[HIL_PROTO_MAX_LINE + 1U]; /**< Current line, NUL-terminated when complete. */
    size_t len;                         /**< Bytes kept in @ref line. */
    size_t dropped;                     /**< Bytes of an overlong line beyond the maximum. */
    size_t garbage;                     /**< Garbage bytes seen in the current line. */
    bool complete;                      /**< The previous push completed a line: restart. */
} hil_framer_t;

/**
 * @brief Reset a framer to the start of a line.
 * @param[out] framer Framer to initialise; must not be NULL.
 */
void hil_framer_init(hil_framer_t *framer);

/**
 * @brief Feed one byte of the incoming stream.
 *
 * `\n` ends a line; `\r` is dropped (PROTOCOL.md drops it before `\n`; a lone CR is dropped too,
 * it cannot be part of a valid line). Bytes outside 0x20-0x7e and TAB make the line garbage;
 * bytes beyond HIL_PROTO_MAX_LINE make it overlong (overlong wins when both apply). Either way
 * the line is only reported at its `\n`, once.
 *
 * @param[in,out] framer Framer state; must not be NULL.
 * @param[in] byte The next byte.
 * @return HIL_FRAME_LINE (line and len valid, line NUL-terminated), HIL_FRAME_GARBAGE (garbage
 *         holds the count of garbage bytes), HIL_FRAME_OVERLONG (len + dropped is the line's
 *         length; line holds its first HIL_PROTO_MAX_LINE bytes) or HIL_FRAME_NONE.
 */
hil_frame_t hil_framer_push(hil_framer_t *framer, uint8_t byte);

/* ---- request parser ------------------------------------------------------------------------- */

/** A parsed request line. Pointers refer into the caller's line buffer. */
typedef struct {
    char id[HIL_PROTO_MAX_ID_DIGITS + 1U]; /**< The id digits as sent (echoed verbatim). */
    char command[HIL_PROTO_MAX_NAME + 1U]; /**< The command name. */
    const char *args;                      /**< The args object text, or "{}" when absent. */
    size_t args_len;                       /**< Length of @ref args. */
} hil_request_t;

/**
 * @brief Check a command or event name against the grammar (lc-alpha then [a-z0-9_.-], <= 48).
 * @param[in] name Name bytes (need not be NUL-terminated).
 * @param[in] len Length of @p name.
 * @return true when valid; false otherwise or when @p name is NULL.
 */
bool hil_proto_name_valid(const char *name, size_t len);

/**
 * @brief Parse a request line `@id command [args]` (no terminator).
 *
 * The args text is checked to be one syntactically valid JSON object (hil_json_obj_init()).
 * Whitespace runs are accepted where the grammar has one SP, and after the args.
 *
 * @param[in] line The line bytes; must not be NULL.
 * @param[in] len Length of @p line.
 * @param[out] req Parsed request; must not be NULL. On HIL_PROTO_SYNTAX, req->id is valid.
 * @return HIL_PROTO_OK, HIL_PROTO_NO_ID (not `@` + 1..9 digits with a value >= 1 followed by
 *         a space or the end), HIL_PROTO_SYNTAX (id valid, rest not) or HIL_PROTO_BAD_PARAM.
 */
hil_proto_status_t hil_request_parse(const char *line, size_t len, hil_request_t *req);

#ifdef __cplusplus
}
#endif

#endif /* HIL_PROTO_H */

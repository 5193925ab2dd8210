/**
 * @file hil_cmd.h
 * @brief Command registry and request dispatch: exactly one answer line per request.
 *
 * The reference commands are registered by hil_device_init(); a product firmware adds its own
 * with hil_cmd_register(hil_device_commands(dev), ...). Pure code: answers are formatted into
 * caller buffers, the device writes them.
 */
#ifndef HIL_CMD_H
#define HIL_CMD_H

#include "hil_config_defaults.h"
#include "hil_json.h"
#include "hil_names.h"
#include "hil_proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status of the command module. */
typedef enum {
    HIL_CMD_OK = 0,    /**< Success. */
    HIL_CMD_BAD_PARAM, /**< A NULL pointer or an invalid argument was passed. */
    HIL_CMD_BAD_NAME,  /**< The name does not follow the grammar of PROTOCOL.md §2. */
    HIL_CMD_DUPLICATE, /**< A command of that name is already registered. */
    HIL_CMD_FULL,      /**< HIL_CMD_MAX_COMMANDS are registered. */
    HIL_CMD_NO_SPACE,  /**< The line does not fit HIL_PROTO_MAX_LINE or the buffer. */
} hil_cmd_status_t;

/**
 * What a handler produces: either members of the ok body (through @ref body) or an error set
 * with hil_cmd_reply_error(). An error wins over anything written to the body.
 */
typedef struct {
    hil_json_writer_t body;                 /**< Ok body, already opened with `{`. */
    char body_buf[HIL_PROTO_MAX_LINE + 1U]; /**< Storage of @ref body. */
    bool failed;                            /**< hil_cmd_reply_error() was called. */
    hil_error_class_t err_class;            /**< Error class when @ref failed. */
    char detail[HIL_CMD_MAX_DETAIL];        /**< Human text when @ref failed. */
} hil_cmd_reply_t;

/**
 * A command handler. Runs to completion (must not block: slow work is started and reported
 * later as events). @p args is a validated JSON object (`{}` when the request had none).
 */
typedef void (*hil_cmd_handler_t)(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply);

/** One registered command. */
typedef struct {
    const char *name;          /**< Static storage: the registry keeps the pointer. */
    hil_cmd_handler_t handler; /**< Never NULL. */
    void *user;                /**< Passed to the handler. */
} hil_cmd_entry_t;

/** The command table (caller storage, no allocation). */
typedef struct {
    hil_cmd_entry_t entries[HIL_CMD_MAX_COMMANDS];
    size_t count;
} hil_cmd_registry_t;

/**
 * @brief Empty a registry.
 * @param[out] reg Registry; must not be NULL.
 */
void hil_cmd_registry_init(hil_cmd_registry_t *reg);

/**
 * @brief Register a command.
 * @param[in,out] reg Registry.
 * @param[in] name Command name with static lifetime, e.g. "lamp.set".
 * @param[in] handler Handler; must not be NULL.
 * @param[in] user Passed to @p handler.
 * @return HIL_CMD_OK, HIL_CMD_BAD_PARAM, HIL_CMD_BAD_NAME, HIL_CMD_DUPLICATE or HIL_CMD_FULL.
 */
hil_cmd_status_t hil_cmd_register(hil_cmd_registry_t *reg, const char *name, hil_cmd_handler_t handler,
                                  void *user);

/**
 * @brief Find a command by name.
 * @return The entry, or NULL when not registered (or on NULL arguments).
 */
const hil_cmd_entry_t *hil_cmd_find(const hil_cmd_registry_t *reg, const char *name);

/**
 * @brief Make the reply an error (the first call wins; later calls are ignored).
 * @param[in,out] reply Reply of the running handler.
 * @param[in] cls Error class from the registry.
 * @param[in] detail Human text (truncated to HIL_CMD_MAX_DETAIL - 1 bytes); NULL means "".
 */
void hil_cmd_reply_error(hil_cmd_reply_t *reply, hil_error_class_t cls, const char *detail);

/**
 * @brief Fail the reply with proto.bad_args and the detail "<key>: <why>" (the field is named,
 *        as PROTOCOL.md §3 asks). The first error of a reply wins.
 */
void hil_cmd_bad_arg(hil_cmd_reply_t *reply, const char *key, const char *why);

/** @brief Whether the args object has a member @p key (of any type). */
bool hil_cmd_has_arg(const hil_json_obj_t *args, const char *key);

/**
 * @brief Read a string argument, or fail the reply with proto.bad_args naming @p key.
 * @param[in] required When false and the key is missing, @p out is left as the caller set it.
 * @param[out] out_len Decoded length; may be NULL.
 * @return true when @p out holds the value or the (optional) key is missing; false when the
 *         reply now holds proto.bad_args (missing, not a string, too long).
 */
bool hil_cmd_arg_string(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                        char *out, size_t size, size_t *out_len);

/**
 * @brief Read an integer argument in [@p min, @p max], or fail the reply with proto.bad_args.
 * @param[in,out] out Holds the default on entry; the value on success.
 * @return true on success or when the optional key is missing; false when the reply now holds
 *         proto.bad_args (missing, not an integer, out of range).
 */
bool hil_cmd_arg_int(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                     int64_t min, int64_t max, int64_t *out);

/**
 * @brief Read a boolean argument, or fail the reply with proto.bad_args.
 * @param[in,out] out Holds the default on entry; the value on success.
 * @return true on success or when the optional key is missing; false when the reply now holds
 *         proto.bad_args (missing, not a boolean).
 */
bool hil_cmd_arg_bool(hil_cmd_reply_t *reply, const hil_json_obj_t *args, const char *key, bool required,
                      bool *out);

/**
 * @brief Run the request's handler and format its one answer line (no `\n`) into @p answer.
 *
 * Unknown command -> err proto.unknown_command; an ok body that does not fit the line -> err
 * proto.busy ("answer too long"). Whatever the handler does, exactly one answer is formatted.
 *
 * @param[in] reg Registry.
 * @param[in] req Parsed request.
 * @param[out] reply Workspace for the handler (caller storage, it is large).
 * @param[out] answer Buffer of at least HIL_PROTO_MAX_LINE + 1 bytes.
 * @param[out] len Length of the answer line.
 * @return HIL_CMD_OK or HIL_CMD_BAD_PARAM (NULL pointer or @p size too small).
 */
hil_cmd_status_t hil_cmd_dispatch(const hil_cmd_registry_t *reg, const hil_request_t *req,
                                  hil_cmd_reply_t *reply, char *answer, size_t size, size_t *len);

/**
 * @brief Format `@id err {"class":...,"detail":...}` (no `\n`).
 * @return HIL_CMD_OK, HIL_CMD_BAD_PARAM or HIL_CMD_NO_SPACE.
 */
hil_cmd_status_t hil_cmd_format_error(const char *id, hil_error_class_t cls, const char *detail, char *answer,
                                      size_t size, size_t *len);

/**
 * @brief Format an event line `!name json` (no `\n`).
 * @param[in] name Event name (grammar-checked; use hil_event_name() for registry events).
 * @param[in] json One JSON object on one line (printable ASCII; not otherwise checked).
 * @return HIL_CMD_OK, HIL_CMD_BAD_PARAM (NULL, json not `{...}`, not printable),
 *         HIL_CMD_BAD_NAME or HIL_CMD_NO_SPACE (longer than HIL_PROTO_MAX_LINE or @p size - 1).
 */
hil_cmd_status_t hil_event_format(const char *name, const char *json, char *line, size_t size, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* HIL_CMD_H */

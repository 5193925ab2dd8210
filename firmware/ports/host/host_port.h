/**
 * @file host_port.h
 * @brief The host port of the hil firmware core: the virtual device `hil-vdev`.
 *
 * One thread, one poll() loop over the console fd and the libmosquitto socket; libmosquitto
 * callbacks run inside mosquitto_loop_read/write/misc on that thread and call hil_device_on_*().
 */
#ifndef HIL_HOST_PORT_H
#define HIL_HOST_PORT_H

#include "hil_device.h"
#include "hil_names.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mosquitto;

/** Exit codes of hil-vdev. */
enum {
    HOST_EXIT_OK = 0,      /**< Console hung up, SIGTERM or SIGINT. */
    HOST_EXIT_FAILURE = 1, /**< The console or libmosquitto could not be set up. */
    HOST_EXIT_USAGE = 2,   /**< Bad command line (unknown option or misbehaviour). */
};

/** Parsed command line (PROTOCOL.md §9). */
typedef struct {
    const char *console;                  /**< pty slave path, or "-" for stdin/stdout. */
    const char *board;                    /**< Board name of the banner ("host"). */
    bool misbehave[HIL_MISBEHAVE__COUNT]; /**< --misbehave NAME, repeatable. */
} host_args_t;

/** Outcome of host_args_parse(). */
typedef enum {
    HOST_ARGS_OK = 0, /**< Run. */
    HOST_ARGS_HELP,   /**< --help printed: exit 0. */
    HOST_ARGS_USAGE,  /**< Error printed on stderr: exit 2. */
} host_args_status_t;

/** MQTT session state of the port (mirrors what it has reported to the core). */
typedef enum {
    HOST_MQTT_IDLE = 0,
    HOST_MQTT_CONNECTING,
    HOST_MQTT_CONNECTED,
} host_mqtt_state_t;

struct ssl_ctx_st; /* OpenSSL's SSL_CTX, kept out of this header */

/** What the TLS handshake of the current attempt showed (host_tls.c). */
struct host_tls_diag {
    char sni[HIL_DEVICE_MAX_HOST + 1U]; /**< Server name: SNI and the host-name check. */
    bool sni_is_ip;                     /**< An IP literal: checked as an address, no SNI sent. */
    bool send_sni;                      /**< false: no SNI at all (the no-sni misbehaviour). */
    int verify_error;                   /**< First X509 verification error, X509_V_OK when none. */
    int verify_depth;                   /**< Its depth in the chain (0 = the server's certificate). */
    bool hello_sent;                    /**< Our ClientHello was written (TCP is up). */
    bool cert_sent;                     /**< We sent a Certificate message (possibly empty). */
    int alert_received;                 /**< Description of the first fatal alert received, or -1. */
    bool alert_after_cert;              /**< It came after our Certificate message. */
    bool handshake_done;                /**< Our side of the handshake completed. */
    void *keep_ssl;                     /**< Our reference to the attempt's SSL object, or NULL. */
    int keep_fd;                        /**< Our duplicate of its socket, or -1. */
};

/** The port context (the core sees it as the incomplete hil_port_context_t). */
struct hil_port_context {
    int console_in;            /**< fd read for requests. */
    int console_out;           /**< fd written with answers, events, logs. */
    bool console_hung_up;      /**< A read or write saw the other side go away. */
    struct mosquitto *mosq;    /**< The one client instance (reinitialised per connect). */
    hil_device_t *dev;         /**< Where outcomes are reported. */
    host_mqtt_state_t state;   /**< Session state as reported to the core. */
    uint64_t connect_deadline; /**< now_ms() after which a connect attempt is net.timeout. */
    int sock_error;            /**< SO_ERROR captured before a failing read, or 0. */
    bool disconnect_requested; /**< mqtt_disconnect() was called for the current session. */
    bool resumable;            /**< The client holds a session to resume (reconnect_async). */
    bool tls_active;           /**< The current attempt/session uses TLS. */
    struct host_tls_diag tls;  /**< Its handshake diagnostics. */
    bool time_set;             /**< sys.time.set was called: TLS checks use the device time. */
    int64_t time_offset_s;     /**< Device time minus system time, seconds. */
    bool reboot_requested;     /**< sys.reboot answered: reset at the top of the loop. */
};

/**
 * @brief Parse the command line; prints help on stdout or errors on @p err.
 * @return HOST_ARGS_OK, HOST_ARGS_HELP or HOST_ARGS_USAGE.
 */
host_args_status_t host_args_parse(int argc, char **argv, host_args_t *args, FILE *err);

/**
 * @brief Open the console: "-" is stdin/stdout; a path is opened read-write and, when it is a
 *        terminal, put into raw mode (no echo, no line discipline).
 * @return 0, or -1 with errno set.
 */
int host_console_open(struct hil_port_context *ctx, const char *path);

/** @brief Close the console fds opened by host_console_open(). */
void host_console_close(struct hil_port_context *ctx);

/** Port function: write all bytes to the console. @return HIL_PORT_OK or HIL_PORT_IO. */
hil_port_status_t host_console_write(hil_port_context_t *ctx, const char *data, size_t len);

/** Port function: CLOCK_MONOTONIC in milliseconds. */
uint64_t host_now_ms(hil_port_context_t *ctx);

/**
 * @brief Create the libmosquitto client.
 * @return 0, or -1 when libmosquitto cannot be initialised.
 */
int host_mqtt_init(struct hil_port_context *ctx);

/** @brief Destroy the client and clean libmosquitto up. */
void host_mqtt_cleanup(struct hil_port_context *ctx);

/** Port function: start a connect attempt (see hil_port_t::mqtt_connect). */
hil_port_status_t host_mqtt_connect(hil_port_context_t *ctx, const hil_port_connect_params_t *params);

/** Port function: publish (see hil_port_t::mqtt_publish). */
hil_port_status_t host_mqtt_publish(hil_port_context_t *ctx, const char *topic, const uint8_t *payload,
                                    size_t len, uint8_t qos, bool retain, uint16_t *mid);

/** Port function: subscribe (see hil_port_t::mqtt_subscribe). */
hil_port_status_t host_mqtt_subscribe(hil_port_context_t *ctx, const char *filter, uint8_t qos,
                                      uint16_t *mid);

/** Port function: DISCONNECT, or abandon an attempt (see hil_port_t::mqtt_disconnect). */
hil_port_status_t host_mqtt_disconnect(hil_port_context_t *ctx);

/** Port function: unsubscribe (see hil_port_t::mqtt_unsubscribe). */
hil_port_status_t host_mqtt_unsubscribe(hil_port_context_t *ctx, const char *filter, uint16_t *mid);

/** @brief Drop the connection without a DISCONNECT and without reporting it (device reset). */
void host_mqtt_abort(struct hil_port_context *ctx);

/** Port function: sys.time.set (certificate validity is judged at that time). */
void host_set_time(hil_port_context_t *ctx, int64_t epoch_s);

/** Port function: free heap bytes of the process (mallinfo2). */
int64_t host_free_memory(hil_port_context_t *ctx);

/** Port function: the negotiated TLS version of the session ("1.2", "1.3"), or NULL. */
const char *host_tls_version(hil_port_context_t *ctx);

/** Port function: sys.reboot (the main loop resets the device). */
void host_reboot(hil_port_context_t *ctx);

/**
 * @brief Build the TLS context of a connect attempt from the slot bytes, and reset the
 *        handshake diagnostics.
 * @return The context (the caller hands it to libmosquitto and drops its reference), or NULL with
 *         @p cls (tls.bad_credentials) and @p detail set: nothing was sent.
 */
struct ssl_ctx_st *host_tls_context(struct hil_port_context *ctx, const hil_port_tls_t *tls,
                                    hil_error_class_t *cls, char *detail, size_t size);

/**
 * @brief Before classifying a failure: read what the connection still holds (a TLS alert that
 *        arrived while a write failed), then release the attempt's kept SSL and socket.
 * @param live_ssl libmosquitto's current SSL object (mosquitto_ssl_get()), or NULL.
 */
void host_tls_drain(struct hil_port_context *ctx, void *live_ssl);

/** @brief Release the SSL reference and socket duplicate kept for host_tls_drain(). */
void host_tls_release(struct hil_port_context *ctx);

/** @brief SSL_CTX_free(). */
void host_tls_free(struct ssl_ctx_st *sctx);

/** @brief Reset the handshake diagnostics before an attempt that reuses the TLS context. */
void host_tls_begin_attempt(struct hil_port_context *ctx);

/**
 * @brief Classify a failed or lost TLS connection from the handshake diagnostics: X509
 *        verification error, fatal alert received, or a handshake that did not complete.
 * @return true with @p cls and @p detail set; false when TLS shows no fault (or is not in use).
 */
bool host_tls_classify(const struct hil_port_context *ctx, hil_error_class_t *cls, char *detail, size_t size);

/** @brief The client's socket, or -1 when there is none. */
int host_mqtt_socket(struct hil_port_context *ctx);

/** @brief Whether libmosquitto has bytes queued to send (poll for POLLOUT). */
bool host_mqtt_want_write(struct hil_port_context *ctx);

/**
 * @brief Service the socket after poll(): read, write, keep-alive, connect deadline.
 * @param[in] revents The poll revents of the socket (0 when it was not polled).
 */
void host_mqtt_service(struct hil_port_context *ctx, short revents);

/** @brief Milliseconds until the connect deadline, or -1 when no attempt is pending. */
int host_mqtt_ms_to_deadline(struct hil_port_context *ctx);

#endif /* HIL_HOST_PORT_H */

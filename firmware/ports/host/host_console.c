/** @file host_console.c @brief Console on a pty slave (raw mode) or stdin/stdout; clock, time, memory. */
#include "host_port.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int host_console_open(struct hil_port_context *ctx, const char *path) {
    int rc = 0;
    if (strcmp(path, "-") == 0) {
        ctx->console_in = STDIN_FILENO;
        ctx->console_out = STDOUT_FILENO;
    } else {
        int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            rc = -1;
        } else {
            struct termios tio;
            if (isatty(fd) && (tcgetattr(fd, &tio) == 0)) {
                /* Raw: no echo (the harness must never read its own requests back), no CR/LF
                 * translation, no signals from ^C bytes, byte-wise reads. */
                cfmakeraw(&tio);
                tio.c_cc[VMIN] = 1;
                tio.c_cc[VTIME] = 0;
                if (tcsetattr(fd, TCSANOW, &tio) != 0) {
                    rc = -1;
                }
            }
            if (rc == 0) {
                ctx->console_in = fd;
                ctx->console_out = fd;
            } else {
                int saved = errno;
                (void)close(fd);
                errno = saved;
            }
        }
    }
    return rc;
}

void host_console_close(struct hil_port_context *ctx) {
    if (ctx->console_in > STDERR_FILENO) {
        (void)close(ctx->console_in);
    }
    if ((ctx->console_out > STDERR_FILENO) && (ctx->console_out != ctx->console_in)) {
        (void)close(ctx->console_out);
    }
    ctx->console_in = -1;
    ctx->console_out = -1;
}

hil_port_status_t host_console_write(hil_port_context_t *ctx, const char *data, size_t len) {
    hil_port_status_t status = HIL_PORT_OK;
    size_t done = 0U;
    if (ctx->console_hung_up) {
        status = HIL_PORT_IO;
    }
    while ((status == HIL_PORT_OK) && (done < len)) {
        ssize_t n = write(ctx->console_out, data + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if ((n < 0) && (errno == EINTR)) {
            /* retry */
        } else {
            /* EIO (pty master closed), EPIPE (pipe reader gone; SIGPIPE is ignored), ... */
            ctx->console_hung_up = true;
            status = HIL_PORT_IO;
        }
    }
    return status;
}

uint64_t host_now_ms(hil_port_context_t *ctx) {
    struct timespec ts;
    (void)ctx;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((uint64_t)ts.tv_sec * 1000U) + ((uint64_t)ts.tv_nsec / 1000000U);
}

void host_set_time(hil_port_context_t *ctx, int64_t epoch_s) {
    ctx->time_set = true;
    ctx->time_offset_s = epoch_s - (int64_t)time(NULL);
}

int64_t host_free_memory(hil_port_context_t *ctx) {
    struct mallinfo2 mi = mallinfo2();
    (void)ctx;
    return (int64_t)mi.fordblks;
}

void host_reboot(hil_port_context_t *ctx) {
    ctx->reboot_requested = true;
}

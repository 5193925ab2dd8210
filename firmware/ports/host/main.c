/**
 * @file main.c
 * @brief hil-vdev: the virtual device. The hil firmware core on the host, one poll() loop.
 */
#include "hil_lamp.h"
#include "host_port.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef HIL_BUILD_ID
#define HIL_BUILD_ID "unknown"
#endif

/* Poll bound while idle: keep-alive housekeeping of libmosquitto needs a tick, nothing else. */
#define HOST_IDLE_POLL_MS 500

static volatile sig_atomic_t s_stop = 0;

static void on_signal(int sig) {
    (void)sig;
    s_stop = 1;
}

/* SIGTERM/SIGINT are blocked except inside ppoll(), so a signal can never slip in between the
 * s_stop check and the wait. Returns the mask to use in ppoll(). */
static int setup_signals(sigset_t *wait_mask) {
    struct sigaction sa;
    sigset_t block;
    int rc = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    if ((sigaction(SIGTERM, &sa, NULL) != 0) || (sigaction(SIGINT, &sa, NULL) != 0) ||
        (sigprocmask(SIG_BLOCK, &block, wait_mask) != 0)) {
        rc = -1;
    }
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGINT);
    /* A closed console pipe shows up as EPIPE on write, not as a signal. */
    signal(SIGPIPE, SIG_IGN);
    return rc;
}

/* Read what the console has and feed it to the core; false when the console hung up. */
static bool service_console(struct hil_port_context *ctx, hil_device_t *dev, short revents) {
    bool alive = true;
    if ((revents & POLLIN) != 0) {
        uint8_t buf[HIL_PROTO_MAX_LINE];
        ssize_t n = read(ctx->console_in, buf, sizeof(buf));
        if (n > 0) {
            (void)hil_device_feed(dev, buf, (size_t)n);
        } else if ((n < 0) && ((errno == EINTR) || (errno == EAGAIN))) {
            /* nothing this time */
        } else {
            alive = false; /* 0: EOF on a pipe; EIO: the pty master was closed */
        }
    } else if ((revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        alive = false;
    } else {
        /* not ready */
    }
    return alive && !ctx->console_hung_up;
}

static int run(struct hil_port_context *ctx, hil_device_t *dev, const sigset_t *wait_mask) {
    while (s_stop == 0) {
        struct pollfd fds[2];
        nfds_t nfds = 1;
        int sock = host_mqtt_socket(ctx);
        int timeout_ms = HOST_IDLE_POLL_MS;
        int deadline_ms = host_mqtt_ms_to_deadline(ctx);
        struct timespec ts;
        int ready = 0;

        fds[0].fd = ctx->console_in;
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        fds[1].fd = sock;
        fds[1].events = POLLIN;
        fds[1].revents = 0;
        if (sock >= 0) {
            if (host_mqtt_want_write(ctx)) {
                fds[1].events |= POLLOUT;
            }
            nfds = 2;
        }
        int64_t tick_ms = hil_device_next_tick_ms(dev);
        if ((deadline_ms >= 0) && (deadline_ms < timeout_ms)) {
            timeout_ms = deadline_ms;
        }
        if ((tick_ms >= 0) && (tick_ms < timeout_ms)) {
            timeout_ms = (int)tick_ms;
        }
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;

        ready = ppoll(fds, nfds, &ts, wait_mask);
        if ((ready < 0) && (errno != EINTR)) {
            return HOST_EXIT_FAILURE;
        }
        if (ready < 0) {
            continue; /* a signal: s_stop decides */
        }
        if (!service_console(ctx, dev, fds[0].revents)) {
            break;
        }
        if (ctx->reboot_requested) {
            /* sys.reboot: a power cycle of the virtual board. The connection drops without a
             * DISCONNECT (the broker fires the will); RAM state, credential slots included, is
             * gone; the banner follows. */
            ctx->reboot_requested = false;
            ctx->time_set = false;
            host_mqtt_abort(ctx);
            (void)hil_device_reset(dev);
            (void)hil_device_start(dev);
            continue;
        }
        host_mqtt_service(ctx, (nfds == 2) ? fds[1].revents : 0);
        (void)hil_device_tick(dev);
        if (ctx->console_hung_up) {
            break;
        }
    }
    return HOST_EXIT_OK;
}

int main(int argc, char **argv) {
    static hil_device_t s_dev; /* large: keep it off the stack, as a board would */
    static hil_lamp_t s_lamp;  /* the reference application on top of the core */
    static struct hil_port_context s_ctx;
    host_args_t args;
    sigset_t wait_mask;
    int exit_code = HOST_EXIT_OK;
    pid_t parent = getppid();
    static hil_port_t port; /* the device keeps a pointer */
    hil_device_config_t config;

    switch (host_args_parse(argc, argv, &args, stderr)) {
    case HOST_ARGS_HELP: return HOST_EXIT_OK;
    case HOST_ARGS_USAGE: return HOST_EXIT_USAGE;
    case HOST_ARGS_OK:
    default: break;
    }

    /* Second guard besides the console hang-up: die with the harness. */
    (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
        return HOST_EXIT_OK; /* the parent died before prctl took effect */
    }
    if (setup_signals(&wait_mask) != 0) {
        fprintf(stderr, "hil-vdev: cannot set up signals: %s\n", strerror(errno));
        return HOST_EXIT_FAILURE;
    }

    s_ctx.console_in = -1;
    s_ctx.console_out = -1;
    s_ctx.dev = &s_dev;
    if (host_console_open(&s_ctx, args.console) != 0) {
        fprintf(stderr, "hil-vdev: cannot open console %s: %s\n", args.console, strerror(errno));
        return HOST_EXIT_FAILURE;
    }
    if (host_mqtt_init(&s_ctx) != 0) {
        fprintf(stderr, "hil-vdev: cannot initialise libmosquitto\n");
        host_console_close(&s_ctx);
        return HOST_EXIT_FAILURE;
    }

    port.ctx = &s_ctx;
    port.console_write = host_console_write;
    port.now_ms = host_now_ms;
    port.mqtt_connect = host_mqtt_connect;
    port.mqtt_publish = host_mqtt_publish;
    port.mqtt_subscribe = host_mqtt_subscribe;
    port.mqtt_disconnect = host_mqtt_disconnect;
    port.mqtt_unsubscribe = host_mqtt_unsubscribe;
    port.reboot = host_reboot;
    port.set_time = host_set_time;
    port.free_memory = host_free_memory;
    port.tls_version = host_tls_version;
    port.wifi_connect = NULL; /* a fixed link: wifi.* answers "connected" */
    port.wifi_disconnect = NULL;
    config.fw = "hil-reference";
    config.version = "0.1.0";
    config.build_id = HIL_BUILD_ID;
    config.board = args.board;

    if ((hil_device_init(&s_dev, &port, &config) != HIL_DEVICE_OK) ||
        (hil_lamp_init(&s_lamp, &s_dev) != HIL_DEVICE_OK)) {
        fprintf(stderr, "hil-vdev: core initialisation failed\n");
        exit_code = HOST_EXIT_FAILURE;
    } else {
        for (int i = 0; i < (int)HIL_MISBEHAVE__COUNT; i++) {
            (void)hil_device_set_misbehaviour(&s_dev, (hil_misbehaviour_t)i, args.misbehave[i]);
        }
        if (hil_device_start(&s_dev) == HIL_DEVICE_OK) {
            exit_code = run(&s_ctx, &s_dev, &wait_mask);
        }
    }

    host_mqtt_cleanup(&s_ctx);
    host_console_close(&s_ctx);
    return exit_code;
}

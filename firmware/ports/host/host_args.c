/** @file host_args.c @brief hil-vdev command line (PROTOCOL.md §9). */
#include "host_port.h"

#include <string.h>

static void usage(FILE *out) {
    fprintf(out, "usage: hil-vdev --console PATH|- [--misbehave NAME]... [--board NAME]\n"
                 "\n"
                 "The hil virtual device: the hil firmware core on the host, MQTT through\n"
                 "libmosquitto, speaking console protocol v0 on PATH (a pty slave, put into raw\n"
                 "mode) or on stdin/stdout with '-'. Exits when the console hangs up, on SIGTERM\n"
                 "or SIGINT.\n"
                 "\n"
                 "  --console PATH|-   console device, or '-' for stdin/stdout (required)\n"
                 "  --misbehave NAME   start with a fault (repeatable); NAME is one of:\n");
    for (int i = 0; i < (int)HIL_MISBEHAVE__COUNT; i++) {
        fprintf(out, "                       %s\n", hil_misbehaviour_name((hil_misbehaviour_t)i));
    }
    fprintf(out, "  --board NAME       board name stated by the boot banner (default: host)\n"
                 "  --help             this text\n");
}

/* Value of "--opt VALUE" or "--opt=VALUE"; advances *i past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *opt, bool *matched) {
    const char *value = NULL;
    size_t n = strlen(opt);
    *matched = false;
    if (strcmp(argv[*i], opt) == 0) {
        *matched = true;
        if ((*i + 1) < argc) {
            (*i)++;
            value = argv[*i];
        }
    } else if ((strncmp(argv[*i], opt, n) == 0) && (argv[*i][n] == '=')) {
        *matched = true;
        value = &argv[*i][n + 1U];
    } else {
        /* another option */
    }
    return value;
}

host_args_status_t host_args_parse(int argc, char **argv, host_args_t *args, FILE *err) {
    host_args_status_t status = HOST_ARGS_OK;
    memset(args, 0, sizeof(*args));
    args->board = "host";

    for (int i = 1; (i < argc) && (status == HOST_ARGS_OK); i++) {
        bool matched = false;
        const char *value = NULL;
        if ((strcmp(argv[i], "--help") == 0) || (strcmp(argv[i], "-h") == 0)) {
            usage(stdout);
            status = HOST_ARGS_HELP;
            break;
        }
        value = option_value(argc, argv, &i, "--console", &matched);
        if (matched) {
            args->console = value;
        } else {
            value = option_value(argc, argv, &i, "--board", &matched);
            if (matched) {
                args->board = value;
            } else {
                value = option_value(argc, argv, &i, "--misbehave", &matched);
                if (matched && (value != NULL)) {
                    hil_misbehaviour_t mb = HIL_MISBEHAVE__COUNT;
                    if (hil_misbehaviour_from_name(value, &mb)) {
                        args->misbehave[mb] = true;
                    } else {
                        fprintf(err, "hil-vdev: unknown misbehaviour '%s' (known:", value);
                        for (int m = 0; m < (int)HIL_MISBEHAVE__COUNT; m++) {
                            fprintf(err, " %s", hil_misbehaviour_name((hil_misbehaviour_t)m));
                        }
                        fprintf(err, ")\n");
                        status = HOST_ARGS_USAGE;
                    }
                } else if (!matched) {
                    fprintf(err, "hil-vdev: unknown argument '%s' (try --help)\n", argv[i]);
                    status = HOST_ARGS_USAGE;
                } else {
                    /* --misbehave without a value: reported below */
                }
            }
        }
        if (matched && (value == NULL) && (status == HOST_ARGS_OK)) {
            fprintf(err, "hil-vdev: %s needs a value\n", argv[i]);
            status = HOST_ARGS_USAGE;
        }
        if ((status == HOST_ARGS_OK) && (value != NULL) && (value[0] == '\0')) {
            fprintf(err, "hil-vdev: empty value for %s\n", argv[i]);
            status = HOST_ARGS_USAGE;
        }
    }
    if ((status == HOST_ARGS_OK) && (args->console == NULL)) {
        fprintf(err, "hil-vdev: --console PATH|- is required (try --help)\n");
        status = HOST_ARGS_USAGE;
    }
    return status;
}

/** @file hil_commands_sys.c @brief The sys.* and wifi.* commands, and the command tables. */
#include "hil_commands.h"

#include <string.h>

hil_cmd_status_t hil_commands_register(hil_device_t *dev, const hil_command_def_t *defs, size_t count) {
    hil_cmd_status_t status = HIL_CMD_OK;
    for (size_t i = 0U; (status == HIL_CMD_OK) && (i < count); i++) {
        status = hil_cmd_register(&dev->commands, defs[i].name, defs[i].handler, dev);
    }
    return status;
}

static const char *mqtt_state_name(hil_mqtt_state_t state) {
    const char *name = "idle";
    switch (state) {
    case HIL_MQTT_CONNECTING: name = "connecting"; break;
    case HIL_MQTT_CONNECTED: name = "connected"; break;
    case HIL_MQTT_RECONNECT_WAIT: name = "reconnect_wait"; break;
    case HIL_MQTT_IDLE:
    default: name = "idle"; break;
    }
    return name;
}

static void cmd_sys_info(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t unix_ms = 0;
    (void)args;
    (void)hil_json_add_string(&reply->body, "fw", dev->config.fw);
    (void)hil_json_add_string(&reply->body, "version", dev->config.version);
    (void)hil_json_add_string(&reply->body, "build_id", dev->config.build_id);
    (void)hil_json_add_string(&reply->body, "board", dev->config.board);
    (void)hil_json_add_int(&reply->body, "protocol", HIL_PROTO_VERSION);
    (void)hil_json_add_int(&reply->body, "uptime_ms", (int64_t)hil_device_uptime_ms(dev));
    if (dev->port->free_memory != NULL) {
        int64_t free_bytes = dev->port->free_memory(dev->port->ctx);
        if (free_bytes >= 0) {
            (void)hil_json_add_int(&reply->body, "free_memory", free_bytes);
        }
    }
    if (hil_device_unix_ms(dev, &unix_ms)) {
        (void)hil_json_add_int(&reply->body, "unix_ms", unix_ms);
    }
    (void)hil_json_add_string(&reply->body, "mqtt", mqtt_state_name(dev->mqtt_state));
}

static void cmd_sys_reboot(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    (void)args;
    if (dev->port->reboot == NULL) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "this port cannot reboot");
    } else {
        dev->reboot_pending = true; /* after the answer: hil_device_feed() calls the port */
    }
}

static void cmd_sys_time_set(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    int64_t unix_ms = 0;
    /* 2000-01-01 .. 2200-01-01: anything else is a harness bug, not a time. */
    if (hil_cmd_arg_int(reply, args, "unix_ms", true, 946684800000LL, 7258118400000LL, &unix_ms)) {
        dev->time_set = true;
        dev->time_offset_ms = unix_ms - (int64_t)dev->port->now_ms(dev->port->ctx);
        if ((dev->port->set_time != NULL) && !dev->misbehave[HIL_MISBEHAVE_IGNORE_TIME]) {
            dev->port->set_time(dev->port->ctx, unix_ms / 1000);
        }
        (void)hil_json_add_int(&reply->body, "unix_ms", unix_ms);
    }
}

static void wifi_body(hil_device_t *dev, hil_cmd_reply_t *reply) {
    (void)hil_json_add_bool(&reply->body, "connected", dev->wifi_up);
    (void)hil_json_add_string(&reply->body, "ssid", dev->wifi_ssid);
    (void)hil_json_add_bool(&reply->body, "fixed", dev->port->wifi_connect == NULL);
}

static void cmd_wifi_connect(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    char ssid[sizeof(dev->wifi_ssid)] = "";
    char password[64] = "";
    size_t len = 0U;
    bool ok = hil_cmd_arg_string(reply, args, "ssid", true, ssid, sizeof(ssid), &len) &&
              hil_cmd_arg_string(reply, args, "password", false, password, sizeof(password), NULL);
    if (ok && ((len == 0U) || (strlen(ssid) != len))) {
        hil_cmd_bad_arg(reply, "ssid", "empty or contains NUL");
        ok = false;
    }
    if (ok) {
        (void)memcpy(dev->wifi_ssid, ssid, len + 1U);
        if (dev->port->wifi_connect == NULL) {
            /* A fixed link (virtual device): already connected, say so as a board would. */
            wifi_body(dev, reply);
            (void)hil_device_on_wifi(dev, true, "fixed link");
        } else {
            hil_port_status_t ps = dev->port->wifi_connect(dev->port->ctx, ssid, password);
            if (ps == HIL_PORT_BAD_PARAM) {
                hil_cmd_bad_arg(reply, "ssid, password", "rejected by the Wi-Fi stack");
            } else if (ps == HIL_PORT_BUSY) {
                hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "Wi-Fi connect in progress");
            } else if (ps != HIL_PORT_OK) {
                hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "the Wi-Fi stack refused");
            } else {
                /* started: wifi.connected or wifi.disconnected follows */
            }
        }
    }
    (void)memset(password, 0, sizeof(password));
}

static void cmd_wifi_disconnect(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    hil_device_t *dev = (hil_device_t *)user;
    (void)args;
    if (dev->port->wifi_disconnect == NULL) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "fixed network link: it cannot go down");
    } else if (dev->port->wifi_disconnect(dev->port->ctx) != HIL_PORT_OK) {
        hil_cmd_reply_error(reply, HIL_ERR_PROTO_BUSY, "the Wi-Fi stack refused");
    } else {
        /* wifi.disconnected follows */
    }
}

static void cmd_wifi_status(void *user, const hil_json_obj_t *args, hil_cmd_reply_t *reply) {
    (void)args;
    wifi_body((hil_device_t *)user, reply);
}

static const hil_command_def_t s_sys_commands[] = {
    {"sys.info", cmd_sys_info},
    {"sys.reboot", cmd_sys_reboot},
    {"sys.time.set", cmd_sys_time_set},
    {"wifi.connect", cmd_wifi_connect},
    {"wifi.disconnect", cmd_wifi_disconnect},
    {"wifi.status", cmd_wifi_status},
};

hil_cmd_status_t hil_commands_register_sys(hil_device_t *dev) {
    return hil_commands_register(dev, s_sys_commands, sizeof(s_sys_commands) / sizeof(s_sys_commands[0]));
}

hil_cmd_status_t hil_device_register_commands(hil_device_t *dev) {
    hil_cmd_status_t status = (dev == NULL) ? HIL_CMD_BAD_PARAM : hil_commands_register_sys(dev);
    if (status == HIL_CMD_OK) {
        status = hil_commands_register_cred(dev);
    }
    if (status == HIL_CMD_OK) {
        status = hil_commands_register_mqtt(dev);
    }
    return status;
}

/** @file hil_commands.h @brief Internal to the core: the reference command tables. */
#ifndef HIL_COMMANDS_H
#define HIL_COMMANDS_H

#include "hil_device.h"

/** One reference command; the device is its user pointer. */
typedef struct {
    const char *name;
    hil_cmd_handler_t handler;
} hil_command_def_t;

/** Register @p count commands with @p dev as their user pointer. */
hil_cmd_status_t hil_commands_register(hil_device_t *dev, const hil_command_def_t *defs, size_t count);

hil_cmd_status_t hil_commands_register_sys(hil_device_t *dev);
hil_cmd_status_t hil_commands_register_cred(hil_device_t *dev);
hil_cmd_status_t hil_commands_register_mqtt(hil_device_t *dev);

#endif /* HIL_COMMANDS_H */

/**
 * @file fuzz_port.h
 * @brief A port for the libFuzzer targets: the console is checked line by line (the protocol's
 *        own invariants are the oracle), MQTT operations succeed at once, the clock steps.
 */
#ifndef HIL_FUZZ_PORT_H
#define HIL_FUZZ_PORT_H

#include "hil_device.h"

/** Set up the device (and the port) for one input; @p connected reports a session at once. */
hil_device_t *fuzz_device(bool connected);

#endif /* HIL_FUZZ_PORT_H */

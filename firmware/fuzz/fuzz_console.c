/**
 * @file fuzz_console.c
 * @brief libFuzzer target: arbitrary console bytes into the device (framer, request parser, JSON
 *        reader, every command and its error paths), with ticks in between. The port checks that
 *        every line written is a well-formed protocol line; ASan/UBSan check the rest.
 */
#include "fuzz_port.h"
#include "hil_lamp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static hil_lamp_t lamp; /* its commands (lamp.*, shadow.*) are fuzzed too */
    hil_device_t *dev = fuzz_device(size > 0U && (data[0] & 1U) != 0U);
    size_t at = 0U;
    (void)hil_lamp_init(&lamp, dev);
    /* Feed in uneven chunks (partial reads), ticking between them. */
    while (at < size) {
        size_t n = 1U + (data[at] % 61U);
        if (n > (size - at)) {
            n = size - at;
        }
        (void)hil_device_feed(dev, &data[at], n);
        (void)hil_device_tick(dev);
        at += n;
    }
    return 0;
}

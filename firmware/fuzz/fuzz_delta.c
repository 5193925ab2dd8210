/**
 * @file fuzz_delta.c
 * @brief libFuzzer target: arbitrary MQTT payloads on the shadow topics of a started lamp (delta,
 *        get/accepted, rejected, named shadows). Checks the lamp's state stays valid and every
 *        console line is well formed.
 */
#include "fuzz_port.h"
#include "hil_lamp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const s_topics[] = {
    "$aws/things/lamp-1/shadow/update/delta",        "$aws/things/lamp-1/shadow/get/accepted",
    "$aws/things/lamp-1/shadow/get/rejected",        "$aws/things/lamp-1/shadow/update/accepted",
    "$aws/things/lamp-1/shadow/name/x/update/delta", "$aws/things/lamp-1/shadow/name/light/update/delta",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static hil_lamp_t lamp;
    static const char start[] = "@2 lamp.start {\"thing\":\"lamp-1\",\"shadow\":\"light\"}\n";
    hil_device_t *dev = fuzz_device(true);
    if ((size == 0U) || (hil_lamp_init(&lamp, dev) != HIL_DEVICE_OK)) {
        return 0;
    }
    (void)hil_device_feed(dev, (const uint8_t *)start, sizeof(start) - 1U);
    /* First byte: which topic (and a second message with the rest split in two). */
    {
        const char *topic = s_topics[data[0] % (sizeof(s_topics) / sizeof(s_topics[0]))];
        size_t half = (size - 1U) / 2U;
        (void)hil_device_on_message(dev, topic, &data[1], size - 1U, 1U, false);
        (void)hil_device_on_message(dev, s_topics[5], &data[1], half, 1U, false);
        (void)hil_device_tick(dev);
    }
    if ((lamp.state.brightness < 0) || (lamp.state.brightness > 100) ||
        !hil_lamp_color_valid(lamp.state.color) || (lamp.state.report_interval < 0) ||
        (lamp.state.report_interval > HIL_LAMP_MAX_INTERVAL_S)) {
        abort();
    }
    return 0;
}

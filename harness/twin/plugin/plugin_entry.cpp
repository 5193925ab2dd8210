// The C entry points Mosquitto's plugin API v5 looks up (mosquitto_plugin_version, _init,
// _cleanup) and the callback trampolines. No C++ exception crosses into the broker: a callback
// that throws is logged and answered with a refusal.

#include "plugin_options.hpp"
#include "twin_plugin.hpp"

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include <exception>
#include <memory>

namespace {

struct Instance {
    mosquitto_plugin_id_t *id = nullptr;
    std::unique_ptr<hil::twin::TwinPlugin> plugin;
};

constexpr int kEvents[] = {MOSQ_EVT_BASIC_AUTH, MOSQ_EVT_ACL_CHECK, MOSQ_EVT_MESSAGE, MOSQ_EVT_DISCONNECT,
                           MOSQ_EVT_RELOAD};

template <typename Event, int (hil::twin::TwinPlugin::*Handler)(Event &)>
int trampoline(int /*event*/, void *event_data, void *userdata) {
    auto *instance = static_cast<Instance *>(userdata);
    try {
        return (instance->plugin.get()->*Handler)(*static_cast<Event *>(event_data));
    } catch (const std::exception &e) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "hil_aws_twin: internal error: %s", e.what());
    } catch (...) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "hil_aws_twin: internal error");
    }
    return MOSQ_ERR_UNKNOWN;
}

MOSQ_FUNC_generic_callback callback_for(int event) {
    using hil::twin::TwinPlugin;
    switch (event) {
    case MOSQ_EVT_BASIC_AUTH: return trampoline<mosquitto_evt_basic_auth, &TwinPlugin::on_basic_auth>;
    case MOSQ_EVT_ACL_CHECK: return trampoline<mosquitto_evt_acl_check, &TwinPlugin::on_acl_check>;
    case MOSQ_EVT_MESSAGE: return trampoline<mosquitto_evt_message, &TwinPlugin::on_message>;
    case MOSQ_EVT_DISCONNECT: return trampoline<mosquitto_evt_disconnect, &TwinPlugin::on_disconnect>;
    case MOSQ_EVT_RELOAD: return trampoline<mosquitto_evt_reload, &TwinPlugin::on_reload>;
    default: return nullptr;
    }
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int mosquitto_plugin_version(int supported_version_count,
                                                                    const int *supported_versions) {
    for (int i = 0; i < supported_version_count; ++i) {
        if (supported_versions[i] == 5) return 5;
    }
    return -1;
}

__attribute__((visibility("default"))) int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier,
                                                                 void **userdata,
                                                                 struct mosquitto_opt *options,
                                                                 int option_count) {
    auto instance = std::make_unique<Instance>();
    instance->id = identifier;
    try {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (int i = 0; i < option_count; ++i) pairs.emplace_back(options[i].key, options[i].value);
        instance->plugin = std::make_unique<hil::twin::TwinPlugin>(hil::twin::parse_plugin_options(pairs));
    } catch (const std::exception &e) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "hil_aws_twin: cannot start: %s", e.what());
        return MOSQ_ERR_INVAL;
    }
    for (const int event : kEvents) {
        const int rc =
            mosquitto_callback_register(identifier, event, callback_for(event), nullptr, instance.get());
        if (rc != MOSQ_ERR_SUCCESS) {
            mosquitto_log_printf(MOSQ_LOG_ERR, "hil_aws_twin: cannot register event %d: %s", event,
                                 mosquitto_strerror(rc));
            for (const int registered : kEvents) {
                if (registered == event) break;
                mosquitto_callback_unregister(identifier, registered, callback_for(registered), nullptr);
            }
            return rc;
        }
    }
    *userdata = instance.release();
    return MOSQ_ERR_SUCCESS;
}

__attribute__((visibility("default"))) int
mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt * /*options*/, int /*option_count*/) {
    std::unique_ptr<Instance> instance(static_cast<Instance *>(userdata));
    if (!instance) return MOSQ_ERR_SUCCESS;
    for (const int event : kEvents) {
        mosquitto_callback_unregister(instance->id, event, callback_for(event), nullptr);
    }
    return MOSQ_ERR_SUCCESS;
}

} // extern "C"

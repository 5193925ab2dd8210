#pragma once
// The aws-twin plugin's state and callbacks (one instance per broker). Everything AWS-specific
// is delegated to the pure libraries: ShadowService answers shadow requests, Authorizer decides
// policies, broker_rules checks limits. This class maps Mosquitto's events onto them:
//
//   MOSQ_EVT_BASIC_AUTH  identity from the client certificate (fingerprint -> registry),
//                        iot:Connect; refusal closes the socket without a CONNACK
//   MOSQ_EVT_ACL_CHECK   SUBSCRIBE: QoS 2, limits, reserved topics, iot:Subscribe -> close
//                        WRITE: QoS 2, payload size, limits, shadow response topics,
//                               reserved topics, iot:Publish/RetainPublish -> close
//                        READ: iot:Receive -> silent drop
//   MOSQ_EVT_MESSAGE     shadow requests -> ShadowService -> mosquitto_broker_publish
//   MOSQ_EVT_DISCONNECT  forget the connection (later checks of it are its will)
//   MOSQ_EVT_RELOAD      re-read registry and policies (the log line names the SHA-256 of the
//                        registry read, so whoever rewrote it knows the reload saw its file);
//                        close connections whose certificate is no longer ACTIVE
//
// Mosquitto calls plugins on its single main thread, so there is no locking.

#include "plugin_options.hpp"

#include "hil/twin/authorizer.hpp"
#include "hil/twin/shadow_service.hpp"
#include "hil/twin/shadow_store.hpp"

#include <mosquitto_broker.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace hil::twin {

class TwinPlugin {
  public:
    /// Opens the shadow store and loads registry and policies. Throws on bad configuration.
    explicit TwinPlugin(PluginOptions options);

    int on_basic_auth(mosquitto_evt_basic_auth &event);
    int on_acl_check(mosquitto_evt_acl_check &event);
    int on_message(mosquitto_evt_message &event);
    int on_disconnect(mosquitto_evt_disconnect &event);
    int on_reload(mosquitto_evt_reload &event);

    [[nodiscard]] const PluginOptions &options() const { return options_; }

  private:
    struct Connection {
        ClientIdentity identity; ///< fixed at CONNECT
        std::int64_t rate_second = 0;
        unsigned rate_count = 0;
    };

    /// Loads registry and policies; `registry_digest` gets the SHA-256 of the registry bytes read.
    [[nodiscard]] std::unique_ptr<Authorizer> load_authorizer(std::string &registry_digest) const;
    /// Records an accepted connection (and retires one it takes over).
    void admit(const mosquitto *client, Connection connection);
    /// The identity recorded at CONNECT; for a client the plugin has not seen connect (a
    /// persistent session restored from Mosquitto's persistence), rebuilt from its username.
    [[nodiscard]] const ClientIdentity &identity_of(const mosquitto *client);
    /// Logs why and disconnects the client (with its will, as AWS does on a server-side close),
    /// unless the check is about a client that is already gone (its will message).
    void close(const mosquitto *client, const std::string &why);
    int acl_subscribe(const mosquitto_evt_acl_check &event);
    int acl_write(const mosquitto_evt_acl_check &event);
    int acl_read(const mosquitto_evt_acl_check &event);
    bool over_publish_rate(const mosquitto *client);

    PluginOptions options_;
    std::unique_ptr<ShadowStore> store_;
    ShadowService shadows_;
    std::string registry_digest_;            ///< of the registry file in force ("" without one)
    std::unique_ptr<Authorizer> authorizer_; ///< null: no registry, nothing to authorize
    std::unordered_map<const mosquitto *, Connection> live_;
    std::unordered_set<const mosquitto *> gone_;
    ClientIdentity restored_; ///< scratch identity for clients not in live_
};

/// "x509:<fingerprint>": the username the plugin gives certificate clients, so a persistent
/// session restored after a broker restart still carries its identity.
[[nodiscard]] std::string username_for(const std::string &fingerprint);

} // namespace hil::twin

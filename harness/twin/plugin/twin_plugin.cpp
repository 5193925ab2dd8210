#include "twin_plugin.hpp"

#include "certificate.hpp"

#include "hil/twin/broker_rules.hpp"
#include "hil/twin/file_shadow_store.hpp"
#include "hil/twin/shadow_topic.hpp"

#include <mosquitto.h>
#include <mosquitto_plugin.h>

#include <fstream>
#include <sstream>

namespace hil::twin {

namespace {
constexpr std::string_view kUsernamePrefix = "x509:";
constexpr int kReplyQos = 1;

void log(int level, const std::string &text) {
    mosquitto_log_printf(level, "hil_aws_twin: %s", text.c_str());
}

std::string id_of(const mosquitto *client) {
    const char *id = mosquitto_client_id(client);
    return id != nullptr ? id : "";
}

std::unique_ptr<ShadowStore> open_store(const PluginOptions &options) {
    if (options.store_dir.empty()) return std::make_unique<MemoryShadowStore>();
    return std::make_unique<FileShadowStore>(options.store_dir, options.store_sync);
}
} // namespace

std::string username_for(const std::string &fingerprint) {
    return std::string(kUsernamePrefix) + fingerprint;
}

TwinPlugin::TwinPlugin(PluginOptions options)
    : options_(std::move(options)), store_(open_store(options_)), shadows_(*store_, options_.shadow_limits),
      authorizer_(load_authorizer(registry_digest_)) {
    log(MOSQ_LOG_NOTICE,
        "profile " + std::string(to_string(options_.profile)) + ", shadows " +
            (options_.store_dir.empty() ? "in memory" : "in " + options_.store_dir.string()) +
            (authorizer_ ? ", registry " + options_.registry.string() : ", no registry"));
}

std::unique_ptr<Authorizer> TwinPlugin::load_authorizer(std::string &registry_digest) const {
    if (options_.profile != Profile::aws_twin) return nullptr;
    if (options_.registry.empty() && !options_.authorization.anonymous_policies) return nullptr;
    Registry registry;
    std::string digest;
    if (!options_.registry.empty()) {
        // One read: the digest is of exactly the bytes parsed, even if the file is replaced meanwhile.
        std::ifstream in(options_.registry, std::ios::binary);
        if (!in) throw RegistryError("cannot read registry file " + options_.registry.string());
        std::ostringstream text;
        text << in.rdbuf();
        try {
            registry =
                Registry::parse(text.str(), options_.registry.parent_path(), certificate_file_fingerprint);
        } catch (const RegistryError &e) {
            throw RegistryError(options_.registry.string() + ": " + e.what());
        }
        digest = sha256_hex(text.str());
    }
    auto authorizer = std::make_unique<Authorizer>(
        std::move(registry), load_policy_directory(options_.policies_dir), options_.authorization);
    registry_digest = std::move(digest);
    return authorizer;
}

const ClientIdentity &TwinPlugin::identity_of(const mosquitto *client) {
    if (const auto live = live_.find(client); live != live_.end()) return live->second.identity;
    restored_ = ClientIdentity{};
    restored_.client_id = id_of(client);
    if (const char *address = mosquitto_client_address(client)) restored_.source_ip = address;
    if (const char *username = mosquitto_client_username(client);
        username != nullptr && std::string_view(username).starts_with(kUsernamePrefix)) {
        restored_.fingerprint = std::string(std::string_view(username).substr(kUsernamePrefix.size()));
    }
    return restored_;
}

void TwinPlugin::close(const mosquitto *client, const std::string &why) {
    const std::string id = id_of(client);
    if (gone_.count(client) != 0 || id.empty()) {
        log(MOSQ_LOG_NOTICE, "refused for '" + id + "', which is no longer connected (its will): " + why);
        return;
    }
    log(MOSQ_LOG_NOTICE, "closing connection of '" + id + "': " + why);
    mosquitto_kick_client_by_clientid(id.c_str(), /*with_will=*/true);
}

int TwinPlugin::on_basic_auth(mosquitto_evt_basic_auth &event) {
    mosquitto *client = event.client;
    gone_.erase(client);
    if (options_.profile != Profile::aws_twin) return MOSQ_ERR_PLUGIN_DEFER;
    Connection connection;
    ClientIdentity &identity = connection.identity;
    identity.client_id = id_of(client);
    if (const char *address = mosquitto_client_address(client)) identity.source_ip = address;
    // A refusal returns an error other than MOSQ_ERR_AUTH: Mosquitto then closes the socket
    // without a CONNACK, as AWS IoT Core does (see DEVIATIONS.md).
    const auto refuse = [&](const std::string &why) {
        log(MOSQ_LOG_NOTICE, "refusing connection of '" + identity.client_id + "': " + why);
        return MOSQ_ERR_UNKNOWN;
    };
    if (identity.client_id.size() > options_.broker_limits.max_client_id_bytes) {
        return refuse("client ID longer than AWS IoT Core's 128 bytes");
    }
    if (identity.client_id.starts_with("$"))
        return refuse("client IDs starting with '$' are reserved by AWS IoT Core");
    if (auto *certificate = static_cast<X509 *>(mosquitto_client_certificate(client))) {
        identity.fingerprint = certificate_fingerprint(certificate);
        identity.certificate_values = certificate_policy_values(certificate);
        X509_free(certificate);
    }
    if (!authorizer_) {
        admit(client, std::move(connection));
        return MOSQ_ERR_PLUGIN_DEFER; // no registry: Mosquitto's own settings decide
    }
    const auto outcome = authorizer_->connect(identity);
    if (!outcome.allowed) return refuse(outcome.reason);
    // The username carries the identity into Mosquitto's persistence (see identity_of).
    const int rc = identity.fingerprint
                       ? mosquitto_set_username(client, username_for(*identity.fingerprint).c_str())
                       : mosquitto_set_username(client, nullptr);
    if (rc != MOSQ_ERR_SUCCESS)
        return refuse("cannot record the identity (error " + std::to_string(rc) + ")");
    admit(client, std::move(connection));
    return MOSQ_ERR_SUCCESS;
}

void TwinPlugin::admit(const mosquitto *client, Connection connection) {
    // A connection with the same client ID is about to be taken over: Mosquitto sends its will
    // (and checks it) before it reports the old connection's disconnect, and a kick by client ID
    // then would hit the connection being taken over mid-way. Treat it as gone already.
    for (auto it = live_.begin(); it != live_.end();) {
        if (it->first != client && it->second.identity.client_id == connection.identity.client_id) {
            gone_.insert(it->first);
            it = live_.erase(it);
        } else {
            ++it;
        }
    }
    live_[client] = std::move(connection);
}

bool TwinPlugin::over_publish_rate(const mosquitto *client) {
    if (!options_.rate_limits) return false;
    const auto found = live_.find(client);
    if (found == live_.end()) return false;
    const auto second =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    Connection &connection = found->second;
    if (connection.rate_second != second) {
        connection.rate_second = second;
        connection.rate_count = 0;
    }
    return ++connection.rate_count > options_.broker_limits.publishes_per_second;
}

int TwinPlugin::acl_subscribe(const mosquitto_evt_acl_check &event) {
    const std::string_view filter = event.topic;
    std::string why;
    if (event.qos > 1) {
        why = "QoS 2 SUBSCRIBE to '" + std::string(filter) + "' (AWS IoT Core supports QoS 0 and 1)";
    } else if (const auto violation = check_topic(filter, options_.broker_limits);
               violation != TopicViolation::none) {
        why = std::string(describe(violation)) + ": SUBSCRIBE '" + std::string(filter) + "'";
    } else if (is_foreign_reserved_topic(filter)) {
        why = "SUBSCRIBE to reserved topic '" + std::string(filter) + "'";
    } else if (authorizer_ && authorizer_->restricts(identity_of(event.client))) {
        const auto outcome = authorizer_->subscribe(identity_of(event.client), filter);
        if (!outcome.allowed) why = "unauthorized: " + outcome.reason;
    }
    if (!why.empty()) {
        close(event.client, why);
        return MOSQ_ERR_ACL_DENIED;
    }
    if (mosquitto_client_sub_count(event.client) >= options_.broker_limits.max_subscriptions) {
        log(MOSQ_LOG_NOTICE, "refusing subscription of '" + id_of(event.client) + "' to '" +
                                 std::string(filter) + "': more than 50 subscriptions on one connection");
        return MOSQ_ERR_ACL_DENIED;
    }
    return MOSQ_ERR_SUCCESS;
}

int TwinPlugin::acl_write(const mosquitto_evt_acl_check &event) {
    const std::string_view topic = event.topic;
    std::string why;
    const auto shadow = parse_shadow_topic(topic);
    if (event.qos > 1) {
        why = "QoS 2 PUBLISH to '" + std::string(topic) + "' (AWS IoT Core supports QoS 0 and 1)";
    } else if (event.payloadlen > options_.broker_limits.max_payload_bytes) {
        why = "PUBLISH of " + std::to_string(event.payloadlen) + " bytes (AWS IoT Core's limit is 128 KB)";
    } else if (const auto violation = check_topic(topic, options_.broker_limits);
               violation != TopicViolation::none) {
        why = std::string(describe(violation)) + ": PUBLISH '" + std::string(topic) + "'";
    } else if (shadow && shadow->kind != ShadowTopicKind::request) {
        why = "PUBLISH to shadow response topic '" + std::string(topic) + "' (clients may only subscribe)";
    } else if (is_foreign_reserved_topic(topic)) {
        why = "PUBLISH to reserved topic '" + std::string(topic) + "'";
    } else if (authorizer_ && authorizer_->restricts(identity_of(event.client))) {
        const auto outcome = authorizer_->publish(identity_of(event.client), topic, event.retain);
        if (!outcome.allowed) why = "unauthorized: " + outcome.reason;
    }
    if (!why.empty()) {
        close(event.client, why);
        return MOSQ_ERR_ACL_DENIED;
    }
    if (over_publish_rate(event.client)) {
        log(MOSQ_LOG_INFO,
            "dropping PUBLISH of '" + id_of(event.client) + "': over 100 publishes per second");
        return MOSQ_ERR_ACL_DENIED;
    }
    return MOSQ_ERR_SUCCESS;
}

int TwinPlugin::acl_read(const mosquitto_evt_acl_check &event) {
    if (!authorizer_) return MOSQ_ERR_SUCCESS;
    const ClientIdentity &identity = identity_of(event.client);
    if (!authorizer_->restricts(identity)) return MOSQ_ERR_SUCCESS;
    const auto outcome = authorizer_->receive(identity, event.topic);
    return outcome.allowed ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED; // a denied Receive drops silently
}

int TwinPlugin::on_acl_check(mosquitto_evt_acl_check &event) {
    if (options_.profile != Profile::aws_twin) {
        // Plain MQTT semantics; only the shadow service's own topics are protected.
        if (event.access == MOSQ_ACL_WRITE) {
            const auto shadow = parse_shadow_topic(event.topic);
            if (shadow && shadow->kind != ShadowTopicKind::request) return MOSQ_ERR_ACL_DENIED;
        }
        return MOSQ_ERR_SUCCESS; // deferring would deny: Mosquitto 2.0 denies when every plugin defers
    }
    switch (event.access) {
    case MOSQ_ACL_SUBSCRIBE: return acl_subscribe(event);
    case MOSQ_ACL_WRITE: return acl_write(event);
    case MOSQ_ACL_READ: return acl_read(event);
    default: return MOSQ_ERR_SUCCESS; // unsubscribe
    }
}

int TwinPlugin::on_message(mosquitto_evt_message &event) {
    if (event.client == nullptr || event.topic == nullptr) return MOSQ_ERR_SUCCESS;
    const std::string_view payload(static_cast<const char *>(event.payload), event.payloadlen);
    const auto replies = shadows_.handle(event.topic, payload, std::chrono::system_clock::now());
    for (const auto &reply : replies) {
        const int rc = mosquitto_broker_publish_copy(nullptr, reply.topic.c_str(),
                                                     static_cast<int>(reply.payload.size()),
                                                     reply.payload.data(), kReplyQos, false, nullptr);
        if (rc != MOSQ_ERR_SUCCESS)
            log(MOSQ_LOG_WARNING, "cannot publish " + reply.topic + ": " + mosquitto_strerror(rc));
    }
    return MOSQ_ERR_SUCCESS; // the request itself still reaches subscribers of its topic
}

int TwinPlugin::on_disconnect(mosquitto_evt_disconnect &event) {
    live_.erase(event.client);
    gone_.insert(event.client);
    return MOSQ_ERR_SUCCESS;
}

int TwinPlugin::on_reload(mosquitto_evt_reload & /*event*/) {
    try {
        std::string digest;
        authorizer_ = load_authorizer(digest);
        registry_digest_ = std::move(digest);
    } catch (const std::exception &e) {
        log(MOSQ_LOG_ERR,
            std::string("reload failed, keeping the previous registry and policies: ") + e.what());
        return MOSQ_ERR_SUCCESS;
    }
    log(MOSQ_LOG_NOTICE, "registry and policies reloaded" +
                             (registry_digest_.empty() ? "" : " (registry sha256 " + registry_digest_ + ")"));
    if (!authorizer_) return MOSQ_ERR_SUCCESS;
    std::vector<std::pair<const mosquitto *, std::string>> revoked;
    for (const auto &[client, connection] : live_) {
        if (connection.identity.fingerprint && !authorizer_->certificate_active(connection.identity)) {
            revoked.emplace_back(client, connection.identity.client_id);
        }
    }
    for (const auto &[client, id] : revoked) close(client, "certificate no longer ACTIVE after reload");
    return MOSQ_ERR_SUCCESS;
}

} // namespace hil::twin

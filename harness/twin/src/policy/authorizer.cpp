#include "hil/twin/authorizer.hpp"

#include <algorithm>
#include <set>

namespace hil::twin {

Authorizer::Authorizer(Registry registry, PolicySet policies, AuthorizerOptions options)
    : registry_(std::move(registry)), policies_(std::move(policies)), options_(std::move(options)) {
    auto names = registry_.policy_names();
    if (options_.anonymous_policies) {
        names.insert(names.end(), options_.anonymous_policies->begin(), options_.anonymous_policies->end());
    }
    for (const auto &name : names) {
        if (policies_.find(name) == policies_.end()) {
            throw PolicyError("policy '" + name + "' is attached but there is no such policy document");
        }
    }
}

std::string Authorizer::arn(std::string_view type, std::string_view name) const {
    return "arn:aws:iot:" + options_.scope.region + ":" + options_.scope.account + ":" + std::string(type) +
           "/" + std::string(name);
}

bool Authorizer::unrestricted(const ClientIdentity &client) const {
    return !client.fingerprint && !options_.anonymous_policies;
}

bool Authorizer::certificate_active(const ClientIdentity &client) const {
    if (!client.fingerprint) return true;
    const CertificateEntry *entry = registry_.certificate(*client.fingerprint);
    return entry != nullptr && entry->status == CertificateStatus::active;
}

std::vector<const Policy *> Authorizer::policies_of(const ClientIdentity &client) const {
    std::set<std::string> names;
    if (!client.fingerprint) {
        if (options_.anonymous_policies)
            names.insert(options_.anonymous_policies->begin(), options_.anonymous_policies->end());
    } else if (const CertificateEntry *entry = registry_.certificate(*client.fingerprint)) {
        names.insert(entry->policies.begin(), entry->policies.end());
        for (const auto &thing_name : entry->things) {
            if (const ThingEntry *thing = registry_.thing(thing_name)) {
                names.insert(thing->policies.begin(), thing->policies.end());
            }
        }
    }
    std::vector<const Policy *> out;
    for (const auto &name : names) {
        const auto found = policies_.find(name);
        if (found != policies_.end()) out.push_back(&found->second);
    }
    return out;
}

RequestContext Authorizer::context_of(const ClientIdentity &client) const {
    RequestContext context;
    context.values["iot:ClientId"] = client.client_id;
    if (!client.source_ip.empty()) context.values["aws:SourceIp"] = client.source_ip;
    for (const auto &[key, value] : client.certificate_values) context.values[key] = value;
    if (!client.fingerprint) return context;
    const CertificateEntry *entry = registry_.certificate(*client.fingerprint);
    const bool attached = entry != nullptr && std::find(entry->things.begin(), entry->things.end(),
                                                        client.client_id) != entry->things.end();
    context.values["iot:Connection.Thing.IsAttached"] = attached ? "true" : "false";
    if (!attached) return context;
    context.values["iot:Connection.Thing.ThingName"] = client.client_id;
    if (const ThingEntry *thing = registry_.thing(client.client_id)) {
        if (!thing->type.empty()) context.values["iot:Connection.Thing.ThingTypeName"] = thing->type;
        for (const auto &[name, value] : thing->attributes) {
            context.values["iot:Connection.Thing.Attributes[" + name + "]"] = value;
        }
    }
    return context;
}

AuthOutcome Authorizer::check(const ClientIdentity &client, std::string_view action,
                              const std::string &resource) const {
    const std::string what = std::string(action) + " on " + resource;
    if (unrestricted(client)) return {true, what + ": allowed (client without certificate, unrestricted)"};
    if (!certificate_active(client)) return {false, what + ": certificate not registered or not ACTIVE"};
    const auto evaluation = evaluate(policies_of(client), action, resource, context_of(client));
    std::string reason = what + ": " + std::string(to_string(evaluation.decision));
    if (evaluation.policy != nullptr) {
        reason +=
            " by policy '" + evaluation.policy->name + "' statement " + std::to_string(evaluation.statement);
    }
    return {evaluation.allowed(), std::move(reason)};
}

AuthOutcome Authorizer::connect(const ClientIdentity &client) const {
    if (client.fingerprint) {
        const CertificateEntry *entry = registry_.certificate(*client.fingerprint);
        if (entry == nullptr) return {false, "certificate " + *client.fingerprint + " is not registered"};
        if (entry->status != CertificateStatus::active) {
            return {false,
                    "certificate " + *client.fingerprint + " is " + std::string(to_string(entry->status))};
        }
    }
    return check(client, "iot:Connect", arn("client", client.client_id));
}

AuthOutcome Authorizer::publish(const ClientIdentity &client, std::string_view topic, bool retain) const {
    const std::string resource = arn("topic", topic);
    auto outcome = check(client, "iot:Publish", resource);
    if (outcome.allowed && retain) return check(client, "iot:RetainPublish", resource);
    return outcome;
}

AuthOutcome Authorizer::subscribe(const ClientIdentity &client, std::string_view filter) const {
    return check(client, "iot:Subscribe", arn("topicfilter", filter));
}

AuthOutcome Authorizer::receive(const ClientIdentity &client, std::string_view topic) const {
    return check(client, "iot:Receive", arn("topic", topic));
}

} // namespace hil::twin

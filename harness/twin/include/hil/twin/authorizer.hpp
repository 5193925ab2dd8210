#pragma once
// Authorization of MQTT operations the way AWS IoT Core does it (reference sections C.3 and D):
// the client's certificate must be registered and ACTIVE, and the policies attached to it (and
// to the things it is attached to) must allow the action on the resource ARN:
//
//   CONNECT          iot:Connect        client/<clientId>
//   PUBLISH          iot:Publish        topic/<topic>       (+ iot:RetainPublish if RETAIN)
//   SUBSCRIBE        iot:Subscribe      topicfilter/<filter, literally>
//   delivery         iot:Receive        topic/<topic>
//
// Policy variables come from the connection: ${iot:ClientId}, ${aws:SourceIp},
// ${iot:Connection.Thing.ThingName|ThingTypeName|Attributes[a]|IsAttached} (thing variables
// resolve only when the certificate is attached to a thing named like the client ID),
// ${iot:Certificate.*} (from the certificate, when known). Pure: no broker, no OpenSSL.

#include "hil/twin/policy.hpp"
#include "hil/twin/policy_evaluator.hpp"
#include "hil/twin/registry.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hil::twin {

/// Region and account of the ARNs the twin pretends to live in.
struct ArnScope {
    std::string region = "us-east-1";
    std::string account = "123456789012";
};

/// Who a connection is.
struct ClientIdentity {
    std::string client_id;
    std::optional<std::string> fingerprint; ///< SHA-256 of the client certificate; none on plain listeners
    std::string source_ip;
    /// Certificate policy variables: "iot:Certificate.Subject.CommonName" -> "lamp-1", ...
    std::map<std::string, std::string> certificate_values;
};

struct AuthorizerOptions {
    ArnScope scope;
    /// Policies for clients without a certificate (plain listeners; AWS has none). nullopt:
    /// such clients are not restricted at all.
    std::optional<std::vector<std::string>> anonymous_policies;
};

/// A decision with a sentence for the broker log ("iot:Publish on arn:...: explicit deny by
/// policy 'device' statement 1").
struct AuthOutcome {
    bool allowed = false;
    std::string reason;
};

class Authorizer {
  public:
    /// Throws PolicyError if the registry or `anonymous_policies` names a policy not in `policies`.
    Authorizer(Registry registry, PolicySet policies, AuthorizerOptions options);

    /// Certificate registered and ACTIVE (C.3), and iot:Connect allowed.
    [[nodiscard]] AuthOutcome connect(const ClientIdentity &client) const;
    /// iot:Publish, and iot:RetainPublish when `retain`.
    [[nodiscard]] AuthOutcome publish(const ClientIdentity &client, std::string_view topic,
                                      bool retain) const;
    /// iot:Subscribe on the literal filter.
    [[nodiscard]] AuthOutcome subscribe(const ClientIdentity &client, std::string_view filter) const;
    /// iot:Receive.
    [[nodiscard]] AuthOutcome receive(const ClientIdentity &client, std::string_view topic) const;

    /// The policy variables and condition keys of `client`.
    [[nodiscard]] RequestContext context_of(const ClientIdentity &client) const;
    /// `arn:aws:iot:<region>:<account>:<type>/<name>`.
    [[nodiscard]] std::string arn(std::string_view type, std::string_view name) const;
    /// False for a client without a certificate when such clients are unrestricted: every check
    /// would allow, so callers on a hot path (every delivery) can skip them.
    [[nodiscard]] bool restricts(const ClientIdentity &client) const { return !unrestricted(client); }
    /// True if the certificate (if any) is registered and ACTIVE.
    [[nodiscard]] bool certificate_active(const ClientIdentity &client) const;

    [[nodiscard]] const Registry &registry() const { return registry_; }

  private:
    [[nodiscard]] AuthOutcome check(const ClientIdentity &client, std::string_view action,
                                    const std::string &resource) const;
    [[nodiscard]] std::vector<const Policy *> policies_of(const ClientIdentity &client) const;
    [[nodiscard]] bool unrestricted(const ClientIdentity &client) const;

    Registry registry_;
    PolicySet policies_;
    AuthorizerOptions options_;
};

} // namespace hil::twin

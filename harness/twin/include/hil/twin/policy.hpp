#pragma once
// AWS IoT policy documents (reference section D): parsed and validated into statements.
//
//   {"Version": "2012-10-17",
//    "Statement": [{"Sid"?: "...", "Effect": "Allow" | "Deny",
//                   "Action" | "NotAction": "iot:Publish" | [...],
//                   "Resource" | "NotResource": "arn:aws:iot:<region>:<account>:topic/..." | [...],
//                   "Condition"?: {"StringEquals": {"iot:ClientId": "a"}, ...}}]}
//
// Bad documents are refused with the JSON path of the problem (PolicyError), never half-loaded.

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hil::twin {

enum class Effect { allow, deny };

/// One condition: operator (without IfExists), key, values (ORed; NORed for negated operators).
struct Condition {
    std::string op; ///< "StringEquals", "StringLike", "Bool", "IpAddress", "Null", ...
    bool if_exists = false;
    std::string key; ///< "iot:ClientId", "aws:SourceIp", "iot:Connection.Thing.IsAttached", ...
    std::vector<std::string> values;
};

struct Statement {
    std::string sid;
    Effect effect = Effect::deny;
    bool not_action = false;            ///< NotAction: the statement applies to every other action
    std::vector<std::string> actions;   ///< "iot:Publish", "iot:*", "*" (case-insensitive, wildcards)
    bool not_resource = false;          ///< NotResource: the statement applies to every other resource
    std::vector<std::string> resources; ///< ARN patterns: `*`, `?`, `${var}`; `+` and `#` literal
    std::vector<Condition> conditions;  ///< all must hold
};

struct Policy {
    std::string name;
    std::vector<Statement> statements;
};

/// A policy document that cannot be used; what() names the policy and the JSON path.
class PolicyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses one policy document. Throws PolicyError: not JSON, Version not "2012-10-17",
/// no Statement, Effect not Allow/Deny, both or neither of Action/NotAction or
/// Resource/NotResource, an unsupported condition operator, a Principal (IoT policies have none).
[[nodiscard]] Policy parse_policy(std::string_view text, std::string name);

/// Policies by name.
using PolicySet = std::map<std::string, Policy, std::less<>>;

/// Every `<name>.json` of `dir`, named after the file stem. Throws PolicyError (with the file).
[[nodiscard]] PolicySet load_policy_directory(const std::filesystem::path &dir);

} // namespace hil::twin

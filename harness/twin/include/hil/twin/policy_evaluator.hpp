#pragma once
// Policy evaluation with IAM semantics (reference section D): default deny, any Allow allows,
// an explicit Deny wins over every Allow. Resources are matched as whole strings with `*` (any
// run, `/` included) and `?` (one character); `+` and `#` are literal. Policy variables
// (`${iot:ClientId}`, `${iot:Connection.Thing.ThingName}`, ...) are substituted as literal text
// before matching; `${*}`, `${?}`, `${$}` are a literal `*`, `?`, `$`. A pattern whose variable
// has no value in the request matches nothing (so a Resource with it never allows, and a
// NotResource with it excludes nothing).

#include "hil/twin/policy.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hil::twin {

/// The values of policy variables and condition keys for one request, by name without `${}`:
/// "iot:ClientId", "aws:SourceIp", "iot:Connection.Thing.ThingName",
/// "iot:Connection.Thing.Attributes[color]", "iot:Certificate.Subject.CommonName", ...
/// A name that is absent is unresolved.
struct RequestContext {
    std::map<std::string, std::string, std::less<>> values;
};

enum class Decision { allow, implicit_deny, explicit_deny };

/// The decision and the statement that made it (none for an implicit deny), for logs.
struct Evaluation {
    Decision decision = Decision::implicit_deny;
    const Policy *policy = nullptr;
    std::size_t statement = 0;

    [[nodiscard]] bool allowed() const { return decision == Decision::allow; }
};

/// Evaluates `action` on `resource` (a full ARN) against every policy in `policies`.
[[nodiscard]] Evaluation evaluate(const std::vector<const Policy *> &policies, std::string_view action,
                                  std::string_view resource, const RequestContext &context);

/// Substitutes the policy variables of `pattern`; nullopt if one is unresolved. The result marks
/// wildcards from the pattern apart from characters that came from values (which are literal).
struct ResolvedPattern {
    std::string text;       ///< the substituted text
    std::vector<bool> wild; ///< per character: true for a wildcard `*`/`?` written in the pattern
};
[[nodiscard]] std::optional<ResolvedPattern> resolve_pattern(std::string_view pattern,
                                                             const RequestContext &context);

/// Whole-string glob match of a resolved pattern. `fold_case` for actions.
[[nodiscard]] bool glob_match(const ResolvedPattern &pattern, std::string_view subject,
                              bool fold_case = false);

/// "allow", "implicit deny", "explicit deny".
[[nodiscard]] std::string_view to_string(Decision decision);

} // namespace hil::twin

#pragma once
// Policy conditions (internal): the IAM operators AWS IoT policies use with its condition keys.

#include "hil/twin/policy.hpp"
#include "hil/twin/policy_evaluator.hpp"

#include <string>
#include <string_view>

namespace hil::twin::detail {

/// StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
/// StringNotLike, ArnEquals, ArnNotEquals, ArnLike, ArnNotLike, Bool, IpAddress, NotIpAddress, Null.
[[nodiscard]] bool is_supported_condition_operator(std::string_view op);
/// The list above, comma-separated (for error messages).
[[nodiscard]] std::string supported_condition_operators();

/// IAM semantics: a missing key fails a positive operator, satisfies a negated one, and
/// satisfies any `...IfExists`; values are ORed (a negated operator holds if none matches).
[[nodiscard]] bool condition_holds(const Condition &condition, const RequestContext &context);

/// `address` (IPv4 or IPv6) lies within `cidr` ("10.0.0.0/8", "::1", "192.0.2.7").
[[nodiscard]] bool ip_in_cidr(std::string_view address, std::string_view cidr);

} // namespace hil::twin::detail

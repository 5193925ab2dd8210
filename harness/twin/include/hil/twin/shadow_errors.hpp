#pragma once
// The error responses of the Device Shadow service (reference A.10), byte for byte. An error
// reply is {"code": c, "message": m[, "clientToken": t]} on the operation's `rejected` topic.

#include <string>
#include <string_view>

namespace hil::twin {

struct ShadowError {
    int code = 0;
    std::string message;
};

namespace shadow_errors {
inline constexpr std::string_view invalid_json = "Invalid JSON";
inline constexpr std::string_view missing_state = "Missing required node: state";
inline constexpr std::string_view state_not_object = "State node must be an object";
inline constexpr std::string_view desired_not_object = "Desired node must be an object";
inline constexpr std::string_view reported_not_object = "Reported node must be an object";
inline constexpr std::string_view invalid_version = "Invalid version";
inline constexpr std::string_view invalid_client_token = "Invalid clientToken";
inline constexpr std::string_view too_deep = "JSON contains too many levels of nesting; maximum is 6";
inline constexpr std::string_view invalid_node_prefix = "State contains an invalid node: '";
inline constexpr std::string_view no_shadow_prefix = "No shadow exists with name: '";
inline constexpr std::string_view version_conflict = "Version conflict";
inline constexpr std::string_view too_large = "The payload exceeds the maximum size allowed";
inline constexpr std::string_view not_utf8 = "Unsupported documented encoding; supported encoding is UTF-8";
/// 429's text is undocumented (A.10); Greengrass's text.
inline constexpr std::string_view too_many_requests = "Too Many Requests";
inline constexpr std::string_view internal_failure = "Internal service failure";
} // namespace shadow_errors

} // namespace hil::twin

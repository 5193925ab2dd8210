#pragma once
// `${name}` substitution in scenario strings. The loader checks every reference against the
// known variable names before anything runs; the runner substitutes the values of one execution.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hil {

using Variables = std::map<std::string, std::string, std::less<>>;

/// Names of the built-in variables of schema v0 (run, thing, client_id, broker.url, ...).
[[nodiscard]] const std::vector<std::string_view> &builtin_variable_names();

/// Every `${name}` referenced in `text`, in order. A `$${` is a literal `${`. Sets `error` for an
/// unterminated or empty reference.
[[nodiscard]] std::vector<std::string> referenced_variables(std::string_view text, std::string &error);

/// `text` with every reference replaced. Throws std::out_of_range naming an unknown variable.
[[nodiscard]] std::string substitute(std::string_view text, const Variables &vars);

/// Replaces only the references `vars` defines and leaves everything else — other references
/// and `$${` escapes — exactly as written (matrix values go in at load time, the rest at run time).
[[nodiscard]] std::string substitute_known(std::string_view text, const Variables &vars);

/// substitute() applied to every string inside a JSON value (keys untouched). A string that is
/// exactly one reference whose value is an integer becomes a number (ports, slots).
[[nodiscard]] nlohmann::json substitute_json(const nlohmann::json &value, const Variables &vars);

} // namespace hil

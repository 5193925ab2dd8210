#include "hil/scenario/template.hpp"

#include "hil/core/json_strings.hpp"

#include <regex>
#include <stdexcept>

namespace hil {

const std::vector<std::string_view> &builtin_variable_names() {
    static const std::vector<std::string_view> names = {
        "run", "run_id", "thing", "client_id", "cloud.client_id",
        // the endpoint mqtt.connect uses by default, then each endpoint of the embedded broker by name
        "broker.host", "broker.port", "broker.url", "broker.plain.host", "broker.plain.port",
        "broker.plain.url",
        // the TLS listeners, one per broker certificate variant (run_broker_options() in the bench)
        "broker.tls.host", "broker.tls.port", "broker.tls.url", "broker.untrusted.host",
        "broker.untrusted.port", "broker.untrusted.url", "broker.wronghost.host", "broker.wronghost.port",
        "broker.wronghost.url", "broker.expired.host", "broker.expired.port", "broker.expired.url",
        "broker.notyetvalid.host", "broker.notyetvalid.port", "broker.notyetvalid.url",
        "broker.selfsigned.host", "broker.selfsigned.port", "broker.selfsigned.url",
        "broker.intermediate.host", "broker.intermediate.port", "broker.intermediate.url", "broker.rsa.host",
        "broker.rsa.port", "broker.rsa.url",
        // aws-twin: AWS IoT Core's endpoint rules in front of `tls` (8883's; 443's with ALPN)
        "broker.endpoint.host", "broker.endpoint.port", "broker.endpoint.url", "broker.endpoint443.host",
        "broker.endpoint443.port", "broker.endpoint443.url"};
    return names;
}

namespace {
// Calls on_ref(name) for each reference and on_text(chunk) for literal text between them.
template <class OnText, class OnRef>
bool scan(std::string_view text, std::string &error, OnText on_text, OnRef on_ref) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t dollar = text.find('$', pos);
        if (dollar == std::string_view::npos || dollar + 1 >= text.size()) {
            on_text(text.substr(pos));
            return true;
        }
        if (text.compare(dollar, 3, "$${") == 0) {
            on_text(text.substr(pos, dollar - pos));
            on_text("${");
            pos = dollar + 3;
            continue;
        }
        if (text[dollar + 1] != '{') {
            on_text(text.substr(pos, dollar + 1 - pos));
            pos = dollar + 1;
            continue;
        }
        const std::size_t close = text.find('}', dollar + 2);
        if (close == std::string_view::npos) {
            error = "unterminated '${' in \"" + std::string(text) + "\"";
            return false;
        }
        const auto name = text.substr(dollar + 2, close - dollar - 2);
        if (name.empty()) {
            error = "empty variable reference '${}'";
            return false;
        }
        on_text(text.substr(pos, dollar - pos));
        on_ref(name);
        pos = close + 1;
    }
    return true;
}
} // namespace

std::vector<std::string> referenced_variables(std::string_view text, std::string &error) {
    std::vector<std::string> names;
    scan(
        text, error, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
    return names;
}

std::string substitute(std::string_view text, const Variables &vars) {
    std::string out;
    std::string error;
    const bool ok = scan(
        text, error, [&](std::string_view chunk) { out += chunk; },
        [&](std::string_view name) {
            const auto it = vars.find(name);
            if (it == vars.end()) throw std::out_of_range("undefined variable ${" + std::string(name) + "}");
            out += it->second;
        });
    if (!ok) throw std::invalid_argument(error);
    return out;
}

std::string substitute_known(std::string_view text, const Variables &vars) {
    if (vars.empty()) return std::string(text);
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t dollar = text.find('$', pos);
        if (dollar == std::string_view::npos) break;
        out += text.substr(pos, dollar - pos);
        if (text.compare(dollar, 3, "$${") == 0) {
            out += "$${";
            pos = dollar + 3;
            continue;
        }
        const std::size_t close =
            text.compare(dollar, 2, "${") == 0 ? text.find('}', dollar + 2) : std::string_view::npos;
        const auto it = close == std::string_view::npos
                            ? vars.end()
                            : vars.find(text.substr(dollar + 2, close - dollar - 2));
        if (it == vars.end()) {
            out += '$';
            pos = dollar + 1;
            continue;
        }
        out += it->second;
        pos = close + 1;
    }
    out += text.substr(std::min(pos, text.size()));
    return out;
}

nlohmann::json substitute_json(const nlohmann::json &value, const Variables &vars) {
    return map_json_strings(value, [&vars](const std::string &text) -> nlohmann::json {
        std::string out = substitute(text, vars);
        // A value that is one whole reference takes the variable's type: "${broker.port}" is a number.
        static const std::regex whole_reference(R"(\$\{[^}]+\})");
        static const std::regex integer("-?[0-9]+");
        if (std::regex_match(text, whole_reference) && std::regex_match(out, integer)) return std::stoll(out);
        return out;
    });
}

} // namespace hil

#include "hil/scenario/loader.hpp"

#include "hil/console/protocol.hpp"
#include "hil/scenario/names.hpp"
#include "hil/scenario/template.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace hil {

const char *keyword(StepKind kind) {
    switch (kind) {
    case StepKind::device: return "device";
    case StepKind::expect_device: return "expect.device";
    case StepKind::cloud_subscribe: return "cloud.subscribe";
    case StepKind::cloud_publish: return "cloud.publish";
    case StepKind::expect_cloud: return "expect.cloud";
    }
    return "?";
}

namespace {

constexpr Millis kDefaultReplyWithin{5000};
constexpr Millis kDefaultExpectWithin{5000};
constexpr Millis kDefaultCloudWithin{5000};

struct StepSpec {
    StepKind kind;
    const char *main;                      // name of the main argument in the map form
    std::vector<std::string_view> options; // allowed option keys besides the main one
};

const std::vector<std::pair<std::string_view, StepSpec>> &step_specs() {
    static const std::vector<std::pair<std::string_view, StepSpec>> specs = {
        {"device", {StepKind::device, "command", {"args", "as", "expect", "within"}}},
        {"expect.device", {StepKind::expect_device, "event", {"match", "as", "within"}}},
        {"cloud.subscribe", {StepKind::cloud_subscribe, "topic", {"qos", "within"}}},
        {"cloud.publish", {StepKind::cloud_publish, "topic", {"payload", "qos", "retain", "within"}}},
        {"expect.cloud", {StepKind::expect_cloud, "topic", {"payload", "match", "qos", "within"}}},
    };
    return specs;
}

const std::vector<std::string_view> &step_keywords() {
    static const std::vector<std::string_view> list = [] {
        std::vector<std::string_view> out;
        for (const auto &[name, spec] : step_specs()) out.push_back(name);
        return out;
    }();
    return list;
}

const std::vector<std::string_view> kTopKeys = {"name", "description", "tags", "requires", "kills", "steps"};
// Part of schema v0 (scenarios/README.md) but not executed by this engine yet.
const std::vector<std::string_view> kReservedTopKeys = {"matrix", "setup",   "include", "devices",
                                                        "xfail",  "profile", "timeout"};

class Validator {
  public:
    explicit Validator(std::string file) : file_(std::move(file)) {}

    void issue(const YAML::Node &at, std::string message) {
        const auto mark = at.Mark();
        issues_.push_back({file_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0,
                           std::move(message)});
    }
    void issue(const YAML::Mark &mark, std::string message) {
        issues_.push_back({file_, mark.line + 1, mark.column + 1, std::move(message)});
    }
    [[nodiscard]] const std::vector<ConfigIssue> &issues() const { return issues_; }
    [[nodiscard]] const std::string &file() const { return file_; }

    SourcePos pos(const YAML::Node &node) const {
        return {file_, node.Mark().line + 1, node.Mark().column + 1};
    }

    // ---- typed readers: record an issue and return a default on a type mismatch ----------------
    std::string string(const YAML::Node &node, const std::string &what) {
        if (!node.IsScalar()) {
            issue(node, what + ": expected a string");
            return {};
        }
        check_variables(node);
        return node.Scalar();
    }

    std::vector<std::string> string_list(const YAML::Node &node, const std::string &what) {
        std::vector<std::string> out;
        if (node.IsScalar()) return {string(node, what)};
        if (!node.IsSequence()) {
            issue(node, what + ": expected a list of strings");
            return out;
        }
        for (const auto &item : node) out.push_back(string(item, what + " entry"));
        return out;
    }

    Millis duration(const YAML::Node &node, const std::string &what) {
        if (!node.IsScalar()) {
            issue(node, what + ": expected a duration like 500ms, 5s or 1m");
            return Millis{0};
        }
        try {
            return parse_duration(node.Scalar());
        } catch (const std::invalid_argument &e) {
            issue(node, what + ": " + e.what());
            return Millis{0};
        }
    }

    int qos(const YAML::Node &node) {
        if (node.IsScalar()) {
            const auto &s = node.Scalar();
            if (s == "0" || s == "1" || s == "2") return s[0] - '0';
        }
        issue(node, "qos: expected 0, 1 or 2");
        return 0;
    }

    bool boolean(const YAML::Node &node, const std::string &what) {
        if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
            return node.Scalar() == "true";
        }
        issue(node, what + ": expected true or false");
        return false;
    }

    /// YAML -> JSON. Plain scalars are typed (true/false, null/~, decimal integers and decimals);
    /// quoted scalars and everything else stay strings.
    nlohmann::json json(const YAML::Node &node) {
        switch (node.Type()) {
        case YAML::NodeType::Null: return nullptr;
        case YAML::NodeType::Sequence: {
            auto out = nlohmann::json::array();
            for (const auto &item : node) out.push_back(json(item));
            return out;
        }
        case YAML::NodeType::Map: {
            auto out = nlohmann::json::object();
            for (const auto &kv : node) {
                if (!kv.first.IsScalar()) {
                    issue(kv.first, "mapping keys must be strings");
                    continue;
                }
                out[kv.first.Scalar()] = json(kv.second);
            }
            return out;
        }
        case YAML::NodeType::Scalar: return scalar(node);
        default: return nullptr;
        }
    }

    /// Matcher operators (`$gt`, `$regex`, ...) and a plain `absent` are reserved by schema v0 for
    /// later versions: refuse them now, so adding them never changes what a loaded file means.
    void reject_reserved_matchers(const YAML::Node &node) {
        if (node.IsScalar() && node.Tag() != "!" && node.Scalar() == "absent") {
            issue(node, "match: 'absent' is reserved in schema v0 and not implemented yet (quote it to mean "
                        "the text)");
        } else if (node.IsMap()) {
            for (const auto &kv : node) {
                if (kv.first.IsScalar() && kv.first.Scalar().rfind('$', 0) == 0) {
                    issue(kv.first, "match: operator '" + kv.first.Scalar() +
                                        "' is reserved in schema v0 and not implemented yet");
                }
                reject_reserved_matchers(kv.second);
            }
        } else if (node.IsSequence()) {
            for (const auto &item : node) reject_reserved_matchers(item);
        }
    }

    void check_variables(const YAML::Node &scalar_node) {
        std::string error;
        for (const auto &name : referenced_variables(scalar_node.Scalar(), error)) {
            if (!names::contains(builtin_variable_names(), name)) {
                const auto near = names::nearest(builtin_variable_names(), name);
                issue(scalar_node, "undefined variable ${" + name + "}" +
                                       (near.empty() ? "" : " (did you mean ${" + std::string(near) + "}?)"));
            }
        }
        if (!error.empty()) issue(scalar_node, error);
    }

  private:
    nlohmann::json scalar(const YAML::Node &node) {
        check_variables(node);
        const std::string &s = node.Scalar();
        if (node.Tag() == "!") return s; // quoted: always a string
        if (s == "true") return true;
        if (s == "false") return false;
        if (s == "null" || s == "~") return nullptr;
        static const std::regex integer("-?[0-9]+");
        static const std::regex decimal("-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?");
        try {
            if (std::regex_match(s, integer)) return std::stoll(s);
            if (std::regex_match(s, decimal)) return std::stod(s);
        } catch (const std::out_of_range &) {
            // too large for a number: keep the text
        }
        return s;
    }

    std::string file_;
    std::vector<ConfigIssue> issues_;
};

void check_names(Validator &v, const YAML::Node &node, const std::vector<std::string> &values,
                 const std::vector<std::string_view> &registry, const std::string &what) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (names::contains(registry, values[i])) continue;
        const auto near = names::nearest(registry, values[i]);
        const YAML::Node at = node.IsSequence() ? node[i] : node;
        v.issue(at, "unknown " + what + " '" + values[i] + "'" +
                        (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
    }
}

Step parse_step(Validator &v, const YAML::Node &item) {
    Step step;
    step.pos = v.pos(item);
    if (!item.IsMap()) {
        v.issue(item, "a step must be a mapping like '- device: mqtt.connect'");
        return step;
    }
    // Find the one step keyword among the keys; every other key is an option of that step.
    const StepSpec *spec = nullptr;
    YAML::Node main_key;
    YAML::Node main_value;
    for (const auto &kv : item) {
        const std::string key = kv.first.Scalar();
        for (const auto &[name, candidate] : step_specs()) {
            if (key == name) {
                if (spec != nullptr) v.issue(kv.first, "two step keywords in one step: '" + key + "'");
                spec = &candidate;
                main_key = kv.first;
                main_value = kv.second;
            }
        }
    }
    if (spec == nullptr) {
        const std::string first = item.begin()->first.Scalar();
        const auto near = names::nearest(step_keywords(), first);
        std::string known;
        for (const auto k : step_keywords()) known += (known.empty() ? "" : ", ") + std::string(k);
        v.issue(item.begin()->first,
                "unknown step '" + first + "'" +
                    (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)") +
                    "; expected one of: " + known);
        return step;
    }
    step.kind = spec->kind;
    const std::string kw = keyword(spec->kind);

    // Options: siblings of the keyword, or the keyword's own map (map form).
    std::vector<std::pair<YAML::Node, YAML::Node>> options;
    if (main_value.IsMap()) {
        bool has_main = false;
        for (const auto &kv : main_value) {
            if (kv.first.Scalar() == spec->main) {
                has_main = true;
                step.target = v.string(kv.second, kw + " " + spec->main);
            } else {
                options.emplace_back(kv.first, kv.second);
            }
        }
        if (!has_main) v.issue(main_value, kw + ": missing '" + spec->main + "'");
    } else {
        step.target = v.string(main_value, kw);
    }
    for (const auto &kv : item) {
        if (kv.first.Scalar() != kw) options.emplace_back(kv.first, kv.second);
    }

    for (const auto &[key_node, value] : options) {
        const std::string key = key_node.Scalar();
        if (!names::contains(spec->options, key)) {
            const auto near = names::nearest(spec->options, key);
            std::string allowed;
            for (const auto o : spec->options) allowed += (allowed.empty() ? "" : ", ") + std::string(o);
            v.issue(key_node, "unknown option '" + key + "' for " + kw +
                                  (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)") +
                                  "; allowed: " + allowed);
            continue;
        }
        if (key == "within")
            step.within = v.duration(value, kw + " within");
        else if (key == "as")
            step.device = v.string(value, "as");
        else if (key == "qos")
            step.qos = v.qos(value);
        else if (key == "retain")
            step.retain = v.boolean(value, "retain");
        else if (key == "expect")
            step.expect_answer = v.string(value, "expect");
        else if (key == "args") {
            if (!value.IsMap())
                v.issue(value, "args: expected a mapping of argument names to values");
            else
                step.args = v.json(value);
        } else if (key == "match") {
            v.reject_reserved_matchers(value);
            step.match = v.json(value);
        } else if (key == "payload") {
            if (value.IsScalar())
                step.payload = v.string(value, "payload");
            else
                step.payload = v.json(value).dump(); // a mapping is sent / compared as JSON text
        }
    }

    // Per-kind checks and defaults.
    switch (step.kind) {
    case StepKind::device:
        if (!step.target.empty() && !protocol::is_valid_name(step.target)) {
            v.issue(main_value, "device: '" + step.target +
                                    "' is not a valid command name (lower-case, digits, '_', '.', '-')");
        }
        if (step.expect_answer != "ok" && step.expect_answer != "err" &&
            !names::contains(names::error_classes(), step.expect_answer)) {
            const auto near = names::nearest(names::error_classes(), step.expect_answer);
            v.issue(item, "expect: '" + step.expect_answer + "' is not ok, err or an error class" +
                              (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
        }
        if (step.within.count() < 0) step.within = kDefaultReplyWithin;
        break;
    case StepKind::expect_device:
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    case StepKind::cloud_publish:
        if (!step.payload) step.payload = "";
        [[fallthrough]];
    case StepKind::cloud_subscribe:
        if (step.target.find_first_of("+#") != std::string::npos && step.kind == StepKind::cloud_publish) {
            v.issue(main_value, "cloud.publish: a topic name cannot contain '+' or '#'");
        }
        if (step.within.count() < 0) step.within = kDefaultCloudWithin;
        break;
    case StepKind::expect_cloud:
        if (step.payload && step.match)
            v.issue(item, "expect.cloud: use either 'payload' (exact) or 'match' (JSON subset), not both");
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    }
    if (step.target.empty() && main_value.IsScalar())
        v.issue(main_value, kw + ": the value must not be empty");
    return step;
}

} // namespace

Scenario load_scenario_text(const std::string &text, const std::string &file) {
    Validator v(file);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        throw ConfigError(
            ConfigIssue{file, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    }
    Scenario sc;
    sc.file = file;
    if (!root.IsMap()) {
        throw ConfigError(
            ConfigIssue{file, 1, 1, "a scenario file must be a mapping with 'name' and 'steps'"});
    }
    sc.pos = v.pos(root);
    for (const auto &kv : root) {
        const std::string key = kv.first.Scalar();
        const auto &value = kv.second;
        if (names::contains(kReservedTopKeys, key)) {
            v.issue(kv.first,
                    "'" + key + "' is part of scenario schema v0 but not implemented by this version of hil");
        } else if (!names::contains(kTopKeys, key)) {
            const auto near = names::nearest(kTopKeys, key);
            v.issue(kv.first, "unknown key '" + key + "'" +
                                  (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
        } else if (key == "name")
            sc.name = v.string(value, "name");
        else if (key == "description")
            sc.description = v.string(value, "description");
        else if (key == "tags")
            sc.tags = v.string_list(value, "tags");
        else if (key == "requires") {
            sc.requires_ = v.string_list(value, "requires");
            check_names(v, value, sc.requires_, names::capabilities(), "capability");
        } else if (key == "kills") {
            sc.kills = v.string_list(value, "kills");
            check_names(v, value, sc.kills, names::misbehaviours(), "misbehaviour");
        } else if (key == "steps") {
            if (!value.IsSequence() || value.size() == 0) {
                v.issue(value, "steps: expected a non-empty list of steps");
            } else {
                for (const auto &item : value) sc.steps.push_back(parse_step(v, item));
            }
        }
    }
    if (!root["name"]) v.issue(root, "missing 'name'");
    if (!root["steps"]) v.issue(root, "missing 'steps'");
    if (!v.issues().empty()) throw ConfigError(v.issues());
    return sc;
}

Scenario load_scenario_file(const std::filesystem::path &file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(ConfigIssue{file.string(), 0, 0, "cannot read the file"});
    std::stringstream text;
    text << in.rdbuf();
    return load_scenario_text(text.str(), file.string());
}

std::vector<std::filesystem::path> discover_scenario_files(const std::vector<std::filesystem::path> &paths) {
    std::vector<std::filesystem::path> out;
    for (const auto &path : paths) {
        if (std::filesystem::is_regular_file(path)) {
            out.push_back(path);
        } else if (std::filesystem::is_directory(path)) {
            std::vector<std::filesystem::path> found;
            for (const auto &entry : std::filesystem::recursive_directory_iterator(path)) {
                const auto ext = entry.path().extension();
                if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
                    found.push_back(entry.path());
            }
            std::sort(found.begin(), found.end());
            out.insert(out.end(), found.begin(), found.end());
        } else {
            throw UsageError("no such scenario file or directory: " + path.string());
        }
    }
    return out;
}

} // namespace hil

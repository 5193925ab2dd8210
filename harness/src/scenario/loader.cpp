#include "hil/scenario/loader.hpp"

#include "hil/console/protocol.hpp"
#include "hil/faults/toxic.hpp"
#include "hil/ledger/ledger.hpp"
#include "hil/pki/test_pki.hpp"
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

bool is_broker_fault(StepKind kind) {
    return kind == StepKind::fault_broker_kill || kind == StepKind::fault_broker_restart ||
           kind == StepKind::fault_broker_pause || kind == StepKind::fault_broker_resume;
}

bool is_fault(StepKind kind) {
    return is_broker_fault(kind) || kind == StepKind::fault_link_add || kind == StepKind::fault_link_remove ||
           kind == StepKind::fault_link_reset || kind == StepKind::fault_device_kill ||
           kind == StepKind::fault_device_restart;
}

const char *keyword(StepKind kind) {
    switch (kind) {
    case StepKind::device: return "device";
    case StepKind::expect_device: return "expect.device";
    case StepKind::cloud_subscribe: return "cloud.subscribe";
    case StepKind::cloud_publish: return "cloud.publish";
    case StepKind::expect_cloud: return "expect.cloud";
    case StepKind::expect_absent: return "expect.absent";
    case StepKind::expect_serial: return "expect.serial";
    case StepKind::fault_link_add: return "fault.link.add";
    case StepKind::fault_link_remove: return "fault.link.remove";
    case StepKind::fault_link_reset: return "fault.link.reset";
    case StepKind::fault_broker_kill: return "fault.broker.kill";
    case StepKind::fault_broker_restart: return "fault.broker.restart";
    case StepKind::fault_broker_pause: return "fault.broker.pause";
    case StepKind::fault_broker_resume: return "fault.broker.resume";
    case StepKind::fault_device_kill: return "fault.device.kill";
    case StepKind::fault_device_restart: return "fault.device.restart";
    case StepKind::expect_delivery: return "expect.delivery";
    case StepKind::cloud_burst: return "cloud.burst";
    case StepKind::cloud_shadow_update: return "cloud.shadow.update";
    case StepKind::cloud_shadow_get: return "cloud.shadow.get";
    case StepKind::cloud_shadow_delete: return "cloud.shadow.delete";
    case StepKind::expect_shadow: return "expect.shadow";
    case StepKind::sequence: return "sequence";
    case StepKind::set: return "set";
    }
    return "?";
}

namespace {

constexpr Millis kDefaultReplyWithin{5000};
constexpr Millis kDefaultExpectWithin{5000};
constexpr Millis kDefaultCloudWithin{5000};

struct StepSpec {
    StepKind kind;
    const char *main;                           // name of the main argument in the map form
    std::vector<std::string_view> alternatives; // expect.absent: `event` or `session` instead of `topic`
    std::vector<std::string_view> options;      // allowed option keys besides the main one
};

const std::vector<std::pair<std::string_view, StepSpec>> &step_specs() {
    static const std::vector<std::pair<std::string_view, StepSpec>> specs = {
        {"device", {StepKind::device, "command", {}, {"args", "as", "expect", "within", "match", "capture"}}},
        {"expect.device", {StepKind::expect_device, "event", {}, {"match", "as", "within", "capture"}}},
        {"cloud.subscribe", {StepKind::cloud_subscribe, "topic", {}, {"qos", "within"}}},
        {"cloud.publish",
         {StepKind::cloud_publish, "topic", {}, {"payload", "payload_file", "qos", "retain", "within"}}},
        {"expect.cloud",
         {StepKind::expect_cloud, "topic", {}, {"payload", "match", "qos", "within", "capture"}}},
        {"expect.absent",
         {StepKind::expect_absent, "topic", {"event", "session"}, {"payload", "match", "qos", "as", "for"}}},
        {"expect.serial", {StepKind::expect_serial, "line", {}, {"as", "within", "capture"}}},
        // Fault steps without a main argument take an empty value: `- fault.broker.kill: {}`.
        {"expect.delivery",
         {StepKind::expect_delivery,
          "guarantee",
          {},
          {"run", "topic", "count", "first_seq", "direction", "within", "settle"}}},
        {"cloud.burst", {StepKind::cloud_burst, "topic", {}, {"count", "qos", "run", "within"}}},
        {"cloud.shadow.update",
         {StepKind::cloud_shadow_update,
          nullptr,
          {},
          {"thing", "shadow", "desired", "reported", "version", "expect", "within", "capture"}}},
        {"cloud.shadow.get",
         {StepKind::cloud_shadow_get, nullptr, {}, {"thing", "shadow", "expect", "within", "capture"}}},
        {"cloud.shadow.delete",
         {StepKind::cloud_shadow_delete, nullptr, {}, {"thing", "shadow", "expect", "within", "capture"}}},
        {"expect.shadow",
         {StepKind::expect_shadow,
          nullptr,
          {},
          {"thing", "shadow", "reported", "desired", "delta", "within"}}},
        {"sequence", {StepKind::sequence, "steps", {}, {"within"}}},
        {"set", {StepKind::set, "steps", {}, {"within"}}},
        {"fault.link.add",
         {StepKind::fault_link_add, "type", {}, {"name", "direction", "attributes", "as", "when"}}},
        {"fault.link.remove", {StepKind::fault_link_remove, "name", {}, {"as", "when"}}},
        {"fault.link.reset", {StepKind::fault_link_reset, nullptr, {}, {"as", "when"}}},
        {"fault.broker.kill", {StepKind::fault_broker_kill, nullptr, {}, {"when"}}},
        {"fault.broker.restart", {StepKind::fault_broker_restart, nullptr, {}, {"when"}}},
        {"fault.broker.pause", {StepKind::fault_broker_pause, nullptr, {}, {"when"}}},
        {"fault.broker.resume", {StepKind::fault_broker_resume, nullptr, {}, {"when"}}},
        {"fault.device.kill", {StepKind::fault_device_kill, nullptr, {}, {"as", "when"}}},
        {"fault.device.restart", {StepKind::fault_device_restart, nullptr, {}, {"as", "when"}}},
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

const std::vector<std::string_view> kTopKeys = {"matrix",   "name",    "description", "tags",
                                                "requires", "kills",   "profile",     "steps",
                                                "setup",    "include", "devices"};
// Part of schema v0 (scenarios/README.md) but not executed by this engine yet.
const std::vector<std::string_view> kReservedTopKeys = {"xfail", "timeout"};
// The broker profiles of schema v0; which ones a bench can give is the bench's business (SKIP).
const std::vector<std::string_view> kProfiles = {"aws-twin", "mosquitto", "aws", "external"};
/// Files with this suffix hold shared `setup:` blocks for `include:`; discovery skips them.
constexpr std::string_view kIncludeSuffix = ".inc.yaml";
constexpr int kMaxIncludeDepth = 8;

class Validator {
  public:
    /// `matrix` holds the values of one matrix case; they replace their `${name}` in every value
    /// read, before it is typed (so `qos: ${qos}` is a number).
    /// `quoted`: the axes whose value was written quoted in `matrix:` (a string, even "1.2").
    Validator(std::string file, Variables matrix = {}, std::set<std::string> quoted = {})
        : file_(std::move(file)), matrix_(std::move(matrix)), quoted_axes_(std::move(quoted)) {}

    /// A scalar's text with this case's matrix values substituted (other references stay).
    [[nodiscard]] std::string text(const YAML::Node &node) const {
        return substitute_known(node.Scalar(), matrix_);
    }

    /// Reports against `file` until the returned guard goes (steps read from an include file).
    [[nodiscard]] auto in_file(std::string file) {
        struct Restore {
            Validator *v;
            std::string previous;
            ~Restore() { v->file_ = std::move(previous); }
        };
        Restore guard{this, file_};
        file_ = std::move(file);
        return guard;
    }

    void issue_in(const std::string &file, const YAML::Mark &mark, std::string message) {
        issues_.push_back({file, mark.line + 1, mark.column + 1, std::move(message)});
    }

    /// The handles steps may use (`as:`); without a `devices:` block, only `dut`.
    void declare_devices(const std::vector<DeviceDecl> &devices) {
        handles_.clear();
        for (const auto &d : devices) handles_.push_back(d.handle);
        if (handles_.empty()) handles_.push_back("dut");
    }
    void check_handle(const YAML::Node &at, const std::string &handle) {
        if (names::contains(std::vector<std::string_view>(handles_.begin(), handles_.end()), handle)) return;
        std::string known;
        for (const auto &h : handles_) known += (known.empty() ? "" : ", ") + h;
        issue(at, "as: no device '" + handle + "' (declared: " + known + "; add it under 'devices:')");
    }

    void issue(const YAML::Node &at, std::string message) {
        const auto mark = at.Mark();
        issues_.push_back({file_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0,
                           std::move(message)});
    }
    void issue(const YAML::Mark &mark, std::string message) {
        issues_.push_back({file_, mark.line + 1, mark.column + 1, std::move(message)});
    }
    /// `payload_file: PATH`: the file's bytes, PATH relative to the file being read (for payloads
    /// too large to write inline, e.g. a shadow document over the size limit).
    std::string payload_file(const YAML::Node &node) {
        const auto name = string(node, "payload_file");
        const auto path = std::filesystem::path(file_).parent_path() / name;
        std::ifstream in(path, std::ios::binary);
        if (name.empty() || !in) {
            issue(node, "payload_file: cannot read '" + path.string() + "'");
            return {};
        }
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    [[nodiscard]] const std::vector<ConfigIssue> &issues() const { return issues_; }
    /// The built-in variables referred to so far.
    [[nodiscard]] const std::set<std::string> &builtins() const { return builtins_; }
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
        return text(node);
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
            return parse_duration(text(node));
        } catch (const std::invalid_argument &e) {
            issue(node, what + ": " + e.what());
            return Millis{0};
        }
    }

    int qos(const YAML::Node &node) {
        if (node.IsScalar()) {
            const std::string s = text(node);
            if (s == "0" || s == "1" || s == "2") return s[0] - '0';
        }
        issue(node, "qos: expected 0, 1 or 2");
        return 0;
    }

    bool boolean(const YAML::Node &node, const std::string &what) {
        if (node.IsScalar() && (text(node) == "true" || text(node) == "false")) {
            return text(node) == "true";
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

    /// A `match:` value as JSON, with the matcher syntax checked: operator objects (`$gt`, `$ge`,
    /// `$lt`, `$le`, `$ne`, `$regex`) and the plain scalar `absent`, which becomes {"$absent": true}.
    /// `key_value`: the node is the value of a key (the only place `absent` means something).
    nlohmann::json matcher(const YAML::Node &node, bool key_value = false) {
        if (node.IsScalar() && node.Tag() != "!" && text(node) == "absent") {
            if (!key_value)
                issue(node, "match: 'absent' only works as the value of a key, e.g. {delta: absent}");
            return {{"$absent", true}};
        }
        if (node.IsMap()) {
            auto out = nlohmann::json::object();
            std::size_t operators = 0;
            for (const auto &kv : node) {
                const std::string key = kv.first.Scalar();
                const bool is_operator = key.rfind('$', 0) == 0;
                if (is_operator) {
                    check_operator(kv.first, kv.second);
                    ++operators;
                }
                out[key] = is_operator ? json(kv.second) : matcher(kv.second, true);
            }
            if (operators != 0 && operators != node.size()) {
                issue(node, "match: a mapping holds either operators ($gt, $regex, ...) or keys, not both");
            }
            return out;
        }
        if (node.IsSequence()) {
            auto out = nlohmann::json::array();
            for (const auto &item : node) out.push_back(matcher(item));
            return out;
        }
        return json(node);
    }

    std::uint64_t positive(const YAML::Node &node, const std::string &what) {
        static const std::regex digits("[1-9][0-9]{0,8}");
        if (node.IsScalar() && std::regex_match(text(node), digits)) return std::stoull(text(node));
        issue(node, what + ": expected a positive whole number");
        return 0;
    }

    /// `when: {event: E, as: H, match: M, within: D}` or `when: {cloud: topic, match: M, within: D}`.
    std::optional<Trigger> trigger(const YAML::Node &node) {
        Trigger t;
        if (!node.IsMap()) {
            issue(node, "when: expected {event: NAME, match: ...} or {cloud: TOPIC, match: ...}");
            return std::nullopt;
        }
        bool has_target = false;
        for (const auto &kv : node) {
            const std::string key = kv.first.Scalar();
            if (key == "event" || key == "cloud") {
                if (has_target) issue(kv.first, "when: give either 'event' or 'cloud', not both");
                has_target = true;
                t.cloud = key == "cloud";
                t.target = string(kv.second, "when " + key);
            } else if (key == "as") {
                t.device = string(kv.second, "as");
                check_handle(kv.second, t.device);
            } else if (key == "match") {
                t.match = matcher(kv.second);
            } else if (key == "within") {
                t.within = duration(kv.second, "when within");
            } else {
                issue(kv.first, "when: unknown key '" + key + "' (known: event, cloud, as, match, within)");
            }
        }
        if (!has_target) issue(node, "when: needs 'event' (a device event) or 'cloud' (a topic)");
        return t;
    }

    /// `capture: {name: path}`: names become variables of the following steps.
    std::map<std::string, std::string> captures(const YAML::Node &node) {
        std::map<std::string, std::string> out;
        static const std::regex name_rule("[a-z_][a-z0-9_]*");
        if (!node.IsMap()) {
            issue(node, "capture: expected a mapping of variable names to paths, e.g. {mid: mid}");
            return out;
        }
        for (const auto &kv : node) {
            const std::string name = kv.first.Scalar();
            if (!std::regex_match(name, name_rule) || names::contains(builtin_variable_names(), name)) {
                issue(kv.first,
                      "capture: '" + name +
                          "' cannot be a variable name (lower-case letters, digits, '_'; not a built-in)");
                continue;
            }
            out[name] = string(kv.second, "capture path");
        }
        return out;
    }

    /// `${device.<handle>.thing}` / `${device.<handle>.client_id}` of a declared handle.
    [[nodiscard]] bool is_device_variable(const std::string &name) const {
        for (const auto &h : handles_) {
            if (name == "device." + h + ".thing" || name == "device." + h + ".client_id") return true;
        }
        return false;
    }

    /// Makes `${name}` valid from here on (captures).
    void define(const std::string &name) { defined_.insert(name); }

  private:
    void check_operator(const YAML::Node &key, const YAML::Node &value) {
        static const std::vector<std::string_view> operators = {"$gt", "$ge", "$lt", "$le", "$ne", "$regex"};
        const std::string &op = key.Scalar();
        if (!names::contains(operators, op)) {
            const auto near = names::nearest(operators, op);
            issue(key, "match: unknown operator '" + op + "'" +
                           (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)"));
            return;
        }
        const nlohmann::json operand = json(value);
        // A whole `${...}` reference (a capture) becomes a number at run time, as in `args`.
        static const std::regex whole_reference(R"(\$\{[A-Za-z_][A-Za-z0-9_.]*\})");
        const bool run_time_number =
            operand.is_string() && std::regex_match(operand.get<std::string>(), whole_reference);
        if ((op == "$gt" || op == "$ge" || op == "$lt" || op == "$le") && !operand.is_number() &&
            !run_time_number) {
            issue(value, "match: " + op + " needs a number");
        }
        if (op == "$regex") {
            try {
                (void)std::regex(operand.is_string() ? operand.get<std::string>() : "",
                                 std::regex::ECMAScript);
                if (!operand.is_string()) issue(value, "match: $regex needs a string");
            } catch (const std::regex_error &e) {
                issue(value, "match: $regex is not a regular expression: " + std::string(e.what()));
            }
        }
    }

  public:
    void check_variables(const YAML::Node &scalar_node) {
        std::string error;
        for (const auto &name : referenced_variables(scalar_node.Scalar(), error)) {
            if (names::contains(builtin_variable_names(), name)) builtins_.insert(name);
            if (!names::contains(builtin_variable_names(), name) && matrix_.count(name) == 0 &&
                defined_.count(name) == 0 && !is_device_variable(name)) {
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
        const std::string s = text(node);
        // Quoted: a string — unless it is exactly one matrix reference, which takes the value's type
        // (flow mappings need the quotes: `{qos: "${qos}"}`), a string when the value was quoted
        // in `matrix:` (`tls: ["1.2", "1.3"]`).
        static const std::regex whole_reference(R"(\$\{[a-z_][a-z0-9_]*\})");
        const std::string axis =
            node.Scalar().size() > 3 ? node.Scalar().substr(2, node.Scalar().size() - 3) : "";
        const bool one_matrix_reference =
            std::regex_match(node.Scalar(), whole_reference) && matrix_.count(axis) != 0;
        if (one_matrix_reference && quoted_axes_.count(axis) != 0) return s;
        if (node.Tag() == "!" && !one_matrix_reference) return s;
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
    Variables matrix_;
    std::set<std::string> quoted_axes_;
    std::set<std::string, std::less<>> defined_; // captured so far
    std::vector<std::string> handles_{"dut"};
    std::vector<ConfigIssue> issues_;
    std::set<std::string> builtins_;
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

Step parse_step(Validator &v, const YAML::Node &item);

/// `sequence:` / `set:` hold a list of expectations (no actions: a group waits, it does not act).
void parse_group(Validator &v, Step &group, const YAML::Node &list, const std::string &kw) {
    if (!list || !list.IsSequence() || list.size() == 0) {
        v.issue(list ? list : YAML::Node(), kw + ": expected a non-empty list of expectations");
        return;
    }
    for (const auto &item : list) {
        Step child = parse_step(v, item);
        const bool expectation =
            child.kind == StepKind::expect_device || child.kind == StepKind::expect_cloud ||
            child.kind == StepKind::expect_serial || child.kind == StepKind::expect_shadow;
        if (!expectation) {
            v.issue(item, kw +
                              ": only expect.device, expect.cloud, expect.serial and expect.shadow may go "
                              "inside, not " +
                              keyword(child.kind));
        }
        group.children.push_back(std::move(child));
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
    if (step.kind == StepKind::sequence || step.kind == StepKind::set) {
        parse_group(v, step, main_value.IsMap() ? main_value["steps"] : main_value, kw);
        if (main_value.IsMap()) {
            for (const auto &kv : main_value) {
                if (kv.first.Scalar() != "steps") options.emplace_back(kv.first, kv.second);
            }
        }
    } else if (spec->main == nullptr) {
        // No main argument: the value is empty or a mapping of options.
        if (main_value.IsMap()) {
            for (const auto &kv : main_value) options.emplace_back(kv.first, kv.second);
        } else if (!main_value.IsNull()) {
            v.issue(main_value, kw + " takes no argument: write '- " + kw + ": {}' (options may go inside)");
        }
    } else if (main_value.IsMap()) {
        bool has_main = false;
        for (const auto &kv : main_value) {
            const std::string key = kv.first.Scalar();
            if (key == spec->main || names::contains(spec->alternatives, key)) {
                if (has_main) {
                    std::string all = "'" + std::string(spec->main) + "'";
                    for (const auto a : spec->alternatives) all += ", '" + std::string(a) + "'";
                    v.issue(kv.first, kw + ": give only one of " + all);
                }
                has_main = true;
                step.absent_on_device = key == "event";
                step.absent_session = key == "session";
                step.target = v.string(kv.second, kw + " " + key);
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
        else if (key == "for")
            step.within = v.duration(value, kw + " for");
        else if (key == "name")
            step.toxic_name = v.string(value, "name");
        else if (key == "count")
            step.count = v.positive(value, "count");
        else if (key == "first_seq")
            step.first_seq = v.positive(value, "first_seq");
        else if (key == "run")
            step.burst_run = v.string(value, "run");
        else if (key == "topic")
            step.topic = v.string(value, "topic");
        else if (key == "settle")
            step.settle = v.duration(value, "settle");
        else if (key == "thing")
            step.thing = v.string(value, "thing");
        else if (key == "shadow")
            step.shadow = v.string(value, "shadow");
        else if (key == "version")
            step.version = static_cast<std::int64_t>(v.positive(value, "version"));
        else if ((key == "desired" || key == "reported") && step.kind == StepKind::cloud_shadow_update) {
            if (!value.IsMap() && !value.IsNull())
                v.issue(value, key + ": expected a mapping (or null to delete the section)");
            else
                step.args[key] = v.json(value);
        } else if (key == "desired" || key == "reported" || key == "delta") {
            // expect.shadow: a subset of the document's state, with the matchers of match:
            if (!step.match) step.match = nlohmann::json::object();
            (*step.match)[key] = v.matcher(value, true);
        } else if (key == "direction" && step.kind == StepKind::expect_delivery) {
            const std::string d = v.string(value, "direction");
            if (d != "device-to-cloud" && d != "cloud-to-device") {
                v.issue(value, "direction: expected device-to-cloud or cloud-to-device");
            }
            step.to_device = d == "cloud-to-device";
        } else if (key == "direction") {
            step.direction = v.string(value, "direction");
            if (step.direction != "upstream" && step.direction != "downstream" && step.direction != "both") {
                v.issue(value, "direction: expected upstream, downstream or both");
            }
        } else if (key == "attributes") {
            if (!value.IsMap())
                v.issue(value, "attributes: expected a mapping of the toxic's settings");
            else
                step.attributes = v.json(value);
        } else if (key == "when")
            step.when = v.trigger(value);
        else if (key == "capture")
            step.captures = v.captures(value);
        else if (key == "as") {
            step.device = v.string(value, "as");
            v.check_handle(value, step.device);
        } else if (key == "qos")
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
            step.match = v.matcher(value);
        } else if (key == "payload_file") {
            if (step.payload)
                v.issue(value, "payload_file: use either 'payload' or 'payload_file', not both");
            step.payload = v.payload_file(value);
        } else if (key == "payload") {
            if (step.payload) v.issue(value, "payload: use either 'payload' or 'payload_file', not both");
            if (value.IsScalar())
                step.payload = v.string(value, "payload");
            else
                step.payload = v.json(value).dump(); // a mapping is sent / compared as JSON text
        }
    }

    // A step that talks to a device without `as:` means `dut`, which a `devices:` block must declare.
    const bool as_given =
        std::any_of(options.begin(), options.end(), [](const auto &o) { return o.first.Scalar() == "as"; });
    const bool uses_device =
        step.kind == StepKind::device || step.kind == StepKind::expect_device ||
        step.kind == StepKind::expect_serial || step.absent_on_device ||
        step.kind == StepKind::fault_link_add || step.kind == StepKind::fault_link_remove ||
        step.kind == StepKind::fault_link_reset || step.kind == StepKind::fault_device_kill ||
        step.kind == StepKind::fault_device_restart;
    if (uses_device && !as_given) v.check_handle(main_key, "dut");

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
    case StepKind::expect_absent:
        if (step.payload && step.match)
            v.issue(item, kw + ": use either 'payload' (exact) or 'match' (JSON subset), not both");
        if (step.kind == StepKind::expect_absent && step.within.count() < 0) {
            v.issue(item, "expect.absent: needs 'for' (how long nothing matching may arrive)");
        }
        if (step.absent_on_device && (step.payload || step.qos)) {
            v.issue(item, "expect.absent with 'event': 'payload' and 'qos' apply to topics only");
        }
        if (step.absent_session && (step.payload || step.qos || step.match || step.device != "dut")) {
            v.issue(item,
                    "expect.absent with 'session': only 'for' applies (the client id is all it matches)");
        }
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    case StepKind::expect_serial: try { (void)std::regex(step.target, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            v.issue(main_value, "expect.serial: not a regular expression: " + std::string(e.what()));
        }
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    case StepKind::expect_delivery:
        if (!parse_guarantee(step.target)) {
            v.issue(main_value,
                    "expect.delivery: '" + step.target +
                        "' is not a guarantee (at-most-once, at-least-once, exactly-once, ordered)");
        }
        if (step.count == 0)
            v.issue(item, "expect.delivery: needs 'count' (how many messages the burst sent)");
        if (step.topic.empty())
            v.issue(item, "expect.delivery: needs 'topic' (where the receiver gets them)");
        if (step.within.count() < 0) step.within = Millis(30000);
        break;
    case StepKind::cloud_burst:
        if (step.count == 0) v.issue(item, "cloud.burst: needs 'count'");
        if (step.within.count() < 0) step.within = Millis(30000);
        break;
    case StepKind::cloud_shadow_update:
    case StepKind::cloud_shadow_get:
    case StepKind::cloud_shadow_delete:
        if (step.kind == StepKind::cloud_shadow_update && step.args.empty())
            v.issue(item, kw + ": needs 'desired' or 'reported'");
        if (step.expect_answer == "ok") step.expect_answer = "accepted";
        if (step.expect_answer != "accepted" && step.expect_answer != "rejected" &&
            !std::regex_match(step.expect_answer, std::regex("[1-5][0-9][0-9]"))) {
            v.issue(item, kw + ": expect: '" + step.expect_answer +
                              "' is not accepted, rejected or an error code such as 409");
        }
        if (step.within.count() < 0) step.within = kDefaultCloudWithin;
        break;
    case StepKind::expect_shadow:
        if (!step.match) v.issue(item, "expect.shadow: needs 'reported', 'desired' or 'delta'");
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    case StepKind::sequence:
    case StepKind::set:
        if (step.within.count() < 0) step.within = kDefaultExpectWithin;
        break;
    default: // fault steps: they act at once (or at their `when`), no deadline of their own
        break;
    }
    // Captured names become variables for the steps after this one.
    for (const auto &[name, path] : step.captures) v.define(name);
    if (step.kind == StepKind::fault_link_add) {
        try {
            (void)faults::make_toxic(step.target, step.attributes);
        } catch (const std::invalid_argument &e) {
            v.issue(main_value.IsNull() ? item : main_value, std::string("fault.link.add: ") + e.what());
        }
        if (step.toxic_name.empty()) step.toxic_name = step.target;
        // tls_gate judges the client's ClientHello: downstream it would see the ServerHello and
        // refuse every connection, so it goes upstream unless the file says otherwise.
        if (step.target == "tls_gate") {
            if (!item["direction"])
                step.direction = "upstream";
            else if (step.direction != "upstream")
                v.issue(item["direction"],
                        "direction: tls_gate reads what the client sends: expected upstream");
        }
    }
    if (step.target.empty() && main_value.IsScalar() && spec->main != nullptr)
        v.issue(main_value, kw + ": the value must not be empty");
    return step;
}

} // namespace

namespace {

/// Reads one case of a scenario (one set of matrix values) into the model; problems go to `v`.
void parse_steps(Validator &v, const YAML::Node &list, const char *what, std::vector<Step> &out) {
    if (!list.IsSequence() || list.size() == 0) {
        v.issue(list, std::string(what) + ": expected a non-empty list of steps");
        return;
    }
    for (const auto &item : list) out.push_back(parse_step(v, item));
}

/// `identity: device_expired`: a device credential of the test PKI's catalogue (matrix values
/// substituted; run-time variables cannot name one: the bench must know it before the run).
std::string parse_identity(Validator &v, const YAML::Node &node) {
    if (!node.IsScalar()) {
        v.issue(node, "identity: expected the name of a device credential of the test PKI");
        return {};
    }
    std::string name = v.text(node);
    std::vector<std::string> known;
    for (const auto &entry : catalogue_names()) {
        if (entry.kind == "device") known.push_back(entry.name);
    }
    if (std::find(known.begin(), known.end(), name) != known.end()) return name;
    std::string list;
    for (const auto &k : known) list += (list.empty() ? "" : ", ") + k;
    const auto near = names::nearest(std::vector<std::string_view>(known.begin(), known.end()), name);
    v.issue(node, "identity: '" + name + "' is not a device credential of the test PKI" +
                      (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)") +
                      "; known: " + list);
    return {};
}

/// `devices: {dut: {}, peer: {thing: ..., client_id: ..., identity: ...}}`.
std::vector<DeviceDecl> parse_devices(Validator &v, const YAML::Node &node) {
    std::vector<DeviceDecl> out;
    static const std::regex handle_rule("[a-z][a-z0-9_-]*");
    if (!node.IsMap() || node.size() == 0) {
        v.issue(node, "devices: expected a mapping of handles to settings, e.g. {dut: {}, peer: {}}");
        return out;
    }
    for (const auto &kv : node) {
        DeviceDecl decl;
        decl.handle = kv.first.Scalar();
        if (!std::regex_match(decl.handle, handle_rule)) {
            v.issue(kv.first,
                    "devices: '" + decl.handle + "' is not a handle (lower-case letters, digits, '_', '-')");
        }
        if (kv.second.IsMap()) {
            for (const auto &opt : kv.second) {
                const std::string key = opt.first.Scalar();
                if (key == "thing")
                    decl.thing = v.string(opt.second, "thing");
                else if (key == "client_id")
                    decl.client_id = v.string(opt.second, "client_id");
                else if (key == "identity")
                    decl.identity = parse_identity(v, opt.second);
                else
                    v.issue(opt.first,
                            "devices: unknown setting '" + key + "' (known: thing, client_id, identity)");
            }
        } else if (!kv.second.IsNull()) {
            v.issue(kv.second,
                    "devices: the settings of '" + decl.handle + "' must be a mapping ({} for none)");
        }
        out.push_back(std::move(decl));
    }
    return out;
}

/// The `setup:` steps of every file in `include:` (paths relative to the including file), in order.
void parse_includes(Validator &v, const YAML::Node &node, const std::string &file, int depth,
                    std::vector<Step> &out) {
    const auto paths = v.string_list(node, "include");
    for (std::size_t k = 0; k < paths.size(); ++k) {
        const YAML::Node at = node.IsSequence() ? node[k] : node;
        const auto path = std::filesystem::path(file).parent_path() / paths[k];
        if (depth >= kMaxIncludeDepth) {
            v.issue(at, "include: nested more than " + std::to_string(kMaxIncludeDepth) + " deep (a cycle?)");
            return;
        }
        if (!path.string().ends_with(kIncludeSuffix)) {
            v.issue(at, "include: '" + paths[k] + "' must be a shared-setup file named *" +
                            std::string(kIncludeSuffix));
            continue;
        }
        YAML::Node included;
        try {
            included = YAML::LoadFile(path.string());
        } catch (const YAML::BadFile &) {
            v.issue(at, "include: cannot read " + path.string());
            continue;
        } catch (const YAML::Exception &e) {
            v.issue_in(path.string(), e.mark, "YAML syntax error: " + e.msg);
            continue;
        }
        // Positions in the included file are reported against that file.
        auto scope = v.in_file(path.string());
        if (!included.IsMap() || !included["setup"]) {
            v.issue(included, "an include file holds a 'setup:' list of steps");
            continue;
        }
        for (const auto &kv : included) {
            const std::string key = kv.first.Scalar();
            if (key != "setup" && key != "include" && key != "description") {
                v.issue(kv.first,
                        "unknown key '" + key + "' in an include file (known: setup, include, description)");
            }
        }
        if (included["include"]) parse_includes(v, included["include"], path.string(), depth + 1, out);
        parse_steps(v, included["setup"], "setup", out);
    }
}

/// Reads one case of a scenario (one set of matrix values) into the model; problems go to `v`.
Scenario parse_root(Validator &v, const YAML::Node &root, const std::string &file) {
    Scenario sc;
    sc.file = file;
    sc.pos = v.pos(root);
    // Declarations first, whatever their place in the file: devices name the handles steps may
    // use, and setup steps (included ones first) run before `steps` and may capture variables.
    if (root["devices"]) sc.devices = parse_devices(v, root["devices"]);
    v.declare_devices(sc.devices);
    if (root["include"]) parse_includes(v, root["include"], file, 0, sc.steps);
    if (root["setup"]) parse_steps(v, root["setup"], "setup", sc.steps);
    sc.setup_steps = sc.steps.size();
    for (const auto &kv : root) {
        const std::string key = kv.first.Scalar();
        const auto &value = kv.second;
        if (key == "matrix" || key == "devices" || key == "include" || key == "setup") {
            continue; // read above
        } else if (names::contains(kReservedTopKeys, key)) {
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
        } else if (key == "profile") {
            sc.profile = v.string(value, "profile");
            if (value.IsScalar() && !names::contains(kProfiles, sc.profile)) {
                const auto near = names::nearest(kProfiles, sc.profile);
                v.issue(value, "profile: unknown broker profile '" + sc.profile + "'" +
                                   (near.empty() ? "" : " (did you mean '" + std::string(near) + "'?)") +
                                   "; known: aws-twin, mosquitto, aws, external");
            }
        } else if (key == "steps") {
            parse_steps(v, value, "steps", sc.steps);
        }
    }
    if (!root["name"]) v.issue(root, "missing 'name'");
    if (!root["steps"]) v.issue(root, "missing 'steps'");
    sc.builtins = v.builtins();
    return sc;
}

struct MatrixCase {
    std::string label; // "qos=1,retain=false"
    Variables values;
    std::set<std::string> quoted; // axes whose value was written quoted: strings
};

constexpr std::size_t kMaxMatrixCases = 1000;

/// The cases of a `matrix:` block: the cartesian product of its axes, in the order written.
std::vector<MatrixCase> matrix_cases(const YAML::Node &matrix, Validator &v) {
    if (!matrix) return {MatrixCase{}};
    if (!matrix.IsMap() || matrix.size() == 0) {
        v.issue(matrix, "matrix: expected a mapping of names to lists of values, e.g. {qos: [0, 1]}");
        return {};
    }
    std::vector<MatrixCase> cases{MatrixCase{}};
    static const std::regex axis_name("[a-z_][a-z0-9_]*");
    for (const auto &kv : matrix) {
        const std::string axis = kv.first.Scalar();
        if (!std::regex_match(axis, axis_name) || names::contains(builtin_variable_names(), axis)) {
            v.issue(kv.first,
                    "matrix: '" + axis +
                        "' cannot name an axis (lower-case letters, digits, '_'; not a built-in variable)");
            continue;
        }
        if (!kv.second.IsSequence() || kv.second.size() == 0) {
            v.issue(kv.second, "matrix: '" + axis + "' needs a non-empty list of values");
            continue;
        }
        std::vector<MatrixCase> expanded;
        for (const auto &current : cases) {
            for (const auto &value : kv.second) {
                if (!value.IsScalar()) {
                    v.issue(value, "matrix: values must be scalars");
                    return {};
                }
                MatrixCase next = current;
                next.label += (next.label.empty() ? "" : ",") + axis + "=" + value.Scalar();
                next.values[axis] = value.Scalar();
                if (value.Tag() == "!") next.quoted.insert(axis);
                expanded.push_back(std::move(next));
            }
        }
        cases = std::move(expanded);
        if (cases.size() > kMaxMatrixCases) {
            v.issue(matrix, "matrix: more than " + std::to_string(kMaxMatrixCases) + " cases");
            return {};
        }
    }
    return cases;
}

} // namespace

std::vector<Scenario> load_scenario_text(const std::string &text, const std::string &file) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        throw ConfigError(
            ConfigIssue{file, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    }
    if (!root.IsMap()) {
        throw ConfigError(
            ConfigIssue{file, 1, 1, "a scenario file must be a mapping with 'name' and 'steps'"});
    }
    Validator matrix_validator(file);
    const auto cases = matrix_cases(root["matrix"], matrix_validator);
    if (!matrix_validator.issues().empty()) throw ConfigError(matrix_validator.issues());

    std::vector<Scenario> scenarios;
    std::vector<ConfigIssue> issues;
    for (const auto &c : cases) {
        Validator v(file, c.values, c.quoted);
        Scenario sc = parse_root(v, root, file);
        sc.case_label = c.label;
        if (!c.label.empty()) sc.name += " [" + c.label + "]";
        scenarios.push_back(std::move(sc));
        // The same mistake shows in every case: report it once.
        for (const auto &issue : v.issues()) {
            const bool seen = std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue &i) {
                return i.line == issue.line && i.column == issue.column && i.message == issue.message;
            });
            if (!seen) issues.push_back(issue);
        }
    }
    if (!issues.empty()) throw ConfigError(issues);
    return scenarios;
}

std::vector<Scenario> load_scenario_file(const std::filesystem::path &file) {
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
                const bool include_file = entry.path().filename().string().ends_with(kIncludeSuffix);
                if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml") && !include_file) {
                    found.push_back(entry.path());
                }
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

#include "hil/scenario/runner.hpp"

#include "hil/cloud/shadow_client.hpp"
#include "hil/core/error.hpp"
#include "hil/faults/toxic.hpp"
#include "hil/ledger/ledger.hpp"

#include "hil/scenario/matcher.hpp"
#include "hil/scenario/template.hpp"
#include <set>

#include <regex>

#include <algorithm>
#include <map>

namespace hil {

const char *to_string(Verdict verdict) {
    switch (verdict) {
    case Verdict::pass: return "PASS";
    case Verdict::fail: return "FAIL";
    case Verdict::error: return "ERROR";
    case Verdict::skip: return "SKIP";
    }
    return "ERROR";
}

std::vector<DeviceDecl> device_declarations(const Scenario &scenario) {
    if (!scenario.devices.empty()) return scenario.devices;
    // Without a `devices:` block a scenario has the one implicit `dut`, if it talks to a device.
    const bool uses_device = std::any_of(scenario.steps.begin(), scenario.steps.end(), [](const Step &s) {
        const auto talks_to_device = [](const Step &step) {
            return step.kind == StepKind::device || step.kind == StepKind::expect_device ||
                   step.kind == StepKind::expect_serial ||
                   (step.kind == StepKind::expect_absent && step.absent_on_device) ||
                   (is_fault(step.kind) && !is_broker_fault(step.kind)) || // a device's link or process
                   (step.when && !step.when->cloud);                       // triggered by a device event
        };
        return talks_to_device(s) || std::any_of(s.children.begin(), s.children.end(), talks_to_device);
    });
    if (!uses_device) return {};
    return {DeviceDecl{"dut", "", "", ""}};
}

namespace {

constexpr std::size_t kNearbyLimit = 8;
constexpr std::size_t kConsoleTail = 10;

/// A step that did not hold: carries the failure context up to run().
struct StepFailed {
    std::string expected;
    std::string observed;
    nlohmann::json nearby = nlohmann::json::array();
};

std::string seconds_text(Millis ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

class Execution {
  public:
    Execution(ScenarioBench &bench, EventBus &bus, std::uint64_t start, std::string run)
        : bench_(bench), bus_(bus), start_(start), run_(std::move(run)),
          vars_(bench.variables().begin(), bench.variables().end()) {}

    void run_step(const Step &step, StepResult &result) {
        switch (step.kind) {
        case StepKind::device: device_step(step, result); break;
        case StepKind::expect_device: expect_device(step, result); break;
        case StepKind::cloud_subscribe:
            result.target = sub(step.target);
            bench_.cloud().subscribe(result.target, step.qos.value_or(0), Deadline::after(step.within));
            break;
        case StepKind::cloud_publish:
            result.target = sub(step.target);
            bench_.cloud().publish(result.target, sub(step.payload.value_or("")), step.qos.value_or(0),
                                   step.retain, Deadline::after(step.within));
            break;
        case StepKind::expect_cloud: expect_cloud(step, result); break;
        case StepKind::expect_absent: expect_absent(step, result); break;
        case StepKind::expect_serial: expect_serial(step, result); break;
        case StepKind::expect_delivery: expect_delivery(step, result); break;
        case StepKind::cloud_burst: cloud_burst(step, result); break;
        case StepKind::cloud_shadow_update:
        case StepKind::cloud_shadow_get:
        case StepKind::cloud_shadow_delete: cloud_shadow(step, result); break;
        case StepKind::expect_shadow: expect_shadow(step, result); break;
        case StepKind::sequence:
        case StepKind::set: group(step, result); break;
        default: fault_step(step, result); break;
        }
    }

    /// The last console lines of a device, for failure context.
    nlohmann::json console_tail(const std::string &handle) const {
        auto lines = bus_.snapshot(start_, 0, [&](const Event &e) {
            return e.context == run_ && e.origin == handle && e.source == Source::device;
        });
        nlohmann::json out = nlohmann::json::array();
        const std::size_t first = lines.size() > kConsoleTail ? lines.size() - kConsoleTail : 0;
        for (std::size_t i = first; i < lines.size(); ++i) {
            out.push_back(lines[i].kind + " " +
                          lines[i].payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        return out;
    }

  private:
    std::string sub(const std::string &text) const { return substitute(text, vars_); }

    /// `capture:` of a step: each path into `root` becomes a variable of the steps after it.
    void capture(const Step &step, const nlohmann::json &root) {
        for (const auto &[name, path] : step.captures) {
            const auto value = json_at_path(root, path);
            if (!value) {
                throw StepFailed{"a value at '" + path + "' to capture as ${" + name + "}", "nothing there",
                                 nlohmann::json::array({root})};
            }
            vars_[name] = value->is_string() ? value->get<std::string>() : value->dump();
        }
    }

    /// What a cloud message looks like to matchers and captures: payload parsed when it is JSON.
    static nlohmann::json cloud_view(const Event &e) {
        nlohmann::json view = e.payload;
        const auto parsed = nlohmann::json::parse(e.payload.value("payload", ""), nullptr, false);
        if (!parsed.is_discarded()) view["payload"] = parsed;
        return view;
    }

    struct CloudExpectation {
        std::string filter;
        std::optional<std::string> payload;
        std::optional<nlohmann::json> match;
        std::optional<int> qos;
    };

    CloudExpectation cloud_expectation(const Step &step) const {
        return {sub(step.target), step.payload ? std::optional(sub(*step.payload)) : std::nullopt,
                step.match ? std::optional(substitute_json(*step.match, vars_)) : std::nullopt, step.qos};
    }

    /// Why a cloud message does not satisfy `want` ("" when it does).
    static std::string cloud_mismatch(const CloudExpectation &want, const Event &e) {
        const std::string topic = e.payload.value("topic", "");
        if (!topic_matches(want.filter, topic)) return "topic " + topic;
        if (want.qos && e.payload.value("qos", -1) != *want.qos)
            return "qos " + std::to_string(e.payload.value("qos", -1));
        const std::string body = e.payload.value("payload", "");
        if (want.payload && body != *want.payload) return "payload \"" + body + "\"";
        if (want.match) {
            const auto parsed = nlohmann::json::parse(body, nullptr, false);
            if (parsed.is_discarded()) return "payload is not JSON: \"" + body + "\"";
            const auto m = json_contains(parsed, *want.match);
            if (!m.ok) return "payload " + m.why;
        }
        return "";
    }

    bool is_cloud_message(const Event &e) const { return e.context == run_ && e.kind == kCloudMessageKind; }
    bool is_device_event(const Event &e, const std::string &handle) const {
        return e.context == run_ && e.source == Source::device && e.origin == handle;
    }

    void expect_absent(const Step &step, StepResult &result) {
        // Looks from the stream's cursor (after the previous expectation's match) to the end of `for`.
        const auto wait = Deadline::after(step.within);
        std::optional<Event> seen;
        if (step.absent_session) {
            // Broker side: the bench reads the broker's own record of accepted sessions.
            result.target = sub(step.target);
            const auto sessions = bench_.broker_sessions(result.target, wait);
            if (sessions.empty()) return;
            nlohmann::json nearby = nlohmann::json::array();
            for (const auto &s : sessions) nearby.push_back(s);
            throw StepFailed{"no MQTT session of " + result.target + " on the broker",
                             "the broker accepted " + std::to_string(sessions.size()) +
                                 " session(s): " + sessions.front(),
                             nearby};
        }
        if (step.absent_on_device) {
            result.target = step.target;
            const auto match = step.match ? std::optional(substitute_json(*step.match, vars_)) : std::nullopt;
            seen = bus_.wait_for(
                cursor("device:" + step.device),
                [&](const Event &e) {
                    return is_device_event(e, step.device) && e.kind == step.target &&
                           (!match || json_contains(e.payload, *match).ok);
                },
                wait);
        } else {
            const auto want = cloud_expectation(step);
            result.target = want.filter;
            seen = bus_.wait_for(
                cursor("cloud"),
                [&](const Event &e) { return is_cloud_message(e) && cloud_mismatch(want, e).empty(); }, wait);
        }
        if (!seen) return;
        throw StepFailed{"nothing matching " + result.target + " for " + seconds_text(step.within),
                         seen->kind + " arrived: " +
                             seen->payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         nlohmann::json::array({seen->payload})};
    }

    /// A fault, fired at its `when:` point (a device event or a cloud message, looked for from the
    /// stream's cursor without consuming it) or at once. A trigger that never comes is an ERROR:
    /// the scenario did not get to the point it meant to test.
    void fault_step(const Step &step, StepResult &result) {
        result.target = step.target;
        if (step.when) {
            const Trigger &t = *step.when;
            const auto match = t.match ? std::optional(substitute_json(*t.match, vars_)) : std::nullopt;
            const std::string filter = t.cloud ? sub(t.target) : t.target;
            const auto seen = bus_.wait_for(
                cursor(t.cloud ? "cloud" : "device:" + t.device),
                [&](const Event &e) {
                    if (t.cloud) {
                        if (!is_cloud_message(e) || !topic_matches(filter, e.payload.value("topic", "")))
                            return false;
                        if (!match) return true;
                        const auto body =
                            nlohmann::json::parse(e.payload.value("payload", ""), nullptr, false);
                        return !body.is_discarded() && json_contains(body, *match).ok;
                    }
                    return is_device_event(e, t.device) && e.kind == t.target &&
                           (!match || json_contains(e.payload, *match).ok);
                },
                Deadline::after(t.within));
            if (!seen) {
                throw InfraError("the trigger of " + std::string(keyword(step.kind)) + " (" +
                                 (t.cloud ? "cloud message on " : "device event ") + filter +
                                 ") never happened within " + seconds_text(t.within));
            }
        }
        auto &faults = bench_.faults();
        const auto directions = [&]() -> std::vector<faults::Direction> {
            if (step.direction == "upstream") return {faults::Direction::upstream};
            if (step.direction == "downstream") return {faults::Direction::downstream};
            return {faults::Direction::upstream, faults::Direction::downstream};
        };
        switch (step.kind) {
        case StepKind::fault_link_add:
            for (const auto d : directions()) {
                const std::string name =
                    step.direction == "both" ? step.toxic_name + "/" + faults::to_string(d) : step.toxic_name;
                faults.add_toxic(step.device, {name, d, faults::make_toxic(step.target, step.attributes)});
            }
            break;
        case StepKind::fault_link_remove: {
            bool removed = false;
            for (const auto &suffix : {"", "/upstream", "/downstream"}) {
                try {
                    faults.remove_toxic(step.device, step.target + suffix);
                    removed = true;
                } catch (const InfraError &) {
                    // not under this name
                }
            }
            if (!removed)
                throw InfraError("no toxic '" + step.target + "' on the link of '" + step.device + "'");
            break;
        }
        case StepKind::fault_link_reset: faults.reset_link(step.device); break;
        case StepKind::fault_broker_kill: faults.broker_kill(); break;
        case StepKind::fault_broker_restart: faults.broker_restart(); break;
        case StepKind::fault_broker_pause: faults.broker_pause(); break;
        case StepKind::fault_broker_resume: faults.broker_resume(); break;
        case StepKind::fault_device_kill: faults.device_kill(step.device); break;
        case StepKind::fault_device_restart: faults.device_restart(step.device); break;
        default: break;
        }
        bus_.publish(Source::harness, "runner", "fault.fired",
                     {{"fault", keyword(step.kind)}, {"target", step.target}}, run_);
    }

    /// The cloud client publishes `count` messages whose payloads carry the run and a sequence
    /// number (the format the firmware's bursts use), each acknowledged before the next.
    void cloud_burst(const Step &step, StepResult &result) {
        result.target = sub(step.target);
        const std::string run = sub(step.burst_run);
        const auto deadline = Deadline::after(step.within);
        for (std::uint64_t seq = 1; seq <= step.count; ++seq) {
            const nlohmann::json payload = {{"run", run}, {"seq", seq}};
            bench_.cloud().publish(result.target, payload.dump(), step.qos.value_or(0), false, deadline);
        }
    }

    /// Builds the delivery ledger of one burst from what both sides reported and judges the
    /// guarantee. device-to-cloud: acknowledgements are the device's `mqtt.published` (with
    /// msg_seq), receipts the cloud client's messages; cloud-to-device: acknowledgements are the
    /// cloud client's `cloud.published`, receipts the device's `mqtt.message`.
    void expect_delivery(const Step &step, StepResult &result) {
        const auto guarantee = *parse_guarantee(step.target);
        const std::string run = sub(step.burst_run);
        const std::string filter = sub(step.topic);
        result.target = step.target + " " + filter;
        DeliveryLedger ledger;
        const auto started = Clock::now();
        for (std::uint64_t seq = step.first_seq; seq < step.first_seq + step.count; ++seq)
            ledger.sent(seq, started);
        std::set<std::uint64_t> unique;
        const auto record = [&](const Event &e) {
            if (e.context != run_) return;
            const bool from_cloud = e.source == Source::cloud;
            if (!step.to_device) {
                if (e.source == Source::device && e.kind == "mqtt.published" &&
                    e.payload.value("run", "") == run && e.payload.contains("msg_seq")) {
                    ledger.acknowledged(e.payload.value("msg_seq", std::uint64_t{0}), e.at);
                } else if (from_cloud && e.kind == kCloudMessageKind &&
                           topic_matches(filter, e.payload.value("topic", ""))) {
                    if (const auto tag = parse_sequence_payload(e.payload.value("payload", ""));
                        tag && tag->run == run) {
                        ledger.received(tag->seq, e.at, e.payload.value("dup", false));
                        unique.insert(tag->seq);
                    }
                }
            } else {
                if (from_cloud && e.kind == "cloud.published" &&
                    topic_matches(filter, e.payload.value("topic", ""))) {
                    if (const auto tag = parse_sequence_payload(e.payload.value("payload", ""));
                        tag && tag->run == run) {
                        ledger.acknowledged(tag->seq, e.at);
                    }
                } else if (e.source == Source::device && e.kind == "mqtt.message" &&
                           topic_matches(filter, e.payload.value("topic", ""))) {
                    if (const auto tag = parse_sequence_payload(e.payload.value("payload", ""));
                        tag && tag->run == run) {
                        ledger.received(tag->seq, e.at);
                        unique.insert(tag->seq);
                    }
                }
            }
        };
        // Everything since the execution began, until every message arrived or the deadline.
        const auto done = bus_.wait_for(
            start_,
            [&](const Event &e) {
                record(e);
                return unique.size() >= step.count;
            },
            Deadline::after(step.within));
        // Then a short watch for late duplicates (exactly-once must see them).
        const std::uint64_t after = done ? done->seq + 1 : bus_.next_seq();
        if (done) {
            (void)bus_.wait_for(
                after,
                [&](const Event &e) {
                    record(e);
                    return false;
                },
                Deadline::after(step.settle));
        }
        const auto summary = ledger.summary();
        result.details = summary.to_json();
        const auto verdict = ledger.check(guarantee);
        bus_.publish(Source::harness, "ledger", "ledger.verdict",
                     {{"guarantee", step.target}, {"holds", verdict.holds}, {"summary", result.details}},
                     run_);
        if (!verdict.holds) {
            throw StepFailed{std::string(to_string(guarantee)) + " for " + std::to_string(step.count) +
                                 " messages of run " + run + " on '" + filter + "'",
                             verdict.explanation, nlohmann::json::array({result.details})};
        }
    }

    void expect_serial(const Step &step, StepResult &result) {
        result.target = sub(step.target);
        const std::regex pattern(result.target, std::regex::ECMAScript);
        std::smatch groups;
        std::string matched_line;
        const auto event = await_in_order("serial:" + step.device, step.within, result, [&](const Event &e) {
            if (!is_device_event(e, step.device) || e.kind != console_kind::line) return false;
            const std::string text = e.payload.value("text", "");
            if (!std::regex_search(text, groups, pattern)) return false;
            matched_line = text;
            return true;
        });
        if (event) {
            std::smatch final_groups;
            std::regex_search(matched_line, final_groups, pattern);
            nlohmann::json root = {{"line", matched_line}, {"groups", nlohmann::json::array()}};
            for (std::size_t g = 1; g < final_groups.size(); ++g)
                root["groups"].push_back(final_groups[g].str());
            capture(step, root);
            return;
        }
        throw StepFailed{"a console line of device '" + step.device + "' matching /" + result.target +
                             "/ within " + seconds_text(step.within),
                         "no such line", console_tail(step.device)};
    }

    std::uint64_t &cursor(const std::string &stream) {
        auto it = cursors_.find(stream);
        if (it == cursors_.end()) it = cursors_.emplace(stream, start_).first;
        return it->second;
    }

    void device_step(const Step &step, StepResult &result) {
        result.target = step.target;
        nlohmann::json args = substitute_json(step.args, vars_);
        if (step.target == "mqtt.connect") {
            // The bench knows the broker, the identity and the slots; the scenario need not. A
            // scenario value wins, and `null` removes a default (e.g. connect without a certificate).
            nlohmann::json merged = bench_.connect_defaults(step.device);
            merged.update(args);
            args = nlohmann::json::object();
            for (const auto &[key, value] : merged.items()) {
                if (!value.is_null()) args[key] = value;
            }
        }
        auto &device = bench_.device(step.device);
        const auto answer = device.request(step.target, args, Deadline::after(step.within));
        if (!answer) {
            throw StepFailed{"an answer to '" + step.target + "' from device '" + step.device + "' within " +
                                 seconds_text(step.within),
                             "no answer (PROTOCOL.md requires exactly one per request)",
                             console_tail(step.device)};
        }
        const bool want_ok = step.expect_answer == "ok";
        if (answer->ok == want_ok) {
            if (step.match) {
                // `match` reads the answer's body (an ok body, or {class, detail} of an error).
                const auto wanted = substitute_json(*step.match, vars_);
                const auto verdict = json_contains(answer->body, wanted);
                if (!verdict.ok) {
                    throw StepFailed{"the answer to '" + step.target + "' matching " + wanted.dump(),
                                     "it answered " + answer->body.dump() + ": " + verdict.why,
                                     nlohmann::json::array({answer->body})};
                }
            }
            capture(step, answer->body);
            if (want_ok || step.expect_answer == "err") return;
            const std::string cls = answer->body.value("class", "");
            if (cls == step.expect_answer) return;
            throw StepFailed{"'" + step.target + "' to fail with " + step.expect_answer,
                             "it failed with " + cls + ": " + answer->body.value("detail", ""),
                             nlohmann::json::array({answer->body})};
        }
        if (answer->ok) {
            throw StepFailed{"'" + step.target + "' to be refused (" + step.expect_answer + ")",
                             "the device answered ok " + answer->body.dump(),
                             nlohmann::json::array({answer->body})};
        }
        throw StepFailed{"'" + step.target + "' to succeed",
                         "the device answered err " + answer->body.value("class", "?") + ": " +
                             answer->body.value("detail", ""),
                         nlohmann::json::array({answer->body})};
    }

    void expect_device(const Step &step, StepResult &result) {
        result.target = step.target;
        const auto match = step.match ? std::optional(substitute_json(*step.match, vars_)) : std::nullopt;
        const std::string stream = "device:" + step.device;
        const auto seen = await_in_order(stream, step.within, result, [&](const Event &e) {
            return is_device_event(e, step.device) && e.kind == step.target &&
                   (!match || json_contains(e.payload, *match).ok);
        });
        if (seen) {
            capture(step, seen->payload);
            return;
        }
        const std::uint64_t from = cursor(stream);
        StepFailed failed;
        failed.expected = "device '" + step.device + "' event " + step.target +
                          (match ? " matching " + match->dump() : "") + " within " +
                          seconds_text(step.within);
        const auto same_kind = bus_.snapshot(from, 0, [&](const Event &e) {
            return e.context == run_ && e.source == Source::device && e.origin == step.device &&
                   e.kind == step.target;
        });
        if (!same_kind.empty()) {
            failed.observed =
                std::to_string(same_kind.size()) + " " + step.target + " event(s), none matching";
            for (const auto &e : same_kind) {
                if (failed.nearby.size() >= kNearbyLimit) break;
                failed.nearby.push_back(
                    {{"payload", e.payload},
                     {"why", match ? json_contains(e.payload, *match).why : "arrived after the deadline"}});
            }
        } else {
            failed.observed = "no " + step.target + " event from '" + step.device + "'";
            failed.nearby = console_tail(step.device);
        }
        throw failed;
    }

    void expect_cloud(const Step &step, StepResult &result) {
        const auto want = cloud_expectation(step);
        result.target = want.filter;
        const auto seen = await_in_order("cloud", step.within, result, [&](const Event &e) {
            return is_cloud_message(e) && cloud_mismatch(want, e).empty();
        });
        if (seen) {
            capture(step, cloud_view(*seen));
            return;
        }
        const auto &filter = want.filter;
        const auto &payload = want.payload;
        const auto &match = want.match;
        auto mismatch = [&](const Event &e) { return cloud_mismatch(want, e); };
        const std::uint64_t from = cursor("cloud");
        StepFailed failed;
        failed.expected =
            "a cloud message on '" + filter + "'" + (payload ? " with payload \"" + *payload + "\"" : "") +
            (match ? " matching " + match->dump() : "") + " within " + seconds_text(step.within);
        const auto arrived = bus_.snapshot(from, 0, [this](const Event &e) { return is_cloud_message(e); });
        if (arrived.empty()) {
            failed.observed = "no message arrived at the cloud client";
        } else {
            std::vector<std::string> topics;
            for (const auto &e : arrived) {
                const std::string topic = e.payload.value("topic", "");
                if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(topic);
                if (failed.nearby.size() < kNearbyLimit) {
                    failed.nearby.push_back({{"topic", topic},
                                             {"payload", e.payload.value("payload", "")},
                                             {"qos", e.payload.value("qos", 0)},
                                             {"why", "differs in " + mismatch(e)}});
                }
            }
            std::string list;
            for (const auto &t : topics) list += (list.empty() ? "" : ", ") + t;
            failed.observed = std::to_string(arrived.size()) + " message(s) arrived, on: " + list;
        }
        throw failed;
    }

    /// Waits for the first event after the stream's cursor that satisfies `match`; on success moves
    /// the cursor past it (expectations are ordered per stream) and records the reaction time.
    ShadowClient &shadow_client() {
        if (!shadow_) shadow_.emplace(bench_.cloud(), bus_, run_);
        return *shadow_;
    }

    /// cloud.shadow.update / get / delete: one request as the application, judged by its answer.
    void cloud_shadow(const Step &step, StepResult &result) {
        const std::string op = step.kind == StepKind::cloud_shadow_update ? "update"
                               : step.kind == StepKind::cloud_shadow_get  ? "get"
                                                                          : "delete";
        const std::string thing = sub(step.thing);
        const std::string shadow = sub(step.shadow);
        result.target = ShadowClient::topic_prefix(thing, shadow) + "/" + op;
        nlohmann::json body = nlohmann::json::object();
        if (step.kind == StepKind::cloud_shadow_update) {
            body["state"] = substitute_json(step.args, vars_);
            if (step.version) body["version"] = *step.version;
        }
        const auto answer = shadow_client().request(thing, shadow, op, body, Deadline::after(step.within));
        const std::string wanted = step.expect_answer == "accepted" ? "accepted"
                                   : step.expect_answer == "rejected"
                                       ? "rejected"
                                       : "rejected with code " + step.expect_answer;
        if (!answer) {
            throw StepFailed{"the shadow service to answer " + op + " (" + wanted + ") within " +
                                 seconds_text(step.within),
                             "no answer on " + result.target + "/accepted or /rejected"};
        }
        const bool holds =
            step.expect_answer == "accepted" ? answer->accepted
            : step.expect_answer == "rejected"
                ? !answer->accepted
                : !answer->accepted && std::to_string(answer->body.value("code", 0)) == step.expect_answer;
        if (!holds) {
            throw StepFailed{op + " " + wanted,
                             (answer->accepted ? "accepted: " : "rejected: ") + answer->body.dump(),
                             nlohmann::json::array({answer->body})};
        }
        capture(step, answer->body);
    }

    /// expect.shadow: the document's state (get) contains the subset; checked again at each
    /// change the service announces (update/documents, delete/accepted), until the deadline.
    void expect_shadow(const Step &step, StepResult &result) {
        const std::string thing = sub(step.thing);
        const std::string shadow = sub(step.shadow);
        const std::string prefix = ShadowClient::topic_prefix(thing, shadow);
        result.target = prefix;
        const auto want = substitute_json(*step.match, vars_);
        const auto deadline = Deadline::after(step.within);
        auto &client = shadow_client();
        client.watch_changes(thing, shadow, deadline);
        nlohmann::json last;
        std::string why = "no answer to get";
        for (;;) {
            const auto from = bus_.next_seq();
            const auto answer = client.request(thing, shadow, "get", nlohmann::json::object(), deadline);
            if (!answer) break;
            // A missing shadow (404) has no state: only `absent` expectations can hold.
            const nlohmann::json state = answer->accepted
                                             ? answer->body.value("state", nlohmann::json::object())
                                             : nlohmann::json::object();
            last = answer->body;
            const auto verdict = json_contains(state, want);
            if (verdict.ok) return;
            why = verdict.why;
            if (!bus_.wait_for(
                    from, [&](const Event &e) { return client.is_change(e, prefix); }, deadline))
                break;
        }
        throw StepFailed{"shadow " + prefix + " with state containing " + want.dump() + " within " +
                             seconds_text(step.within),
                         last.is_null() ? why : "the last get answered " + last.dump() + " (" + why + ")",
                         nlohmann::json::array({last})};
    }

    /// sequence: the expectations in order; set: all of them, in any order. One deadline for all.
    void group(const Step &step, StepResult &result) {
        result.target = keyword_of(step);
        const auto deadline = Deadline::after(step.within);
        const auto saved = cursors_;
        auto furthest = cursors_;
        for (std::size_t i = 0; i < step.children.size(); ++i) {
            Step child = step.children[i];
            const auto left = std::chrono::duration_cast<Millis>(deadline.remaining() / timeout_scale());
            child.within = std::min(child.within, std::max(left, Millis(0)));
            if (step.kind == StepKind::set) cursors_ = saved; // each looks from where the set began
            StepResult inner;
            try {
                run_step(child, inner);
            } catch (StepFailed &failed) {
                failed.expected = result.target + " item " + std::to_string(i + 1) + ": " + failed.expected;
                throw;
            }
            if (inner.latency_ms) result.latency_ms = inner.latency_ms;
            for (const auto &[stream, at] : cursors_) furthest[stream] = std::max(furthest[stream], at);
        }
        if (step.kind == StepKind::set) cursors_ = furthest; // after the set: past everything it matched
    }

    static std::string keyword_of(const Step &step) {
        return step.kind == StepKind::set ? "set" : "sequence";
    }

    std::optional<Event> await_in_order(const std::string &stream, Millis within, StepResult &result,
                                        const EventBus::Predicate &match) {
        auto &from = cursor(stream);
        const auto waited_from = Clock::now();
        auto event = bus_.wait_for(from, match, Deadline::after(within));
        if (!event) return std::nullopt;
        from = event->seq + 1;
        record_latency(*event, waited_from, result);
        return event;
    }

    static void record_latency(const Event &event, Clock::time_point waited_from, StepResult &result) {
        if (event.at >= waited_from) {
            result.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - event.at).count();
        }
    }

    ScenarioBench &bench_;
    EventBus &bus_;
    std::uint64_t start_;
    std::string run_; // the execution's context: only its own events count
    Variables vars_;  // the bench's variables, then captures as they happen
    std::map<std::string, std::uint64_t> cursors_;
    std::optional<ShadowClient> shadow_; // made at the first shadow step
};

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

} // namespace

ScenarioResult ScenarioRunner::run(const Scenario &scenario, const std::string &id, const std::string &run,
                                   const std::filesystem::path &dir,
                                   const std::vector<std::string> &misbehaviours) {
    ScenarioResult result;
    result.id = id;
    result.name = scenario.name;
    result.file = scenario.file;
    result.run = run;
    result.tags = scenario.tags;
    const auto t0 = Clock::now();

    // The broker profile: the one the scenario pins, else the bench's; capabilities are its.
    result.profile = bench_.profile_for(scenario.profile);
    const auto caps = bench_.capabilities_for(scenario.profile.empty() ? result.profile : scenario.profile);
    if (!caps) {
        result.verdict = Verdict::skip;
        result.reason = "the bench cannot give it the broker profile '" + result.profile + "' it pins";
        return result;
    }
    for (const auto &need : scenario.requires_) {
        if (caps->count(need) == 0) {
            result.verdict = Verdict::skip;
            result.reason = "the bench lacks capability '" + need + "'" +
                            (result.profile.empty() ? "" : " (broker profile " + result.profile + ")");
            return result;
        }
    }

    const std::uint64_t start = bus_.next_seq();
    bus_.publish(Source::harness, "runner", "scenario.started",
                 {{"id", id}, {"name", scenario.name}, {"file", scenario.file}, {"profile", result.profile}},
                 run);
    std::unique_ptr<ScenarioBench> bench;
    try {
        ExecutionRequest request;
        request.run = run;
        request.log_dir = dir;
        request.devices = device_declarations(scenario);
        request.misbehaviours = misbehaviours;
        request.exclusive = std::any_of(scenario.steps.begin(), scenario.steps.end(),
                                        [](const Step &s) { return is_broker_fault(s.kind); });
        request.profile = scenario.profile;
        bench = bench_.open(request);
        result.misbehaviours = misbehaviours;
        result.logs = bench->logs();
        Execution exec(*bench, bus_, start, run);
        int index = 0;
        for (const auto &step : scenario.steps) {
            StepResult sr;
            sr.index = ++index;
            sr.keyword = keyword(step.kind);
            sr.line = step.pos.line;
            const auto step_t0 = Clock::now();
            bus_.publish(Source::harness, "runner", "step.started",
                         {{"index", sr.index}, {"keyword", sr.keyword}, {"where", step.pos.to_string()}},
                         run);
            try {
                exec.run_step(step, sr);
            } catch (const StepFailed &f) {
                sr.verdict = Verdict::fail;
                sr.message = "expected " + f.expected + "; observed " + f.observed;
                Failure failure;
                failure.step = sr.index;
                failure.where = step.pos.to_string();
                failure.expected = f.expected;
                failure.observed = f.observed;
                failure.nearby = f.nearby;
                result.failure = failure;
                result.verdict = Verdict::fail;
                result.reason = "step " + std::to_string(sr.index) + " (" + sr.keyword + " " + sr.target +
                                ") at " + failure.where + ": " + sr.message;
            } catch (const Cancelled &) {
                throw;
            } catch (const std::exception &e) {
                // Broken infrastructure or a device answer the step cannot read: not a verdict on
                // the firmware's behaviour, so ERROR rather than FAIL.
                sr.verdict = Verdict::error;
                sr.message = e.what();
                result.verdict = Verdict::error;
                result.reason = "step " + std::to_string(sr.index) + " (" + sr.keyword + ") at " +
                                step.pos.to_string() + ": " + e.what();
            }
            sr.duration_ms = ms_since(step_t0);
            result.steps.push_back(sr);
            if (sr.verdict != Verdict::pass) break;
        }
    } catch (const Cancelled &) {
        // Recorded like any other outcome; the caller sees bus.cancelled() and stops the run.
        result.verdict = Verdict::error;
        result.reason = "interrupted";
    } catch (const InfraError &e) {
        result.verdict = Verdict::error;
        result.reason =
            std::string("bench: ") + e.what() + (e.log_path().empty() ? "" : " (log: " + e.log_path() + ")");
    } catch (const std::exception &e) {
        result.verdict = Verdict::error;
        result.reason = std::string("bench: ") + e.what();
    }
    bench.reset(); // devices and cloud client go before the verdict is published
    result.duration_ms = ms_since(t0);
    bus_.publish(Source::harness, "runner", "scenario.finished",
                 {{"id", id}, {"verdict", to_string(result.verdict)}, {"reason", result.reason}}, run);

    return result;
}

} // namespace hil

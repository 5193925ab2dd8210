#pragma once
// The validated scenario model (scenario schema v0, scenarios/README.md). The loader builds it
// from YAML; the runner executes it. String fields may hold `${variables}`, substituted when the
// step runs (see template.hpp).

#include "hil/core/clock.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>

#include <string>
#include <vector>

namespace hil {

/// Where something was written: file and 1-based line/column.
struct SourcePos {
    std::string file;
    int line = 0;
    int column = 0;
    [[nodiscard]] std::string to_string() const {
        return file + ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : "");
    }
};

enum class StepKind {
    device,
    expect_device,
    cloud_subscribe,
    cloud_publish,
    expect_cloud,
    expect_absent,     ///< nothing matching for a duration (`within` holds the `for:` duration)
    expect_serial,     ///< a console log line matching a regular expression
    fault_link_add,    ///< a toxic on a device's link (`target`: toxic type)
    fault_link_remove, ///< `target`: toxic name
    fault_link_reset,  ///< RST on every connection of the device's link
    fault_broker_kill,
    fault_broker_restart,
    fault_broker_pause,
    fault_broker_resume,
    fault_device_kill,
    fault_device_restart,
    expect_delivery,     ///< judge a burst with the delivery ledger (`target`: the guarantee)
    cloud_burst,         ///< the cloud client publishes `count` sequence-numbered messages
    cloud_shadow_update, ///< the application updates a shadow (`args`: desired / reported)
    cloud_shadow_get,
    cloud_shadow_delete,
    expect_shadow, ///< the shadow's state contains `match` ({reported, desired, delta})
    sequence,      ///< `children` hold in this order, all within `within`
    set,           ///< `children` all hold, in any order, within `within`
};

/// True for the `fault.broker.*` kinds (the execution needs the broker to itself).
[[nodiscard]] bool is_broker_fault(StepKind kind);
[[nodiscard]] bool is_fault(StepKind kind);

/// `when:` of a fault step: the deterministic point of the traffic it fires at.
struct Trigger {
    bool cloud = false; ///< a cloud message (target = topic filter) or a device event
    std::string target; ///< event name or topic filter
    std::string device = "dut";
    std::optional<nlohmann::json> match;
    Millis within{10000};
};

/// The YAML keyword of a step kind ("expect.cloud").
[[nodiscard]] const char *keyword(StepKind kind);

/// One step. Which fields matter depends on `kind` (see scenarios/README.md §3).
struct Step {
    StepKind kind = StepKind::device;
    SourcePos pos;
    std::string device = "dut";                     ///< device handle (device, expect.device)
    std::string target;                             ///< command / event name / topic or topic filter
    nlohmann::json args = nlohmann::json::object(); ///< device: command arguments
    /// device: "ok" (default), "err", or an error class the answer must carry.
    std::string expect_answer = "ok";
    std::optional<std::string> payload;  ///< cloud.publish payload / expect.cloud exact payload
    std::optional<nlohmann::json> match; ///< expect.*: JSON subset the payload must contain
    std::optional<int> qos;              ///< cloud.*: QoS (publish/subscribe default 0; expect: exact)
    bool retain = false;                 ///< cloud.publish
    Millis within{-1}; ///< deadline; the loader puts the default in when absent (scaled at run time)
    bool absent_on_device = false; ///< expect.absent: `event` (device) instead of `topic` (cloud)
    /// expect.absent: `session` (a client id: no MQTT session of it on the broker) instead of `topic`
    bool absent_session = false;
    std::map<std::string, std::string> captures;          ///< expect.*: variable name -> path in what matched
    std::string toxic_name;                               ///< fault.link.add: name (default: the type)
    std::string direction = "both";                       ///< fault.link.add: upstream, downstream, both
    nlohmann::json attributes = nlohmann::json::object(); ///< fault.link.add: the toxic's settings
    std::optional<Trigger> when;                          ///< fault.*: fire at this point, not at once
    std::uint64_t count = 0;                              ///< expect.delivery / cloud.burst: messages
    std::uint64_t first_seq = 1;                          ///< expect.delivery: first sequence number
    std::string burst_run = "${run}";                     ///< the `run` the burst payloads carry
    std::string topic;                                    ///< expect.delivery: where the receiver gets them
    bool to_device = false;                               ///< expect.delivery: cloud-to-device
    Millis settle{500};                                   ///< expect.delivery: watch for late duplicates
    std::string thing = "${thing}";                       ///< cloud.shadow.*, expect.shadow
    std::string shadow;                                   ///< cloud.shadow.*, expect.shadow: "" = classic
    std::optional<std::int64_t> version;                  ///< cloud.shadow.update: optimistic locking
    std::vector<Step> children;                           ///< sequence, set: the expectations inside
};

/// A device handle a scenario declares (`devices:`); empty names take the bench's defaults.
struct DeviceDecl {
    std::string handle;
    std::string thing;     ///< thing name (may hold run-time variables)
    std::string client_id; ///< MQTT client id (may hold run-time variables)
    /// The device credential of the test PKI the bench puts into its slots (a catalogue name,
    /// checked at load: `device_expired`, `device_rsa`, ...); "" = `device`.
    std::string identity;
};

struct Scenario {
    std::string name;
    std::string description;
    std::string file; ///< path as given on the command line
    SourcePos pos;
    std::string case_label; ///< matrix case, "qos=1,retain=false" ("" without a matrix)
    std::vector<std::string> tags;
    std::vector<std::string> requires_; ///< capability names (registry)
    std::vector<std::string> kills;     ///< misbehaviour names (registry)
    std::string profile;                ///< the broker profile it pins ("" = the run's)
    std::vector<DeviceDecl> devices;    ///< declared handles ("" = only the implicit `dut`)
    std::vector<Step> steps;            ///< setup steps (included first), then `steps`
    std::size_t setup_steps = 0;        ///< how many of `steps` came from setup/include
    /// The built-in variables the file refers to (`broker.rsa.port`, ...): what the bench must
    /// provide for it.
    std::set<std::string> builtins;
};

} // namespace hil

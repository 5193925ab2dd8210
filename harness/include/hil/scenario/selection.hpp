#pragma once
// Which scenario executions a run performs: tag expressions, name globs, deterministic shards and
// repetitions. Pure functions over the loaded scenarios, so `hil list` and `hil run` agree.

#include "hil/scenario/model.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hil {

/// A boolean expression over tags: `smoke`, `mqtt and not slow`, `(qos or tls) and smoke`.
class TagExpression {
  public:
    /// The expression that matches everything.
    TagExpression() = default;
    /// Parses `text`. Throws UsageError naming the position of a syntax error.
    static TagExpression parse(const std::string &text);
    [[nodiscard]] bool matches(const std::vector<std::string> &tags) const;

    struct Node;

  private:
    std::shared_ptr<const Node> root_;
};

struct SelectionOptions {
    std::string tags;    ///< tag expression ("" = all)
    std::string filter;  ///< glob on the scenario id or name ("" = all)
    int shard_index = 1; ///< 1-based K of --shard K/N
    int shard_count = 1; ///< N of --shard K/N
    int repeat = 1;      ///< executions per selected scenario
};

/// Parses "K/N" (1 <= K <= N). Throws UsageError.
void parse_shard(const std::string &text, SelectionOptions &options);

struct PlannedExecution {
    std::size_t scenario = 0; ///< index into the loaded scenarios
    std::string id;           ///< unique in the run: "<stem>", "<stem>#2" (same stem), "<id>~3" (3rd round)
    int round = 1;
    std::vector<std::string> misbehaviours; ///< the virtual device runs with these (selftest)
};

/// Unique ids for the loaded scenarios: the file stem, "#2", "#3" for repeated stems.
[[nodiscard]] std::vector<std::string> scenario_ids(const std::vector<Scenario> &scenarios);

/// The executions of a run, in order: round by round, each round in file order. Sharding keeps
/// every N-th scenario (by position after tag and name selection), so shards never overlap.
[[nodiscard]] std::vector<PlannedExecution> plan_executions(const std::vector<Scenario> &scenarios,
                                                            const SelectionOptions &options);

} // namespace hil

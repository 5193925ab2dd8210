#include "hil/scenario/selection.hpp"

#include "hil/core/error.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace hil {

struct TagExpression::Node {
    enum class Op { tag, op_and, op_or, op_not } op = Op::tag;
    std::string tag;
    std::shared_ptr<const Node> left;
    std::shared_ptr<const Node> right;
};

namespace {

using NodePtr = std::shared_ptr<const TagExpression::Node>;
using Op = TagExpression::Node::Op;

class TagParser {
  public:
    explicit TagParser(const std::string &text) : text_(text) {}

    NodePtr parse() {
        NodePtr node = parse_or();
        if (!peek().empty()) fail("unexpected '" + peek() + "'");
        return node;
    }

  private:
    [[noreturn]] void fail(const std::string &what) const {
        throw UsageError("--tags '" + text_ + "': " + what + " at column " + std::to_string(pos_ + 1));
    }
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) ++pos_;
    }
    std::string peek() {
        skip_space();
        if (pos_ >= text_.size()) return "";
        if (text_[pos_] == '(' || text_[pos_] == ')') return std::string(1, text_[pos_]);
        std::size_t end = pos_;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) != 0 ||
                                      text_[end] == '_' || text_[end] == '-' || text_[end] == '.')) {
            ++end;
        }
        if (end == pos_) fail("unexpected character '" + std::string(1, text_[pos_]) + "'");
        return text_.substr(pos_, end - pos_);
    }
    std::string take() {
        std::string token = peek();
        pos_ += token.size();
        return token;
    }
    static NodePtr binary(Op op, NodePtr left, NodePtr right) {
        auto node = std::make_shared<TagExpression::Node>();
        node->op = op;
        node->left = std::move(left);
        node->right = std::move(right);
        return node;
    }
    NodePtr parse_or() {
        NodePtr left = parse_and();
        while (peek() == "or") {
            take();
            left = binary(Op::op_or, left, parse_and());
        }
        return left;
    }
    NodePtr parse_and() {
        NodePtr left = parse_not();
        while (peek() == "and") {
            take();
            left = binary(Op::op_and, left, parse_not());
        }
        return left;
    }
    NodePtr parse_not() {
        if (peek() == "not") {
            take();
            return binary(Op::op_not, parse_not(), nullptr);
        }
        return parse_atom();
    }
    NodePtr parse_atom() {
        const std::string token = take();
        if (token.empty()) fail("expected a tag");
        if (token == "(") {
            NodePtr inner = parse_or();
            if (take() != ")") fail("expected ')'");
            return inner;
        }
        if (token == ")" || token == "and" || token == "or") fail("expected a tag, got '" + token + "'");
        auto node = std::make_shared<TagExpression::Node>();
        node->tag = token;
        return node;
    }

    const std::string &text_;
    std::size_t pos_ = 0;
};

bool evaluate(const TagExpression::Node &node, const std::vector<std::string> &tags) {
    switch (node.op) {
    case Op::tag: return std::find(tags.begin(), tags.end(), node.tag) != tags.end();
    case Op::op_and: return evaluate(*node.left, tags) && evaluate(*node.right, tags);
    case Op::op_or: return evaluate(*node.left, tags) || evaluate(*node.right, tags);
    case Op::op_not: return !evaluate(*node.left, tags);
    }
    return false;
}

bool glob_matches(const std::string &pattern, const std::string &text) {
    return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

} // namespace

TagExpression TagExpression::parse(const std::string &text) {
    TagExpression expression;
    expression.root_ = TagParser(text).parse();
    return expression;
}

bool TagExpression::matches(const std::vector<std::string> &tags) const {
    return !root_ || evaluate(*root_, tags);
}

void parse_shard(const std::string &text, SelectionOptions &options) {
    const auto slash = text.find('/');
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no '/'");
        std::size_t used = 0;
        options.shard_index = std::stoi(text.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument("K");
        const std::string n = text.substr(slash + 1);
        options.shard_count = std::stoi(n, &used);
        if (used != n.size()) throw std::invalid_argument("N");
    } catch (const std::exception &) {
        throw UsageError("--shard '" + text + "': expected K/N, e.g. 2/4");
    }
    if (options.shard_count < 1 || options.shard_index < 1 || options.shard_index > options.shard_count) {
        throw UsageError("--shard '" + text + "': need 1 <= K <= N");
    }
}

std::vector<std::string> scenario_ids(const std::vector<Scenario> &scenarios) {
    std::map<std::string, int> seen;
    std::vector<std::string> ids;
    for (const auto &sc : scenarios) {
        const std::string stem = std::filesystem::path(sc.file).stem().string() +
                                 (sc.case_label.empty() ? "" : "[" + sc.case_label + "]");
        const int n = ++seen[stem];
        ids.push_back(n == 1 ? stem : stem + "#" + std::to_string(n));
    }
    return ids;
}

std::vector<PlannedExecution> plan_executions(const std::vector<Scenario> &scenarios,
                                              const SelectionOptions &options) {
    const auto ids = scenario_ids(scenarios);
    const TagExpression tags = options.tags.empty() ? TagExpression() : TagExpression::parse(options.tags);
    std::vector<std::size_t> selected;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        if (!tags.matches(scenarios[i].tags)) continue;
        if (!options.filter.empty() && !glob_matches(options.filter, ids[i]) &&
            !glob_matches(options.filter, scenarios[i].name)) {
            continue;
        }
        selected.push_back(i);
    }
    std::vector<std::size_t> shard;
    for (std::size_t k = 0; k < selected.size(); ++k) {
        if (static_cast<int>(k % static_cast<std::size_t>(options.shard_count)) == options.shard_index - 1) {
            shard.push_back(selected[k]);
        }
    }
    std::vector<PlannedExecution> plan;
    for (int round = 1; round <= options.repeat; ++round) {
        for (const std::size_t i : shard) {
            plan.push_back({i, round == 1 ? ids[i] : ids[i] + "~" + std::to_string(round), round, {}});
        }
    }
    return plan;
}

} // namespace hil

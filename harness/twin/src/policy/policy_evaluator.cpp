#include "hil/twin/policy_evaluator.hpp"

#include "condition.hpp"

#include <algorithm>
#include <cctype>

namespace hil::twin {

namespace {
char fold(char c, bool fold_case) {
    return fold_case ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

bool any_pattern_matches(const std::vector<std::string> &patterns, std::string_view subject,
                         const RequestContext &context, bool fold_case) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string &text) {
        const auto pattern = resolve_pattern(text, context);
        return pattern && glob_match(*pattern, subject, fold_case);
    });
}

bool statement_applies(const Statement &statement, std::string_view action, std::string_view resource,
                       const RequestContext &context) {
    const bool action_listed = any_pattern_matches(statement.actions, action, context, /*fold_case=*/true);
    if (action_listed == statement.not_action) return false;
    const bool resource_listed = any_pattern_matches(statement.resources, resource, context, false);
    if (resource_listed == statement.not_resource) return false;
    return std::all_of(statement.conditions.begin(), statement.conditions.end(),
                       [&](const Condition &c) { return detail::condition_holds(c, context); });
}
} // namespace

std::optional<ResolvedPattern> resolve_pattern(std::string_view pattern, const RequestContext &context) {
    ResolvedPattern out;
    const auto literal = [&](std::string_view text) {
        out.text += text;
        out.wild.insert(out.wild.end(), text.size(), false);
    };
    std::size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if (c == '$' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
            const auto close = pattern.find('}', i + 2);
            if (close != std::string_view::npos) {
                const auto name = pattern.substr(i + 2, close - i - 2);
                if (name == "*" || name == "?" || name == "$") {
                    literal(name);
                } else {
                    const auto value = context.values.find(name);
                    if (value == context.values.end()) return std::nullopt;
                    literal(value->second);
                }
                i = close + 1;
                continue;
            }
        }
        out.text += c;
        out.wild.push_back(c == '*' || c == '?');
        ++i;
    }
    return out;
}

bool glob_match(const ResolvedPattern &pattern, std::string_view subject, bool fold_case) {
    // Iterative wildcard matching with backtracking to the last `*`: O(pattern * subject).
    std::size_t p = 0;
    std::size_t s = 0;
    std::size_t star = std::string::npos;
    std::size_t star_s = 0;
    const std::size_t n = pattern.text.size();
    while (s < subject.size()) {
        if (p < n && pattern.wild[p] && pattern.text[p] == '*') {
            star = p++;
            star_s = s;
        } else if (p < n &&
                   ((pattern.wild[p] && pattern.text[p] == '?') ||
                    (!pattern.wild[p] && fold(pattern.text[p], fold_case) == fold(subject[s], fold_case)))) {
            ++p;
            ++s;
        } else if (star != std::string::npos) {
            p = star + 1;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < n && pattern.wild[p] && pattern.text[p] == '*') ++p;
    return p == n;
}

Evaluation evaluate(const std::vector<const Policy *> &policies, std::string_view action,
                    std::string_view resource, const RequestContext &context) {
    Evaluation result;
    for (const Policy *policy : policies) {
        for (std::size_t i = 0; i < policy->statements.size(); ++i) {
            const Statement &statement = policy->statements[i];
            if (!statement_applies(statement, action, resource, context)) continue;
            if (statement.effect == Effect::deny) return {Decision::explicit_deny, policy, i};
            if (result.decision != Decision::allow) result = {Decision::allow, policy, i};
        }
    }
    return result;
}

std::string_view to_string(Decision decision) {
    switch (decision) {
    case Decision::allow: return "allow";
    case Decision::implicit_deny: return "implicit deny";
    case Decision::explicit_deny: return "explicit deny";
    }
    return "";
}

} // namespace hil::twin

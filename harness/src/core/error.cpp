#include "hil/core/error.hpp"

#include <numeric>

namespace hil {

std::string ConfigIssue::to_string() const {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    return out + ": " + message;
}

namespace {
std::string join_issues(const std::vector<ConfigIssue> &issues) {
    std::string text;
    for (const auto &issue : issues) {
        if (!text.empty()) text += "\n";
        text += issue.to_string();
    }
    return text;
}
} // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error(join_issues(issues)), issues_(std::move(issues)) {}

} // namespace hil

#pragma once
// The rooted error hierarchy of the harness. Errors are for broken infrastructure and bad input;
// a failed expectation is a verdict (see scenario/result.hpp), never an exception.

#include <stdexcept>
#include <string>
#include <vector>

namespace hil {

/// Root of every error the harness throws on purpose.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Bad command line (exit code 2).
class UsageError : public Error {
  public:
    using Error::Error;
};

/// One problem in a user-written file, with its position (1-based; 0 = unknown).
struct ConfigIssue {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;

    /// "file:line:column: message" (the format editors and CI annotations understand).
    [[nodiscard]] std::string to_string() const;
};

/// Scenario or bench file errors: all the problems of one file at once (exit code 2).
class ConfigError : public Error {
  public:
    explicit ConfigError(std::vector<ConfigIssue> issues);
    explicit ConfigError(ConfigIssue issue) : ConfigError(std::vector<ConfigIssue>{std::move(issue)}) {}
    [[nodiscard]] const std::vector<ConfigIssue> &issues() const { return issues_; }

  private:
    std::vector<ConfigIssue> issues_;
};

/// Infrastructure failed: a broker did not start, a port is busy, a child died (exit code 3).
/// Carries where to look: the log file of the failing part, if it has one.
class InfraError : public Error {
  public:
    explicit InfraError(const std::string &what, std::string log_path = {})
        : Error(what), log_path_(std::move(log_path)) {}
    [[nodiscard]] const std::string &log_path() const { return log_path_; }

  private:
    std::string log_path_;
};

/// The run was interrupted (SIGINT/SIGTERM); waits end early with this.
class Cancelled : public Error {
  public:
    Cancelled() : Error("interrupted") {}
};

} // namespace hil

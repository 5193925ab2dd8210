#pragma once
// Reading a YAML settings file (bench files, kit files) into its top-level mapping, with the
// errors every such file reports the same way. Internal to the harness library (yaml-cpp stays
// out of the public headers).

#include "hil/core/error.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

namespace hil {

/// The top-level mapping of `file`. Throws ConfigError: "cannot read the <what> file" (line 0),
/// "YAML syntax error: ..." at its position, "a <what> file must be a mapping" at 1:1.
inline YAML::Node load_yaml_mapping(const std::filesystem::path &file, const std::string &what) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile &) {
        throw ConfigError(ConfigIssue{file.string(), 0, 0, "cannot read the " + what + " file"});
    } catch (const YAML::Exception &e) {
        throw ConfigError(
            ConfigIssue{file.string(), e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    }
    if (!root.IsMap())
        throw ConfigError(ConfigIssue{file.string(), 1, 1, "a " + what + " file must be a mapping"});
    return root;
}

} // namespace hil

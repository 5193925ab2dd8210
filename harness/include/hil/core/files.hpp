#pragma once
// Small file helpers every module uses.

#include <filesystem>
#include <string>

namespace hil {

/// Writes `text` to `path` through a temporary file and rename, so a reader never sees half a
/// file. Creates missing parent directories. Throws InfraError.
void write_file_atomically(const std::filesystem::path &path, const std::string &text);

/// Reads a whole file. Throws InfraError naming it.
[[nodiscard]] std::string read_text_file(const std::filesystem::path &path);

/// `relative` beside an installation of hil: `<dir>/../relative` for the directory of the running
/// executable, then of `$HIL_VDEV`; the first that exists, else empty. How an installed `hil`
/// (or a program using the library) finds the twin plugin, the policies and the kit files.
[[nodiscard]] std::filesystem::path beside_installation(const std::filesystem::path &relative);

} // namespace hil

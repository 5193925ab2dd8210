#include "hil/core/files.hpp"

#include "hil/core/error.hpp"

#include <fstream>
#include <sstream>

namespace hil {

void write_file_atomically(const std::filesystem::path &path, const std::string &text) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
        out << text;
        if (!out) throw InfraError("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

std::string read_text_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InfraError("cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace hil

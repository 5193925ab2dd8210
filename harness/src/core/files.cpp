#include "hil/core/files.hpp"

#include <cstdlib>

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

std::filesystem::path beside_installation(const std::filesystem::path &relative) {
    std::vector<std::filesystem::path> bins;
    std::error_code ec;
    if (const auto self = std::filesystem::read_symlink("/proc/self/exe", ec); !ec)
        bins.push_back(self.parent_path());
    if (const char *vdev = std::getenv("HIL_VDEV"); vdev != nullptr && *vdev != '\0') {
        bins.push_back(std::filesystem::path(vdev).parent_path());
    }
    for (const auto &bin : bins) {
        auto candidate = bin.parent_path() / relative;
        if (std::filesystem::exists(candidate)) return candidate;
    }
    return {};
}

} // namespace hil

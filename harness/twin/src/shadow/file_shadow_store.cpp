#include "hil/twin/file_shadow_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace hil::twin {

namespace {
constexpr int kFormat = 1;

[[noreturn]] void fail(const std::string &what, const std::filesystem::path &path) {
    throw StoreError(what + " " + path.string() + ": " + std::strerror(errno));
}

/// Owns a file descriptor for the duration of one write.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

void fsync_directory(const std::filesystem::path &dir) {
    const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) fail("cannot fsync directory", dir);
}

void write_atomically(const std::filesystem::path &path, const std::string &text, bool sync) {
    const auto dir = path.parent_path();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) throw StoreError("cannot create " + dir.string() + ": " + ec.message());
        if (sync) {
            fsync_directory(dir.parent_path());
            if (dir.filename() == "named") fsync_directory(dir.parent_path().parent_path());
        }
    }
    auto tmp = path;
    tmp += ".tmp";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail("cannot create", tmp);
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", tmp);
        }
        written += static_cast<std::size_t>(n);
    }
    if (sync && ::fsync(fd.get()) != 0) fail("cannot fsync", tmp);
    if (::close(fd.release()) != 0) fail("cannot close", tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename over", path);
    if (sync) fsync_directory(dir);
}

std::string serialize(const ShadowRecord &record) {
    Json file = Json::object();
    file["format"] = kFormat;
    file["version"] = record.version;
    if (record.deleted) {
        file["deleted_at"] = record.deleted_at;
    } else {
        file["state"] = record.state;
        file["metadata"] = record.metadata;
    }
    return file.dump() + "\n";
}

ShadowRecord deserialize(const std::string &text, const std::filesystem::path &path) {
    const Json file = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto bad = [&](const std::string &why) {
        return StoreError("corrupt shadow file " + path.string() + ": " + why);
    };
    if (!file.is_object()) throw bad("not a JSON object");
    if (file.value("format", 0) != kFormat) throw bad("unknown format");
    const auto version = file.find("version");
    if (version == file.end() || !version->is_number_integer()) throw bad("no version");
    ShadowRecord record;
    record.version = version->get<std::int64_t>();
    if (const auto deleted = file.find("deleted_at"); deleted != file.end()) {
        if (!deleted->is_number_integer()) throw bad("bad deleted_at");
        record.deleted = true;
        record.deleted_at = deleted->get<std::int64_t>();
        return record;
    }
    const auto state = file.find("state");
    const auto metadata = file.find("metadata");
    if (state == file.end() || !state->is_object() || metadata == file.end() || !metadata->is_object()) {
        throw bad("no state or metadata");
    }
    record.state = *state;
    record.metadata = *metadata;
    return record;
}
} // namespace

FileShadowStore::FileShadowStore(std::filesystem::path dir, bool sync) : dir_(std::move(dir)), sync_(sync) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw StoreError("cannot create shadow store " + dir_.string() + ": " + ec.message());
}

std::filesystem::path FileShadowStore::path_of(const ShadowKey &key) const {
    // Thing and shadow names cannot hold '/' or '.' (A.11), so they are safe path components.
    if (!is_valid_thing_name(key.thing) || (key.named() && !is_valid_shadow_name(key.name))) {
        throw StoreError("invalid shadow key '" + key.thing + "' / '" + key.name + "'");
    }
    const auto thing_dir = dir_ / key.thing;
    return key.named() ? thing_dir / "named" / (key.name + ".json") : thing_dir / "classic.json";
}

std::optional<ShadowRecord> FileShadowStore::load(const ShadowKey &key) {
    if (const auto cached = cache_.find(key); cached != cache_.end()) return cached->second;
    const auto path = path_of(key);
    std::ifstream in(path, std::ios::binary);
    std::optional<ShadowRecord> record;
    if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) fail("cannot read", path);
        record = deserialize(text.str(), path);
    } else if (std::error_code ec; std::filesystem::exists(path, ec)) {
        fail("cannot open", path);
    }
    cache_[key] = record;
    return record;
}

void FileShadowStore::save(const ShadowKey &key, const ShadowRecord &record) {
    const auto path = path_of(key);
    cache_.erase(key); // a failed write must not leave a record the disk does not have
    write_atomically(path, serialize(record), sync_);
    cache_[key] = record;
}

void FileShadowStore::erase(const ShadowKey &key) {
    const auto path = path_of(key);
    cache_.erase(key);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) throw StoreError("cannot remove " + path.string() + ": " + ec.message());
    if (sync_) fsync_directory(path.parent_path());
}

} // namespace hil::twin

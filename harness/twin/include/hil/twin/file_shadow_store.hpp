#pragma once
// Shadows on disk, one JSON file per shadow, so they survive a `kill -9` of the broker:
//
//   <dir>/<thing>/classic.json        the classic shadow
//   <dir>/<thing>/named/<name>.json   a named shadow
//
// Each save writes `<file>.tmp`, fsyncs it, renames it over the file and fsyncs the directory,
// so a reader (or a restarted broker) sees either the old or the new record, never a torn one.
// File content: {"format":1,"version":v,"state":{...},"metadata":{...}} or, for a tombstone,
// {"format":1,"version":v,"deleted_at":t}. Records are cached after the first read: the store
// assumes it is the only writer of its directory.

#include "hil/twin/shadow_store.hpp"

#include <filesystem>
#include <map>

namespace hil::twin {

class FileShadowStore final : public ShadowStore {
  public:
    /// `sync` false skips the fsyncs (still atomic against a killed process, not against a power
    /// cut). Creates `dir` if needed; throws StoreError if it cannot.
    explicit FileShadowStore(std::filesystem::path dir, bool sync = true);

    std::optional<ShadowRecord> load(const ShadowKey &key) override;
    void save(const ShadowKey &key, const ShadowRecord &record) override;
    void erase(const ShadowKey &key) override;

    /// The file that holds `key`'s record.
    [[nodiscard]] std::filesystem::path path_of(const ShadowKey &key) const;

  private:
    std::filesystem::path dir_;
    bool sync_;
    std::map<ShadowKey, std::optional<ShadowRecord>> cache_;
};

} // namespace hil::twin

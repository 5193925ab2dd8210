#pragma once
// Where shadows live between requests. The service reads and writes whole records through this
// interface; MemoryShadowStore keeps them in RAM (tests, fuzzing), FileShadowStore on disk
// (file_shadow_store.hpp) so they survive a `kill -9` of the broker.

#include "hil/twin/shadow_topic.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>

namespace hil::twin {

/// JSON with object keys kept in the order they were written (requests are echoed as sent).
using Json = nlohmann::ordered_json;

/// One shadow as stored: its document, or a tombstone left by a delete (A.8: a re-created shadow
/// continues the deleted one's version within the tombstone lifetime).
struct ShadowRecord {
    Json state = Json::object();    ///< {"desired"?: {...}, "reported"?: {...}}; empty sections absent
    Json metadata = Json::object(); ///< same shape as state; each leaf {"timestamp": t}
    std::int64_t version = 0;       ///< the current version (for a tombstone: the last one)
    bool deleted = false;           ///< a tombstone: the shadow does not exist
    std::int64_t deleted_at = 0;    ///< epoch seconds of the delete (tombstones only)

    bool operator==(const ShadowRecord &) const = default;
};

/// A store could not read or write a record (the service answers 500, A.10).
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ShadowStore {
  public:
    virtual ~ShadowStore() = default;
    /// The record of `key`, or nullopt if there never was one. Throws StoreError.
    virtual std::optional<ShadowRecord> load(const ShadowKey &key) = 0;
    /// Replaces the record of `key`; durable when this returns (for durable stores). Throws StoreError.
    virtual void save(const ShadowKey &key, const ShadowRecord &record) = 0;
    /// Forgets `key` entirely (an expired tombstone). Throws StoreError.
    virtual void erase(const ShadowKey &key) = 0;
};

/// Records in a map; nothing survives the process.
class MemoryShadowStore final : public ShadowStore {
  public:
    std::optional<ShadowRecord> load(const ShadowKey &key) override;
    void save(const ShadowKey &key, const ShadowRecord &record) override;
    void erase(const ShadowKey &key) override;

  private:
    std::map<ShadowKey, ShadowRecord> records_;
};

} // namespace hil::twin

#include "hil/twin/shadow_store.hpp"

namespace hil::twin {

std::optional<ShadowRecord> MemoryShadowStore::load(const ShadowKey &key) {
    const auto found = records_.find(key);
    if (found == records_.end()) return std::nullopt;
    return found->second;
}

void MemoryShadowStore::save(const ShadowKey &key, const ShadowRecord &record) {
    records_[key] = record;
}

void MemoryShadowStore::erase(const ShadowKey &key) {
    records_.erase(key);
}

} // namespace hil::twin

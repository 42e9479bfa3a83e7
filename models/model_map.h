// OrderedModel's point mutations: a map of key to value and its state hash
// (state_hash.h) updated together, for any map type with find/emplace/erase.
// (HashMapModel keeps each entry's hash beside its value instead, so that an
// overwrite does not hash the old value again.) Internal to models/.
#ifndef KVLAB_MODELS_MODEL_MAP_H_
#define KVLAB_MODELS_MODEL_MAP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/status_macros.h"
#include "engine/kv_store.h"
#include "models/state_hash.h"

namespace kvlab::models {

// Sets entries[key] = value; `hash` drops the old entry's hash, adds the new.
template <typename Map>
void PutEntry(Map& entries, uint64_t& hash, std::string_view key, std::string_view value) {
  auto it = entries.find(AV(key));
  if (it != entries.end()) {
    hash -= EntryHash(key, it->second);
    it->second.assign(value.data(), value.size());
  } else {
    entries.emplace(std::string(key), std::string(value));
  }
  hash += EntryHash(key, value);
}

// Erases `key` and its hash from `hash`. False (and no change) if missing.
template <typename Map>
bool DeleteEntry(Map& entries, uint64_t& hash, std::string_view key) {
  auto it = entries.find(AV(key));
  if (it == entries.end()) return false;
  hash -= EntryHash(key, it->second);
  entries.erase(it);
  return true;
}

// Applies the batch's ops to `model` (its Put and Delete), in order.
template <typename Model>
void ApplyBatch(Model& model, const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.type == WriteBatch::OpType::kPut) {
      model.Put(op.key, op.value);
    } else {
      model.Delete(op.key);
    }
  }
}

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_MODEL_MAP_H_

// HashMapModel: a flat_hash_map whose state hash follows every mutation.
#include "models/hash_map_model.h"

#include "engine/common/status_macros.h"
#include "models/model_map.h"

namespace kvlab::models {

void HashMapModel::Put(std::string_view key, std::string_view value) {
  PutEntry(entries_, hash_, key, value);
}

void HashMapModel::Delete(std::string_view key) { DeleteEntry(entries_, hash_, key); }

void HashMapModel::Apply(const WriteBatch& batch) { ApplyBatch(*this, batch); }

std::optional<std::string> HashMapModel::Get(std::string_view key) const {
  const std::string* value = Find(key);
  if (value == nullptr) return std::nullopt;
  return *value;
}

const std::string* HashMapModel::Find(std::string_view key) const {
  auto it = entries_.find(AV(key));
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace kvlab::models

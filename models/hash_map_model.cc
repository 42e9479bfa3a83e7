// HashMapModel: a flat_hash_map whose state hash follows every mutation.
#include "models/hash_map_model.h"

#include "engine/common/status_macros.h"
#include "models/state_hash.h"

namespace kvlab::models {

void HashMapModel::Put(std::string_view key, std::string_view value) {
  auto it = entries_.find(AV(key));
  if (it != entries_.end()) {
    hash_ -= EntryHash(key, it->second);
    it->second.assign(value.data(), value.size());
  } else {
    entries_.emplace(std::string(key), std::string(value));
  }
  hash_ += EntryHash(key, value);
}

void HashMapModel::Delete(std::string_view key) {
  auto it = entries_.find(AV(key));
  if (it == entries_.end()) return;
  hash_ -= EntryHash(key, it->second);
  entries_.erase(it);
}

void HashMapModel::Apply(const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.type == WriteBatch::OpType::kPut) {
      Put(op.key, op.value);
    } else {
      Delete(op.key);
    }
  }
}

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

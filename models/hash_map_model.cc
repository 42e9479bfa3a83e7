// HashMapModel: a flat_hash_map of entries that carry their hash, and the
// state hash that follows every mutation.
#include "models/hash_map_model.h"

#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/model_map.h"
#include "models/state_hash.h"

namespace kvlab::models {

void HashMapModel::Put(std::string_view key, std::string_view value) {
  Put(key, value, EntryHash(key, value));
}

void HashMapModel::Put(std::string_view key, std::string_view value, uint64_t entry_hash) {
#ifndef NDEBUG
  KVLAB_CHECK_EQ(entry_hash, EntryHash(key, value), "HashMapModel::Put: a wrong entry hash");
#endif
  auto [it, inserted] = entries_.try_emplace(AV(key));
  if (!inserted) hash_ -= it->second.hash;
  it->second.value.assign(value.data(), value.size());
  it->second.hash = entry_hash;
  hash_ += entry_hash;
}

void HashMapModel::Delete(std::string_view key) {
  auto it = entries_.find(AV(key));
  if (it == entries_.end()) return;
  hash_ -= it->second.hash;
  entries_.erase(it);
}

void HashMapModel::Apply(const WriteBatch& batch) { ApplyBatch(*this, batch); }

void HashMapModel::Apply(const WriteBatch& batch, absl::Span<const uint64_t> hashes) {
  KVLAB_CHECK_EQ(hashes.size(), batch.ops().size());
  size_t i = 0;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.type == WriteBatch::OpType::kPut) {
      Put(op.key, op.value, hashes[i]);
    } else {
      Delete(op.key);
    }
    ++i;
  }
}

void HashMapModel::BatchHashes(const WriteBatch& batch, Hashes& out) {
  out.clear();
  for (const WriteBatch::Op& op : batch.ops()) {
    out.push_back(op.type == WriteBatch::OpType::kPut ? EntryHash(op.key, op.value) : 0);
  }
}

std::optional<std::string> HashMapModel::Get(std::string_view key) const {
  const std::string* value = Find(key);
  if (value == nullptr) return std::nullopt;
  return *value;
}

const std::string* HashMapModel::Find(std::string_view key) const {
  const Entry* e = FindEntry(key);
  return e == nullptr ? nullptr : &e->value;
}

const HashMapModel::Entry* HashMapModel::FindEntry(std::string_view key) const {
  auto it = entries_.find(AV(key));
  return it == entries_.end() ? nullptr : &it->second;
}

absl::flat_hash_map<std::string, std::string> HashMapModel::Values() const {
  absl::flat_hash_map<std::string, std::string> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.emplace(key, entry.value);
  return out;
}

}  // namespace kvlab::models

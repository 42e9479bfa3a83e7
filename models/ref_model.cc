// RefModel: a vector of viewed entries by key id, each carrying its hash, and
// the state hash that follows every mutation; KeyTable, the key numbering.
#include "models/ref_model.h"

#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/state_hash.h"

namespace kvlab::models {

uint32_t KeyTable::InternMiss(std::string_view key) {
  uint64_t word;
  if (Pack(key, &word)) {
    CacheSlot& slot = cache_[CacheIndex(word)];
    auto [it, inserted] = short_ids_.try_emplace(word, static_cast<uint32_t>(keys_.size()));
    if (inserted) {
      keys_.emplace_back(key);
      key_hashes_.push_back(EntryKeyHash(key));
    }
    slot = CacheSlot{word, it->second};
    return it->second;
  }
  auto it = ids_.find(AV(key));
  if (it != ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(keys_.size());
  ids_.emplace(AV(keys_.emplace_back(key)), id);  // Viewing the stored copy.
  key_hashes_.push_back(EntryKeyHash(key));
  return id;
}

uint32_t KeyTable::FindLong(std::string_view key) const {
  auto it = ids_.find(AV(key));
  return it == ids_.end() ? kNone : it->second;
}

void RefModel::Put(uint32_t key_id, std::string_view value, const PutHashes& hashes,
                   const Keep& keep) {
#ifndef NDEBUG
  KVLAB_CHECK_EQ(hashes.entry, EntryHash(keys_->key(key_id), value),
                 "RefModel::Put: a wrong entry hash");
  KVLAB_CHECK_EQ(hashes.value, ValueHash(value), "RefModel::Put: a wrong value hash");
#endif
  if (key_id >= entries_.size()) entries_.resize(keys_->size());
  Entry& e = entries_[key_id];
  if (e.live) {
    hash_ -= e.hash;
  } else {
    e.live = true;
    ++size_;
  }
  e.value = value;
  e.hash = hashes.entry;
  e.value_hash = hashes.value;
  e.keep = keep;
  hash_ += hashes.entry;
}

void RefModel::Delete(uint32_t key_id) {
  if (key_id >= entries_.size() || !entries_[key_id].live) return;
  Entry& e = entries_[key_id];
  hash_ -= e.hash;
  e = Entry();  // Drops its Keep.
  --size_;
}

void RefModel::Apply(absl::Span<const WriteRef> ops, absl::Span<const PutHashes> hashes,
                     const Keep& keep) {
  KVLAB_CHECK_EQ(hashes.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].type == WriteBatch::OpType::kPut) {
      Put(ops[i].key_id, ops[i].value, hashes[i], keep);
    } else {
      Delete(ops[i].key_id);
    }
  }
}

std::optional<std::string> RefModel::Get(std::string_view key) const {
  const std::string_view* value = Find(key);
  if (value == nullptr) return std::nullopt;
  return std::string(*value);
}

absl::flat_hash_map<std::string, std::string> RefModel::Values() const {
  absl::flat_hash_map<std::string, std::string> out;
  out.reserve(size_);
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    if (!entries_[id].live) continue;
    out.emplace(std::string(keys_->key(id)), std::string(entries_[id].value));
  }
  return out;
}

}  // namespace kvlab::models

// RefModel: a flat_hash_map of viewed entries that carry their hash, and the
// state hash that follows every mutation.
#include "models/ref_model.h"

#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/state_hash.h"

namespace kvlab::models {

void RefModel::Put(std::string_view key, std::string_view value, uint64_t entry_hash,
                   const Keep& keep) {
#ifndef NDEBUG
  KVLAB_CHECK_EQ(entry_hash, EntryHash(key, value), "RefModel::Put: a wrong entry hash");
#endif
  auto [it, inserted] = entries_.try_emplace(AV(key));
  if (!inserted) hash_ -= it->second.hash;
  it->second.value = value;
  it->second.hash = entry_hash;
  it->second.keep = keep;
  hash_ += entry_hash;
}

void RefModel::Delete(std::string_view key) {
  auto it = entries_.find(AV(key));
  if (it == entries_.end()) return;
  hash_ -= it->second.hash;
  entries_.erase(it);
}

void RefModel::Apply(absl::Span<const WriteRef> ops, absl::Span<const uint64_t> hashes,
                     const Keep& keep) {
  KVLAB_CHECK_EQ(hashes.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].type == WriteBatch::OpType::kPut) {
      Put(ops[i].key, ops[i].value, hashes[i], keep);
    } else {
      Delete(ops[i].key);
    }
  }
}

const RefModel::Entry* RefModel::FindEntry(std::string_view key) const {
  auto it = entries_.find(AV(key));
  return it == entries_.end() ? nullptr : &it->second;
}

const std::string_view* RefModel::Find(std::string_view key) const {
  const Entry* e = FindEntry(key);
  return e == nullptr ? nullptr : &e->value;
}

std::optional<std::string> RefModel::Get(std::string_view key) const {
  const std::string_view* value = Find(key);
  if (value == nullptr) return std::nullopt;
  return std::string(*value);
}

absl::flat_hash_map<std::string, std::string> RefModel::Values() const {
  absl::flat_hash_map<std::string, std::string> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    out.emplace(std::string(key), std::string(entry.value));
  }
  return out;
}

}  // namespace kvlab::models

// OrderedModel: a btree_map with scans and shared-copy snapshots.
#include "models/ordered_model.h"

#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/model_map.h"
#include "models/state_hash.h"

namespace kvlab::models {

void OrderedModel::Put(std::string_view key, std::string_view value) {
  WillWrite();
  auto it = entries_.find(AV(key));
  if (it != entries_.end()) {
    hash_ -= EntryHash(key, it->second);
    it->second.assign(value.data(), value.size());
  } else {
    entries_.emplace(std::string(key), std::string(value));
  }
  hash_ += EntryHash(key, value);
}

void OrderedModel::Delete(std::string_view key) {
  auto it = entries_.find(AV(key));
  if (it == entries_.end()) return;  // A no-op delete keeps the frozen copy.
  WillWrite();
  hash_ -= EntryHash(key, it->second);
  entries_.erase(it);
}

void OrderedModel::Apply(const WriteBatch& batch) { ApplyBatch(*this, batch); }

std::optional<std::string> OrderedModel::Get(std::string_view key) const {
  auto it = entries_.find(AV(key));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

OrderedModel::Entries OrderedModel::ScanMap(const Map& map, std::string_view start,
                                            std::string_view end, size_t limit) {
  Entries out;
  for (auto it = map.lower_bound(AV(start)); it != map.end() && out.size() < limit; ++it) {
    if (!end.empty() && std::string_view(it->first) >= end) break;
    out.emplace_back(it->first, it->second);
  }
  return out;
}

OrderedModel::Entries OrderedModel::PrefixScanMap(const Map& map, std::string_view prefix,
                                                  size_t limit) {
  Entries out;
  for (auto it = map.lower_bound(AV(prefix)); it != map.end() && out.size() < limit; ++it) {
    if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    out.emplace_back(it->first, it->second);
  }
  return out;
}

OrderedModel::Entries OrderedModel::Scan(std::string_view start, std::string_view end,
                                         size_t limit) const {
  return ScanMap(entries_, start, end, limit);
}

OrderedModel::Entries OrderedModel::PrefixScan(std::string_view prefix, size_t limit) const {
  return PrefixScanMap(entries_, prefix, limit);
}

OrderedModel::SnapshotId OrderedModel::TakeSnapshot() {
  if (frozen_ == nullptr) frozen_ = std::make_shared<const Map>(entries_);
  const SnapshotId id = next_snapshot_++;
  snapshots_.emplace(id, frozen_);
  return id;
}

void OrderedModel::ReleaseSnapshot(SnapshotId id) {
  KVLAB_CHECK(snapshots_.erase(id) == 1, "OrderedModel: releasing an unknown snapshot");
}

const OrderedModel::Map& OrderedModel::SnapshotMap(SnapshotId id) const {
  auto it = snapshots_.find(id);
  KVLAB_CHECK(it != snapshots_.end(), "OrderedModel: reading an unknown snapshot");
  return *it->second;
}

std::optional<std::string> OrderedModel::Get(std::string_view key, SnapshotId id) const {
  const Map& map = SnapshotMap(id);
  auto it = map.find(AV(key));
  if (it == map.end()) return std::nullopt;
  return it->second;
}

OrderedModel::Entries OrderedModel::Scan(std::string_view start, std::string_view end,
                                         size_t limit, SnapshotId id) const {
  return ScanMap(SnapshotMap(id), start, end, limit);
}

OrderedModel::Entries OrderedModel::PrefixScan(std::string_view prefix, size_t limit,
                                               SnapshotId id) const {
  return PrefixScanMap(SnapshotMap(id), prefix, limit);
}

}  // namespace kvlab::models

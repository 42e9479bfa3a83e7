// OrderedModel: the reference model for ordered engines (scans, snapshots).
//
// The same point operations and state hash as HashMapModel over an
// absl::btree_map, plus range and prefix scans and snapshots. A snapshot
// shares one immutable copy of the map with every other snapshot taken
// without a write in between (copy on the first snapshot after a write), so
// taking many snapshots of a quiet model is cheap. Not thread-safe.
#ifndef KVLAB_MODELS_ORDERED_MODEL_H_
#define KVLAB_MODELS_ORDERED_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "engine/kv_store.h"

namespace kvlab::models {

class OrderedModel {
 public:
  using Map = absl::btree_map<std::string, std::string>;
  using Entries = std::vector<std::pair<std::string, std::string>>;
  using SnapshotId = uint64_t;

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);  // Missing key: no-op.
  void Apply(const WriteBatch& batch);

  std::optional<std::string> Get(std::string_view key) const;
  // Up to `limit` entries with start <= key < end, in key order; an empty
  // `end` means unbounded (as KvStore::Scan).
  Entries Scan(std::string_view start, std::string_view end, size_t limit) const;
  // Entries whose key starts with `prefix`, up to `limit` (as KvStore::PrefixScan).
  Entries PrefixScan(std::string_view prefix, size_t limit) const;

  // A read view of the current state. Ids are never reused.
  SnapshotId TakeSnapshot();
  // REQUIRES: `id` is live (taken and not released); KVLAB_CHECKed.
  void ReleaseSnapshot(SnapshotId id);
  std::optional<std::string> Get(std::string_view key, SnapshotId id) const;
  Entries Scan(std::string_view start, std::string_view end, size_t limit,
               SnapshotId id) const;
  Entries PrefixScan(std::string_view prefix, size_t limit, SnapshotId id) const;
  size_t live_snapshots() const { return snapshots_.size(); }

  size_t size() const { return entries_.size(); }
  uint64_t StateHash() const { return hash_; }  // Same definition as HashMapModel.
  const Map& entries() const { return entries_; }

 private:
  const Map& SnapshotMap(SnapshotId id) const;
  static Entries ScanMap(const Map& map, std::string_view start, std::string_view end,
                         size_t limit);
  static Entries PrefixScanMap(const Map& map, std::string_view prefix, size_t limit);
  void WillWrite() { frozen_.reset(); }

  Map entries_;
  uint64_t hash_ = 0;
  // The copy shared by snapshots taken since the last write; null after a write.
  std::shared_ptr<const Map> frozen_;
  absl::flat_hash_map<SnapshotId, std::shared_ptr<const Map>> snapshots_;
  SnapshotId next_snapshot_ = 1;
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_ORDERED_MODEL_H_

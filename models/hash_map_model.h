// HashMapModel: the reference model for every engine's point operations.
//
// A plain in-memory map with an incremental state hash (see state_hash.h):
// the crash oracle and the simulator compare engines against it. Not
// thread-safe; the simulator drives it from one thread.
#ifndef KVLAB_MODELS_HASH_MAP_MODEL_H_
#define KVLAB_MODELS_HASH_MAP_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "engine/kv_store.h"

namespace kvlab::models {

class HashMapModel {
 public:
  using Map = absl::flat_hash_map<std::string, std::string>;

  void Put(std::string_view key, std::string_view value);
  // Deleting a missing key is a no-op (as in KvStore).
  void Delete(std::string_view key);
  // Applies the batch's ops in order.
  void Apply(const WriteBatch& batch);

  std::optional<std::string> Get(std::string_view key) const;
  // The stored value, or nullptr if missing. Valid until the next mutation.
  const std::string* Find(std::string_view key) const;

  size_t size() const { return entries_.size(); }
  // Sum of EntryHash over the live entries; O(1).
  uint64_t StateHash() const { return hash_; }
  const Map& entries() const { return entries_; }

  friend bool operator==(const HashMapModel& a, const HashMapModel& b) {
    return a.hash_ == b.hash_ && a.entries_ == b.entries_;
  }

 private:
  Map entries_;
  uint64_t hash_ = 0;
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_HASH_MAP_MODEL_H_

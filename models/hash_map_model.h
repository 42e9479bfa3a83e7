// HashMapModel: the reference model for every engine's point operations.
//
// A plain in-memory map with an incremental state hash (see state_hash.h):
// the crash oracle and the simulator compare engines against it. Each entry
// keeps its EntryHash, so overwriting or deleting it never hashes the old
// value again, and a caller that already hashed a write (the crash oracle
// hashes each write once and applies it to two models) passes the hash in.
// Not thread-safe; the simulator drives it from one thread.
#ifndef KVLAB_MODELS_HASH_MAP_MODEL_H_
#define KVLAB_MODELS_HASH_MAP_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "engine/kv_store.h"

namespace kvlab::models {

class HashMapModel {
 public:
  struct Entry {
    std::string value;
    uint64_t hash = 0;  // EntryHash(key, value).
    friend bool operator==(const Entry& a, const Entry& b) {
      return a.hash == b.hash && a.value == b.value;
    }
  };
  using Map = absl::flat_hash_map<std::string, Entry>;

  void Put(std::string_view key, std::string_view value);
  // REQUIRES: entry_hash == EntryHash(key, value) (checked in debug builds).
  void Put(std::string_view key, std::string_view value, uint64_t entry_hash);
  // Deleting a missing key is a no-op (as in KvStore).
  void Delete(std::string_view key);
  // Applies the batch's ops in order.
  void Apply(const WriteBatch& batch);
  // The same with the batch's entry hashes (BatchHashes), one per op.
  void Apply(const WriteBatch& batch, absl::Span<const uint64_t> hashes);
  // EntryHash of each op of `batch` (0 for a delete), for Apply. Inline
  // room for small batches: most writes are a single put.
  using Hashes = absl::InlinedVector<uint64_t, 4>;
  static void BatchHashes(const WriteBatch& batch, Hashes& out);

  std::optional<std::string> Get(std::string_view key) const;
  // The stored value, or nullptr if missing. Valid until the next mutation.
  const std::string* Find(std::string_view key) const;
  // The stored entry (value and hash), or nullptr if missing.
  const Entry* FindEntry(std::string_view key) const;

  size_t size() const { return entries_.size(); }
  // Sum of EntryHash over the live entries; O(1).
  uint64_t StateHash() const { return hash_; }
  const Map& entries() const { return entries_; }
  // Key -> value, a copy (for tests and messages).
  absl::flat_hash_map<std::string, std::string> Values() const;

  friend bool operator==(const HashMapModel& a, const HashMapModel& b) {
    return a.hash_ == b.hash_ && a.entries_ == b.entries_;
  }

 private:
  Map entries_;
  uint64_t hash_ = 0;
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_HASH_MAP_MODEL_H_

// RefModel: the crash oracle's point state, HashMapModel's contents and state
// hash (state_hash.h) over bytes it does not copy.
//
// Each entry views its key and value instead of owning them. The crash oracle
// records every write once and applies it to two models (the state after
// every acknowledged op, and the base before its window), and copies one into
// the other after every check; with owned strings that was three copies of
// every value and a copy of the whole state per check (a simulated seed
// writes tens of thousands of values). Whoever owns the bytes either keeps
// them valid for the model's life (the simulator's Schedule does) or hands
// the entry a Keep, a reference that holds their storage alive.
//
// Keys are numbered by a KeyTable shared with the model's owner, and entries
// live in a vector indexed by key id: a write the owner has interned (one hash
// lookup) is applied to each model without hashing its key again.
// Not thread-safe.
#ifndef KVLAB_MODELS_REF_MODEL_H_
#define KVLAB_MODELS_REF_MODEL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "engine/common/hash.h"
#include "engine/kv_store.h"
#include "models/state_hash.h"

namespace kvlab::models {

// Holds the storage of viewed bytes alive (null: the owner outlives the viewer).
using Keep = std::shared_ptr<const void>;

// One put or delete of a write, viewing its key and value.
struct WriteRef {
  WriteBatch::OpType type = WriteBatch::OpType::kPut;
  std::string_view key;
  std::string_view value;  // Empty for deletes.
  uint32_t key_id = 0;     // KeyTable id of `key`, set by whoever interns it.
};

// The hashes of one put (state_hash.h): ValueHash(value) and, built from it,
// EntryHash(key, value). All zero for a delete.
struct PutHashes {
  uint64_t value = 0;
  uint64_t entry = 0;
};
// The hashes of a put of `value` to the key whose EntryKeyHash is `key_hash`.
inline PutHashes HashPut(uint64_t key_hash, std::string_view value) {
  const uint64_t value_hash = ValueHash(value);
  return PutHashes{value_hash, EntryHashOfHashes(key_hash, value_hash)};
}

// Keys numbered 0, 1, ... in first-interned order, stored at stable addresses.
class KeyTable {
 public:
  static constexpr uint32_t kNone = ~uint32_t{0};
  // The key's id, numbering it if new. Inline: every write interns its keys,
  // and nearly every one is a hit in the cache below.
  uint32_t Intern(std::string_view key) {
    uint64_t word;
    if (Pack(key, &word)) {
      const CacheSlot& slot = cache_[CacheIndex(word)];
      if (slot.word == word && slot.id != kNone) return slot.id;
    }
    return InternMiss(key);
  }
  // The key's id, or kNone. Inline: every checked read looks its key up.
  uint32_t Find(std::string_view key) const {
    uint64_t word;
    if (Pack(key, &word)) {
      const CacheSlot& slot = cache_[CacheIndex(word)];
      if (slot.word == word && slot.id != kNone) return slot.id;
      return FindShort(word);
    }
    return FindLong(key);
  }
  // The stored key: valid for the table's life.
  std::string_view key(uint32_t id) const { return keys_[id]; }
  // EntryKeyHash(key(id)) (state_hash.h), computed when the key was numbered.
  uint64_t key_hash(uint32_t id) const { return key_hashes_[id]; }
  size_t size() const { return keys_.size(); }

 private:
  // Keys of up to 7 bytes, packed with their length into one word, are
  // looked up as integers: no string hash or compare (a run's keys are a
  // few bytes, "k07", and every write and read looks its key up).
  // The word is LoadLe64(key) | size << 56, loaded without a memcpy call of
  // a variable length: two overlapping 4-byte loads, or three single bytes.
  static bool Pack(std::string_view key, uint64_t* word) {
    const size_t n = key.size();
    if (n > 7) return false;
    const char* p = key.data();
    uint64_t w = 0;
    if (n >= 4) {
      w = LoadLe64(p, 4) | LoadLe64(p + n - 4, 4) << (8 * (n - 4));
    } else if (n > 0) {
      auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])} << (8 * i); };
      w = byte(0) | byte(n / 2) | byte(n - 1);
    }
    *word = w | uint64_t{n} << 56;
    return true;
  }
  // In front of short_ids_: a direct-mapped cache of packed keys, filled by
  // Intern (a slot holds the last key interned there). A run has a few
  // dozen keys and looks one up per write and per read, so nearly every
  // lookup is one multiply and one compare instead of a hash table probe.
  uint32_t FindShort(uint64_t word) const {
    auto it = short_ids_.find(word);
    return it == short_ids_.end() ? kNone : it->second;
  }
  uint32_t FindLong(std::string_view key) const;  // Keys of 8 bytes or more.
  uint32_t InternMiss(std::string_view key);      // Intern past the cache.
  struct CacheSlot {
    uint64_t word = 0;
    uint32_t id = kNone;  // kNone: empty (0 is a packed word: the empty key).
  };
  static constexpr int kCacheBits = 8;
  static size_t CacheIndex(uint64_t word) {
    return static_cast<size_t>((word * 0x9E3779B97F4A7C15ull) >> (64 - kCacheBits));
  }
  std::array<CacheSlot, size_t{1} << kCacheBits> cache_;
  std::deque<std::string> keys_;  // A deque never moves its elements.
  std::vector<uint64_t> key_hashes_;  // By id.
  absl::flat_hash_map<uint64_t, uint32_t> short_ids_;     // Packed keys.
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;  // Longer keys.
};

class RefModel {
 public:
  struct Entry {
    std::string_view value;
    uint64_t hash = 0;        // EntryHash(key, value).
    uint64_t value_hash = 0;  // ValueHash(value).
    Keep keep;          // Holds `value`'s bytes (null: its owner outlives the model).
    bool live = false;  // Present (false: absent, or never written).
  };

  // `keys` numbers the keys of every call; it must outlive the model.
  explicit RefModel(const KeyTable* keys) : keys_(keys) {}

  // REQUIRES: `value`'s bytes stay valid while the entry is live or `keep`
  // holds them; hashes == HashPut(EntryKeyHash(key), value).
  void Put(uint32_t key_id, std::string_view value, const PutHashes& hashes, const Keep& keep);
  // Deleting a missing key is a no-op (as in KvStore).
  void Delete(uint32_t key_id);
  // Applies `ops` (interned: key_id set) in order, with their hashes (zero
  // for a delete).
  void Apply(absl::Span<const WriteRef> ops, absl::Span<const PutHashes> hashes,
             const Keep& keep);

  // The stored entry, or nullptr if missing. Valid until the next mutation.
  const Entry* FindEntry(uint32_t key_id) const {
    return key_id < entries_.size() && entries_[key_id].live ? &entries_[key_id] : nullptr;
  }
  const Entry* FindEntry(std::string_view key) const { return FindEntry(keys_->Find(key)); }
  // The stored value, or nullptr if missing. Valid until the next mutation.
  const std::string_view* Find(std::string_view key) const {
    const Entry* e = FindEntry(key);
    return e == nullptr ? nullptr : &e->value;
  }
  std::optional<std::string> Get(std::string_view key) const;

  size_t size() const { return size_; }
  // Sum of EntryHash over the live entries; O(1).
  uint64_t StateHash() const { return hash_; }
  // Key -> value, a copy (for tests and messages).
  absl::flat_hash_map<std::string, std::string> Values() const;

 private:
  const KeyTable* keys_;
  std::vector<Entry> entries_;  // By key id.
  size_t size_ = 0;             // Live entries.
  uint64_t hash_ = 0;
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_REF_MODEL_H_

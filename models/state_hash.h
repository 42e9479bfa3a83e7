// Per-entry hashes for the reference models' incremental state hash.
//
// A model's StateHash is the wrapping sum (mod 2^64) of EntryHash(key, value)
// over its live entries, so a put or delete updates it in O(1) and two equal
// states always have the same hash, whatever order of operations built them.
// The hash is our own (fixed across builds and processes), never absl::Hash,
// whose output is salted per process.
#ifndef KVLAB_MODELS_STATE_HASH_H_
#define KVLAB_MODELS_STATE_HASH_H_

#include <cstdint>
#include <string_view>

#include "engine/common/hash.h"

namespace kvlab::models {

// A 64-bit hash of a byte string: up to 32 bytes, one FoldWord chain of the
// length and the 8-byte chunks from `seed`, then Mix64(h + kGoldenGamma);
// longer, HashBytes64(data, seed) (engine/common/hash.h).
uint64_t HashBytes(std::string_view data, uint64_t seed);

// The contribution of one live entry to a state hash. Never 0 in practice;
// distinct (key, value) pairs collide with probability ~2^-64.
uint64_t EntryHash(std::string_view key, std::string_view value);

// EntryHash in steps, for a caller that keeps the key's or the value's hash:
// EntryHash(key, value) == EntryHashOf(EntryKeyHash(key), value)
//                       == EntryHashOfHashes(EntryKeyHash(key), ValueHash(value)).
uint64_t EntryKeyHash(std::string_view key);
uint64_t EntryHashOf(uint64_t key_hash, std::string_view value);
inline uint64_t EntryHashOfHashes(uint64_t key_hash, uint64_t value_hash) {
  return Mix64(value_hash + key_hash * 0xC2B2AE3D27D4EB4Full);
}

// The hash of a value alone, HashBytes(value, 1): the one the simulator mixes
// into its run hash for every value a read returns, so a read that matches a
// model entry takes the entry's copy (RefModel::Entry::value_hash).
inline uint64_t ValueHash(std::string_view value) { return HashBytes(value, 1); }

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_STATE_HASH_H_

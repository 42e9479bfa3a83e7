// The models' entry hash, fixed across builds (engine/common/hash.h).
#include "models/state_hash.h"

#include "engine/common/hash.h"

namespace kvlab::models {

uint64_t HashBytes(std::string_view data, uint64_t seed) {
  if (data.size() > 32) return HashBytes64(data, seed);
  // Short strings (keys, small values): one chain of FoldWord, one final mix
  // (HashBytes64 ends in two 128-bit multiplies and a mix: more for a key).
  uint64_t h = FoldWord(seed, data.size());
  for (size_t at = 0; at < data.size(); at += 8) {
    h = FoldWord(h, LoadLe64(data.data() + at, data.size() - at < 8 ? data.size() - at : 8));
  }
  return Mix64(h + kGoldenGamma);
}

uint64_t EntryKeyHash(std::string_view key) { return HashBytes(key, 0x6B65790000000001ull); }

uint64_t EntryHashOf(uint64_t key_hash, std::string_view value) {
  return EntryHashOfHashes(key_hash, ValueHash(value));
}

uint64_t EntryHash(std::string_view key, std::string_view value) {
  return EntryHashOf(EntryKeyHash(key), value);
}

}  // namespace kvlab::models

// The models' entry hash: a small multiply-mix hash, fixed across builds.
#include "models/state_hash.h"

#include <cstring>

namespace kvlab::models {
namespace {

constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xC2B2AE3D27D4EB4Full;

// SplitMix64's finaliser: every input bit affects every output bit.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

}  // namespace

uint64_t HashBytes(std::string_view data, uint64_t seed) {
  uint64_t h = Mix(seed ^ (data.size() * kMul1));
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, data.data() + i, 8);
    h = (h ^ Mix(word * kMul2)) * kMul1;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < data.size(); ++j) {
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(data[i + j])) << (8 * j);
  }
  h = (h ^ Mix(tail * kMul2 + 1)) * kMul1;
  return Mix(h);
}

uint64_t EntryHash(std::string_view key, std::string_view value) {
  const uint64_t key_hash = HashBytes(key, 0x6B65790000000001ull);
  return Mix(HashBytes(value, key_hash) + key_hash * kMul2);
}

}  // namespace kvlab::models

// Fixed 64-bit hashing: the same value on every build and machine.
//
// std::hash and absl::Hash may change between builds (absl seeds per process),
// so anything kvlab pins or replays — trace hashes, model state hashes,
// seeded generators — hashes with these instead:
//   - Mix64(x): SplitMix64's finaliser. A bijection of 64-bit words in which
//     every input bit affects every output bit.
//   - SplitMix64(state): advances `state` by the golden gamma and returns
//     Mix64 of it (Steele, Lea, Flood: "Fast splittable pseudorandom number
//     generators"); seeds xoshiro and friends.
//   - HashBytes64(bytes, seed): a byte-string hash, eight bytes per multiply
//     on four independent lanes (the CPU overlaps them), defined exactly below.
#ifndef KVLAB_ENGINE_COMMON_HASH_H_
#define KVLAB_ENGINE_COMMON_HASH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kvlab {

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ull;

inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline uint64_t SplitMix64(uint64_t& state) { return Mix64(state += kGoldenGamma); }

// The little-endian 64-bit word of the n <= 8 bytes at p (missing bytes 0).
inline uint64_t LoadLe64(const char* p, size_t n) {
  uint64_t w = 0;
  std::memcpy(&w, p, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  return w;
}

// One step of a word chain: h = (h ^ w) * K; h ^= h >> 32, K = kGoldenGamma.
// A bijection of h for a given w and of w for a given h, so two chains of
// the same length that differ in one word end differently.
inline uint64_t FoldWord(uint64_t h, uint64_t w) {
  h = (h ^ w) * kGoldenGamma;
  return h ^ (h >> 32);
}

// HashBytes64, exactly. K = kGoldenGamma, n = the length in bytes, A(x) =
// Mix64(x + K). Four lanes:
//   lane[i] = ((0xcbf29ce484222325 + i) ^ (n * K)) ^ seed       for i = 0..3
//   the j-th 8-byte chunk of the bytes (j = 0, 1, ...), read as a little-endian
//   word w (the last chunk zero-padded if shorter), is folded into lane j % 4
//   by lane = FoldWord(lane, w);
//   result = A(A(A(A(lane[0]) ^ lane[1]) ^ lane[2]) ^ lane[3])
// The combination is a chain of bijections, so two inputs of the same length
// that differ in one chunk always hash differently. (Seed 0 is the trace
// hash's bytes hash since the simulator's first release; its values are pinned.)
inline uint64_t HashBytes64(std::string_view bytes, uint64_t seed = 0) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  const uint64_t start = (static_cast<uint64_t>(n) * kGoldenGamma) ^ seed;
  uint64_t lane[4];
  for (uint64_t i = 0; i < 4; ++i) lane[i] = (0xcbf29ce484222325ull + i) ^ start;
  for (; n >= 32; p += 32, n -= 32) {
    lane[0] = FoldWord(lane[0], LoadLe64(p, 8));
    lane[1] = FoldWord(lane[1], LoadLe64(p + 8, 8));
    lane[2] = FoldWord(lane[2], LoadLe64(p + 16, 8));
    lane[3] = FoldWord(lane[3], LoadLe64(p + 24, 8));
  }
  for (int i = 0; n > 0; ++i) {
    const size_t take = n < 8 ? n : 8;
    lane[i] = FoldWord(lane[i], LoadLe64(p, take));
    p += take;
    n -= take;
  }
  auto a = [](uint64_t x) { return Mix64(x + kGoldenGamma); };
  return a(a(a(a(lane[0]) ^ lane[1]) ^ lane[2]) ^ lane[3]);
}

}  // namespace kvlab

#endif  // KVLAB_ENGINE_COMMON_HASH_H_

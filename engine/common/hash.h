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
//   - HashBytes64(bytes, seed): a byte-string hash, sixteen bytes per
//     64x64->128-bit multiply on four independent lanes (the CPU overlaps
//     them), then a final mix; defined exactly below.
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

// The xor of the high and low halves of the 128-bit product x * y: one
// multiply folds two 64-bit words (16 bytes) into one.
inline uint64_t MulFold64(uint64_t x, uint64_t y) {
  const unsigned __int128 product = static_cast<unsigned __int128>(x) * y;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// HashBytes64, exactly. K = kGoldenGamma, n = the length in bytes, A(x) =
// Mix64(x + K), M(x, y) = MulFold64(x, y), + and * mod 2^64, L and F the
// constants kHashLane and kHashFinal below (hex digits of pi).
//   the bytes are cut into 16-byte chunks from the start; when n >= 16, a
//   last chunk shorter than 16 bytes is replaced by the last 16 bytes of the
//   input (overlapping the chunk before it); when n < 16 (also n = 0) there
//   is one chunk, the bytes zero-padded to 16;
//   four lanes start as lane[i] = seed ^ (n * K) ^ L[i]       for i = 0..3;
//   the j-th chunk (j = 0, 1, ...), read as two little-endian words a, b, is
//   folded into lane j % 4 by lane = M(a ^ lane, b + R(lane)), R(v) = v
//   rotated by 32 bits;
//   x[i] = lane[i] ^ F[i];
//   result = A(M(x[0], x[1]) ^ M(x[2], x[3]) ^ x[0] ^ x[1] ^ x[2] ^ x[3])
// A chunk's 128 bits are folded into a 64-bit lane, so two inputs of the same
// length that differ in one chunk are NOT certain to hash differently (under
// the chain of bijections this replaced, they were). What holds instead:
// every byte goes through a multiply with the lane it is folded into; a fold
// forgets the lane's past only when a = lane or b = -R(lane), values that
// depend on the seed, the length and all earlier bytes (no fixed magic
// words); R keeps the two factors apart, so M(x, y) = M(y, x) gives no
// collisions between chunks of small words (without R, (a, b) = (1, 0) and
// (0, -1) collide for every odd lane); the final step keeps every lane even
// when the product it is in is 0 (the xor of the x[i]), and A is a bijection.
// For inputs not built from these internal values, two distinct inputs
// collide with probability about 2^-64; tests/hash_test.cc checks random and
// low-entropy inputs and the avalanche of every input and seed bit. Not
// keyed: no defence against inputs crafted to collide.
// (Seed 0 is the trace hash's bytes hash; its values are pinned. This
// definition replaced one of eight bytes per multiply, changing them.)
inline constexpr uint64_t kHashLane[4] = {0x243f6a8885a308d3ull, 0x13198a2e03707344ull,
                                          0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull};
inline constexpr uint64_t kHashFinal[4] = {0x452821e638d01377ull, 0xbe5466cf34e90c6cull,
                                           0xc0ac29b7c97c50ddull, 0x3f84d5b5b5470917ull};

// One fold of a 16-byte chunk at p into a lane (the spec above).
inline uint64_t FoldChunk(uint64_t lane, const char* p) {
  const uint64_t rotated = (lane << 32) | (lane >> 32);
  return MulFold64(LoadLe64(p, 8) ^ lane, LoadLe64(p + 8, 8) + rotated);
}

inline uint64_t HashBytes64(std::string_view bytes, uint64_t seed = 0) {
  const char* p = bytes.data();
  const size_t n = bytes.size();
  const uint64_t start = seed ^ (static_cast<uint64_t>(n) * kGoldenGamma);
  uint64_t lane0 = start ^ kHashLane[0];
  uint64_t lane1 = start ^ kHashLane[1];
  uint64_t lane2 = start ^ kHashLane[2];
  uint64_t lane3 = start ^ kHashLane[3];
  if (n < 16) {
    char chunk[16] = {};
    if (n > 0) std::memcpy(chunk, p, n);
    lane0 = FoldChunk(lane0, chunk);
  } else {
    const char* const last = p + n - 16;  // The last chunk.
    size_t left = n;
    for (; left > 64; p += 64, left -= 64) {  // Four chunks, one per lane.
      lane0 = FoldChunk(lane0, p);
      lane1 = FoldChunk(lane1, p + 16);
      lane2 = FoldChunk(lane2, p + 32);
      lane3 = FoldChunk(lane3, p + 48);
    }
    // 1 to 64 bytes are left: 1 to 4 chunks, the last one at `last`.
    if (left > 32) {
      lane0 = FoldChunk(lane0, p);
      lane1 = FoldChunk(lane1, p + 16);
      if (left > 48) {
        lane2 = FoldChunk(lane2, p + 32);
        lane3 = FoldChunk(lane3, last);
      } else {
        lane2 = FoldChunk(lane2, last);
      }
    } else if (left > 16) {
      lane0 = FoldChunk(lane0, p);
      lane1 = FoldChunk(lane1, last);
    } else {
      lane0 = FoldChunk(lane0, last);
    }
  }
  const uint64_t x0 = lane0 ^ kHashFinal[0];
  const uint64_t x1 = lane1 ^ kHashFinal[1];
  const uint64_t x2 = lane2 ^ kHashFinal[2];
  const uint64_t x3 = lane3 ^ kHashFinal[3];
  return Mix64((MulFold64(x0, x1) ^ MulFold64(x2, x3) ^ x0 ^ x1 ^ x2 ^ x3) + kGoldenGamma);
}

}  // namespace kvlab

#endif  // KVLAB_ENGINE_COMMON_HASH_H_

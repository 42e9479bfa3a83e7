// TraceHash: a 64-bit hash folded over every event of a simulated run.
//
// The mixing is our own and fixed, so a seed gives the same hash on every
// build and machine (std::hash and absl::Hash are not fixed across builds):
//   - bytes (AddBytes) are hashed 8 at a time by HashBytes64, below: a run
//     hashes every byte it reads and writes, so this is on the hot path
//     (byte-at-a-time FNV-1a took half the CPU of a campaign). Fnv1a64 is
//     kept for reference and its pinned values;
//   - each 64-bit word v is folded as h = Avalanche(h ^ v), where Avalanche is
//     the SplitMix64 finalizer of (x + 0x9e3779b97f4a7c15): a bijection, so
//     the fold is order-sensitive and a changed word always changes h.
#ifndef KVLAB_SIM_TRACE_HASH_H_
#define KVLAB_SIM_TRACE_HASH_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kvlab::sim {

inline uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

inline uint64_t Avalanche64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The little-endian 64-bit word of the n <= 8 bytes at p (missing bytes 0).
inline uint64_t LoadLe64(const char* p, size_t n) {
  uint64_t w = 0;
  std::memcpy(&w, p, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  return w;
}

// HashBytes64, the bytes hash of the trace, exactly. K = 0x9e3779b97f4a7c15,
// n = the length in bytes. Four lanes (independent, so the CPU overlaps them):
//   lane[i] = (0xcbf29ce484222325 + i) ^ (n * K)        for i = 0..3
//   the j-th 8-byte chunk of the bytes (j = 0, 1, ...), read as a little-endian
//   word w (the last chunk zero-padded if shorter), is folded into lane j % 4:
//       lane = (lane ^ w) * K;  lane = lane ^ (lane >> 32)
//   result = A(A(A(A(lane[0]) ^ lane[1]) ^ lane[2]) ^ lane[3]), A = Avalanche64
// Each fold is a bijection of the lane for a given w and of w for a given
// lane, and the combination is a chain of bijections, so two inputs of the
// same length that differ in one chunk always hash differently.
inline uint64_t HashBytes64(std::string_view bytes) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  const char* p = bytes.data();
  size_t n = bytes.size();
  const uint64_t length_mix = static_cast<uint64_t>(n) * kMul;
  uint64_t lane[4];
  for (uint64_t i = 0; i < 4; ++i) lane[i] = (0xcbf29ce484222325ull + i) ^ length_mix;
  auto fold = [](uint64_t& h, uint64_t w) {
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  };
  for (; n >= 32; p += 32, n -= 32) {
    fold(lane[0], LoadLe64(p, 8));
    fold(lane[1], LoadLe64(p + 8, 8));
    fold(lane[2], LoadLe64(p + 16, 8));
    fold(lane[3], LoadLe64(p + 24, 8));
  }
  for (int i = 0; n > 0; ++i) {
    const size_t take = n < 8 ? n : 8;
    fold(lane[i], LoadLe64(p, take));
    p += take;
    n -= take;
  }
  return Avalanche64(Avalanche64(Avalanche64(Avalanche64(lane[0]) ^ lane[1]) ^ lane[2]) ^
                     lane[3]);
}

class TraceHash {
 public:
  // Event tags: the first word of every event.
  enum Tag : uint64_t {
    kDeviceOp = 1,
    kTaskRun = 2,
    kCrash = 3,
    kSeed = 4,
  };

  void Add(uint64_t word) { h_ = Avalanche64(h_ ^ word); }
  void AddBytes(std::string_view bytes) { Add(HashBytes64(bytes)); }
  uint64_t value() const { return h_; }
  uint64_t events() const { return events_; }
  void CountEvent() { ++events_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
  uint64_t events_ = 0;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_TRACE_HASH_H_

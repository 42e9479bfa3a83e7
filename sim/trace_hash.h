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

// HashBytes64, the bytes hash of the trace, exactly:
//   h = 0xcbf29ce484222325 ^ (n * 0x9e3779b97f4a7c15)   (n = length in bytes)
//   for each 8-byte chunk of the bytes, in order, as a little-endian word w
//   (the last chunk zero-padded if shorter):
//       h = (h ^ w) * 0x9e3779b97f4a7c15;  h = h ^ (h >> 32)
//   result = Avalanche64(h)
// Each step is a bijection of h for a given w and of w for a given h, so two
// inputs of the same length that differ in any byte always hash differently.
inline uint64_t HashBytes64(std::string_view bytes) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = 0xcbf29ce484222325ull ^ (static_cast<uint64_t>(n) * kMul);
  for (; n >= 8; p += 8, n -= 8) {
    h = (h ^ LoadLe64(p, 8)) * kMul;
    h ^= h >> 32;
  }
  if (n > 0) {
    h = (h ^ LoadLe64(p, n)) * kMul;
    h ^= h >> 32;
  }
  return Avalanche64(h);
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

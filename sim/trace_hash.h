// TraceHash: a 64-bit hash folded over every event of a simulated run.
//
// The mixing is our own and fixed, so a seed gives the same hash on every
// build and machine (std::hash and absl::Hash are not fixed across builds):
//   - bytes are hashed with 64-bit FNV-1a (offset 0xcbf29ce484222325, prime
//     0x100000001b3);
//   - each 64-bit word v is folded as h = Avalanche(h ^ v), where Avalanche is
//     the SplitMix64 finalizer of (x + 0x9e3779b97f4a7c15): a bijection, so
//     the fold is order-sensitive and a changed word always changes h.
#ifndef KVLAB_SIM_TRACE_HASH_H_
#define KVLAB_SIM_TRACE_HASH_H_

#include <cstdint>
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
  void AddBytes(std::string_view bytes) { Add(Fnv1a64(bytes)); }
  uint64_t value() const { return h_; }
  uint64_t events() const { return events_; }
  void CountEvent() { ++events_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
  uint64_t events_ = 0;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_TRACE_HASH_H_

// TraceHash: a 64-bit hash folded over every event of a simulated run.
//
// The mixing is our own and fixed (engine/common/hash.h), so a seed gives the
// same hash on every build and machine (std::hash and absl::Hash are not
// fixed across builds). One event is one step of the fold:
//   - an event's words (its tag first) are chained by FoldWord into a digest
//     d, starting from 0; a byte string in an event (TraceEvent::Bytes) is
//     its length, then its 8-byte little-endian chunks (zero-padded) when it
//     is at most 64 bytes long, else TraceBytes64 of it (trace_bytes.h:
//     eight bytes per multiply, AVX2 where there is); a path in an event
//     is one word, TracePathWord(path) (below), so that a file handle
//     computes it once at open and every op on the handle folds one word;
//   - the hash moves on as h = Avalanche64(h ^ d), Avalanche64(x) =
//     Mix64(x + 0x9e3779b97f4a7c15): a bijection, so the fold is
//     order-sensitive and a changed digest always changes h.
// A device op is one event of about ten words but one avalanche: FoldWord
// costs one multiply, the avalanche two; this is the simulator's hot path.
// Fnv1a64 is kept for reference and its pinned values.
#ifndef KVLAB_SIM_TRACE_HASH_H_
#define KVLAB_SIM_TRACE_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/common/hash.h"
#include "sim/trace_bytes.h"

namespace kvlab::sim {

using kvlab::HashBytes64;

inline uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

inline uint64_t Avalanche64(uint64_t x) { return Mix64(x + kGoldenGamma); }

// LoadLe64(p, n) for 0 < n < 8, without the libc call that memcpy of a
// variable length costs: two overlapping loads, or three single bytes.
inline uint64_t LoadLe64Short(const char* p, size_t n) {
  if (n >= 4) return LoadLe64(p, 4) | LoadLe64(p + n - 4, 4) << (8 * (n - 4));
  const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1));
}

// The one word a path contributes to an event: starting from the length,
// FoldWord chains the path's 8-byte little-endian chunks (the last one
// zero-padded); the word is Mix64 of the end. Two distinct paths of one
// length never give the same word (a chain of bijections, then a bijection);
// of different lengths, with probability about 2^-64. Also the hash of the
// simulator's path maps (SimDevice::PathHash).
inline uint64_t TracePathWord(std::string_view path) {
  uint64_t h = path.size();
  size_t at = 0;
  for (; path.size() - at >= 8; at += 8) h = FoldWord(h, LoadLe64(path.data() + at, 8));
  if (at < path.size()) h = FoldWord(h, LoadLe64Short(path.data() + at, path.size() - at));
  return Mix64(h);
}

// The digest of one event, built word by word (see the top of this file).
class TraceEvent {
 public:
  explicit TraceEvent(uint64_t tag) : d_(FoldWord(0, tag)) {}
  TraceEvent& Word(uint64_t w) {
    d_ = FoldWord(d_, w);
    return *this;
  }
  TraceEvent& Bytes(std::string_view bytes) {
    Word(bytes.size());
    if (bytes.size() > 64) return Word(TraceBytes64(bytes));
    size_t at = 0;
    for (; bytes.size() - at >= 8; at += 8) Word(LoadLe64(bytes.data() + at, 8));
    if (at < bytes.size()) Word(LoadLe64Short(bytes.data() + at, bytes.size() - at));
    return *this;
  }
  uint64_t digest() const { return d_; }

 private:
  uint64_t d_;
};

class TraceHash {
 public:
  // Event tags: the first word of every event.
  enum Tag : uint64_t {
    kDeviceOp = 1,
    kTaskRun = 2,
    kCrash = 3,
    kSeed = 4,
  };

  // Folds one event and counts it.
  void Add(const TraceEvent& event) {
    h_ = Avalanche64(h_ ^ event.digest());
    ++events_;
  }
  uint64_t value() const { return h_; }
  uint64_t events() const { return events_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
  uint64_t events_ = 0;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_TRACE_HASH_H_

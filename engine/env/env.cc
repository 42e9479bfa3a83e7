#include "engine/env/env.h"

#include "engine/common/check.h"
#include "engine/common/hash.h"

namespace kvlab {

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kOther: return "other";
    case FileKind::kData: return "data";
    case FileKind::kIndex: return "index";
    case FileKind::kLog: return "log";
    case FileKind::kManifest: return "manifest";
    case FileKind::kHint: return "hint";
    case FileKind::kCount: break;
  }
  return "invalid";
}

IoCounters::PerKind IoCounters::Total() const {
  PerKind total;
  for (const PerKind& k : by_kind) {
    total.bytes_read += k.bytes_read;
    total.bytes_written += k.bytes_written;
    total.reads += k.reads;
    total.writes += k.writes;
    total.syncs += k.syncs;
  }
  return total;
}

IoCounters IoCounters::operator-(const IoCounters& earlier) const {
  IoCounters d;
  for (size_t i = 0; i < kFileKindCount; ++i) {
    d.by_kind[i].bytes_read = by_kind[i].bytes_read - earlier.by_kind[i].bytes_read;
    d.by_kind[i].bytes_written = by_kind[i].bytes_written - earlier.by_kind[i].bytes_written;
    d.by_kind[i].reads = by_kind[i].reads - earlier.by_kind[i].reads;
    d.by_kind[i].writes = by_kind[i].writes - earlier.by_kind[i].writes;
    d.by_kind[i].syncs = by_kind[i].syncs - earlier.by_kind[i].syncs;
  }
  d.dir_syncs = dir_syncs - earlier.dir_syncs;
  return d;
}

absl::Status Device::SubmitBatch(absl::Span<IoRequest> batch) {
  absl::Status first;
  for (IoRequest& r : batch) {
    KVLAB_CHECK(r.file != nullptr);
    if (r.op == IoRequest::Op::kRead) {
      absl::StatusOr<size_t> n = r.file->Read(r.offset, absl::MakeSpan(r.buffer, r.length));
      r.status = n.status();
      r.bytes_done = n.ok() ? *n : 0;
    } else {
      r.status = r.file->Write(r.offset, std::string_view(r.buffer, r.length));
      r.bytes_done = r.status.ok() ? r.length : 0;
    }
    if (first.ok() && !r.status.ok()) first = r.status;
  }
  return first;
}

// --- Random: xoshiro256** (Blackman & Vigna), seeded by SplitMix64. ---

namespace {
inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& word : s_) word = SplitMix64(x);
}

uint64_t Random::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Random::Uniform(uint64_t n) {
  KVLAB_CHECK(n > 0);
  // Lemire's multiply-shift with rejection: unbiased and fixed across builds.
  uint64_t x = Next();
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = Next();
      m = static_cast<__uint128_t>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

uint64_t Random::Range(uint64_t lo, uint64_t hi) {
  KVLAB_CHECK(lo <= hi);
  if (lo == 0 && hi == ~0ull) return Next();
  return lo + Uniform(hi - lo + 1);
}

double Random::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Random::Bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return NextDouble() < p;
}

Random Random::Fork() { return Random(Next()); }

}  // namespace kvlab

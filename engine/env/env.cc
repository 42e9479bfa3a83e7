#include "engine/env/env.h"

#include "engine/common/check.h"

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

// The low word of x * n fell below n: x may be one of the (2^64 mod n) values
// that would bias the result; redraw while it is (Lemire 2019).
uint64_t Random::UniformRejecting(uint64_t n, uint64_t x) {
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  const uint64_t threshold = (0 - n) % n;
  while (static_cast<uint64_t>(m) < threshold) {
    x = Next();
    m = static_cast<__uint128_t>(x) * n;
  }
  return static_cast<uint64_t>(m >> 64);
}

double Random::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Random::Bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return NextDouble() < p;
}

Random Random::Fork() { return Random(Next()); }

}  // namespace kvlab

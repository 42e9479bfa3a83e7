// Each fault kind of the simulator happens at its configured rate (within 5
// standard deviations, fixed seed) and has exactly its specified effect.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/sim_device.h"
#include "tests/sim/sim_test_util.h"

namespace kvlab::sim {
namespace {

using testing::Contents;
using testing::ExpectRate;
using testing::MustOpen;
using testing::Scale;

constexpr uint64_t kSector = 4096;

TEST(SimFaults, ReadErrorsAreTransientAtTheirRate) {
  FaultProfile p;
  p.read_error = 0.05;
  SimDevice d(11, p);
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(f->Write(0, std::string(kSector, 'r')).ok());
  const int n = 4000 * Scale();
  uint64_t errors = 0;
  std::string buf(kSector, '\0');
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<size_t> got = f->Read(0, absl::MakeSpan(buf));
    if (!got.ok()) {
      ++errors;
      EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
      EXPECT_NE(got.status().message().find("'a'"), std::string_view::npos) << got.status();
    } else {
      EXPECT_EQ(buf, std::string(kSector, 'r'));
    }
  }
  ExpectRate(errors, n, p.read_error, "read errors");
  EXPECT_EQ(d.sim_counters().read_errors, errors);
}

TEST(SimFaults, WriteErrorsLandOnlyAWholeSectorPrefix) {
  FaultProfile p;
  p.write_error = 0.05;
  SimDevice d(12, p);
  auto f = MustOpen(d, "a");
  const int n = 2000 * Scale();
  uint64_t errors = 0, partial = 0;
  for (int i = 0; i < n; ++i) {
    d.set_faults_enabled(false);
    ASSERT_TRUE(f->Write(0, std::string(5 * kSector, 'o')).ok());
    d.set_faults_enabled(true);
    const uint64_t off = 100 + (i % 7) * 300;
    const std::string data(3 * kSector, static_cast<char>('A' + i % 26));
    absl::Status s = f->Write(off, data);
    if (s.ok()) continue;
    ++errors;
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
    const std::string now = Contents(d, "a");
    size_t landed = 0;
    while (landed < data.size() && now[off + landed] == data[landed]) ++landed;
    EXPECT_LT(landed, data.size());
    EXPECT_TRUE(landed == 0 || (off + landed) % kSector == 0) << "landed " << landed;
    EXPECT_EQ(now.substr(off + landed, data.size() - landed),
              std::string(data.size() - landed, 'o'));
    if (landed > 0) ++partial;
  }
  ExpectRate(errors, n, p.write_error, "write errors");
  EXPECT_EQ(d.sim_counters().write_errors, errors);
  EXPECT_GT(partial, 0u);
}

TEST(SimFaults, FailedSyncDropsThatFilesUnsyncedDataOnly) {
  FaultProfile p;
  p.sync_error = 0.1;
  SimDevice d(13, p);
  auto a = MustOpen(d, "a");
  auto b = MustOpen(d, "b");
  std::string durable_a;
  const int n = 1000 * Scale();
  uint64_t errors = 0;
  for (int i = 0; i < n; ++i) {
    const std::string block(64, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(a->Write((i % 8) * 64, block).ok());
    ASSERT_TRUE(b->Write((i % 8) * 64, block).ok());
    const std::string b_before = Contents(d, "b");
    const std::string a_before = Contents(d, "a");
    absl::Status s = a->Sync();
    if (s.ok()) {
      durable_a = a_before;
      EXPECT_EQ(Contents(d, "a"), a_before);
    } else {
      ++errors;
      EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
      EXPECT_EQ(Contents(d, "a"), durable_a) << "the unsynced writes of a are dropped";
    }
    EXPECT_EQ(Contents(d, "b"), b_before) << "b is untouched by a's failed sync";
  }
  ExpectRate(errors, n, p.sync_error, "sync errors");
  EXPECT_EQ(d.sim_counters().sync_errors, errors);
}

TEST(SimFaults, BitFlipsPersistAcrossReadsAndCrashes) {
  FaultProfile p;
  p.bit_flip = 0.01;
  SimDevice d(14, p);
  auto f = MustOpen(d, "a");
  std::string expected(16 * kSector, '\0');
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(f->Write(0, expected).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(d.SyncDir("").ok());
  const int n = 5000 * Scale();
  uint64_t flips = 0;
  std::string buf(kSector, '\0');
  for (int i = 0; i < n; ++i) {
    const uint64_t off = (i % 16) * kSector;
    ASSERT_TRUE(f->Read(off, absl::MakeSpan(buf)).ok());
    int bits = 0;
    for (size_t j = 0; j < kSector; ++j) {
      bits += __builtin_popcount(static_cast<unsigned char>(buf[j] ^ expected[off + j]));
    }
    if (bits == 0) continue;
    ++flips;
    EXPECT_EQ(bits, 1) << "a flip changes exactly one bit";
    expected.replace(off, kSector, buf);
    d.set_faults_enabled(false);
    EXPECT_EQ(Contents(d, "a"), expected) << "the flip persists";
    d.set_faults_enabled(true);
  }
  ExpectRate(flips, n, p.bit_flip, "bit flips");
  EXPECT_EQ(d.sim_counters().bit_flips, flips);
  EXPECT_GT(flips, 0u);
  d.Crash();
  d.set_faults_enabled(false);
  EXPECT_EQ(Contents(d, "a"), expected) << "flipped bits are stored, also durably";
}

// Sync applies the unsynced ops to the durable image instead of copying the
// file; a flip in bytes no unsynced write holds (a truncate's or a gap's
// zeros) must still be durable after Sync, as it is in the current image.
TEST(SimFaults, BitFlipsInZeroFilledBytesSurviveSync) {
  FaultProfile p;
  p.bit_flip = 1;  // Every read flips one bit of the bytes it reads.
  SimDevice d(17, p);
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(d.SyncDir("").ok());
  ASSERT_TRUE(f->Write(0, "abcd").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Truncate(1).ok());         // Byte 2 is cut...
  ASSERT_TRUE(f->Write(6, "xy").ok());      // ...and zero-filled again (a gap).
  char byte = 0;
  ASSERT_EQ(*f->Read(2, absl::MakeSpan(&byte, 1)), 1u);  // Flips a bit of byte 2.
  ASSERT_EQ(d.sim_counters().bit_flips, 1u);
  d.set_faults_enabled(false);
  const std::string before_sync = Contents(d, "a");
  ASSERT_EQ(before_sync.size(), 8u);
  EXPECT_EQ(__builtin_popcount(static_cast<unsigned char>(before_sync[2])), 1);
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Write(0, "z").ok());  // Unsynced: the crash rebuilds the file from durable.
  d.Crash();  // Strict crash: exactly the synced image survives.
  EXPECT_EQ(Contents(d, "a"), before_sync) << "the synced image is the current one";
}

TEST(SimFaults, DiskFullAtCapacity) {
  FaultProfile p;
  p.capacity_bytes = 10 * kSector;
  SimDevice d(15, p);
  auto a = MustOpen(d, "a");
  auto b = MustOpen(d, "b");
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(a->Append(std::string(kSector, 'a')).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(b->Append(std::string(kSector, 'b')).ok());
  EXPECT_EQ(d.used_bytes(), 10 * kSector);
  absl::StatusOr<uint64_t> full = b->Append("x");
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("capacity 40960"), std::string_view::npos)
      << full.status();
  EXPECT_EQ(b->Truncate(11 * kSector).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(*b->Size(), 4 * kSector);
  EXPECT_TRUE(b->Write(0, std::string(kSector, 'z')).ok()) << "overwrites need no space";
  ASSERT_TRUE(d.Remove("a").ok());
  EXPECT_TRUE(b->Append("x").ok()) << "removing a file frees its space";
  EXPECT_EQ(d.sim_counters().disk_full_errors, 2u);
}

// free_space_bytes: the capacity is what the device holds plus a seeded free
// space in [4 KiB, free_space_bytes]; it stays full until FreeSpace().
TEST(SimFaults, FreeSpaceIsRelativeSeededAndFreedOnDemand) {
  FaultProfile p;
  p.free_space_bytes = 1 << 20;
  std::set<int> octaves;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    SimDevice d(seed, p);
    const uint64_t first = d.capacity_bytes();
    ASSERT_GE(first, 4096u);
    ASSERT_LE(first, 1u << 20);
    EXPECT_EQ(SimDevice(seed, p).capacity_bytes(), first) << "seeded";
    octaves.insert(63 - __builtin_clzll(first));
    auto f = MustOpen(d, "a");
    // Fill it up, sector by sector: the write that does not fit fails whole.
    absl::Status s;
    while ((s = f->Append(std::string(kSector, 'x')).status()).ok()) {
    }
    ASSERT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
    EXPECT_EQ(d.used_bytes(), first / kSector * kSector);
    EXPECT_EQ(d.sim_counters().disk_full_errors, 1u);
    EXPECT_EQ(f->Append(std::string(kSector, 'x')).status().code(),
              absl::StatusCode::kResourceExhausted)
        << "it stays full";
    d.set_faults_enabled(false);
    EXPECT_TRUE(f->Append("y").ok()) << "faults off lifts the capacity";
    ASSERT_TRUE(f->Truncate(d.used_bytes() - 1).ok());
    d.set_hold_full(true);
    EXPECT_EQ(f->Append(std::string(kSector, 'x')).status().code(),
              absl::StatusCode::kResourceExhausted)
        << "held full even with faults off";
    d.set_hold_full(false);
    d.set_faults_enabled(true);
    const uint64_t used = d.used_bytes();
    d.FreeSpace();
    EXPECT_GE(d.capacity_bytes(), used + 4096);
    EXPECT_LE(d.capacity_bytes(), used + (1u << 20));
    EXPECT_TRUE(f->Append(std::string(kSector, 'x')).ok()) << "room was made";
  }
  // Log-uniform: small and large free spaces both occur (4 KiB .. 1 MiB is
  // nine octaves).
  EXPECT_GE(octaves.size(), 8u);
  // A fixed capacity_bytes below it caps the relative one; without
  // free_space_bytes, FreeSpace() changes nothing.
  p.capacity_bytes = 4000;  // Below the least free space (4 KiB).
  EXPECT_EQ(SimDevice(1, p).capacity_bytes(), 4000u);
  FaultProfile fixed;
  fixed.capacity_bytes = 7 * kSector;
  SimDevice d(2, fixed);
  d.FreeSpace();
  EXPECT_EQ(d.capacity_bytes(), 7 * kSector);
}

TEST(SimFaults, MisdirectedWritesLandElsewhere) {
  FaultProfile p;
  p.misdirected_write = 0.05;
  SimDevice d(16, p);
  auto f = MustOpen(d, "a");
  constexpr int kSectors = 32;
  std::string model;
  for (int s = 0; s < kSectors; ++s) model += std::string(kSector, static_cast<char>(s));
  d.set_faults_enabled(false);
  ASSERT_TRUE(f->Write(0, model).ok());
  d.set_faults_enabled(true);
  const int n = 1500 * Scale();
  uint64_t misdirected = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t home = (i * 37) % kSectors;
    const uint64_t off = home * kSector + 512;
    // Unique bytes per write, so a misdirected write is always visible.
    std::string data(1024, static_cast<char>(100 + i % 100));
    const std::string tag = "write #" + std::to_string(i);
    data.replace(0, tag.size(), tag);
    ASSERT_TRUE(f->Write(off, data).ok());
    const std::string now = Contents(d, "a");
    ASSERT_EQ(now.size(), model.size());
    if (now.compare(off, data.size(), data) == 0 && now.substr(0, off) == model.substr(0, off)) {
      model.replace(off, data.size(), data);
      EXPECT_EQ(now, model);
      continue;
    }
    ++misdirected;
    EXPECT_EQ(now.substr(off, data.size()), model.substr(off, data.size()))
        << "the intended range keeps its old bytes";
    // Exactly one other sector, at the same in-sector offset, changed.
    int changed = 0;
    for (int s = 0; s < kSectors; ++s) {
      if (now.compare(s * kSector, kSector, model, s * kSector, kSector) == 0) continue;
      ++changed;
      EXPECT_NE(static_cast<uint64_t>(s), home);
      EXPECT_EQ(now.substr(s * kSector + 512, data.size()), data);
    }
    EXPECT_EQ(changed, 1);
    model = now;
  }
  ExpectRate(misdirected, n, p.misdirected_write, "misdirected writes");
  EXPECT_EQ(d.sim_counters().misdirected_writes, misdirected);
}

// Writes one unsynced write per 3-sector slot over a synced file of 'o'
// bytes, crashes, and classifies each write as kept, dropped or torn.
struct CrashOutcome {
  uint64_t kept = 0, dropped = 0, torn = 0, zero_pieces = 0, garbage_pieces = 0;
};
CrashOutcome CrashAndClassify(const FaultProfile& p, uint64_t seed, int writes) {
  SimDevice d(seed, p);
  auto f = MustOpen(d, "a");
  const uint64_t slot = 3 * kSector;
  EXPECT_TRUE(f->Write(0, std::string(writes * slot, 'o')).ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_TRUE(d.SyncDir("").ok());
  const uint64_t in_slot = 1000, length = 2 * kSector + 500;  // 3 pieces: partial, whole, partial.
  for (int i = 0; i < writes; ++i) {
    EXPECT_TRUE(f->Write(i * slot + in_slot, std::string(length, 'n')).ok());
  }
  d.Crash();
  const std::string now = Contents(d, "a");
  EXPECT_EQ(now.size(), writes * slot);
  CrashOutcome out;
  for (int i = 0; i < writes; ++i) {
    const uint64_t begin = i * slot + in_slot, end = begin + length;
    // Bytes outside the write are never touched.
    EXPECT_EQ(now.substr(i * slot, in_slot), std::string(in_slot, 'o'));
    EXPECT_EQ(now.substr(end, (i + 1) * slot - end), std::string((i + 1) * slot - end, 'o'));
    const std::string w = now.substr(begin, length);
    if (w == std::string(length, 'n')) { ++out.kept; continue; }
    if (w == std::string(length, 'o')) { ++out.dropped; continue; }
    ++out.torn;
    // Each piece (cut at sector boundaries of the file) is all new or all lost.
    for (uint64_t p0 = begin; p0 < end;) {
      const uint64_t p1 = std::min(end, (p0 / kSector + 1) * kSector);
      const std::string piece = now.substr(p0, p1 - p0);
      if (piece != std::string(p1 - p0, 'n')) {
        if (piece == std::string(p1 - p0, '\0')) {
          ++out.zero_pieces;
        } else {
          ++out.garbage_pieces;
          // Random bytes: not a fill of any one value (new, old or zero).
          EXPECT_NE(piece.find_first_not_of(piece[0]), std::string::npos) << "garbage";
        }
      }
      p0 = p1;
    }
  }
  EXPECT_EQ(d.sim_counters().torn_writes, out.torn);
  EXPECT_EQ(d.sim_counters().dropped_writes, out.dropped);
  return out;
}

TEST(SimFaults, TornWritesFillOnlyWholeLostSectorsAtTheirRate) {
  FaultProfile p;
  p.torn_write = 0.3;
  p.unsynced_keep = 0.5;
  p.torn_fill = TornFill::kZero;
  const int n = 1000 * Scale();
  CrashOutcome zero = CrashAndClassify(p, 17, n);
  ExpectRate(zero.torn, n, p.torn_write, "torn writes");
  ExpectRate(zero.kept, n - zero.torn, p.unsynced_keep, "kept unsynced writes");
  EXPECT_GT(zero.zero_pieces, 0u);
  EXPECT_EQ(zero.garbage_pieces, 0u);

  p.torn_fill = TornFill::kGarbage;
  CrashOutcome garbage = CrashAndClassify(p, 18, n);
  EXPECT_GT(garbage.garbage_pieces, 0u);
  EXPECT_EQ(garbage.zero_pieces, 0u);

  p.torn_fill = TornFill::kBoth;
  CrashOutcome both = CrashAndClassify(p, 19, n);
  EXPECT_GT(both.garbage_pieces, 0u);
  EXPECT_GT(both.zero_pieces, 0u);
}

TEST(SimFaults, LatencySpikesAddTime) {
  FaultProfile p;
  p.latency_spike = 0.1;
  p.latency_spike_ns = 1'000'000'000;  // Far larger than any modelled op.
  SimDevice d(20, p);
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(f->Write(0, std::string(kSector, 'x')).ok());
  const uint64_t spikes_before = d.sim_counters().latency_spikes;
  const int n = 2000 * Scale();
  uint64_t slow = 0;
  std::string buf(kSector, '\0');
  for (int i = 0; i < n; ++i) {
    const int64_t t0 = d.clock().NowNanos();
    ASSERT_TRUE(f->Read(0, absl::MakeSpan(buf)).ok());
    const int64_t took = d.clock().NowNanos() - t0;
    if (took >= p.latency_spike_ns) {
      ++slow;
      EXPECT_EQ(took, p.latency_spike_ns + p.read_latency_ns +
                          static_cast<int64_t>(p.read_latency_ns_per_byte * kSector));
    }
  }
  ExpectRate(slow, n, p.latency_spike, "latency spikes");
  EXPECT_EQ(d.sim_counters().latency_spikes - spikes_before, slow);
}

}  // namespace
}  // namespace kvlab::sim

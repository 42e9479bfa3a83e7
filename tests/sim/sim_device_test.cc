// SimDevice's crash model, crash points, handles, locks, counters and latency
// model. Fault rates and effects are in sim_fault_test.cc.
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "sim/sim_device.h"
#include "sim/sim_env.h"
#include "sim/sim_path.h"
#include "tests/sim/sim_test_util.h"

namespace kvlab::sim {
namespace {

using testing::Contents;
using testing::MustOpen;

constexpr uint64_t kSector = 4096;

TEST(SimDeviceCrash, StrictCrashKeepsExactlyTheSyncedState) {
  SimDevice d(1);  // None(): unsynced writes dropped, unsynced dir ops lost.
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(f->Write(0, "synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(d.SyncDir("").ok());
  ASSERT_TRUE(f->Write(6, " and not").ok());
  auto g = MustOpen(d, "b");  // Created, never SyncDir'd.
  ASSERT_TRUE(g->Write(0, "x").ok());
  ASSERT_TRUE(g->Sync().ok());
  d.Crash();
  EXPECT_EQ(Contents(d, "a"), "synced");
  EXPECT_FALSE(*d.Exists("b"));
  EXPECT_EQ(d.sim_counters().crashes, 1u);
  EXPECT_EQ(d.sim_counters().dropped_writes, 1u);
  EXPECT_EQ(d.sim_counters().lost_dir_ops, 1u);
}

TEST(SimDeviceCrash, HandlesDieAndLocksAreReleased) {
  SimDevice d(2);
  auto f = MustOpen(d, "a");
  absl::StatusOr<std::unique_ptr<FileLock>> lock = d.Lock("LOCK");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(d.Lock("LOCK").status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(d.SyncDir("").ok());
  d.Crash();
  char buf[4];
  EXPECT_EQ(f->Read(0, absl::MakeSpan(buf, 4)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Write(0, "x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Sync().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(f->Size().status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::unique_ptr<FileLock>> again = d.Lock("LOCK");
  EXPECT_TRUE(again.ok()) << again.status();
  lock->reset();  // The old holder's release must not free the new holder's lock.
  EXPECT_EQ(d.Lock("LOCK").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(MustOpen(d, "a", /*create=*/false), nullptr);
}

TEST(SimDeviceCrash, ScheduledCrashPointFailsThatOpAndAllLater) {
  SimEnv env(3, FaultProfile::None());
  Device& d = *env.env().device;
  auto f = MustOpen(d, "a");
  env.ScheduleCrashAfterOps(3);
  EXPECT_TRUE(f->Write(0, "1").ok());
  EXPECT_TRUE(f->Write(1, "2").ok());
  EXPECT_FALSE(env.crash_pending());
  absl::Status third = f->Write(2, "3");
  EXPECT_EQ(third.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(third.message().find("simulated crash"), std::string_view::npos) << third;
  EXPECT_TRUE(env.crash_pending());
  EXPECT_EQ(d.Exists("a").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(d.Open("a", {}).status().code(), absl::StatusCode::kUnavailable);
  env.Crash();
  EXPECT_FALSE(env.crash_pending());
  EXPECT_TRUE(d.Exists("a").ok());
  EXPECT_EQ(env.counters().crashes, 1u);
}

TEST(SimDeviceCrash, RandomCrashPointsHappenAtTheirRate) {
  FaultProfile p;
  p.crash = 0.01;
  SimEnv env(4, p);
  Device& d = *env.env().device;
  const int trials = 200 * testing::Scale();
  uint64_t ops = 0;
  for (int i = 0; i < trials; ++i) {
    while (!env.crash_pending()) {
      (void)d.Exists("x");  // Any op may be the crash point; ignoring the result on purpose.
      ++ops;
    }
    env.Crash();
  }
  // Ops until a crash are geometric with mean 1/p: ops ~ trials / p.
  testing::ExpectRate(trials, ops, p.crash, "crash points");
}

TEST(SimDeviceCrash, UnsyncedDirOpsCanBeLostSyncedOnesNever) {
  FaultProfile p;
  p.lose_unsynced_dir_ops = 0.5;
  p.unsynced_keep = 1;
  SimDevice d(5, p);
  const int dirs = 40 * testing::Scale();
  for (int i = 0; i < dirs; ++i) ASSERT_TRUE(d.CreateDir("d" + std::to_string(i)).ok());
  ASSERT_TRUE(d.SyncDir("").ok());
  for (int i = 0; i < dirs; ++i) {
    const std::string dir = "d" + std::to_string(i);
    for (int j = 0; j < 4; ++j) MustOpen(d, dir + "/f" + std::to_string(j));
    if (i % 2 == 0) {
      ASSERT_TRUE(d.SyncDir(dir).ok());
    }
  }
  // A synced rename, and an unsynced one.
  ASSERT_TRUE(d.Rename("d0/f0", "d0/g0").ok());
  ASSERT_TRUE(d.SyncDir("d0").ok());
  d.Crash();
  uint64_t lost = 0;
  for (int i = 0; i < dirs; ++i) {
    const std::string dir = "d" + std::to_string(i);
    ASSERT_TRUE(*d.Exists(dir));
    for (int j = 0; j < 4; ++j) {
      const bool exists = *d.Exists(dir + "/f" + std::to_string(j));
      if (i % 2 == 0 && !(i == 0 && j == 0)) {
        EXPECT_TRUE(exists) << dir << " was synced";
      }
      if (i % 2 == 1 && !exists) ++lost;
    }
  }
  EXPECT_TRUE(*d.Exists("d0/g0"));
  EXPECT_FALSE(*d.Exists("d0/f0"));
  testing::ExpectRate(lost, dirs / 2 * 4, 0.5, "lost creates");
  EXPECT_EQ(d.sim_counters().lost_dir_ops, lost);
}

TEST(SimDeviceCrash, EntriesOfALostDirectoryAreGone) {
  SimDevice d(6);
  ASSERT_TRUE(d.CreateDir("d").ok());
  MustOpen(d, "d/f");
  ASSERT_TRUE(d.SyncDir("d").ok());  // f is durable in d, but d itself is not.
  d.Crash();
  EXPECT_FALSE(*d.Exists("d"));
  EXPECT_FALSE(*d.Exists("d/f"));
  EXPECT_TRUE(d.List("").value().empty());
}

// The dir log keeps each operation's records together through a SyncDir
// of another directory (which compacts the log and its path buffer): a crash
// still decides whole operations, numbered in order.
TEST(SimDeviceCrash, SyncDirKeepsOtherDirectoriesOperationsWhole) {
  for (uint64_t mask = 0; mask < 8; ++mask) {
    SimDevice d(8);
    ASSERT_TRUE(d.CreateDir("a").ok());
    ASSERT_TRUE(d.CreateDir("b").ok());
    ASSERT_TRUE(d.SyncDir("").ok());
    MustOpen(d, "b/old");
    ASSERT_TRUE(d.SyncDir("b").ok());
    MustOpen(d, "a/x");                                   // Synced below.
    MustOpen(d, "b/one");                                 // Op 0.
    MustOpen(d, "a/y");                                   // Synced below.
    ASSERT_TRUE(d.Rename("b/old", "b/new-name").ok());    // Op 1: two records.
    ASSERT_TRUE(d.Remove("a/y").ok());                    // Synced below.
    MustOpen(d, "b/two");                                 // Op 2.
    ASSERT_TRUE(d.SyncDir("a").ok());
    ASSERT_EQ(d.UnsyncedOpsForCrash(), 3u) << mask;
    std::vector<size_t> asked;
    d.Crash([&](size_t i) {
      asked.push_back(i);
      return (mask >> i) & 1 ? SimDevice::CrashFate::kKeep : SimDevice::CrashFate::kDrop;
    });
    EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2}));
    EXPECT_TRUE(*d.Exists("a/x"));
    EXPECT_FALSE(*d.Exists("a/y"));
    EXPECT_EQ(*d.Exists("b/one"), (mask & 1) != 0) << mask;
    EXPECT_EQ(*d.Exists("b/new-name"), (mask & 2) != 0) << mask;
    EXPECT_EQ(*d.Exists("b/old"), (mask & 2) == 0) << mask;
    EXPECT_EQ(*d.Exists("b/two"), (mask & 4) != 0) << mask;
  }
}

// A new inode may be a dead one reset (SimDevice::InodeRecycler): it must
// start empty, with no unsynced op, open path or durable image of its past.
TEST(SimDeviceCrash, ANewFileKeepsNothingOfADeadOne) {
  SimDevice d(9);
  for (int round = 0; round < 3; ++round) {
    {
      auto old = MustOpen(d, "old");
      ASSERT_TRUE(old->Write(0, std::string(10000, 'o')).ok());
      ASSERT_TRUE(old->Sync().ok());
      ASSERT_TRUE(old->Write(5, "over the durable bytes").ok());
      ASSERT_TRUE(old->Write(20000, "unsynced").ok());
    }
    ASSERT_TRUE(d.Remove("old").ok());
    ASSERT_TRUE(d.SyncDir("").ok());  // The last reference: the inode dies.
    auto f = MustOpen(d, "new");
    EXPECT_EQ(*f->Size(), 0u);
    EXPECT_EQ(d.UnsyncedOpsForCrash(), 1u);  // Only the create of "new".
    ASSERT_TRUE(f->Write(3, "ab").ok());
    EXPECT_EQ(f->path(), "new");
    EXPECT_EQ(Contents(d, "new"), std::string("\0\0\0ab", 5));
    EXPECT_EQ(d.UnsyncedOpsForCrash(), 2u);
    if (round == 1) {  // A crash keeps nothing of "new" but its synced create.
      ASSERT_TRUE(d.SyncDir("").ok());
      d.Crash();
      EXPECT_EQ(Contents(d, "new"), "");
      f = MustOpen(d, "new", /*create=*/false);
    }
    ASSERT_TRUE(d.Remove("new").ok());
    ASSERT_TRUE(d.SyncDir("").ok());
  }
}

// A new handle may take the memory of a deleted one (SimFile's operator
// delete): each handle still has its own file, path and epoch, and deleting
// the last handle of a removed file (its inode dies) takes the lock once.
TEST(SimDeviceCrash, HandlesReuseTheMemoryOfDeletedOnes) {
  SimDevice d(12);
  std::vector<std::unique_ptr<File>> open;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "f" + std::to_string(i);
    auto f = MustOpen(d, name);
    ASSERT_TRUE(f->Write(0, name).ok());
    if (i % 3 == 0) {
      open.push_back(std::move(f));
    } else if (i % 3 == 1) {
      ASSERT_TRUE(d.Remove(name).ok());
      ASSERT_TRUE(d.SyncDir("").ok());
      f.reset();  // The inode dies here.
    }
  }
  for (size_t k = 0; k < open.size(); ++k) {
    const std::string name = "f" + std::to_string(3 * k);
    EXPECT_EQ(open[k]->path(), name);
    std::string out(8, '\0');
    auto n = open[k]->Read(0, absl::MakeSpan(out));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(out.substr(0, *n), name);
  }
  EXPECT_EQ(Contents(d, "f2"), "f2");
  d.Crash();
  std::string byte(1, ' ');
  EXPECT_EQ(open[0]->Read(0, absl::MakeSpan(byte)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto again = MustOpen(d, "new");
  EXPECT_TRUE(again->Write(0, "x").ok());
}

// Random writes and syncs on a few files with every crash outcome possible:
// each byte that was synced and not written since survives the crash.
RC_GTEST_PROP(SimDeviceCrash, SyncedDataAlwaysSurvives, (uint64_t seed)) {
  FaultProfile p;
  p.torn_write = 0.3;
  p.unsynced_keep = 0.5;
  p.lose_unsynced_dir_ops = 0.5;
  SimDevice d(seed, p);
  Random r(seed);
  constexpr int kFiles = 3;
  std::vector<std::unique_ptr<File>> files;
  std::vector<std::string> synced(kFiles);
  std::vector<std::vector<bool>> dirty(kFiles);
  for (int i = 0; i < kFiles; ++i) files.push_back(MustOpen(d, "f" + std::to_string(i)));
  RC_ASSERT(d.SyncDir("").ok());
  for (int step = 0; step < 60; ++step) {
    const int i = static_cast<int>(r.Uniform(kFiles));
    if (r.OneIn(4)) {
      RC_ASSERT(files[i]->Sync().ok());
      synced[i] = Contents(d, "f" + std::to_string(i));
      dirty[i].assign(synced[i].size(), false);
      continue;
    }
    const uint64_t off = r.Uniform(3 * kSector);
    std::string data(1 + r.Uniform(2 * kSector), static_cast<char>('a' + r.Uniform(26)));
    RC_ASSERT(files[i]->Write(off, data).ok());
    for (uint64_t b = off; b < off + data.size() && b < dirty[i].size(); ++b) dirty[i][b] = true;
  }
  d.Crash();
  for (int i = 0; i < kFiles; ++i) {
    const std::string now = Contents(d, "f" + std::to_string(i));
    RC_ASSERT(now.size() >= synced[i].size());
    for (size_t b = 0; b < synced[i].size(); ++b) {
      if (!dirty[i][b]) RC_ASSERT(now[b] == synced[i][b]);
    }
  }
}

TEST(SimDevicePaths, DotComponentsNameTheSameFileAndBadPathsAreRejected) {
  SimDevice d(10);
  ASSERT_TRUE(d.CreateDir("d").ok());
  auto f = MustOpen(d, "d/./f");
  ASSERT_TRUE(f->Write(0, "x").ok());
  EXPECT_TRUE(*d.Exists("d/f"));
  EXPECT_EQ(d.List("./d").value(), std::vector<std::string>{"f"});
  for (const char* bad : {"", "/d", "d/../f", "d//f", "d/", "."}) {
    EXPECT_EQ(d.Open(bad, {}).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(d.SyncDir("").ok());
}

// BytesEqual (engine/common/bytes.h), which compares the device's paths, is ==: every length up to past its inline limit,
// equal, and differing in one byte at each position, or in length.
TEST(SimDevicePaths, SamePathIsEquality) {
  Random r(11);
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, '\0');
    for (char& c : a) c = static_cast<char>(r.Next());
    EXPECT_TRUE(BytesEqual(a, std::string(a))) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = static_cast<char>(b[i] ^ (1 << r.Uniform(8)));
      EXPECT_FALSE(BytesEqual(a, b)) << n << " " << i;
      EXPECT_FALSE(BytesEqual(b, a)) << n << " " << i;
    }
    EXPECT_FALSE(BytesEqual(a, a + "x")) << n;
    if (n > 0) EXPECT_FALSE(BytesEqual(a, std::string_view(a).substr(0, n - 1))) << n;
  }
}

// PathLess (sim_path.h) is std::string_view's <: pairs of every length up
// to 20 from a small alphabet (so that long common prefixes are frequent),
// bytes above 0x7f included.
TEST(SimDevicePaths, PathLessIsByteOrder) {
  Random r(13);
  const std::string alphabet = std::string("0a/.") + static_cast<char>(0xe9);
  auto random_path = [&] {
    std::string s(r.Uniform(21), '\0');
    for (char& c : s) c = alphabet[r.Uniform(alphabet.size())];
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string a = random_path();
    std::string b = r.OneIn(2) ? random_path() : a.substr(0, r.Uniform(a.size() + 1));
    if (r.OneIn(3) && !b.empty()) b[r.Uniform(b.size())] = alphabet[r.Uniform(alphabet.size())];
    EXPECT_EQ(PathLess(a, b), std::string_view(a) < std::string_view(b)) << a << " " << b;
    EXPECT_EQ(PathLess(b, a), std::string_view(b) < std::string_view(a)) << a << " " << b;
  }
}

TEST(SimDeviceCounters, IoCountersSplitByKind) {
  SimDevice d(7);
  OpenOptions o;
  o.create = true;
  o.kind = FileKind::kLog;
  auto log = d.Open("log", o).value();
  ASSERT_TRUE(log->Append("12345").ok());
  ASSERT_TRUE(log->Sync().ok());
  char buf[5];
  ASSERT_TRUE(log->Read(0, absl::MakeSpan(buf, 5)).ok());
  ASSERT_TRUE(d.SyncDir("").ok());
  const IoCounters::PerKind& k = d.counters()->by_kind[static_cast<size_t>(FileKind::kLog)];
  EXPECT_EQ(k.writes, 1u);
  EXPECT_EQ(k.bytes_written, 5u);
  EXPECT_EQ(k.reads, 1u);
  EXPECT_EQ(k.bytes_read, 5u);
  EXPECT_EQ(k.syncs, 1u);
  EXPECT_EQ(d.counters()->dir_syncs, 1u);
  EXPECT_EQ(d.counters()->Total().writes, 1u);
  EXPECT_GE(d.sim_counters().device_ops, 5u);
}

TEST(SimDeviceLatency, SingleCallsAddUpAndABatchOverlaps) {
  SimDevice d(8);
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(f->Write(0, std::string(32 * kSector, 'x')).ok());
  std::vector<std::string> bufs(32, std::string(kSector, '\0'));
  const int64_t t0 = d.clock().NowNanos();
  for (int i = 0; i < 32; ++i) ASSERT_TRUE(f->Read(i * kSector, absl::MakeSpan(bufs[i])).ok());
  const int64_t singles = d.clock().NowNanos() - t0;
  const FaultProfile& p = d.profile();
  EXPECT_EQ(singles, 32 * (p.read_latency_ns + static_cast<int64_t>(
                                                   p.read_latency_ns_per_byte * kSector)));
  std::vector<IoRequest> batch(32);
  for (int i = 0; i < 32; ++i) {
    batch[i] = {IoRequest::Op::kRead, f.get(), i * kSector, bufs[i].data(), kSector, {}, 0};
  }
  const int64_t t1 = d.clock().NowNanos();
  ASSERT_TRUE(d.SubmitBatch(absl::MakeSpan(batch)).ok());
  const int64_t batched = d.clock().NowNanos() - t1;
  EXPECT_LT(batched * 4, singles) << "a batch of 32 on 32 channels should be far faster";
  EXPECT_GT(batched, 0);
  // Queue depth beyond the channels: 64 requests take about twice as long.
  std::vector<IoRequest> big(64);
  std::vector<std::string> more(64, std::string(kSector, '\0'));
  for (int i = 0; i < 64; ++i) {
    big[i] = {IoRequest::Op::kRead, f.get(), (i % 32) * kSector, more[i].data(), kSector, {}, 0};
  }
  const int64_t t2 = d.clock().NowNanos();
  ASSERT_TRUE(d.SubmitBatch(absl::MakeSpan(big)).ok());
  const int64_t big_time = d.clock().NowNanos() - t2;
  EXPECT_GT(big_time, batched);
  EXPECT_LT(big_time, 3 * batched);
}

TEST(SimDeviceLatency, FaultsOffMeansNoInjection) {
  FaultProfile p;
  p.read_error = 1;
  p.crash = 1;
  SimDevice d(9, p);
  d.set_faults_enabled(false);
  auto f = MustOpen(d, "a");
  ASSERT_TRUE(f->Write(0, "abc").ok());
  char buf[3];
  EXPECT_TRUE(f->Read(0, absl::MakeSpan(buf, 3)).ok());
  EXPECT_FALSE(d.crash_pending());
  d.set_faults_enabled(true);
  EXPECT_EQ(f->Read(0, absl::MakeSpan(buf, 3)).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kvlab::sim

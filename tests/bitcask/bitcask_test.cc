// The Bitcask engine on the simulator: reopen, hint files (used, corrupt ->
// scan), torn tails (zeros, garbage, cut records), mid-file corruption named by
// file and offset, the lock, batch atomicity at the tail, merge, crash
// recovery, and bad input (unknown option, over-size value, foreign folders).
#include "engine/bitcask/bitcask.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/bitcask/format.h"
#include "engine/engine_config.h"
#include "gtest/gtest.h"
#include "sim/sim_device.h"
#include "sim/sim_env.h"

namespace kvlab::bitcask {
namespace {

constexpr char kDir[] = "db";

std::string P(std::string_view name) { return std::string(kDir) + "/" + std::string(name); }

class BitcaskTest : public ::testing::Test {
 protected:
  BitcaskTest() : sim_(std::make_unique<sim::SimEnv>(7, sim::FaultProfile::None())) {
    options_.max_file_size = 4096;
  }

  void Open() {
    auto s = BitcaskStore::Open(sim_->env(), kDir, options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  absl::Status TryOpen() {
    store_.reset();
    auto s = BitcaskStore::Open(sim_->env(), kDir, options_);
    if (s.ok()) store_ = std::move(*s);
    return s.status();
  }
  void Reopen() {
    store_.reset();
    Open();
  }
  void Put(const std::string& k, const std::string& v, bool sync = false) {
    ASSERT_TRUE(store_->Put(WriteOptions{sync}, k, v).ok());
    model_[k] = v;
  }
  void Del(const std::string& k, bool sync = false) {
    ASSERT_TRUE(store_->Delete(WriteOptions{sync}, k).ok());
    model_.erase(k);
  }
  // Every key of the model has its value; `absent` keys are NotFound.
  void ExpectModel() {
    for (const auto& [k, v] : model_) {
      auto got = store_->Get(ReadOptions(), k);
      ASSERT_TRUE(got.ok()) << k << ": " << got.status();
      EXPECT_EQ(v, *got) << k;
    }
    EXPECT_EQ(model_.size(), static_cast<size_t>(store_->GetStats().engine["keys"]));
  }
  Device& dev() { return *sim_->env().device; }
  std::string ReadFile(const std::string& path) {
    auto size = dev().FileSize(path);
    EXPECT_TRUE(size.ok());
    auto f = dev().Open(path, OpenOptions{});
    EXPECT_TRUE(f.ok());
    std::string out(*size, '\0');
    EXPECT_TRUE((*f)->Read(0, absl::MakeSpan(out)).ok());
    return out;
  }
  void WriteAt(const std::string& path, uint64_t offset, std::string_view bytes) {
    OpenOptions create;
    create.create = true;
    auto f = dev().Open(path, create);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Write(offset, bytes).ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  void TruncateTo(const std::string& path, uint64_t size) {
    auto f = dev().Open(path, OpenOptions{});
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Truncate(size).ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
  double Stat(const std::string& name) { return store_->GetStats().engine[name]; }
  std::string ActiveData() { return P(DataFileName(store_->TEST_active_file_id())); }

  std::unique_ptr<sim::SimEnv> sim_;
  Options options_;
  std::unique_ptr<BitcaskStore> store_;
  std::map<std::string, std::string> model_;
};

std::string Val(int i, size_t n = 100) {
  std::string v = "v" + std::to_string(i) + ":";
  while (v.size() < n) v += static_cast<char>('a' + (v.size() * 7 + i) % 26);
  return v;
}

TEST_F(BitcaskTest, PutGetDeleteReopen) {
  Open();
  for (int i = 0; i < 200; ++i) Put("key" + std::to_string(i % 70), Val(i));
  for (int i = 0; i < 70; i += 3) Del("key" + std::to_string(i));
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "key0").status()));
  EXPECT_TRUE(store_->Delete(WriteOptions(), "never-there").ok());
  ExpectModel();
  EXPECT_GT(store_->TEST_data_file_count(), 3u);  // Rolled over at 4 KiB.
  ASSERT_TRUE(store_->Sync().ok());
  Reopen();
  ExpectModel();
  EXPECT_GT(Stat("hint_loads"), 0);  // Rolled files were loaded from their hints.
  Put("after", "reopen");
  Reopen();
  ExpectModel();
}

TEST_F(BitcaskTest, GetIsExactlyOneDeviceRead) {
  Open();
  for (int i = 0; i < 50; ++i) Put("k" + std::to_string(i), Val(i, 300));
  ASSERT_TRUE(store_->Sync().ok());
  Reopen();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->Get(ReadOptions(), "k" + std::to_string(i)).ok());
  const uint64_t before = dev().counters()->Total().reads;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->Get(ReadOptions(), "k" + std::to_string(i)).ok());
  EXPECT_EQ(50u, dev().counters()->Total().reads - before);
}

TEST_F(BitcaskTest, CrashKeepsSyncedAndDropsUnsynced) {
  Open();
  for (int i = 0; i < 40; ++i) Put("s" + std::to_string(i), Val(i), /*sync=*/i % 10 == 9);
  const auto synced = model_;
  ASSERT_TRUE(store_->Put(WriteOptions(), "unsynced", "x").ok());
  sim_->Crash();
  store_.reset();
  Open();
  model_ = synced;
  ExpectModel();
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "unsynced").status()));
}

// A sync write is a sync point even when it writes nothing (found by the
// RapidCheck stateful test: Put(a), Put(a), Batch(0 ops, sync), crash).
TEST_F(BitcaskTest, EmptySyncBatchAndSyncDeleteOfAMissingKeyAreSyncPoints) {
  Open();
  Put("a", "1");
  ASSERT_TRUE(store_->Write(WriteOptions{true}, WriteBatch()).ok());
  Put("b", "2");
  Del("never-written", /*sync=*/true);
  sim_->Crash();
  store_.reset();
  Open();
  ExpectModel();
}

TEST_F(BitcaskTest, CorruptHintFallsBackToScanAndIsRewritten) {
  Open();
  for (int i = 0; i < 100; ++i) Put("k" + std::to_string(i), Val(i));
  ASSERT_TRUE(store_->Sync().ok());
  store_.reset();
  const std::string hint = P(HintFileName(1));
  ASSERT_TRUE(*dev().Exists(hint));
  WriteAt(hint, 40, "\xff\xfe");
  Open();
  ExpectModel();
  EXPECT_EQ(1, Stat("hint_fallbacks"));
  Reopen();
  EXPECT_EQ(0, Stat("hint_fallbacks"));  // The scan wrote a fresh hint.
  ExpectModel();
  // A missing hint: scanned too.
  store_.reset();
  ASSERT_TRUE(dev().Remove(P(HintFileName(2))).ok());
  Open();
  ExpectModel();
}

TEST_F(BitcaskTest, TornTailOfZerosOrGarbageIsTruncated) {
  for (bool zeros : {true, false}) {
    store_.reset();  // Before the device it uses goes.
    sim_ = std::make_unique<sim::SimEnv>(zeros ? 1 : 2, sim::FaultProfile::None());
    model_.clear();
    Open();
    for (int i = 0; i < 10; ++i) Put("k" + std::to_string(i), Val(i, 50), /*sync=*/true);
    const std::string active = ActiveData();
    const uint64_t good = *dev().FileSize(active);
    store_.reset();
    std::string tail(777, '\0');
    for (size_t i = 0; !zeros && i < tail.size(); ++i) tail[i] = static_cast<char>(i * 37 + 11);
    WriteAt(active, good, tail);
    Open();
    ExpectModel();
    EXPECT_EQ(777, Stat("torn_tail_bytes_truncated"));
    EXPECT_EQ(good, *dev().FileSize(active));
    Put("later", "works", true);
    Reopen();
    ExpectModel();
  }
}

TEST_F(BitcaskTest, CutLastRecordIsTruncated) {
  Open();
  for (int i = 0; i < 5; ++i) Put("k" + std::to_string(i), Val(i), true);
  const std::string active = ActiveData();
  const uint64_t good = *dev().FileSize(active);
  ASSERT_TRUE(store_->Put(WriteOptions{false}, "cut", Val(99)).ok());
  store_.reset();  // Unsynced, so it has no sync mark after it.
  TruncateTo(active, *dev().FileSize(active) - 9);
  Open();
  ExpectModel();
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "cut").status()));
  EXPECT_EQ(good, *dev().FileSize(active));
}

TEST_F(BitcaskTest, MidFileCorruptionIsReportedWithFileAndOffset) {
  Open();
  for (int i = 0; i < 100; ++i) Put("k" + std::to_string(i), Val(i));
  ASSERT_TRUE(store_->Sync().ok());
  store_.reset();
  // Damage the value of the third record of data file 1 (an immutable file).
  const std::string data = P(DataFileName(1));
  // Every writer file starts with its link record (format.h).
  const uint64_t third = kFileHeaderSize + RecordSize(0, kLinkValueSize) + 2 * RecordSize(2, 100);
  WriteAt(data, third + 60, "XX");
  // With its hint the store opens; the Get of the damaged key says where.
  Open();
  auto got = store_->Get(ReadOptions(), "k2");
  ASSERT_TRUE(IsCorruption(got.status())) << got.status();
  EXPECT_NE(std::string::npos, got.status().message().find(data)) << got.status();
  EXPECT_NE(std::string::npos, got.status().message().find("offset " + std::to_string(third)));
  EXPECT_EQ(Val(3), *store_->Get(ReadOptions(), "k3"));
  // Without the hint the scan finds it at open.
  store_.reset();
  ASSERT_TRUE(dev().Remove(P(HintFileName(1))).ok());
  absl::Status s = TryOpen();
  ASSERT_TRUE(IsCorruption(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find(data)) << s;
  EXPECT_NE(std::string::npos, s.message().find("offset " + std::to_string(third))) << s;
}

// A rolled file that lost its last record while the next writer file, which
// its link says started after that record, was synced and hinted: damage,
// even though the later file is loaded from its hint (its link is read from
// the data file; a hint holds none).
TEST_F(BitcaskTest, AHintedWriterFileWhoseLinkOutrunsTheFileBeforeIsCorruption) {
  Open();
  for (int i = 10; i < 100; ++i) Put("k" + std::to_string(i), Val(i));  // Rolls over.
  ASSERT_TRUE(store_->Sync().ok());
  store_.reset();  // A clean close: every file has its hint.
  std::vector<uint64_t> data_ids;
  absl::StatusOr<std::vector<std::string>> names = dev().List(kDir);
  ASSERT_TRUE(names.ok()) << names.status();
  for (const std::string& name : *names) {  // Not *List(): the StatusOr would die first.
    uint64_t id = 0;
    if (ParseFileName(name, kDataSuffix, &id)) data_ids.push_back(id);
  }
  std::sort(data_ids.begin(), data_ids.end());
  ASSERT_GE(data_ids.size(), 2u);
  const std::string first = P(DataFileName(data_ids[0]));
  const std::string next = P(DataFileName(data_ids[1]));
  // Its last record goes (a record boundary, so a scan sees no torn tail).
  TruncateTo(first, *dev().FileSize(first) - RecordSize(3, 100));
  ASSERT_TRUE(dev().Remove(P(HintFileName(data_ids[0]))).ok());
  ASSERT_TRUE(dev().Exists(P(HintFileName(data_ids[1]))).value());
  absl::Status s = TryOpen();
  ASSERT_TRUE(IsCorruption(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find(first)) << s;
  EXPECT_NE(std::string::npos, s.message().find(next)) << s;
}

TEST_F(BitcaskTest, SyncedDamageInTheActiveFileIsCorruptionNotATornTail) {
  Open();
  for (int i = 0; i < 6; ++i) Put("k" + std::to_string(i), Val(i, 40), /*sync=*/true);
  const std::string active = ActiveData();
  sim_->Crash();  // No clean Close: no hint of the active file, so Open scans it.
  store_.reset();
  // Each synced put is its record and a sync mark (format.h).
  const uint64_t second =
      kFileHeaderSize + RecordSize(0, kLinkValueSize) + RecordSize(2, 40) + RecordSize(0, 0);
  WriteAt(active, second + 45, "\x01");
  absl::Status s = TryOpen();
  ASSERT_TRUE(IsCorruption(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("offset " + std::to_string(second))) << s;
}

// The records of the last sync epoch have no later record vouching for them,
// only the sync mark: garbage over one of them (e.g. a torn misdirected
// write, kvlab sim seed 656) must be Corruption, not cut as a torn tail.
TEST_F(BitcaskTest, GarbageInTheLastSyncedRecordsIsCorruptionNotATornTail) {
  Open();
  Put("k0", Val(0, 40), /*sync=*/true);
  const std::string active = ActiveData();
  const uint64_t epoch = *dev().FileSize(active);  // The last sync epoch starts here.
  for (int i = 1; i < 4; ++i) Put("k" + std::to_string(i), Val(i, 300));
  ASSERT_TRUE(store_->Sync().ok());
  sim_->Crash();  // No clean Close: no hint of the active file, so Open scans it.
  store_.reset();
  const uint64_t second = epoch + RecordSize(2, 300);  // k2's record.
  std::string garbage(127, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 53 + 7);
  WriteAt(active, second + 100, garbage);
  absl::Status s = TryOpen();
  ASSERT_TRUE(IsCorruption(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("offset " + std::to_string(second))) << s;
  EXPECT_NE(std::string::npos, s.message().find("synced through")) << s;
}

TEST_F(BitcaskTest, SecondOpenFailsOnTheLock) {
  Open();
  auto second = BitcaskStore::Open(sim_->env(), kDir, options_);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsAlreadyExists(second.status())) << second.status();
  EXPECT_NE(std::string::npos, second.status().message().find("db/LOCK")) << second.status();
  store_.reset();
  Open();  // Released on close.
}

TEST_F(BitcaskTest, BatchIsAtomicAtTheTail) {
  Open();
  Put("before", "x", true);
  const std::string active = ActiveData();
  const uint64_t good = *dev().FileSize(active);
  WriteBatch batch;
  for (int i = 0; i < 5; ++i) batch.Put("b" + std::to_string(i), Val(i, 30));
  batch.Delete("before");
  ASSERT_TRUE(store_->Write(WriteOptions{true}, batch).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "before").status()));
  const uint64_t full = *dev().FileSize(active);
  store_.reset();
  // The batch is followed by its sync mark: the last cut is into the batch.
  for (uint64_t cut : {good + 10, good + RecordSize(2, 30) + 3, full - RecordSize(0, 0) - 1}) {
    TruncateTo(active, cut);
    Open();
    ExpectModel();  // "before" survives, no b* key does.
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "b" + std::to_string(i)).status()));
    }
    EXPECT_EQ(good, *dev().FileSize(active));
    store_.reset();
  }
}

TEST_F(BitcaskTest, MergeKeepsLiveDataAndReclaimsDeadBytes) {
  Open();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 60; ++i) Put("k" + std::to_string(i), Val(round * 100 + i));
  }
  for (int i = 0; i < 60; i += 2) Del("k" + std::to_string(i));
  ASSERT_TRUE(store_->Sync().ok());
  Stats before = store_->GetStats();
  const size_t files_before = store_->TEST_data_file_count();
  ASSERT_TRUE(store_->Maintain(MaintenanceKind::kMerge).ok());
  Stats after = store_->GetStats();
  ExpectModel();
  EXPECT_EQ(1, after.engine["merges"]);
  EXPECT_LT(store_->TEST_data_file_count(), files_before);
  EXPECT_LT(after.space_used_bytes, before.space_used_bytes / 3);
  EXPECT_GT(after.engine["merge_bytes_reclaimed"], 0);
  EXPECT_EQ(before.live_data_bytes, after.live_data_bytes);
  Reopen();
  ExpectModel();
  for (int i = 0; i < 60; i += 2) {
    EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "k" + std::to_string(i)).status()));
  }
  // Only our files remain.
  const std::vector<std::string> names = *dev().List(kDir);
  for (const std::string& name : names) {
    EXPECT_EQ(std::string::npos, name.find("merging")) << name;
    EXPECT_EQ(std::string::npos, name.find("tmp")) << name;
    EXPECT_NE("MERGE", name);
  }
  EXPECT_TRUE(store_->Maintain(MaintenanceKind::kCompact).code() == absl::StatusCode::kUnimplemented);
}

TEST_F(BitcaskTest, AutomaticMergeOnDeadRatio) {
  options_.merge_trigger_dead_ratio = 0.5;
  Open();
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < 30; ++i) Put("k" + std::to_string(i), Val(round * 100 + i));
  }
  sim_->env().executor->Drain();
  EXPECT_GE(Stat("merges"), 1);
  ExpectModel();
  Reopen();
  ExpectModel();
}

TEST_F(BitcaskTest, OverSizeValueAndKeyAreInvalidArgument) {
  options_.max_value_size = 1000;
  Open();
  absl::Status s = store_->Put(WriteOptions(), "k", std::string(1001, 'x'));
  ASSERT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("1001")) << s;
  EXPECT_NE(std::string::npos, s.message().find("1000")) << s;
  EXPECT_TRUE(store_->Put(WriteOptions(), "k", std::string(1000, 'x')).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Put(WriteOptions(), std::string(70000, 'k'), "v")));
  WriteBatch b;
  b.Put("ok", "v");
  b.Put("big", std::string(5000, 'y'));
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Write(WriteOptions(), b)));
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "ok").status()));  // All or nothing.
}

TEST_F(BitcaskTest, UnknownOptionNamesIt) {
  EngineRegistry registry;
  ASSERT_TRUE(registry.Register(Descriptor()).ok());
  auto s = registry.Open({"bitcask", {{"max_file_sise", "1MiB"}}}, sim_->env(), kDir);
  ASSERT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_NE(std::string::npos, s.status().message().find("max_file_sise"));
  EXPECT_NE(std::string::npos, s.status().message().find("max_file_size"));
  auto ok = registry.Open({"bitcask", {{"max_file_size", "8KiB"}, {"sync", "true"}}},
                          sim_->env(), kDir);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_FALSE((*ok)->GetCapabilities().ordered);
  EXPECT_EQ(Durability::kSyncPoint, (*ok)->GetCapabilities().durability);
  EXPECT_EQ(absl::StatusCode::kUnimplemented, (*ok)->NewIterator(ReadOptions()).status().code());
}

TEST_F(BitcaskTest, ForeignFoldersAreRefused) {
  ASSERT_TRUE(dev().CreateDir(kDir).ok());
  WriteAt(P("notes.txt"), 0, "hello");
  absl::Status s = TryOpen();
  ASSERT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("notes.txt")) << s;
  EXPECT_FALSE(*dev().Exists(P("LOCK")));  // Nothing written into a foreign folder.
  ASSERT_TRUE(dev().Remove(P("notes.txt")).ok());
  // A data file without a marker.
  WriteAt(P(DataFileName(1)), 0, EncodeFileHeader(DataFileKind::kWriter, 1));
  s = TryOpen();
  ASSERT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("BITCASK")) << s;
  // A foreign marker.
  WriteAt(P("BITCASK"), 0, "someone else's store\n");
  s = TryOpen();
  ASSERT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("db/BITCASK")) << s;
}

TEST_F(BitcaskTest, BitFlippedMarkerIsRepaired) {
  Open();
  Put("k", "v", true);
  store_.reset();
  std::string marker = ReadFile(P("BITCASK"));
  marker[3] ^= 0x04;
  WriteAt(P("BITCASK"), 0, marker);
  Open();
  ExpectModel();
  EXPECT_EQ(std::string(kMarkerContents), ReadFile(P("BITCASK")));
}

// A misdirected write put the marker one sector further (zeros before it):
// still our store, repaired (found by heavy-profile campaign seed 327416); a
// file that holds the marker among other bytes is not.
TEST_F(BitcaskTest, MisdirectedMarkerIsRepaired) {
  Open();
  Put("k", "v", true);
  store_.reset();
  WriteAt(P("BITCASK"), 0, std::string(4096, '\0') + std::string(kMarkerContents));
  Open();
  ExpectModel();
  EXPECT_EQ(std::string(kMarkerContents), ReadFile(P("BITCASK")));
  store_.reset();
  WriteAt(P("BITCASK"), 0, std::string(100, 'x') + std::string(kMarkerContents));
  absl::Status s = TryOpen();
  ASSERT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(std::string::npos, s.message().find("db/BITCASK")) << s;
}

// A crash while the marker was being written leaves BITCASK.tmp; the open
// that writes the marker again (a new store, or a damaged marker) replaces it,
// and must not then try to remove it as a leftover (found by campaign seed
// 19737: NotFound from the open).
TEST_F(BitcaskTest, MarkerTmpLeftOverFromACrashedCreateIsReplaced) {
  ASSERT_TRUE(dev().CreateDir(kDir).ok());
  WriteAt(P("BITCASK.tmp"), 0, "kvlab bitcask st");  // A torn first create.
  Open();
  Put("k", "v", true);
  store_.reset();
  std::string marker = ReadFile(P("BITCASK"));
  marker[5] ^= 0x10;  // Damaged: rewritten through BITCASK.tmp again.
  WriteAt(P("BITCASK"), 0, marker);
  WriteAt(P("BITCASK.tmp"), 0, "kvlab");
  Open();
  ExpectModel();
  EXPECT_EQ(std::string(kMarkerContents), ReadFile(P("BITCASK")));
  EXPECT_FALSE(*dev().Exists(P("BITCASK.tmp")));
}

// Leftovers of interrupted hint writes and merges are removed at open and
// counted; the data is untouched.
TEST_F(BitcaskTest, LeftoversAreRemovedAtOpen) {
  Open();
  Put("a", "1", true);
  Put("b", "2", true);
  const uint64_t active = store_->TEST_active_file_id();
  store_.reset();
  const std::vector<std::string> leftovers = {
      HintFileName(active) + ".tmp", DataFileName(active + 7) + ".merging",
      HintFileName(active + 7) + ".merging", "MERGE.tmp"};
  for (const std::string& name : leftovers) WriteAt(P(name), 0, "half written");
  Open();
  ExpectModel();
  for (const std::string& name : leftovers) EXPECT_FALSE(*dev().Exists(P(name))) << name;
  EXPECT_EQ(4, Stat("leftover_files_removed"));
}

TEST_F(BitcaskTest, NoopSyncHookLosesSyncedWrites) {
  options_.test_noop_sync = true;
  Open();
  Put("synced", "but not really", /*sync=*/true);
  sim_->Crash();
  store_.reset();
  options_.test_noop_sync = false;
  absl::Status s = TryOpen();
  // The store directory itself may be gone (its creation was never synced).
  if (s.ok()) {
    EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "synced").status()));
  }
}

}  // namespace
}  // namespace kvlab::bitcask

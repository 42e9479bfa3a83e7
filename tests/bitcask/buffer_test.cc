// Bitcask's write buffer and its background roll-over, on the simulator:
// Gets of buffered records cost no device read; the buffer reaches the device
// on Sync, roll-over and Close; a crash loses only unsynced writes; a rolled
// file is synced by a task (no Put waits for it), Sync() waits for it, and
// recovery drops the writer files that followed a rolled file which lost its
// tail (or reports Corruption when a later file was synced).
#include <memory>
#include <string>

#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/format.h"
#include "gtest/gtest.h"
#include "sim/sim_device.h"
#include "sim/sim_env.h"

namespace kvlab::bitcask {
namespace {

constexpr char kDir[] = "db";

std::string P(std::string_view name) { return std::string(kDir) + "/" + std::string(name); }
std::string Key(int i) { return "key" + std::to_string(1000 + i); }
std::string Val(int i) { return std::string(100, static_cast<char>('a' + i % 26)) + std::to_string(i); }

class BufferTest : public ::testing::Test {
 protected:
  BufferTest() : sim_(std::make_unique<sim::SimEnv>(11, sim::FaultProfile::None())) {}
  void Open() {
    auto s = BitcaskStore::Open(sim_->env(), kDir, options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  const IoCounters::PerKind& Data() {
    return sim_->env().device->counters()->by_kind[static_cast<size_t>(FileKind::kData)];
  }
  double Stat(const std::string& name) { return store_->GetStats().engine[name]; }
  std::unique_ptr<sim::SimEnv> sim_;
  Options options_;
  std::unique_ptr<BitcaskStore> store_;
};

TEST_F(BufferTest, GetsOfBufferedRecordsAreServedFromMemoryAndSyncFlushes) {
  options_.write_buffer_size = 64 << 10;
  Open();
  const uint64_t writes = Data().writes;
  const uint64_t reads = Data().reads;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  EXPECT_EQ(writes, Data().writes);  // All in the buffer.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i)));
  EXPECT_EQ(reads, Data().reads);  // No device read for a buffered record.
  ASSERT_TRUE(store_->Sync().ok());
  EXPECT_GT(Data().writes, writes);
  const uint64_t after_sync = Data().reads;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i)));
  EXPECT_EQ(after_sync + 20, Data().reads);  // On the device: one read each.
}

TEST_F(BufferTest, AFullBufferIsWrittenInAlignedPiecesAndRecordsCutByThemReadBack) {
  options_.write_buffer_size = 8 << 10;
  Open();
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  EXPECT_GT(Data().writes, 3u);
  EXPECT_EQ(0u, Data().bytes_written % 4096);  // Header + pieces, each ending on 4 KiB.
  for (int i = 0; i < 300; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << i;
}

TEST_F(BufferTest, CrashLosesOnlyUnsyncedBufferedWritesAndCloseFlushes) {
  Open();
  ASSERT_TRUE(store_->Put(WriteOptions{true}, "synced", "1").ok());
  ASSERT_TRUE(store_->Put(WriteOptions(), "buffered", "2").ok());
  sim_->Crash();
  store_.reset();
  Open();
  EXPECT_EQ("1", *store_->Get(ReadOptions(), "synced"));
  EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), "buffered").status()));
  ASSERT_TRUE(store_->Put(WriteOptions(), "closed", "3").ok());
  ASSERT_TRUE(store_->Close().ok());  // Writes the buffer (a clean close, no sync).
  store_.reset();
  Open();
  EXPECT_EQ("3", *store_->Get(ReadOptions(), "closed"));
}

TEST_F(BufferTest, RollOverWritesTheBufferAndLeavesTheSyncToATask) {
  options_.max_file_size = 4096;
  Open();
  const uint64_t syncs = Data().syncs;
  for (int i = 0; i < 120; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  // Every roll-over switched to the file a task had created ahead of time
  // (the simulator runs tasks only inside waits: a roll waits for that task,
  // and runs the queued syncs of rolled files with it). No other data-file
  // sync happened: the new files' headers (the one prepared after the last
  // roll maybe), and the rolled files whose task ran.
  const double rolls = Stat("rolls");
  EXPECT_GE(rolls, 2);
  EXPECT_EQ(rolls, Stat("rolls_into_prepared_file"));
  const uint64_t rolled_synced = static_cast<uint64_t>(rolls - Stat("rolled_files_syncing"));
  EXPECT_LE(syncs + static_cast<uint64_t>(rolls) + rolled_synced, Data().syncs);
  EXPECT_GE(syncs + static_cast<uint64_t>(rolls) + 1 + rolled_synced, Data().syncs);
  // Every rolled file's records are on the device: read them back.
  for (int i = 0; i < 120; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i)));
  ASSERT_TRUE(store_->Sync().ok());  // Waits for the background syncs.
  EXPECT_EQ(0, Stat("rolled_files_syncing"));
  EXPECT_TRUE(*sim_->env().device->Exists(P(HintFileName(1))));
  sim_->Crash();
  store_.reset();
  Open();
  for (int i = 0; i < 120; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << i;
}

// A store destroyed without Close closes itself (buffer written, active file
// hinted); one closed by its owner is not closed again.
TEST_F(BufferTest, DestroyingAnOpenStoreClosesIt) {
  Open();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  const uint64_t active = store_->TEST_active_file_id();
  store_.reset();
  EXPECT_TRUE(*sim_->env().device->Exists(P(HintFileName(active))));
  Open();
  EXPECT_EQ(0, Stat("hint_fallbacks"));
  for (int i = 0; i < 30; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << i;
  ASSERT_TRUE(store_->Close().ok());
  const uint64_t writes = Data().writes;
  store_.reset();
  EXPECT_EQ(writes, Data().writes);
}

// A clean Close syncs the active file and writes its hint: the next Open
// loads the hint (reading only file headers), no scan.
TEST_F(BufferTest, CleanCloseHintsTheActiveFileSoReopenDoesNotScanIt) {
  Open();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  const uint64_t active = store_->TEST_active_file_id();
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  ASSERT_TRUE(*sim_->env().device->Exists(P(HintFileName(active))));
  const uint64_t data_size = *sim_->env().device->FileSize(P(DataFileName(active)));
  const uint64_t read_before = Data().bytes_read;
  Open();
  EXPECT_LT(Data().bytes_read - read_before, data_size / 4);  // Headers, not the records.
  EXPECT_GE(Stat("hint_loads"), 1);
  EXPECT_EQ(0, Stat("hint_fallbacks"));
  for (int i = 0; i < 30; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << i;
}

// The hint is written after the sync: a power loss right after Close, losing
// every unsynced operation, loses no record.
TEST_F(BufferTest, CloseSyncsBeforeItHints) {
  Open();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  sim_->device().Crash([](size_t) { return sim::SimDevice::CrashFate::kDrop; });
  Open();
  for (int i = 0; i < 30; ++i) EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << i;
}

// A stale (the data file grew: garbage appended), corrupt or missing hint of
// the file that was active at Close: Open scans the file instead.
TEST_F(BufferTest, AStaleCorruptOrMissingCloseHintFallsBackToAScan) {
  for (int damage = 0; damage < 3; ++damage) {
    sim_ = std::make_unique<sim::SimEnv>(11 + damage, sim::FaultProfile::None());
    Open();
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
    const uint64_t active = store_->TEST_active_file_id();
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    Device& dev = *sim_->env().device;
    if (damage == 0) {
      auto f = dev.Open(P(DataFileName(active)), OpenOptions{});
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE((*f)->Write(*(*f)->Size(), std::string(700, '\x3c')).ok());
    } else if (damage == 1) {
      auto f = dev.Open(P(HintFileName(active)), OpenOptions{});
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE((*f)->Write(40, "\x7f").ok());
    } else {
      ASSERT_TRUE(dev.Remove(P(HintFileName(active))).ok());
    }
    Open();
    EXPECT_EQ(damage < 2 ? 1 : 0, Stat("hint_fallbacks")) << damage;
    for (int i = 0; i < 30; ++i) {
      EXPECT_EQ(Val(i), *store_->Get(ReadOptions(), Key(i))) << "damage " << damage << " key " << i;
    }
    // The file was scanned, so it was continued or re-hinted: the next open is clean.
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    Open();
    EXPECT_EQ(0, Stat("hint_fallbacks")) << damage;
    store_.reset();
  }
}

// Writes two writer files and crashes, keeping every write (without Sync the
// second holds unsynced records only), then tears the tail of the first as
// the crash could have.
class ChainTest : public BufferTest {
 protected:
  void WriteTwoFilesAndTearTheFirst(bool sync_second) {
    options_.max_file_size = 4096;
    Open();
    for (int i = 0; i < 45; ++i) ASSERT_TRUE(store_->Put(WriteOptions(), Key(i), Val(i)).ok());
    ASSERT_EQ(2u, store_->TEST_active_file_id());
    if (sync_second) {
      ASSERT_TRUE(store_->Sync().ok());
    }
    // A power loss that keeps every unsynced write (a clean Close would sync
    // the second file and write its hint).
    sim_->device().Crash([](size_t) { return sim::SimDevice::CrashFate::kKeep; });
    store_.reset();
    Device& dev = *sim_->env().device;
    auto f = dev.Open(P(DataFileName(1)), OpenOptions{});
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Truncate(*(*f)->Size() - 50).ok());
    ASSERT_TRUE((*f)->Sync().ok());
  }
};

TEST_F(ChainTest, ARolledFileThatLostItsTailDropsTheLaterUnsyncedFiles) {
  WriteTwoFilesAndTearTheFirst(/*sync_second=*/false);
  Open();
  // File 2, and file 3 that was created ahead for the next roll-over (empty).
  EXPECT_EQ(2, Stat("files_dropped_after_broken_chain"));
  EXPECT_FALSE(*sim_->env().device->Exists(P(DataFileName(2))));
  EXPECT_FALSE(*sim_->env().device->Exists(P(DataFileName(3))));
  // A prefix survives: the first file's records but its torn last one.
  int present = 0;
  while (store_->Get(ReadOptions(), Key(present)).ok()) ++present;
  EXPECT_GT(present, 10);
  for (int i = present; i < 45; ++i) {
    EXPECT_TRUE(absl::IsNotFound(store_->Get(ReadOptions(), Key(i)).status())) << i;
  }
}

TEST_F(ChainTest, ARolledFileDamagedAfterALaterSyncIsCorruption) {
  WriteTwoFilesAndTearTheFirst(/*sync_second=*/true);
  auto s = BitcaskStore::Open(sim_->env(), kDir, options_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(IsCorruption(s.status())) << s.status();
  EXPECT_NE(std::string::npos, s.status().message().find(DataFileName(1))) << s.status();
}

}  // namespace
}  // namespace kvlab::bitcask

// The file table's byte counts, as Stats shows them: each data file's
// total_bytes is its size on the device, the live bytes of all files add up
// to the records of the live keys, and dead = total - header - live. Checked
// through writes into the active file (overwrites there and of older files,
// deletes), roll-overs, a crash (the active file is continued), a clean
// reopen (a new active file) and a merge.
#include <map>
#include <memory>
#include <string>

#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/format.h"
#include "gtest/gtest.h"
#include "sim/sim_env.h"

namespace kvlab::bitcask {
namespace {

constexpr char kDir[] = "db";

class AccountingTest : public ::testing::Test {
 protected:
  AccountingTest() : sim_(std::make_unique<sim::SimEnv>(11, sim::FaultProfile::None())) {
    options_.max_file_size = 4096;
  }

  void Open() {
    store_.reset();
    auto s = BitcaskStore::Open(sim_->env(), kDir, options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  void Put(const std::string& k, size_t value_size) {
    const std::string v(value_size, static_cast<char>('a' + value_size % 26));
    ASSERT_TRUE(store_->Put(WriteOptions(), k, v).ok());
    model_[k] = value_size;
  }
  void Del(const std::string& k) {
    ASSERT_TRUE(store_->Delete(WriteOptions(), k).ok());
    model_.erase(k);
  }
  // Syncs (the write buffer reaches the device), then compares the table.
  void ExpectTableMatches() {
    ASSERT_TRUE(store_->Sync().ok());
    Stats stats = store_->GetStats();
    const std::string suffix = ".total_bytes";
    double live = 0;
    double dead = 0;
    size_t files = 0;
    for (const auto& [name, value] : stats.engine) {
      if (name.rfind("file.", 0) != 0 || name.size() <= suffix.size() ||
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      const std::string prefix = name.substr(0, name.size() - suffix.size());
      const uint64_t id = std::stoull(prefix.substr(5));
      auto size = sim_->env().device->FileSize(std::string(kDir) + "/" + DataFileName(id));
      ASSERT_TRUE(size.ok()) << name;
      EXPECT_EQ(static_cast<double>(*size), value) << name;
      EXPECT_EQ(value - kFileHeaderSize - stats.engine[prefix + ".live_bytes"],
                stats.engine[prefix + ".dead_bytes"])
          << name;
      live += stats.engine[prefix + ".live_bytes"];
      dead += stats.engine[prefix + ".dead_bytes"];
      ++files;
    }
    EXPECT_EQ(store_->TEST_data_file_count(), files);
    double want_live = 0;
    for (const auto& [k, value_size] : model_) want_live += RecordSize(k.size(), value_size);
    EXPECT_EQ(want_live, live);
    EXPECT_EQ(dead, stats.engine["dead_bytes"]);
  }

  std::unique_ptr<sim::SimEnv> sim_;
  Options options_;
  std::unique_ptr<BitcaskStore> store_;
  std::map<std::string, size_t> model_;  // Key -> value size.
};

TEST_F(AccountingTest, FileTableMatchesTheDeviceThroughRollsCrashReopenAndMerge) {
  Open();
  const uint64_t first = store_->TEST_active_file_id();
  for (int i = 0; i < 10; ++i) Put("a" + std::to_string(i), 40 + i);
  for (int i = 0; i < 10; i += 2) Put("a" + std::to_string(i), 7);  // In the active file.
  Del("a1");
  ExpectTableMatches();
  for (int i = 0; i < 120; ++i) Put("b" + std::to_string(i % 30), 60 + i % 13);
  EXPECT_NE(first, store_->TEST_active_file_id());  // Rolled over.
  for (int i = 0; i < 10; ++i) Put("a" + std::to_string(i), 20);  // Of an older file.
  Del("b3");
  ExpectTableMatches();

  // A crash after the sync: the next open continues the newest file (the
  // prepared next one, created in the background), creating none.
  const uint64_t crashed_active = store_->TEST_active_file_id();
  sim_->Crash();
  Open();
  EXPECT_LE(store_->TEST_active_file_id(), crashed_active + 1);
  for (int i = 0; i < 5; ++i) Put("c" + std::to_string(i), 30);
  Put("a2", 11);
  ExpectTableMatches();

  // A clean reopen starts a new active file.
  Open();
  EXPECT_GT(store_->TEST_active_file_id(), crashed_active + 1);
  for (int i = 0; i < 40; ++i) Put("d" + std::to_string(i % 8), 90);
  Del("c0");
  ExpectTableMatches();

  ASSERT_TRUE(store_->Maintain(MaintenanceKind::kMerge).ok());
  for (int i = 0; i < 40; ++i) Put("e" + std::to_string(i % 9), 50);
  ExpectTableMatches();
}

}  // namespace
}  // namespace kvlab::bitcask

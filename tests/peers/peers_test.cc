// Conformance of the peer engines (rocksdb, leveldb): one test body per
// engine over a temporary host directory. Put/get/delete, batches, scans,
// snapshots, reopen, closed-store errors, I/O counting, and the refusal of a
// simulated device.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "engine/engine_config.h"
#include "engine/env/env.h"
#include "engine/env/real_env.h"
#include "engine/kv_store.h"
#include "experiments/peers/peer_support.h"
#include "experiments/peers/peers.h"
#include "gtest/gtest.h"
#include "rocksdb/perf_level.h"

namespace kvlab {
namespace {

// A device with a name and a host root and nothing else: it stands in for a
// simulated device (no host root), which the peers must refuse.
class HostDirDevice : public Device {
 public:
  HostDirDevice(std::string name, std::string root) : name_(std::move(name)), root_(root) {}
  std::string name() const override { return name_; }
  std::string host_root() const override { return root_; }
  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view, const OpenOptions&) override {
    return absl::UnimplementedError("test device");
  }
  absl::Status Remove(std::string_view) override { return absl::UnimplementedError("test"); }
  absl::Status Rename(std::string_view, std::string_view) override {
    return absl::UnimplementedError("test");
  }
  absl::Status CreateDir(std::string_view) override { return absl::UnimplementedError("test"); }
  absl::Status SyncDir(std::string_view) override { return absl::UnimplementedError("test"); }
  absl::StatusOr<std::vector<std::string>> List(std::string_view) override {
    return absl::UnimplementedError("test");
  }
  absl::StatusOr<bool> Exists(std::string_view) override {
    return absl::UnimplementedError("test");
  }
  absl::StatusOr<uint64_t> FileSize(std::string_view) override {
    return absl::UnimplementedError("test");
  }
  absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view) override {
    return absl::UnimplementedError("test");
  }

 private:
  std::string name_, root_;
};

std::string TempRoot() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? std::string(dir) : std::filesystem::temp_directory_path().string();
}

class PeerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    RegisterPeerEngines(registry_);
    root_ = TempRoot() + "/peers_" + GetParam() + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    auto real = RealEnv::Open("posix", root_);
    ASSERT_TRUE(real.ok()) << real.status();
    real_ = std::move(*real);
  }

  const Env& env() const { return real_->env(); }

  std::unique_ptr<KvStore> OpenStore(std::map<std::string, std::string> options = {}) {
    EngineConfig config{GetParam(), std::move(options)};
    absl::StatusOr<std::unique_ptr<KvStore>> store = registry_.Open(config, env(), "db");
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  EngineRegistry registry_;
  std::string root_;
  std::unique_ptr<RealEnv> real_;
};

TEST_P(PeerTest, PutGetDeleteOverwrite) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(absl::IsNotFound(store->Get({}, "a").status()));
  ASSERT_TRUE(store->Put({}, "a", "1").ok());
  ASSERT_TRUE(store->Put({}, "b", std::string(1000, 'x')).ok());
  EXPECT_EQ(*store->Get({}, "a"), "1");
  ASSERT_TRUE(store->Put({}, "a", "2").ok());
  EXPECT_EQ(*store->Get({}, "a"), "2");
  EXPECT_EQ(store->Get({}, "b")->size(), 1000u);
  ASSERT_TRUE(store->Delete({}, "a").ok());
  EXPECT_TRUE(absl::IsNotFound(store->Get({}, "a").status()));
  EXPECT_TRUE(store->Delete({}, "never-written").ok());
  absl::StatusOr<std::string> rmw = store->ReadModifyWrite(
      {}, "c", [](std::optional<std::string_view> old) {
        return old.has_value() ? std::string(*old) + "+" : std::string("new");
      });
  ASSERT_TRUE(rmw.ok());
  EXPECT_EQ(*rmw, "new");
  EXPECT_EQ(*store->ReadModifyWrite({}, "c", [](std::optional<std::string_view> old) {
    return std::string(*old) + "+";
  }), "new+");
  ASSERT_TRUE(store->Close().ok());
}

TEST_P(PeerTest, BatchAppliesInOrder) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put({}, "gone", "x").ok());
  WriteBatch batch;
  batch.Put("k1", "v1");
  batch.Put("k2", "v2");
  batch.Delete("gone");
  batch.Put("k1", "v1b");  // A later op in the batch wins.
  ASSERT_TRUE(store->Write({}, batch).ok());
  EXPECT_EQ(*store->Get({}, "k1"), "v1b");
  EXPECT_EQ(*store->Get({}, "k2"), "v2");
  EXPECT_TRUE(absl::IsNotFound(store->Get({}, "gone").status()));
  Stats stats = store->GetStats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.user_bytes_written, 4u + 1u + batch.user_bytes());  // "gone"+"x".
}

TEST_P(PeerTest, ScansMatchAnOrderedModel) {
  auto store = OpenStore({{"write_buffer_size", "64KiB"}});
  ASSERT_NE(store, nullptr);
  std::map<std::string, std::string> model;
  Random random(42);
  for (int i = 0; i < 3000; ++i) {
    std::string key = "key" + std::to_string(random.Uniform(500));
    if (random.OneIn(4)) {
      ASSERT_TRUE(store->Delete({}, key).ok());
      model.erase(key);
    } else {
      std::string value(random.Range(1, 300), static_cast<char>('a' + random.Uniform(26)));
      ASSERT_TRUE(store->Put({}, key, value).ok());
      model[key] = value;
    }
  }
  auto all = store->Scan({}, "", "", 1 << 20);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), model.size());
  auto m = model.begin();
  for (const auto& [k, v] : *all) {
    EXPECT_EQ(k, m->first);
    EXPECT_EQ(v, m->second);
    ++m;
  }
  auto range = store->Scan({}, "key2", "key3", 5);
  ASSERT_TRUE(range.ok());
  auto lo = model.lower_bound("key2");
  for (const auto& [k, v] : *range) EXPECT_EQ(k, (lo++)->first);
  EXPECT_LE(range->size(), 5u);
  auto prefix = store->PrefixScan({}, "key49", 100);
  ASSERT_TRUE(prefix.ok());
  size_t expected = 0;
  for (const auto& [k, v] : model) expected += k.rfind("key49", 0) == 0 ? 1 : 0;
  EXPECT_EQ(prefix->size(), expected);
}

TEST_P(PeerTest, SnapshotSeesThePast) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put({}, "a", "old").ok());
  ASSERT_TRUE(store->Put({}, "b", "kept").ok());
  auto snapshot = store->NewSnapshot();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(store->Put({}, "a", "new").ok());
  ASSERT_TRUE(store->Delete({}, "b").ok());
  ASSERT_TRUE(store->Put({}, "c", "later").ok());
  ReadOptions at;
  at.snapshot = snapshot->get();
  EXPECT_EQ(*store->Get(at, "a"), "old");
  EXPECT_EQ(*store->Get(at, "b"), "kept");
  EXPECT_TRUE(absl::IsNotFound(store->Get(at, "c").status()));
  auto past = store->Scan(at, "", "", 10);
  ASSERT_TRUE(past.ok());
  ASSERT_EQ(past->size(), 2u);
  EXPECT_EQ((*past)[0].second, "old");
  EXPECT_EQ(*store->Get({}, "a"), "new");
  snapshot->reset();
}

TEST_P(PeerTest, ReopenRecoversAndClosedStoreRefuses) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(store->Put({}, "k" + std::to_string(i), "v" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(store->Delete({}, "k7").ok());
  ASSERT_TRUE(store->Put(WriteOptions{.sync = true}, "synced", "yes").ok());
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_TRUE(store->Close().ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store->Get({}, "k1").status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(store->Close()));
  store.reset();
  auto again = OpenStore();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*again->Get({}, "k99"), "v99");
  EXPECT_EQ(*again->Get({}, "synced"), "yes");
  EXPECT_TRUE(absl::IsNotFound(again->Get({}, "k7").status()));
  EXPECT_TRUE(again->GetCapabilities().ordered);
  EXPECT_TRUE(again->GetCapabilities().snapshots);
}

TEST_P(PeerTest, CountsDeviceBytesByKind) {
  auto store = OpenStore({{"compression", "none"}});
  ASSERT_NE(store, nullptr);
  const std::string value(1000, 'v');
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(store->Put({}, "key" + std::to_string(i), value).ok());
  ASSERT_TRUE(store->Maintain(MaintenanceKind::kCompact).ok());
  ASSERT_TRUE(store->Get({}, "key5").ok());
  Stats stats = store->GetStats();
  const auto& log = stats.device.by_kind[static_cast<size_t>(FileKind::kLog)];
  const auto& sst = stats.device.by_kind[static_cast<size_t>(FileKind::kIndex)];
  EXPECT_GE(log.bytes_written, stats.user_bytes_written);  // The WAL holds every byte.
  EXPECT_GE(sst.bytes_written, 2000u * 1000u);              // Flushed into tables.
  EXPECT_GT(stats.WriteAmplification(), 1.5);
  EXPECT_GT(stats.space_used_bytes, 2000u * 1000u);
  EXPECT_EQ(stats.puts, 2000u);
  EXPECT_EQ(stats.engine.count("peer.device_bytes_from_peer_file_layer"), 1u);
  // The same bytes reach the Env's CountingDevice, where the runner reads them.
  const IoCounters::PerKind on_device = real_->device().Snapshot().Total();
  EXPECT_EQ(on_device.bytes_written, stats.device.Total().bytes_written);
  EXPECT_EQ(on_device.bytes_read, stats.device.Total().bytes_read);
  EXPECT_TRUE(absl::IsUnimplemented(store->Maintain(MaintenanceKind::kGc)));
}

TEST_P(PeerTest, RefusesSimulatedDeviceAndBadOptions) {
  HostDirDevice sim("sim", "");
  Env sim_env = env();
  sim_env.device = &sim;
  auto refused = registry_.Open(EngineConfig{GetParam(), {}}, sim_env, "db");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_NE(refused.status().message().find("runs on real devices only"), std::string::npos)
      << refused.status();
  auto bad = registry_.Open(EngineConfig{GetParam(), {{"compression", "brotli"}}}, env(), "db");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  auto unknown = registry_.Open(EngineConfig{GetParam(), {{"write_bufer_size", "1"}}}, env(), "db");
  EXPECT_FALSE(unknown.ok());
}

// db_options / table_options pass RocksDB option strings through (what compare_db_bench.sh uses
// to match db_bench's defaults); RocksDB writes the options it ran with to OPTIONS-*.
TEST_P(PeerTest, RocksDbOptionStringsReachRocksDb) {
  if (GetParam() != "rocksdb") GTEST_SKIP() << "rocksdb only";
  auto store = OpenStore({{"db_options", "enable_pipelined_write=true;table_cache_numshardbits=4"},
                          {"table_options", "index_shortening=kShortenSeparatorsAndSuccessor"},
                          {"block_size", "8KiB"}});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put({}, "k", "v").ok());
  ASSERT_TRUE(store->Close().ok());
  std::string text;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) {
    if (entry.path().filename().string().rfind("OPTIONS-", 0) != 0) continue;
    std::ifstream in(entry.path());
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(text.empty()) << "no OPTIONS file under " << root_;
  EXPECT_NE(text.find("enable_pipelined_write=true"), std::string::npos);
  EXPECT_NE(text.find("table_cache_numshardbits=4"), std::string::npos);
  EXPECT_NE(text.find("index_shortening=kShortenSeparatorsAndSuccessor"), std::string::npos);
  EXPECT_NE(text.find("block_size=8192"), std::string::npos);  // named options kept

  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"db_options", "enable_pipelined_writes=true"},
           {"table_options", "index_shortening=kSometimes"}}) {
    auto bad = registry_.Open(EngineConfig{"rocksdb", {{name, value}}}, env(), "db2");
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
    EXPECT_NE(bad.status().message().find(name), std::string::npos) << bad.status();
  }
}

// perf_level (RocksDB's per-thread PerfLevel; db_bench disables it) is set on the calling
// thread; block_cache_high_pri_pool_ratio reaches the LRU cache (its options are in LOG).
TEST_P(PeerTest, RocksDbPerfLevelAndCachePoolRatio) {
  if (GetParam() != "rocksdb") GTEST_SKIP() << "rocksdb only";
  rocksdb::SetPerfLevel(rocksdb::kEnableCount);
  auto store = OpenStore({{"perf_level", "1"}, {"block_cache_high_pri_pool_ratio", "0"}});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::kEnableCount);  // opening does not touch it
  EXPECT_TRUE(absl::IsNotFound(store->Get({}, "k").status()));
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::kDisable);
  ASSERT_TRUE(store->Close().ok());
  rocksdb::SetPerfLevel(rocksdb::kEnableCount);
  std::string log;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) {
    if (entry.path().filename() != "LOG") continue;
    std::ifstream in(entry.path());
    log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(log.find("high_pri_pool_ratio: 0.000"), std::string::npos);

  auto defaults = OpenStore();  // perf_level 0: RocksDB's per-thread level is left alone
  ASSERT_NE(defaults, nullptr);
  EXPECT_TRUE(absl::IsNotFound(defaults->Get({}, "k").status()));
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::kEnableCount);
  ASSERT_TRUE(defaults->Close().ok());
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"perf_level", "6"}, {"perf_level", "-1"}, {"block_cache_high_pri_pool_ratio", "1.5"}}) {
    auto bad = registry_.Open(EngineConfig{"rocksdb", {{name, value}}}, env(), "db3");
    EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << name << "=" << value;
  }
}

INSTANTIATE_TEST_SUITE_P(Peers, PeerTest, ::testing::Values("rocksdb", "leveldb"),
                         [](const auto& info) { return info.param; });

TEST(PeerFileKindTest, NamesMapToKinds) {
  EXPECT_EQ(peers::PeerFileKind("/x/000012.log"), FileKind::kLog);
  EXPECT_EQ(peers::PeerFileKind("000012.sst"), FileKind::kIndex);
  EXPECT_EQ(peers::PeerFileKind("/d/000012.ldb"), FileKind::kIndex);
  EXPECT_EQ(peers::PeerFileKind("/d/MANIFEST-000001"), FileKind::kManifest);
  EXPECT_EQ(peers::PeerFileKind("/d/CURRENT"), FileKind::kManifest);
  EXPECT_EQ(peers::PeerFileKind("/d/LOG"), FileKind::kOther);
  EXPECT_EQ(peers::PeerFileKind("/d/LOCK"), FileKind::kOther);
}

}  // namespace
}  // namespace kvlab

// The `rocksdb` peer: RocksDB 7.8 (Debian's librocksdb) behind KvStore.
//
// Device bytes: RocksDB runs on its own FileSystem, wrapped by
// rocksdb_counting_fs.h, so Stats::device holds every byte RocksDB itself
// wrote and read (WAL -> log, SST -> index, MANIFEST/OPTIONS -> manifest, info
// LOG -> other), measured at the same layer as kvlab's CountingDevice and added
// to the Env's CountingDevice too (so `kvlab run` reports them). RocksDB's
// own statistics tickers are copied into Stats::engine under "rocksdb.*" (their
// names, their numbers), e.g. rocksdb.wal.bytes, rocksdb.flush.write.bytes,
// rocksdb.compact.write.bytes; "peer.*" entries are ours about the peer.
#include "experiments/peers/rocksdb_store.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "experiments/peers/peer_support.h"
#include "experiments/peers/rocksdb_counting_fs.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/perf_level.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace kvlab::peers {
namespace {

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat("rocksdb: ", AV(context), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return CorruptionError(message);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(message);
  if (s.IsInvalidArgument() || s.IsNotSupported()) return absl::InvalidArgumentError(message);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::StatusOr<rocksdb::CompressionType> ParseCompression(const std::string& name) {
  rocksdb::CompressionType type;
  if (name == "none") type = rocksdb::kNoCompression;
  else if (name == "snappy") type = rocksdb::kSnappyCompression;
  else if (name == "lz4") type = rocksdb::kLZ4Compression;
  else if (name == "zstd") type = rocksdb::kZSTD;
  else if (name == "zlib") type = rocksdb::kZlibCompression;
  else {
    return absl::InvalidArgumentError(absl::StrCat(
        "rocksdb: compression '", name, "' is not one of none, snappy, lz4, zstd, zlib"));
  }
  for (rocksdb::CompressionType linked : rocksdb::GetSupportedCompressions()) {
    if (linked == type) return type;
  }
  if (type == rocksdb::kNoCompression) return type;
  return absl::InvalidArgumentError(
      absl::StrCat("rocksdb: compression '", name, "' is not linked into this librocksdb"));
}

using RocksSnapshot = peers::PeerSnapshotAdapter<rocksdb::DB, rocksdb::Snapshot>;

using RocksIterator = peers::PeerIteratorAdapter<rocksdb::Iterator, &ToAbsl>;

class RocksDbStore : public KvStore {
 public:
  static absl::StatusOr<std::unique_ptr<KvStore>> Open(const Env& env, std::string_view path,
                                                       const EngineOptions& o);

  absl::Status Put(const WriteOptions& options, std::string_view key,
                   std::string_view value) override {
    RETURN_IF_ERROR(CheckOpen());
    ApplyPerfLevel();
    ops_.OnPut(key, value);
    return Finish(db_->Put(Wo(options), ToSlice(key), ToSlice(value)), options, "put");
  }

  absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    ApplyPerfLevel();
    std::string value;
    rocksdb::Status s = db_->Get(Ro(options), ToSlice(key), &value);
    ops_.OnGet(key, s.ok() ? &value : nullptr);
    if (s.IsNotFound()) return absl::NotFoundError("rocksdb: key not found");
    RETURN_IF_ERROR(ToAbsl(s, "get"));
    return value;
  }

  absl::Status Delete(const WriteOptions& options, std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    ApplyPerfLevel();
    ops_.OnDelete(key);
    return Finish(db_->Delete(Wo(options), ToSlice(key)), options, "delete");
  }

  absl::Status Write(const WriteOptions& options, const WriteBatch& batch) override {
    RETURN_IF_ERROR(CheckOpen());
    ApplyPerfLevel();
    rocksdb::WriteBatch rb;
    for (const WriteBatch::Op& op : batch.ops()) {
      rocksdb::Status s = op.type == WriteBatch::OpType::kPut
                              ? rb.Put(ToSlice(op.key), ToSlice(op.value))
                              : rb.Delete(ToSlice(op.key));
      RETURN_IF_ERROR(ToAbsl(s, "batch"));
    }
    ops_.OnBatch(batch);
    return Finish(db_->Write(Wo(options), &rb), options, "write batch");
  }

  absl::Status Sync() override {
    RETURN_IF_ERROR(CheckOpen());
    if (disable_wal_) return FlushMemtable();  // Without a WAL, only SSTs are durable.
    return ToAbsl(db_->SyncWAL(), "sync WAL");
  }

  absl::StatusOr<std::unique_ptr<Iterator>> NewIterator(const ReadOptions& options) override {
    RETURN_IF_ERROR(CheckOpen());
    ApplyPerfLevel();  // Thread-local: also holds for the iterator's calls on this thread.
    return std::unique_ptr<Iterator>(new RocksIterator(db_->NewIterator(Ro(options))));
  }

  absl::StatusOr<std::unique_ptr<Snapshot>> NewSnapshot() override {
    RETURN_IF_ERROR(CheckOpen());
    return std::unique_ptr<Snapshot>(new RocksSnapshot(db_.get(), db_->GetSnapshot()));
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      const ReadOptions& options, std::string_view start, std::string_view end,
      size_t limit) override {
    auto result = KvStore::Scan(options, start, end, limit);
    ops_.OnScan(result);
    return result;
  }

  absl::Status Maintain(MaintenanceKind kind) override {
    RETURN_IF_ERROR(CheckOpen());
    switch (kind) {
      case MaintenanceKind::kFlush: return FlushMemtable();
      case MaintenanceKind::kCompact:
        return ToAbsl(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr),
                      "compact range");
      default:
        return absl::UnimplementedError(absl::StrCat(
            "rocksdb: maintenance '", AV(MaintenanceKindName(kind)),
            "' does not exist (rocksdb has flush and compact)"));
    }
  }

  Stats GetStats() override;

  Capabilities GetCapabilities() const override {
    Capabilities c;
    c.ordered = true;
    c.snapshots = true;
    c.native_rmw = false;
    c.concurrent = true;
    c.durability = Durability::kSyncPoint;
    return c;
  }

  absl::Status Close() override {
    RETURN_IF_ERROR(CheckOpen());
    rocksdb::Status s = db_->Close();
    db_.reset();
    return ToAbsl(s, absl::StrCat("close ", dir_));
  }

  ~RocksDbStore() override {
    if (db_) (void)db_->Close();  // Ignoring errors on purpose: Close() reports them.
  }

 private:
  absl::Status CheckOpen() const {
    if (!db_) return absl::FailedPreconditionError("rocksdb: the store is closed");
    return absl::OkStatus();
  }
  // RocksDB's perf level is per thread (default kEnableCount: perf_context counters on every
  // call); db_bench sets its --perf_level (default kDisable) on its threads. The option sets it
  // on whichever thread calls the store.
  void ApplyPerfLevel() const {
    if (perf_level_ != rocksdb::kUninitialized) rocksdb::SetPerfLevel(perf_level_);
  }
  rocksdb::WriteOptions Wo(const WriteOptions& options) const {
    rocksdb::WriteOptions w;
    w.sync = (options.sync || sync_all_) && !disable_wal_;
    w.disableWAL = disable_wal_;
    return w;
  }
  rocksdb::ReadOptions Ro(const ReadOptions& options) const {
    rocksdb::ReadOptions r;
    if (options.snapshot != nullptr) {
      auto* snapshot = dynamic_cast<const RocksSnapshot*>(options.snapshot);
      KVLAB_CHECK(snapshot != nullptr, "a snapshot of another engine passed to rocksdb");
      r.snapshot = snapshot->get();
    }
    return r;
  }
  // Without a WAL a sync write is made durable by flushing the memtable.
  absl::Status Finish(const rocksdb::Status& s, const WriteOptions& options,
                      std::string_view what) {
    RETURN_IF_ERROR(ToAbsl(s, what));
    if (disable_wal_ && (options.sync || sync_all_)) return FlushMemtable();
    return absl::OkStatus();
  }
  absl::Status FlushMemtable() {
    rocksdb::FlushOptions f;
    f.wait = true;
    return ToAbsl(db_->Flush(f), "flush");
  }

  std::string dir_;
  bool sync_all_ = false;
  bool disable_wal_ = false;
  rocksdb::PerfLevel perf_level_ = rocksdb::kUninitialized;  // kUninitialized: left alone
  PeerOpCounters ops_;
  std::unique_ptr<PeerIoCounters> io_ = std::make_unique<PeerIoCounters>();
  std::unique_ptr<rocksdb::Env> rocks_env_;  // Outlives db_ (declared before it).
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<rocksdb::DB> db_;
};

absl::StatusOr<std::unique_ptr<KvStore>> RocksDbStore::Open(const Env& env,
                                                            std::string_view path,
                                                            const EngineOptions& o) {
  ASSIGN_OR_RETURN(std::string dir, PeerHostDir("rocksdb", env, path));
  auto store = std::make_unique<RocksDbStore>();
  store->dir_ = dir;
  store->io_->MirrorTo(dynamic_cast<CountingDevice*>(env.device));
  store->sync_all_ = o.GetBool("sync");
  store->disable_wal_ = o.GetBool("disable_wal");
  const int64_t perf_level = o.GetInt("perf_level");
  if (perf_level < 0 || perf_level >= rocksdb::kOutOfBounds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rocksdb: perf_level must be 0 (leave RocksDB's per-thread default, 2 = counts) or a "
        "RocksDB PerfLevel 1..5 (1 = disable, as db_bench's default), got ", perf_level));
  }
  store->perf_level_ = static_cast<rocksdb::PerfLevel>(perf_level);
  store->rocks_env_ =
      rocksdb::NewCompositeEnv(NewCountingFileSystem(rocksdb::FileSystem::Default(),
                                                     store->io_.get()));
  rocksdb::Options options;
  options.env = store->rocks_env_.get();
  options.create_if_missing = true;
  options.write_buffer_size = o.GetInt("write_buffer_size");
  options.max_write_buffer_number = static_cast<int>(o.GetInt("max_write_buffer_number"));
  options.max_background_jobs = static_cast<int>(o.GetInt("max_background_jobs"));
  options.max_open_files = static_cast<int>(o.GetInt("max_open_files"));
  options.level0_file_num_compaction_trigger =
      static_cast<int>(o.GetInt("level0_file_num_compaction_trigger"));
  options.level0_slowdown_writes_trigger =
      static_cast<int>(o.GetInt("level0_slowdown_writes_trigger"));
  options.level0_stop_writes_trigger = static_cast<int>(o.GetInt("level0_stop_writes_trigger"));
  options.target_file_size_base = o.GetInt("target_file_size_base");
  options.max_bytes_for_level_base = o.GetInt("max_bytes_for_level_base");
  options.use_direct_reads = o.GetBool("use_direct_reads");
  options.use_direct_io_for_flush_and_compaction = o.GetBool("use_direct_io_for_flush_and_compaction");
  ASSIGN_OR_RETURN(options.compression, ParseCompression(o.GetString("compression")));
  if (o.GetBool("statistics")) {
    store->statistics_ = rocksdb::CreateDBStatistics();
    store->statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
    options.statistics = store->statistics_;
  }
  rocksdb::BlockBasedTableOptions table;
  const int64_t cache_bytes = o.GetInt("block_cache_size");
  const double high_pri = o.GetDouble("block_cache_high_pri_pool_ratio");
  if (!(high_pri >= 0 && high_pri <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rocksdb: block_cache_high_pri_pool_ratio must be in [0, 1], got ", high_pri));
  }
  if (cache_bytes > 0) table.block_cache = rocksdb::NewLRUCache(cache_bytes, -1, false, high_pri);
  else table.no_block_cache = true;
  table.block_size = o.GetInt("block_size");
  const double bloom_bits = o.GetDouble("bloom_bits_per_key");
  if (bloom_bits > 0) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(bloom_bits));
  rocksdb::ConfigOptions parse;
  parse.ignore_unknown_options = false;
  parse.input_strings_escaped = false;
  if (const std::string extra = o.GetString("table_options"); !extra.empty()) {
    rocksdb::BlockBasedTableOptions parsed;
    RETURN_IF_ERROR(ToAbsl(rocksdb::GetBlockBasedTableOptionsFromString(parse, table, extra,
                                                                        &parsed),
                           absl::StrCat("option table_options '", extra, "'")));
    table = parsed;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Last, so a RocksDB options string can set anything the named options above do not.
  if (const std::string extra = o.GetString("db_options"); !extra.empty()) {
    rocksdb::Options parsed;
    RETURN_IF_ERROR(ToAbsl(rocksdb::GetOptionsFromString(parse, options, extra, &parsed),
                           absl::StrCat("option db_options '", extra, "'")));
    options = parsed;
  }

  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(ToAbsl(rocksdb::DB::Open(options, dir, &db), absl::StrCat("open ", dir)));
  store->db_.reset(db);
  return std::unique_ptr<KvStore>(std::move(store));
}

Stats RocksDbStore::GetStats() {
  Stats stats;
  ops_.CopyTo(stats);
  stats.device = io_->Snapshot();
  stats.space_used_bytes = DirectoryBytes(dir_);
  stats.engine["peer.device_bytes_from_peer_file_layer"] = 1;
  if (db_) {
    uint64_t keys = 0;
    if (db_->GetIntProperty("rocksdb.estimate-num-keys", &keys)) {
      stats.engine["rocksdb.estimate-num-keys"] = static_cast<double>(keys);
      // Live data is estimated: RocksDB does not know it exactly.
      const uint64_t writes = stats.puts + stats.batches;
      if (writes > 0) {
        stats.live_data_bytes = static_cast<uint64_t>(
            static_cast<double>(keys) * static_cast<double>(stats.user_bytes_written) /
            static_cast<double>(writes));
        stats.engine["peer.live_data_bytes_estimated"] = 1;
      }
    }
    uint64_t value = 0;
    if (db_->GetIntProperty("rocksdb.num-running-compactions", &value)) {
      stats.engine["rocksdb.num-running-compactions"] = static_cast<double>(value);
    }
  }
  if (statistics_) {
    std::map<std::string, uint64_t> tickers;
    if (statistics_->getTickerMap(&tickers)) {
      for (const auto& [name, value] : tickers) {
        if (value != 0) stats.engine[name] = static_cast<double>(value);
      }
    }
  }
  return stats;
}

}  // namespace

EngineDescriptor RocksDbDescriptor() {
  EngineDescriptor d;
  d.name = "rocksdb";
  d.summary =
      "peer: Debian's RocksDB 7.8 (leveled LSM), real devices only; device bytes counted at "
      "its own file layer, its tickers in stats as rocksdb.*";
  d.options = {
      {"write_buffer_size", OptionType::kBytes, "64MiB", "memtable size"},
      {"max_write_buffer_number", OptionType::kInt, "2", "memtables before writes stall"},
      {"block_cache_size", OptionType::kBytes, "32MiB", "LRU block cache (0 = none)"},
      {"block_cache_high_pri_pool_ratio", OptionType::kDouble, "0.5",
       "LRU cache share for high-priority blocks (db_bench's default: 0)"},
      {"block_size", OptionType::kBytes, "4KiB", "SST data block size"},
      {"bloom_bits_per_key", OptionType::kDouble, "10", "bloom filter bits per key (0 = none)"},
      {"compression", OptionType::kString, "snappy", "none, snappy, lz4, zstd or zlib"},
      {"max_background_jobs", OptionType::kInt, "2", "flush + compaction threads"},
      {"max_open_files", OptionType::kInt, "-1", "table cache size (-1 = unlimited)"},
      {"level0_file_num_compaction_trigger", OptionType::kInt, "4", "L0 files to compact"},
      {"level0_slowdown_writes_trigger", OptionType::kInt, "20", "L0 files to slow writes"},
      {"level0_stop_writes_trigger", OptionType::kInt, "36", "L0 files to stop writes"},
      {"target_file_size_base", OptionType::kBytes, "64MiB", "SST size at L1"},
      {"max_bytes_for_level_base", OptionType::kBytes, "256MiB", "L1 size"},
      {"sync", OptionType::kBool, "false", "every write synced (WAL fsync)"},
      {"disable_wal", OptionType::kBool, "false", "no WAL: Sync() flushes the memtable"},
      {"use_direct_reads", OptionType::kBool, "false", "O_DIRECT for reads"},
      {"use_direct_io_for_flush_and_compaction", OptionType::kBool, "false",
       "O_DIRECT for flush and compaction"},
      {"statistics", OptionType::kBool, "true", "collect RocksDB tickers (rocksdb.* in stats)"},
      {"perf_level", OptionType::kInt, "0",
       "RocksDB PerfLevel set on each calling thread: 0 = leave RocksDB's (2, counts), "
       "1 = disable (db_bench's default) .. 5"},
      {"db_options", OptionType::kString, "",
       "RocksDB options string applied last, e.g. 'enable_pipelined_write=true;"
       "table_cache_numshardbits=4' (DB and column family options)"},
      {"table_options", OptionType::kString, "",
       "RocksDB BlockBasedTableOptions string, e.g. "
       "'index_shortening=kShortenSeparatorsAndSuccessor'"},
  };
  d.factory = [](const Env& env, std::string_view path, const EngineOptions& options) {
    return RocksDbStore::Open(env, path, options);
  };
  return d;
}

}  // namespace kvlab::peers

// The `leveldb` peer: LevelDB 1.23 (Debian's libleveldb) behind KvStore.
//
// Device bytes: LevelDB runs on a counting leveldb::EnvWrapper over its default
// Env, so Stats::device holds every byte LevelDB itself wrote and read (WAL ->
// log, .ldb/.sst -> index, MANIFEST/CURRENT -> manifest, info LOG -> other),
// measured at the same layer as kvlab's CountingDevice, and added to the Env's
// CountingDevice too (so `kvlab run` reports them like any engine's). LevelDB keeps no
// statistics tickers; Stats::engine holds "leveldb.*" properties it reports
// (file counts per level) and "peer.*" entries that are ours about the peer.
#include "experiments/peers/leveldb_store.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "experiments/peers/peer_support.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/write_batch.h"

namespace kvlab::peers {
namespace {

absl::Status ToAbsl(const leveldb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat("leveldb: ", AV(context), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return CorruptionError(message);
  if (s.IsInvalidArgument() || s.IsNotSupportedError()) {
    return absl::InvalidArgumentError(message);
  }
  if (s.IsIOError()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

leveldb::Slice ToSlice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

// --- Counting Env: every byte LevelDB moves, by file kind. ---

class CountingSequentialFile : public leveldb::SequentialFile {
 public:
  CountingSequentialFile(leveldb::SequentialFile* t, FileKind kind, PeerIoCounters* c)
      : t_(t), kind_(kind), counters_(c) {}
  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    leveldb::Status s = t_->Read(n, result, scratch);
    if (s.ok()) counters_->AddRead(kind_, result->size());
    return s;
  }
  leveldb::Status Skip(uint64_t n) override { return t_->Skip(n); }

 private:
  std::unique_ptr<leveldb::SequentialFile> t_;
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingRandomAccessFile : public leveldb::RandomAccessFile {
 public:
  CountingRandomAccessFile(leveldb::RandomAccessFile* t, FileKind kind, PeerIoCounters* c)
      : t_(t), kind_(kind), counters_(c) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    leveldb::Status s = t_->Read(offset, n, result, scratch);
    if (s.ok()) counters_->AddRead(kind_, result->size());
    return s;
  }

 private:
  std::unique_ptr<leveldb::RandomAccessFile> t_;
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingWritableFile : public leveldb::WritableFile {
 public:
  CountingWritableFile(leveldb::WritableFile* t, FileKind kind, PeerIoCounters* c)
      : t_(t), kind_(kind), counters_(c) {}
  leveldb::Status Append(const leveldb::Slice& data) override {
    leveldb::Status s = t_->Append(data);
    if (s.ok()) counters_->AddWrite(kind_, data.size());
    return s;
  }
  leveldb::Status Close() override { return t_->Close(); }
  leveldb::Status Flush() override { return t_->Flush(); }
  leveldb::Status Sync() override {
    counters_->AddSync(kind_);
    return t_->Sync();
  }

 private:
  std::unique_ptr<leveldb::WritableFile> t_;
  FileKind kind_;
  PeerIoCounters* counters_;
};

class CountingEnv : public leveldb::EnvWrapper {
 public:
  explicit CountingEnv(PeerIoCounters* counters)
      : EnvWrapper(leveldb::Env::Default()), counters_(counters) {}

  leveldb::Status NewSequentialFile(const std::string& f, leveldb::SequentialFile** r) override {
    leveldb::Status s = target()->NewSequentialFile(f, r);
    if (s.ok()) *r = new CountingSequentialFile(*r, PeerFileKind(f), counters_);
    return s;
  }
  leveldb::Status NewRandomAccessFile(const std::string& f,
                                      leveldb::RandomAccessFile** r) override {
    leveldb::Status s = target()->NewRandomAccessFile(f, r);
    if (s.ok()) *r = new CountingRandomAccessFile(*r, PeerFileKind(f), counters_);
    return s;
  }
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewWritableFile(f, r);
    if (s.ok()) *r = new CountingWritableFile(*r, PeerFileKind(f), counters_);
    return s;
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewAppendableFile(f, r);
    if (s.ok()) *r = new CountingWritableFile(*r, PeerFileKind(f), counters_);
    return s;
  }

 private:
  PeerIoCounters* counters_;
};

// --- Snapshots and iterators. ---

using LevelSnapshot = peers::PeerSnapshotAdapter<leveldb::DB, leveldb::Snapshot>;

using LevelIterator = peers::PeerIteratorAdapter<leveldb::Iterator, &ToAbsl>;

class LevelDbStore : public KvStore {
 public:
  static absl::StatusOr<std::unique_ptr<KvStore>> Open(const Env& env, std::string_view path,
                                                       const EngineOptions& o);

  absl::Status Put(const WriteOptions& options, std::string_view key,
                   std::string_view value) override {
    RETURN_IF_ERROR(CheckOpen());
    ops_.OnPut(key, value);
    return ToAbsl(db_->Put(Wo(options), ToSlice(key), ToSlice(value)), "put");
  }

  absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    std::string value;
    leveldb::Status s = db_->Get(Ro(options), ToSlice(key), &value);
    ops_.OnGet(key, s.ok() ? &value : nullptr);
    if (s.IsNotFound()) return absl::NotFoundError("leveldb: key not found");
    RETURN_IF_ERROR(ToAbsl(s, "get"));
    return value;
  }

  absl::Status Delete(const WriteOptions& options, std::string_view key) override {
    RETURN_IF_ERROR(CheckOpen());
    ops_.OnDelete(key);
    return ToAbsl(db_->Delete(Wo(options), ToSlice(key)), "delete");
  }

  absl::Status Write(const WriteOptions& options, const WriteBatch& batch) override {
    RETURN_IF_ERROR(CheckOpen());
    leveldb::WriteBatch lb;
    for (const WriteBatch::Op& op : batch.ops()) {
      if (op.type == WriteBatch::OpType::kPut) lb.Put(ToSlice(op.key), ToSlice(op.value));
      else lb.Delete(ToSlice(op.key));
    }
    ops_.OnBatch(batch);
    return ToAbsl(db_->Write(Wo(options), &lb), "write batch");
  }

  // LevelDB has no SyncWAL: an empty batch written with sync=true fsyncs the
  // log, which holds every earlier write.
  absl::Status Sync() override {
    RETURN_IF_ERROR(CheckOpen());
    leveldb::WriteOptions w;
    w.sync = true;
    leveldb::WriteBatch empty;
    return ToAbsl(db_->Write(w, &empty), "sync");
  }

  absl::StatusOr<std::unique_ptr<Iterator>> NewIterator(const ReadOptions& options) override {
    RETURN_IF_ERROR(CheckOpen());
    return std::unique_ptr<Iterator>(new LevelIterator(db_->NewIterator(Ro(options))));
  }

  absl::StatusOr<std::unique_ptr<Snapshot>> NewSnapshot() override {
    RETURN_IF_ERROR(CheckOpen());
    return std::unique_ptr<Snapshot>(new LevelSnapshot(db_.get(), db_->GetSnapshot()));
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
    if (kind == MaintenanceKind::kCompact) {
      db_->CompactRange(nullptr, nullptr);  // Flushes the memtable first, then compacts all.
      return absl::OkStatus();
    }
    return absl::UnimplementedError(absl::StrCat(
        "leveldb: maintenance '", AV(MaintenanceKindName(kind)),
        "' does not exist (leveldb has only compact, which also flushes the memtable)"));
  }

  Stats GetStats() override;

  Capabilities GetCapabilities() const override {
    Capabilities c;
    c.ordered = true;
    c.snapshots = true;
    c.concurrent = true;
    c.durability = Durability::kSyncPoint;
    return c;
  }

  absl::Status Close() override {
    RETURN_IF_ERROR(CheckOpen());
    db_.reset();  // LevelDB's destructor waits for its background compaction.
    return absl::OkStatus();
  }

  ~LevelDbStore() override { db_.reset(); }

 private:
  absl::Status CheckOpen() const {
    if (!db_) return absl::FailedPreconditionError("leveldb: the store is closed");
    return absl::OkStatus();
  }
  leveldb::WriteOptions Wo(const WriteOptions& options) const {
    leveldb::WriteOptions w;
    w.sync = options.sync || sync_all_;
    return w;
  }
  leveldb::ReadOptions Ro(const ReadOptions& options) const {
    leveldb::ReadOptions r;
    if (options.snapshot != nullptr) {
      auto* snapshot = dynamic_cast<const LevelSnapshot*>(options.snapshot);
      KVLAB_CHECK(snapshot != nullptr, "a snapshot of another engine passed to leveldb");
      r.snapshot = snapshot->get();
    }
    return r;
  }

  std::string dir_;
  bool sync_all_ = false;
  PeerOpCounters ops_;
  // Declared before db_ so that they outlive it (LevelDB does not own them).
  std::unique_ptr<PeerIoCounters> io_ = std::make_unique<PeerIoCounters>();
  std::unique_ptr<CountingEnv> level_env_;
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<leveldb::DB> db_;
};

absl::StatusOr<std::unique_ptr<KvStore>> LevelDbStore::Open(const Env& env,
                                                            std::string_view path,
                                                            const EngineOptions& o) {
  ASSIGN_OR_RETURN(std::string dir, PeerHostDir("leveldb", env, path));
  auto store = std::make_unique<LevelDbStore>();
  store->dir_ = dir;
  store->io_->MirrorTo(dynamic_cast<CountingDevice*>(env.device));
  store->sync_all_ = o.GetBool("sync");
  store->level_env_ = std::make_unique<CountingEnv>(store->io_.get());
  leveldb::Options options;
  options.env = store->level_env_.get();
  options.create_if_missing = true;
  options.paranoid_checks = o.GetBool("paranoid_checks");
  options.write_buffer_size = o.GetInt("write_buffer_size");
  options.max_open_files = static_cast<int>(o.GetInt("max_open_files"));
  options.block_size = o.GetInt("block_size");
  options.max_file_size = o.GetInt("max_file_size");
  options.reuse_logs = o.GetBool("reuse_logs");
  const std::string& compression = o.GetString("compression");
  if (compression == "none") options.compression = leveldb::kNoCompression;
  else if (compression == "snappy") options.compression = leveldb::kSnappyCompression;
  else {
    return absl::InvalidArgumentError(absl::StrCat(
        "leveldb: compression '", compression, "' is not one of none, snappy (LevelDB 1.23)"));
  }
  const int64_t cache_bytes = o.GetInt("block_cache_size");
  if (cache_bytes > 0) {
    store->block_cache_.reset(leveldb::NewLRUCache(cache_bytes));
    options.block_cache = store->block_cache_.get();
  }
  const int64_t bloom_bits = o.GetInt("bloom_bits_per_key");
  if (bloom_bits > 0) {
    store->filter_policy_.reset(leveldb::NewBloomFilterPolicy(static_cast<int>(bloom_bits)));
    options.filter_policy = store->filter_policy_.get();
  }
  leveldb::DB* db = nullptr;
  RETURN_IF_ERROR(ToAbsl(leveldb::DB::Open(options, dir, &db), absl::StrCat("open ", dir)));
  store->db_.reset(db);
  return std::unique_ptr<KvStore>(std::move(store));
}

Stats LevelDbStore::GetStats() {
  Stats stats;
  ops_.CopyTo(stats);
  stats.device = io_->Snapshot();
  stats.space_used_bytes = DirectoryBytes(dir_);
  stats.engine["peer.device_bytes_from_peer_file_layer"] = 1;
  if (db_) {
    for (int level = 0; level < 7; ++level) {
      std::string value;
      const std::string name = absl::StrCat("leveldb.num-files-at-level", level);
      int64_t files = 0;
      if (db_->GetProperty(name, &value) && absl::SimpleAtoi(value, &files)) {
        stats.engine[name] = static_cast<double>(files);
      }
    }
    std::string usage;
    int64_t bytes = 0;
    if (db_->GetProperty("leveldb.approximate-memory-usage", &usage) &&
        absl::SimpleAtoi(usage, &bytes)) {
      stats.engine["leveldb.approximate-memory-usage"] = static_cast<double>(bytes);
    }
  }
  return stats;
}

}  // namespace

EngineDescriptor LevelDbDescriptor() {
  EngineDescriptor d;
  d.name = "leveldb";
  d.summary =
      "peer: Debian's LevelDB 1.23 (leveled LSM), real devices only; device bytes counted at "
      "its own Env, its properties in stats as leveldb.*";
  d.options = {
      {"write_buffer_size", OptionType::kBytes, "4MiB", "memtable size"},
      {"block_cache_size", OptionType::kBytes, "8MiB", "LRU block cache (0 = LevelDB's 8 MiB)"},
      {"block_size", OptionType::kBytes, "4KiB", "table data block size"},
      {"bloom_bits_per_key", OptionType::kInt, "10", "bloom filter bits per key (0 = none)"},
      {"compression", OptionType::kString, "snappy", "none or snappy"},
      {"max_open_files", OptionType::kInt, "1000", "table cache size"},
      {"max_file_size", OptionType::kBytes, "2MiB", "table file size"},
      {"sync", OptionType::kBool, "false", "every write synced (log fsync)"},
      {"paranoid_checks", OptionType::kBool, "false", "stop on any detected corruption"},
      {"reuse_logs", OptionType::kBool, "false", "append to the old log and MANIFEST on open"},
  };
  d.factory = [](const Env& env, std::string_view path, const EngineOptions& options) {
    return LevelDbStore::Open(env, path, options);
  };
  return d;
}

}  // namespace kvlab::peers

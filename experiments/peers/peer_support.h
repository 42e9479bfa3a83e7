// Shared pieces of the peer adapters (RocksDB, LevelDB in this folder): where a
// peer's files live on the host, I/O counters the peers' own file layers feed,
// and the snapshot/size helpers both need.
//
// Peers are not kvlab engines: they do their own file I/O through their own
// Env/FileSystem, beside kvlab's Env. They run only on a real device, in the
// directory `Device::host_root() + "/" + path`. To keep write amplification
// comparable with kvlab's engines (whose bytes a CountingDevice counts), each
// peer wraps its own file layer with a counter (PeerIoCounters) that splits
// bytes by file kind as kvlab does: WAL -> log, SST -> index,
// MANIFEST/CURRENT/OPTIONS -> manifest, the rest (info LOG, LOCK) -> other,
// and adds the same counts to the Env's CountingDevice when there is one.
#ifndef KVLAB_EXPERIMENTS_PEERS_PEER_SUPPORT_H_
#define KVLAB_EXPERIMENTS_PEERS_PEER_SUPPORT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/env/counting_device.h"
#include "engine/env/env.h"
#include "engine/kv_store.h"

namespace kvlab::peers {

// The host directory for a peer store at `path` on env.device, created if
// missing. InvalidArgument, naming `engine`, when the device is simulated or
// has no host directory: "<engine> runs on real devices only".
absl::StatusOr<std::string> PeerHostDir(std::string_view engine, const Env& env,
                                        std::string_view path);

// The FileKind of a file of RocksDB or LevelDB, by its name (any directory
// prefix is ignored): NNNNNN.log -> kLog, .sst/.ldb -> kIndex,
// MANIFEST-*/CURRENT/OPTIONS-* -> kManifest, anything else -> kOther.
FileKind PeerFileKind(std::string_view file_name);

// Byte and operation counters fed by a peer's wrapped file layer. Thread-safe:
// the peers' background threads and every client thread add to it at once.
// When the Env's device is a CountingDevice, every count is also added to it
// (MirrorTo), so the runner's device counters hold the peer's bytes exactly as
// they hold a kvlab engine's.
class PeerIoCounters {
 public:
  // REQUIRES: called before any Add*, i.e. before the peer opens its files.
  // `device` (may be null) must outlive every Add* call.
  void MirrorTo(CountingDevice* device) { mirror_ = device; }

  void AddRead(FileKind kind, uint64_t bytes) {
    At(kind).bytes_read.fetch_add(bytes, std::memory_order_relaxed);
    At(kind).reads.fetch_add(1, std::memory_order_relaxed);
    if (mirror_ != nullptr) mirror_->CountRead(kind, bytes);
  }
  void AddWrite(FileKind kind, uint64_t bytes) {
    At(kind).bytes_written.fetch_add(bytes, std::memory_order_relaxed);
    At(kind).writes.fetch_add(1, std::memory_order_relaxed);
    if (mirror_ != nullptr) mirror_->CountWrite(kind, bytes);
  }
  void AddSync(FileKind kind) {
    At(kind).syncs.fetch_add(1, std::memory_order_relaxed);
    if (mirror_ != nullptr) mirror_->CountSync(kind);
  }

  // A consistent-enough copy (each counter read once, relaxed).
  IoCounters Snapshot() const;

 private:
  struct PerKind {
    std::atomic<uint64_t> bytes_read{0}, bytes_written{0}, reads{0}, writes{0}, syncs{0};
  };
  PerKind& At(FileKind kind) { return by_kind_[static_cast<size_t>(kind)]; }
  std::array<PerKind, kFileKindCount> by_kind_;
  CountingDevice* mirror_ = nullptr;
};

// Sum of the sizes of the regular files under `dir` (recursively); 0 if the
// directory is missing. Errors while walking are ignored on purpose: this is a
// statistic, read while the peer may be deleting files.
uint64_t DirectoryBytes(const std::string& dir);

// Counts the caller-visible work of a peer (Stats' user fields). Thread-safe.
struct PeerOpCounters {
  std::atomic<uint64_t> user_bytes_written{0}, user_bytes_read{0};
  std::atomic<uint64_t> puts{0}, gets{0}, deletes{0}, batches{0}, scans{0};

  // One call each, as the store serves it; `found` is a get's value, or
  // nullptr when it found nothing or failed (no bytes read).
  void OnPut(std::string_view key, std::string_view value) {
    Count(puts, user_bytes_written, key.size() + value.size());
  }
  void OnGet(std::string_view key, const std::string* found) {
    Count(gets, user_bytes_read, found == nullptr ? 0 : key.size() + found->size());
  }
  void OnDelete(std::string_view key) { Count(deletes, user_bytes_written, key.size()); }
  void OnBatch(const WriteBatch& batch) { Count(batches, user_bytes_written, batch.user_bytes()); }
  void OnScan(const absl::StatusOr<std::vector<std::pair<std::string, std::string>>>& result);

  // Copies the counters into `stats`' user fields.
  void CopyTo(Stats& stats) const;

 private:
  static void Count(std::atomic<uint64_t>& ops, std::atomic<uint64_t>& bytes, uint64_t n) {
    ops.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(n, std::memory_order_relaxed);
  }
};

// RocksDB kept LevelDB's Iterator, Snapshot and Slice shapes, so one adapter
// serves both. `kToAbsl` is the peer's own status mapping.
template <typename PeerIterator, auto kToAbsl>
class PeerIteratorAdapter : public Iterator {
 public:
  // Takes ownership of `it`.
  explicit PeerIteratorAdapter(PeerIterator* it) : it_(it) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void Seek(std::string_view target) override { it_->Seek({target.data(), target.size()}); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return View(it_->key()); }
  std::string_view value() const override { return View(it_->value()); }
  absl::Status status() const override { return kToAbsl(it_->status(), "iterator"); }

 private:
  template <typename Slice>
  static std::string_view View(const Slice& s) { return std::string_view(s.data(), s.size()); }
  std::unique_ptr<PeerIterator> it_;
};

// A peer snapshot, released when destroyed.
template <typename PeerDb, typename PeerSnapshot>
class PeerSnapshotAdapter : public Snapshot {
 public:
  PeerSnapshotAdapter(PeerDb* db, const PeerSnapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  ~PeerSnapshotAdapter() override { db_->ReleaseSnapshot(snapshot_); }
  const PeerSnapshot* get() const { return snapshot_; }

 private:
  PeerDb* db_;
  const PeerSnapshot* snapshot_;
};

}  // namespace kvlab::peers

#endif  // KVLAB_EXPERIMENTS_PEERS_PEER_SUPPORT_H_

// KvStore: what every engine offers (see ../shared/docs/ARCHITECTURE.md).
//
// Keys and values are byte strings. Every engine implements Put/Get/Delete,
// atomic Write(batch), ReadModifyWrite, Sync, Maintain, Stats, Capabilities
// and Close. Ordered engines add iterators, scans and snapshots; hash engines
// return Unimplemented for those, saying so.
//
// Threading: a KvStore may be called from many client threads at once unless
// its Capabilities say otherwise. Background work runs on the Env's Executor.
//
// Errors: NotFound from Get means the key has no value. Corruption (absl's
// DataLoss, see IsCorruption) means stored bytes failed their checksum; an
// engine never returns damaged bytes as a value.
#ifndef KVLAB_ENGINE_KV_STORE_H_
#define KVLAB_ENGINE_KV_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/env/env.h"

namespace kvlab {

// Corruption is reported as absl's DataLoss code with a message that names the
// file and offset. These helpers keep the vocabulary of storage engines.
absl::Status CorruptionError(std::string_view message);
bool IsCorruption(const absl::Status& status);

struct WriteOptions {
  // Durable before the call returns (as if Sync() followed).
  bool sync = false;
};

class Snapshot;

struct ReadOptions {
  // Read as of this snapshot (ordered engines with snapshots only).
  const Snapshot* snapshot = nullptr;
};

// An ordered list of puts and deletes applied atomically: after a crash either
// all of a batch is visible or none of it.
class WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete };
  struct Op {
    OpType type;
    std::string key;
    std::string value;  // Empty for deletes.
  };

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear() { ops_.clear(); }

  const std::vector<Op>& ops() const { return ops_; }
  // For code that builds or edits a batch in place (the simulator's schedules
  // keep their batches as WriteBatch, so replaying one copies nothing).
  std::vector<Op>& mutable_ops() { return ops_; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Sum of key and value bytes (the "user bytes" of the batch).
  uint64_t user_bytes() const;

 private:
  std::vector<Op> ops_;
};

// A forward iterator over an ordered engine. Not thread-safe.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void Seek(std::string_view target) = 0;  // First key >= target.
  virtual void Next() = 0;                          // REQUIRES: Valid().
  virtual std::string_view key() const = 0;         // REQUIRES: Valid().
  virtual std::string_view value() const = 0;       // REQUIRES: Valid().
  // Non-OK when iteration stopped on an error (e.g. Corruption).
  virtual absl::Status status() const = 0;
};

// A consistent read view. Released when destroyed.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

enum class MaintenanceKind : uint8_t { kFlush, kCompact, kMerge, kGc, kCheckpoint };
std::string_view MaintenanceKindName(MaintenanceKind kind);

// What the durability contract promises for this engine; the crash oracle
// checks exactly this.
enum class Durability : uint8_t {
  kNone,        // Nothing survives a crash or Close (the memory baseline).
  kSyncPoint,   // Every op acknowledged before the last Sync()/sync write.
  kCheckpoint,  // Every op before the last completed checkpoint/commit.
};

struct Capabilities {
  bool ordered = false;     // Iterators, range and prefix scans.
  bool snapshots = false;
  bool native_rmw = false;  // ReadModifyWrite is one engine operation.
  bool checkpoint = false;
  bool concurrent = true;   // Safe to call from many client threads.
  Durability durability = Durability::kSyncPoint;
};

// Engine statistics. User bytes are key+value bytes the caller passed in;
// device figures come from the Env's counters (zero when the device keeps
// none). Amplification = device / user (WORKLOADS.md §3.1).
struct Stats {
  uint64_t user_bytes_written = 0;
  uint64_t user_bytes_read = 0;
  uint64_t puts = 0, gets = 0, deletes = 0, batches = 0, rmws = 0, scans = 0;
  IoCounters device;                 // Device I/O since Open.
  uint64_t space_used_bytes = 0;     // Bytes of files the engine owns now.
  uint64_t live_data_bytes = 0;      // Key+value bytes of live entries.
  std::map<std::string, double> engine;  // Engine-specific counters, by name.

  double WriteAmplification() const;
  double ReadAmplification() const;
  double SpaceAmplification() const;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  virtual absl::Status Put(const WriteOptions& options, std::string_view key,
                           std::string_view value) = 0;
  // NotFound if the key has no value.
  virtual absl::StatusOr<std::string> Get(const ReadOptions& options,
                                          std::string_view key) = 0;
  // The same read, into *value: the same status for every key and state
  // (OK, NotFound, Corruption, ...). OK: *value holds the value. NotFound:
  // *value is unchanged. Any other error: *value is unspecified. An engine
  // may write into *value's existing capacity, so a caller that reads many
  // keys through one string allocates only when a value outgrows it. The
  // default calls the Get above and moves its value into *value.
  //
  // An engine that overrides one Get overload hides the other from callers
  // holding the derived type; it says `using KvStore::Get;` to keep both.
  virtual absl::Status Get(const ReadOptions& options, std::string_view key,
                           std::string* value);
  // Deleting a missing key is OK.
  virtual absl::Status Delete(const WriteOptions& options, std::string_view key) = 0;
  virtual absl::Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // new = fn(old) where old is nullopt if missing; stores new and returns it.
  // Atomic with respect to other writers in engines with native_rmw; the
  // default is Get then Put.
  using RmwFunction = absl::FunctionRef<std::string(std::optional<std::string_view>)>;
  virtual absl::StatusOr<std::string> ReadModifyWrite(const WriteOptions& options,
                                                      std::string_view key,
                                                      RmwFunction fn);

  // Makes every earlier acknowledged write durable.
  virtual absl::Status Sync() = 0;

  // Ordered engines only; the defaults return Unimplemented.
  virtual absl::StatusOr<std::unique_ptr<Iterator>> NewIterator(const ReadOptions& options);
  virtual absl::StatusOr<std::unique_ptr<Snapshot>> NewSnapshot();
  // Up to `limit` entries with start <= key < end ("" end = unbounded), in
  // key order, through NewIterator.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      const ReadOptions& options, std::string_view start, std::string_view end,
      size_t limit);
  // Entries whose key starts with `prefix`, up to `limit`.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> PrefixScan(
      const ReadOptions& options, std::string_view prefix, size_t limit);

  // Runs one maintenance action to completion; Unimplemented for kinds the
  // engine does not have.
  virtual absl::Status Maintain(MaintenanceKind kind) = 0;

  virtual Stats GetStats() = 0;
  virtual Capabilities GetCapabilities() const = 0;

  // Flushes what the engine buffers, waits for background work and releases
  // the store's files and lock. Does not Sync unless the engine's design does.
  // Further calls return FailedPrecondition.
  virtual absl::Status Close() = 0;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_KV_STORE_H_

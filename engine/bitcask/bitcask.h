// Bitcask: a log-structured hash table (Sheehy & Smith, "Bitcask: A Log-Structured
// Hash Table for Fast Key/Value Data", Basho 2010) on the kvlab Env.
//
// Writes append checksummed records to the active data file, which rolls over
// at max_file_size; an in-memory keydir maps every live key to (file, offset,
// size, sequence), so a Get is exactly one device read. Closed files get hint
// files; a merge (Executor tasks) rewrites the live records of immutable files
// and switches over through a durable manifest. Formats: format.h, FORMAT.md.
//
// Store directory contents (anything else makes Open fail, naming the file):
//   BITCASK               marker written when the store is created
//   LOCK                  held through Device::Lock while the store is open
//   <id:010>.data/.hint   data and hint files
//   MERGE                 a committed merge not yet cleaned up (finished at Open)
//   *.merging, *.tmp, MERGE.tmp  leftovers of an interrupted merge or hint
//                         write, removed at Open
#ifndef KVLAB_ENGINE_BITCASK_BITCASK_H_
#define KVLAB_ENGINE_BITCASK_BITCASK_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "engine/bitcask/file_cache.h"
#include "engine/bitcask/format.h"
#include "engine/bitcask/keydir_key.h"
#include "engine/bitcask/scan.h"
#include "engine/bitcask/write_buffer.h"
#include "engine/engine_config.h"
#include "engine/env/env.h"
#include "engine/kv_store.h"

namespace kvlab::bitcask {

struct Options {
  uint64_t max_file_size = 64ull << 20;   // Roll the active file over past this size.
  bool sync = false;                      // Sync after every write.
  size_t max_open_files = 64;             // Read handles kept open.
  double merge_trigger_dead_ratio = 0.0;  // Auto-merge above this dead/total ratio; 0 = off.
  uint64_t max_value_size = 64ull << 20;  // Larger values are InvalidArgument.
  // Records are encoded into a memory buffer of the active file and written to
  // the device when it holds this many bytes (in 4 KiB-aligned pieces), on
  // Sync() and sync writes, at roll-over and at Close. 0 = write every call.
  uint64_t write_buffer_size = 1ull << 20;
  bool test_noop_sync = false;            // TEST ONLY: every sync is a no-op.
};

// The registry entry: name "bitcask", its option specs and its factory.
EngineDescriptor Descriptor();

// Translates validated engine options into Options.
Options OptionsFrom(const EngineOptions& options);
// InvalidArgument naming the option when one is out of range.
absl::Status CheckOptions(const Options& options);

class BitcaskStore : public KvStore {
 public:
  // Opens (or creates) the store in directory `path` of env.device, recovering it.
  static absl::StatusOr<std::unique_ptr<BitcaskStore>> Open(const Env& env, std::string_view path,
                                                            const Options& options);
  ~BitcaskStore() override;

  absl::Status Put(const WriteOptions& options, std::string_view key,
                   std::string_view value) override;
  // Through the Get into a string below (one code path).
  absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) override {
    std::string value;
    absl::Status s = Get(options, key, &value);
    if (!s.ok()) return s;
    return value;
  }
  absl::Status Get(const ReadOptions& options, std::string_view key, std::string* value) override;
  absl::Status Delete(const WriteOptions& options, std::string_view key) override;
  absl::Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  absl::Status Sync() override;
  absl::Status Maintain(MaintenanceKind kind) override;
  Stats GetStats() override;
  Capabilities GetCapabilities() const override;
  absl::Status Close() override;

  // For tests: the id of the active data file and the number of data files.
  uint64_t TEST_active_file_id();
  size_t TEST_data_file_count();

 private:
  struct KeyEntry {
    uint64_t file_id = 0;
    uint64_t offset = 0;
    uint64_t sequence = 0;
    uint32_t size = 0;
    bool tombstone = false;  // Only while loading: a delete that hides older records.
  };
  struct FileInfo {
    DataFileKind kind = DataFileKind::kWriter;
    uint64_t total_bytes = 0;  // Data file size (header included).
    uint64_t live_bytes = 0;   // Bytes of records the keydir points to.
    uint64_t hint_bytes = 0;
  };
  // The state of one merge (merge.cc); only merge tasks touch it while it runs.
  struct MergeJob {
    struct Moved {
      size_t key_at = 0;  // The key is moved_keys.substr(key_at, key_size).
      uint32_t key_size = 0;
      uint64_t old_file = 0;
      uint64_t old_offset = 0;
      size_t output = 0;  // Index in outputs.
      uint64_t new_offset = 0;
      uint32_t size = 0;
    };
    std::vector<uint64_t> inputs;
    uint64_t input_live_bytes = 0;  // Of the inputs when the merge started.
    size_t next_input = 0;
    // The output being written.
    std::unique_ptr<File> out;
    uint64_t out_id = 0;
    uint64_t out_size = 0;     // Bytes encoded so far (written + buffered).
    uint64_t out_written = 0;  // Bytes written to the file.
    WriteBuffer buffer;  // Encoded, not yet written (grows once; reused per output).
    HintBuilder out_hints;
    std::vector<uint64_t> outputs;  // Every output opened, in order.
    // (data bytes, hint bytes) of outputs[i], once that output is finished.
    std::vector<std::pair<uint64_t, uint64_t>> output_sizes;
    std::vector<Moved> moved;
    std::string moved_keys;  // Every Moved's key, end to end (no allocation per key).
    bool committed = false;
  };
  // A rolled writer file waiting for its background sync and hint (roll.cc).
  struct Sealing {
    uint64_t id = 0;
    std::shared_ptr<File> file;
    uint64_t size = 0;
    HintBuilder hints;
  };
  // What LoadFiles learns of one data file before deciding what to keep.
  struct Loaded {
    uint64_t id = 0;
    DataFileKind kind = DataFileKind::kWriter;
    std::vector<HintEntry> entries;
    FileBytes bytes;  // The hint or data file read: entries' keys point into it.
    bool had_hint = false;
    uint64_t size = 0;        // On the device.
    uint64_t valid_size = 0;  // Up to the end of its last complete record or batch.
    ScanResult scan;          // Torn tail, link, synced (only the link when loaded from a hint).
    // The handle LoadFiles read it through: writable when it had no hint (it
    // may be sealed or continued as the active file), else read-only. Kept
    // afterwards (the active file, or the FileCache), so it is opened once.
    std::shared_ptr<File> file;
    bool writable = false;
  };
  struct PendingOp {
    RecordType type;
    std::string_view key;
    std::string_view value;
  };

  BitcaskStore(const Env& env, std::string path, const Options& options);

  // --- open and recovery (recovery.cc) ---
  // Each step takes the directory listing and leaves it as the directory
  // now is: one List after the lock serves the whole open.
  absl::Status CheckDirectory(std::vector<std::string>& names, bool* fresh);
  // The check before the lock. With `probe_marker`, an intact marker read at
  // once is enough (the folder is a Bitcask store; false is returned, nothing
  // listed); else, or when the marker is missing, damaged or unreadable, the
  // directory is created if needed, listed and checked (true is returned).
  absl::StatusOr<bool> CheckBeforeLock(bool probe_marker);
  absl::Status CreateStore();
  absl::Status FinishCommittedMerge(std::vector<std::string>& names);
  // Removes the leftovers of interrupted writes, then loads every data file.
  absl::Status LoadFiles(const std::vector<std::string>& names);
  // Loads `f` (id, kind, size, file and writable set) from its hint if it has
  // one (it was opened read-only) and the hint is sound, else by scanning the
  // data file: f.bytes if they are all f.size of its bytes (read already),
  // else read now through f.file.
  absl::Status LoadOneFile(Loaded& f);
  absl::Status CutBrokenChain(std::vector<Loaded>& files);
  absl::Status SealLoadedFile(Loaded& file);
  // (roll.cc) The last step of an open.
  absl::Status StartActiveFile(Loaded* newest, uint64_t prev_id, uint64_t prev_size);
  // Enters the records of data file `file_id` into the keydir (an entry
  // replaces one with a lower sequence number) and advances next_sequence_.
  void ApplyEntries(uint64_t file_id, absl::Span<const HintEntry> entries)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- writes ---
  absl::Status WriteOps(const WriteOptions& options, absl::Span<const PendingOp> ops,
                        uint64_t Stats::*counter);
  // With `only_if_present` (a single Delete), a key not in the keydir is only
  // counted: no tombstone.
  absl::Status WriteLocked(absl::Span<const PendingOp> ops, uint64_t total, uint64_t user_bytes,
                           uint64_t Stats::*counter, bool flush, bool only_if_present = false)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status AppendLocked(absl::Span<const PendingOp> ops, uint64_t total, uint64_t user_bytes,
                            uint64_t Stats::*counter, bool flush)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FlushBuffer(bool aligned) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK unless the store is closed or a write failed. Inline: it runs on every
  // append and sync point; the error message is built out of line.
  absl::Status CheckWritable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!closed_ && write_error_.ok()) return absl::OkStatus();
    return NotWritableError();
  }
  absl::Status NotWritableError() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RollActiveFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CreateWriterFile(uint64_t id, uint64_t prev_id, uint64_t prev_size)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Creates writer file `id` on the device: header written and synced, then
  // the directory synced. Needs no lock (the prepare task runs it).
  absl::StatusOr<std::unique_ptr<File>> CreateWriterFileOnDevice(uint64_t id);
  void ActivateWriterFile(uint64_t id, std::shared_ptr<File> file, uint64_t prev_id,
                          uint64_t prev_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reserves the next file id and schedules PrepareStep to create that file
  // while the active one fills, unless one is reserved already.
  void SchedulePrepare() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PrepareStep(uint64_t id);
  void AppendLink(uint64_t prev_id, uint64_t prev_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SealStep();
  // Waits (through the Executor, without mu_) until every file rolled before
  // the call is synced; the sticky write error if a background sync failed.
  absl::Status WaitForSeals() ABSL_LOCKS_EXCLUDED(mu_);
  // Sync(): the wait above, then SyncActive.
  absl::Status SyncPoint() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status SyncActive() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // At a clean Close: syncs the active file, then writes its hint, so that the
  // next Open loads it instead of scanning (recovery.cc falls back to a scan
  // when the hint is missing, corrupt or stale). A failed sync: write_error_.
  void HintActiveAtClose() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the encoded hint `bytes` of data file `id`, synced: under its
  // ".merging" name for a merge output (the commit renames it), else via
  // "<name>.tmp" and a rename.
  absl::Status WriteHintFile(uint64_t id, const std::string& bytes, bool merging,
                             uint64_t* hint_bytes);
  void MaybeScheduleMerge() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Opens older data file `id` after cache_.Lookup missed (outside mu_) and
  // caches the handle; returns the cached one.
  absl::StatusOr<std::shared_ptr<File>> OpenCached(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  // --- sync helpers honouring test_noop_sync ---
  absl::Status SyncFile(File& file);
  absl::Status SyncDir();
  // Removes data file `id` and its hint, the hint first (a hint never
  // outlives its data file); either may be missing already.
  absl::Status RemoveDataFile(uint64_t id);
  // The last step of a committed merge, in the merge task or redone at open:
  // the inputs go, durably, then the manifest that named them.
  absl::Status RemoveMergeInputs(const std::vector<uint64_t>& inputs);
  // Creates `path` (truncating it), writes `bytes` at offset 0 and syncs the
  // file (not its directory entry); returns the open handle.
  absl::StatusOr<std::unique_ptr<File>> CreateSyncedFile(std::string_view path,
                                                         std::string_view bytes,
                                                         kvlab::FileKind kind);

  // --- merge (merge.cc) ---
  absl::Status StartMergeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MergeStep();
  absl::Status MergeInput(MergeJob& job, uint64_t input);
  absl::Status MergeFlush(MergeJob& job, bool finish_file);
  absl::Status MergeCommit(MergeJob& job);
  void MergeAbort(MergeJob& job);
  void MergeDone(absl::Status status);

  // The first block of the active file's hint: 2 KiB (at most the file size,
  // which a hint never exceeds) saves the doublings from 44 bytes, each a copy.
  // Measured: reserving a whole 16 KiB file's worth cost more (many stores
  // close after a few writes), 4 KiB saved no more than 2 KiB.
  size_t ActiveHintReserve() const {
    return static_cast<size_t>(std::min<uint64_t>(options_.max_file_size, 2 << 10));
  }
  std::string PathOf(std::string_view name, std::string_view suffix = {}) const {
    return JoinPath(path_, name, suffix);
  }
  FilePath DataPath(uint64_t id, std::string_view suffix = {}) const {
    return FilePath(path_, id, kDataSuffix, suffix);
  }
  FilePath HintPath(uint64_t id, std::string_view suffix = {}) const {
    return FilePath(path_, id, kHintSuffix, suffix);
  }

  const Env env_;
  const std::string path_;
  const Options options_;
  FileCache cache_ ABSL_GUARDED_BY(mu_);  // Not thread-safe itself: used under mu_.
  std::unique_ptr<FileLock> lock_;
  bool marker_damaged_ = false;  // Set by CheckDirectory: a bit-flipped marker to rewrite.
  // Set once the marker was read intact: it is written once (renamed into
  // place, a constant), so the check after the lock does not read it again.
  bool marker_intact_ = false;
  IoCounters counters_at_open_;

  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);  // Sticky: writes fail until reopen.
  absl::flat_hash_map<KeydirKey, KeyEntry, KeydirHash, KeydirEq> keydir_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, FileInfo> files_ ABSL_GUARDED_BY(mu_);
  uint64_t next_file_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t live_user_bytes_ ABSL_GUARDED_BY(mu_) = 0;

  // The active (writer) file.
  uint64_t active_id_ ABSL_GUARDED_BY(mu_) = 0;
  // &files_[active_id_], set with active_id_: std::map nodes stay put, and the
  // active file's entry is never erased (merges and recovery drop only
  // immutable files), so appends skip the map walk.
  FileInfo* active_info_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::shared_ptr<File> active_ ABSL_GUARDED_BY(mu_);
  uint64_t active_size_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t active_synced_ ABSL_GUARDED_BY(mu_) = 0;
  // The write buffer: the bytes [active_written_, active_size_) of the active
  // file, not yet written to the device. Kept after a failed write, so that
  // Gets of its records still see them (writes are refused from then on).
  uint64_t active_written_ ABSL_GUARDED_BY(mu_) = 0;
  WriteBuffer buffer_ ABSL_GUARDED_BY(mu_);
  HintBuilder active_hints_ ABSL_GUARDED_BY(mu_);  // Every record of the active file.

  // Rolled files whose sync + hint is pending, oldest first; one task works
  // through them in order, so a synced file implies every older one synced.
  std::deque<Sealing> seals_ ABSL_GUARDED_BY(mu_);
  bool seal_running_ ABSL_GUARDED_BY(mu_) = false;
  // The next writer file, created by a background task (roll.cc) so that a
  // roll-over does no file creation or sync in the foreground. Not in files_
  // until it becomes the active file. prepared_id_ 0: none reserved.
  uint64_t prepared_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool prepare_running_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<File> prepared_ ABSL_GUARDED_BY(mu_);  // Set when the task succeeded.
  uint64_t prepared_used_ ABSL_GUARDED_BY(mu_) = 0;      // Rolls that found it ready.
  uint64_t rolls_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_after_broken_chain_ ABSL_GUARDED_BY(mu_) = 0;

  // Merge state. Only the merge tasks touch *merge_job_ while merge_running_.
  // Written under mu_; Maintain's waits poll it without mu_ (a poll runs
  // after every task the wait runs), and take mu_ for the state it guards.
  std::atomic<bool> merge_running_{false};
  absl::Status merge_status_ ABSL_GUARDED_BY(mu_);
  absl::Status merge_broken_ ABSL_GUARDED_BY(mu_);  // Set when a committed merge half-failed.
  std::unique_ptr<MergeJob> merge_job_;

  // Counters for Stats().
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> get_bytes_read_{0};  // Stats::user_bytes_read (stats_ has the rest).
  uint64_t merges_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t merge_failures_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t merge_bytes_reclaimed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hint_loads_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hint_fallbacks_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t close_hints_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t torn_tail_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t finished_merges_at_open_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t leftovers_removed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_BITCASK_H_

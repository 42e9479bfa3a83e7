// The Bitcask store: the write path (append, roll over, sync), the one-read
// Get, Stats and Close. Options and the engine descriptor are in options.cc,
// opening and recovery in recovery.cc, merging in merge.cc, the formats in
// format.h.
#include "engine/bitcask/bitcask.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/bitcask/buffer_pool.h"
#include "engine/bitcask/scan.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {

namespace {

// Buffer flushes end on a multiple of this (except on Sync, roll-over, Close),
// so that the device sees page-aligned, page-sized writes.
constexpr uint64_t kFlushAlignBytes = 4096;
// Reserved beyond write_buffer_size: the record that crosses the threshold.
constexpr size_t kBufferSlackBytes = 64 << 10;
// A Get reads records up to this size into a stack buffer (larger ones: heap).
constexpr size_t kGetStackBytes = 4096;

// A Get's miss, built once: copies share its payload (no allocation per miss).
const absl::Status& KeyNotFound() {
  static const absl::Status* const status = new absl::Status(absl::NotFoundError("key not found"));
  return *status;
}

}  // namespace

BitcaskStore::BitcaskStore(const Env& env, std::string path, const Options& options)
    : env_(env),
      path_(std::move(path)),
      options_(options),
      cache_(std::max<size_t>(1, options.max_open_files)) {
  // Reserved once: encoding a record into the buffer never allocates, except
  // for a record larger than the slack (the buffer then keeps the larger size).
  // It holds part of the active file only, which rolls over at max_file_size
  // (plus the batch that crosses it), so a small max_file_size caps it too.
  // The block of a closed store, if the pool has one (buffer_pool.h).
  absl::MutexLock lock(&mu_);
  buffer_ = WriteBufferPool::Shared().Take(
      std::min(options.write_buffer_size, options.max_file_size) + kBufferSlackBytes);
}

BitcaskStore::~BitcaskStore() {
  bool closed = false;
  {
    absl::MutexLock lock(&mu_);
    closed = closed_;  // Most stores were closed by their owner: no error message to build.
  }
  if (!closed) {
    absl::Status s = Close();  // Ignoring errors on purpose: the owner did not ask.
    (void)s;
  }
  absl::MutexLock lock(&mu_);
  WriteBufferPool::Shared().Give(std::move(buffer_));  // Closed: nothing writes to it any more.
}

absl::Status BitcaskStore::SyncFile(File& file) {
  if (options_.test_noop_sync) return absl::OkStatus();  // TEST ONLY: a broken engine.
  return file.Sync();
}

absl::Status BitcaskStore::SyncDir() {
  if (options_.test_noop_sync) return absl::OkStatus();  // TEST ONLY: a broken engine.
  return env_.device->SyncDir(path_);
}

absl::StatusOr<std::unique_ptr<File>> BitcaskStore::CreateSyncedFile(std::string_view path,
                                                                     std::string_view bytes,
                                                                     kvlab::FileKind kind) {
  OpenOptions options;
  options.create = true;
  options.truncate = true;
  options.kind = kind;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, env_.device->Open(path, options));
  RETURN_IF_ERROR(file->Write(0, bytes));
  RETURN_IF_ERROR(SyncFile(*file));
  return file;
}

absl::Status BitcaskStore::NotWritableError() {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("bitcask '", path_, "' is closed"));
  return absl::Status(write_error_.code(),
                      absl::StrCat("bitcask '", path_, "' refuses writes after an earlier I/O "
                                   "error (reopen to recover): ", write_error_.message()));
}

absl::Status BitcaskStore::WriteHintFile(uint64_t id, const std::string& bytes,
                                         bool merging, uint64_t* hint_bytes) {
  const FilePath write_path = HintPath(id, merging ? kMergingSuffix : kTmpSuffix);
  RETURN_IF_ERROR(CreateSyncedFile(write_path, bytes, kvlab::FileKind::kHint).status());
  if (!merging) RETURN_IF_ERROR(env_.device->Rename(write_path, write_path.without_suffix2()));
  *hint_bytes = bytes.size();
  return absl::OkStatus();
}

absl::Status BitcaskStore::FlushBuffer(bool aligned) {
  KVLAB_CHECK_EQ(active_written_ + buffer_.size(), active_size_);
  size_t n = buffer_.size();
  if (aligned) {
    const uint64_t end = active_size_ / kFlushAlignBytes * kFlushAlignBytes;
    n = end > active_written_ ? static_cast<size_t>(end - active_written_) : 0;
  }
  if (n == 0) return absl::OkStatus();
  absl::Status s = active_->Write(active_written_, std::string_view(buffer_.data(), n));
  if (!s.ok()) {
    // A partial record may sit at the tail: recovery cuts it. The buffer stays,
    // so Gets of its (acknowledged, unsynced) records are still served.
    write_error_ = s;
    return s;
  }
  active_written_ += n;
  buffer_.Consume(n);  // Moves the unaligned remainder (< 4 KiB) to the front.
  return absl::OkStatus();
}

absl::Status BitcaskStore::SyncActive() {
  // After a failed sync (of a rolled file, say, in the background) nothing
  // newer may become durable: a synced record or mark here would vouch for
  // the records that sync lost, and recovery would call their loss damage
  // instead of dropping the unsynced files after them. SealStep and
  // MergeCommit keep the same rule for rolled files.
  RETURN_IF_ERROR(CheckWritable());
  if (active_synced_ == active_size_) return absl::OkStatus();
  // Two phases (format.h, "Sync marks"): the records, then a mark that vouches
  // for them, so that recovery can tell damage to them from a torn tail.
  RETURN_IF_ERROR(FlushBuffer(/*aligned=*/false));
  absl::Status s = SyncFile(*active_);
  if (s.ok()) {
    active_synced_ = active_size_;
    Record mark;
    mark.type = RecordType::kSyncMark;
    mark.durable_offset = active_size_;
    mark.offset = active_size_;
    active_size_ += EncodeRecordTo(mark, buffer_.Append(RecordSize(0, 0)));
    active_info_->total_bytes = active_size_;
    s = FlushBuffer(/*aligned=*/false);
    if (s.ok()) s = SyncFile(*active_);
  }
  if (!s.ok()) {
    write_error_ = s;  // The unsynced bytes may be gone (fsync-failure semantics).
    return s;
  }
  active_synced_ = active_size_;
  return absl::OkStatus();
}

absl::Status BitcaskStore::WriteOps(const WriteOptions& options,
                                    absl::Span<const PendingOp> ops, uint64_t Stats::*counter) {
  uint64_t total = 0;
  uint64_t user_bytes = 0;
  for (const PendingOp& op : ops) {
    if (op.key.size() > kMaxKeySize) {
      return absl::InvalidArgumentError(absl::StrCat("bitcask '", path_, "': key of ",
                                                     op.key.size(), " bytes exceeds the limit ",
                                                     kMaxKeySize));
    }
    if (op.value.size() > options_.max_value_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bitcask '", path_, "': value of ", op.value.size(), " bytes exceeds max_value_size ",
          options_.max_value_size));
    }
    total += RecordSize(op.key.size(), op.value.size());
    user_bytes += op.key.size() + op.value.size();
  }
  const bool sync = options.sync || options_.sync;
  // An empty batch writes nothing, but a sync write is still a sync point.
  if (ops.empty()) {
    RETURN_IF_ERROR(sync ? SyncPoint() : absl::OkStatus());
    absl::MutexLock lock(&mu_);
    ++(stats_.*counter);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(WriteLocked(ops, total, user_bytes, counter, /*flush=*/!sync));
  return sync ? SyncPoint() : absl::OkStatus();
}

absl::Status BitcaskStore::WriteLocked(absl::Span<const PendingOp> ops, uint64_t total,
                                       uint64_t user_bytes, uint64_t Stats::*counter,
                                       bool flush, bool only_if_present) {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (only_if_present && !keydir_.contains(ops[0].key)) {
        RETURN_IF_ERROR(CheckWritable());
        ++(stats_.*counter);  // Nothing to hide: a missing key needs no tombstone.
        return absl::OkStatus();
      }
      const bool roll =
          active_size_ > kFileHeaderSize && active_size_ + total > options_.max_file_size;
      if (!roll || !prepare_running_ || !CheckWritable().ok()) {
        return AppendLocked(ops, total, user_bytes, counter, flush);
      }
    }
    // A roll-over needs the next file, whose creation task is still running:
    // wait for it without the lock, then look again.
    RETURN_IF_ERROR(env_.executor->WaitUntil([this] {
      absl::MutexLock lock(&mu_);
      return !prepare_running_;
    }));
  }
}

absl::Status BitcaskStore::AppendLocked(absl::Span<const PendingOp> ops, uint64_t total,
                                        uint64_t user_bytes, uint64_t Stats::*counter,
                                        bool flush) {
  RETURN_IF_ERROR(CheckWritable());
  if (active_size_ > kFileHeaderSize && active_size_ + total > options_.max_file_size) {
    RETURN_IF_ERROR(RollActiveFile());
  }
  // The records go into the buffer; a batch's records stay together in one
  // file, and recovery applies a batch only when its last record is intact.
  char* dst = buffer_.Append(total);
  FileInfo& active_info = *active_info_;
  uint64_t offset = active_size_;
  for (size_t i = 0; i < ops.size(); ++i) {
    const PendingOp& op = ops[i];
    Record r;
    r.type = op.type;
    r.sequence = next_sequence_ + i;
    r.durable_offset = active_synced_;
    r.offset = offset;
    r.batch_remaining = static_cast<uint32_t>(ops.size() - 1 - i);
    r.key = op.key;
    r.value = op.value;
    const uint32_t size = static_cast<uint32_t>(EncodeRecordTo(r, dst));
    dst += size;
    active_hints_.Add(op.type, r.sequence, offset, size, op.key);
    const KeyEntry e{active_id_, offset, r.sequence, size, false};
    if (op.type == RecordType::kPut) {
      // One probe: the key is copied into the keydir only when it is new.
      bool inserted = false;
      auto it = keydir_.lazy_emplace(op.key, [&](const auto& construct) {
        inserted = true;
        construct(std::piecewise_construct, std::forward_as_tuple(op.key),
                  std::forward_as_tuple(e));
      });
      if (!inserted) {
        // The active file's entry is at hand: no map walk for a key rewritten in it.
        (it->second.file_id == active_id_ ? active_info : files_[it->second.file_id]).live_bytes -=
            it->second.size;
        live_user_bytes_ -= it->second.size - kRecordHeaderSize;
        it->second = e;
      }
      active_info.live_bytes += size;
      live_user_bytes_ += size - kRecordHeaderSize;
    } else if (auto it = keydir_.find(op.key); it != keydir_.end()) {
      (it->second.file_id == active_id_ ? active_info : files_[it->second.file_id]).live_bytes -=
          it->second.size;
      live_user_bytes_ -= it->second.size - kRecordHeaderSize;
      keydir_.erase(it);
    }
    offset += size;
  }
  KVLAB_CHECK_EQ(offset - active_size_, total);
  next_sequence_ += ops.size();
  active_size_ += total;
  active_info.total_bytes = active_size_;
  stats_.user_bytes_written += user_bytes;
  ++(stats_.*counter);
  if (flush && buffer_.size() >= options_.write_buffer_size) {
    RETURN_IF_ERROR(FlushBuffer(/*aligned=*/options_.write_buffer_size > 0));
  }
  MaybeScheduleMerge();
  return absl::OkStatus();
}

absl::Status BitcaskStore::Put(const WriteOptions& options, std::string_view key,
                               std::string_view value) {
  const PendingOp op{RecordType::kPut, key, value};
  return WriteOps(options, absl::MakeConstSpan(&op, 1), &Stats::puts);
}

absl::Status BitcaskStore::Delete(const WriteOptions& options, std::string_view key) {
  // One critical section looks the key up and appends the tombstone if it is
  // there (a key in the keydir needs none of WriteOps's size checks); a sync
  // delete is a sync point either way.
  const PendingOp op{RecordType::kDelete, key, {}};
  const bool sync = options.sync || options_.sync;
  RETURN_IF_ERROR(WriteLocked(absl::MakeConstSpan(&op, 1), RecordSize(key.size(), 0), key.size(),
                              &Stats::deletes, /*flush=*/!sync, /*only_if_present=*/true));
  return sync ? SyncPoint() : absl::OkStatus();
}

absl::Status BitcaskStore::Write(const WriteOptions& options, const WriteBatch& batch) {
  std::vector<PendingOp> ops;
  ops.reserve(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) {
    ops.push_back(op.type == WriteBatch::OpType::kPut
                      ? PendingOp{RecordType::kPut, op.key, op.value}
                      : PendingOp{RecordType::kDelete, op.key, {}});
  }
  return WriteOps(options, ops, &Stats::batches);
}

absl::StatusOr<std::shared_ptr<File>> BitcaskStore::OpenCached(uint64_t id) {
  // Device I/O: not under mu_.
  ASSIGN_OR_RETURN(std::shared_ptr<File> file, OpenDataFile(*env_.device, path_, id));
  absl::MutexLock lock(&mu_);
  return cache_.AddMissed(id, std::move(file));
}

absl::Status BitcaskStore::Get(const ReadOptions&, std::string_view key, std::string* value) {
  // A merge may move the record between the lookup and the read; then look again.
  for (int attempt = 0;; ++attempt) {
    KeyEntry e;
    std::shared_ptr<File> file;
    // The record is read into here (not zero-filled first), then its value copied out.
    char stack_buf[kGetStackBytes];
    FileBytes heap_buf;
    char* buf = stack_buf;
    size_t on_device = 0;  // Bytes of the record to read from the device (a prefix).
    absl::Status s;
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return absl::FailedPreconditionError(absl::StrCat("bitcask '", path_, "' is closed"));
      ++stats_.gets;
      auto it = keydir_.find(key);
      if (it == keydir_.end()) return KeyNotFound();
      e = it->second;
      if (e.size > sizeof(stack_buf)) {
        heap_buf = FileBytes(e.size);
        buf = heap_buf.data();
      }
      on_device = e.size;
      if (e.file_id == active_id_) {
        file = active_;
        // Bytes still in the write buffer are copied from memory: a record
        // wholly there costs no device read, one that a flush cut in two costs
        // one read of its written prefix.
        if (e.offset + e.size > active_written_) {
          on_device = e.offset >= active_written_ ? 0 : active_written_ - e.offset;
          const size_t from = static_cast<size_t>(e.offset + on_device - active_written_);
          std::memcpy(buf + on_device, buffer_.data() + from, e.size - on_device);
        }
      } else {
        file = cache_.Lookup(e.file_id);  // An older file: null on a miss.
      }
    }
    if (file == nullptr) {
      absl::StatusOr<std::shared_ptr<File>> opened = OpenCached(e.file_id);
      if (opened.ok()) file = *std::move(opened); else s = opened.status();
    }
    if (s.ok() && on_device > 0) {
      absl::StatusOr<size_t> n =
          file->Read(e.offset, absl::MakeSpan(buf, on_device));  // The one read.
      s = !n.ok() ? n.status()
          : *n != on_device ? CorruptionError(absl::StrCat(PathOf(DataFileName(e.file_id)),
                                                           ": record at offset ", e.offset,
                                                           " is cut short (", *n, " of ", e.size,
                                                           " bytes)"))
                            : absl::OkStatus();
    }
    if (s.ok()) {
      Record r;
      size_t size = 0;
      DecodeResult d = DecodeRecordAt(std::string_view(buf, e.size), e.offset, &r, &size);
      if (d == DecodeResult::kOk && (size != e.size || r.key != key || r.sequence != e.sequence)) {
        d = DecodeResult::kBadHeader;
      }
      if (d != DecodeResult::kOk) {
        return CorruptionError(absl::StrCat(PathOf(DataFileName(e.file_id)), ": ",
                                            AV(DecodeResultName(d)), " at offset ", e.offset,
                                            " (reading key of ", key.size(), " bytes)"));
      }
      // Counted without mu_ (GetStats adds it in): the lock is not taken twice per Get.
      get_bytes_read_.fetch_add(key.size() + r.value.size(), std::memory_order_relaxed);
      value->assign(r.value.data(), r.value.size());  // Into its capacity, if large enough.
      return absl::OkStatus();
    }
    absl::MutexLock lock(&mu_);
    auto it = keydir_.find(key);
    bool moved = it != keydir_.end() &&
                 (it->second.file_id != e.file_id || it->second.offset != e.offset);
    if (!moved || attempt >= 3) return s;
  }
}

absl::Status BitcaskStore::Sync() { return SyncPoint(); }

void BitcaskStore::MaybeScheduleMerge() {
  if (options_.merge_trigger_dead_ratio <= 0 || merge_running_ || !merge_broken_.ok() || closed_) {
    return;
  }
  uint64_t total = 0;
  uint64_t dead = 0;
  for (const auto& [id, info] : files_) {
    if (id == active_id_) continue;
    total += info.total_bytes;
    dead += info.total_bytes - kFileHeaderSize - info.live_bytes;
  }
  if (total == 0 || static_cast<double>(dead) < options_.merge_trigger_dead_ratio * total) return;
  absl::Status s = StartMergeLocked();  // Ignoring errors on purpose: Maintain reports them.
  (void)s;
}

absl::Status BitcaskStore::Maintain(MaintenanceKind kind) {
  if (kind != MaintenanceKind::kMerge) {
    return absl::UnimplementedError(absl::StrCat("bitcask has no '", AV(MaintenanceKindName(kind)),
                                                 "' maintenance; it has 'merge'"));
  }
  auto idle = [this] { return !merge_running_.load(std::memory_order_acquire); };
  RETURN_IF_ERROR(env_.executor->WaitUntil(idle));  // A background merge first.
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("bitcask '", path_, "' is closed"));
    RETURN_IF_ERROR(merge_broken_);
    RETURN_IF_ERROR(StartMergeLocked());
    if (!merge_running_) return absl::OkStatus();  // Nothing to merge.
  }
  RETURN_IF_ERROR(env_.executor->WaitUntil(idle));
  absl::MutexLock lock(&mu_);
  return merge_status_;
}

Capabilities BitcaskStore::GetCapabilities() const {
  Capabilities c;
  c.ordered = false;
  c.snapshots = false;
  c.native_rmw = false;
  c.checkpoint = false;
  c.concurrent = true;
  c.durability = Durability::kSyncPoint;
  return c;
}

Stats BitcaskStore::GetStats() {
  absl::MutexLock lock(&mu_);
  Stats s = stats_;
  s.user_bytes_read += get_bytes_read_.load(std::memory_order_relaxed);
  if (const IoCounters* c = env_.device->counters()) s.device = *c - counters_at_open_;
  uint64_t dead = 0;
  for (const auto& [id, info] : files_) {
    s.space_used_bytes += info.total_bytes + info.hint_bytes;
    const std::string prefix = absl::StrCat("file.", id, ".");
    s.engine[prefix + "live_bytes"] = static_cast<double>(info.live_bytes);
    s.engine[prefix + "dead_bytes"] =
        static_cast<double>(info.total_bytes - kFileHeaderSize - info.live_bytes);
    s.engine[prefix + "total_bytes"] = static_cast<double>(info.total_bytes);
    dead += info.total_bytes - kFileHeaderSize - info.live_bytes;
  }
  s.live_data_bytes = live_user_bytes_;
  s.engine["keys"] = static_cast<double>(keydir_.size());
  s.engine["data_files"] = static_cast<double>(files_.size());
  s.engine["dead_bytes"] = static_cast<double>(dead);
  s.engine["merges"] = static_cast<double>(merges_);
  s.engine["merge_failures"] = static_cast<double>(merge_failures_);
  s.engine["merge_bytes_reclaimed"] = static_cast<double>(merge_bytes_reclaimed_);
  s.engine["merges_finished_at_open"] = static_cast<double>(finished_merges_at_open_);
  s.engine["hint_loads"] = static_cast<double>(hint_loads_);
  s.engine["hint_fallbacks"] = static_cast<double>(hint_fallbacks_);
  s.engine["torn_tail_bytes_truncated"] = static_cast<double>(torn_tail_bytes_);
  s.engine["leftover_files_removed"] = static_cast<double>(leftovers_removed_);
  s.engine["rolls"] = static_cast<double>(rolls_);
  s.engine["rolls_into_prepared_file"] = static_cast<double>(prepared_used_);
  s.engine["hints_written_at_close"] = static_cast<double>(close_hints_);
  s.engine["rolled_files_syncing"] = static_cast<double>(seals_.size());
  s.engine["files_dropped_after_broken_chain"] = static_cast<double>(dropped_after_broken_chain_);
  s.engine["file_cache_hits"] = static_cast<double>(cache_.hits());
  s.engine["file_cache_misses"] = static_cast<double>(cache_.misses());
  s.engine["write_amplification"] = s.WriteAmplification();
  s.engine["space_amplification"] = s.SpaceAmplification();
  return s;
}

void BitcaskStore::HintActiveAtClose() {
  // The sync comes first: a hint never claims bytes that the data file may
  // not durably hold (and DecodeHint rejects a hint whose size is not the
  // file's). A hint that fails to be written is no error: the next Open scans.
  // The sync runs even when nothing is unsynced: after a simulated crash the
  // old handle is dead and fails it, so a store that "crashed" writes no hint.
  // A store whose syncs are no-ops (test_noop_sync) writes none either.
  if (options_.test_noop_sync) return;
  absl::Status s = active_->Sync();
  if (!s.ok()) {
    write_error_ = s;  // The unsynced bytes may be gone (fsync-failure semantics).
    return;
  }
  active_synced_ = active_size_;
  uint64_t hint_bytes = 0;
  s = WriteHintFile(active_id_, active_hints_.Finish(active_id_, active_size_),
                                 /*merging=*/false, &hint_bytes);
  if (s.ok()) {
    active_info_->hint_bytes = hint_bytes;
    ++close_hints_;
  }
}

absl::Status BitcaskStore::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("bitcask '", path_, "' is closed"));
  }
  // Ignoring the status on purpose: after a simulated crash the merge tasks are
  // gone and the wait reports a deadlock; there is nothing left to wait for.
  absl::Status s = env_.executor->WaitUntil([this] {
    absl::MutexLock lock(&mu_);
    return !merge_running_ && !seal_running_ && !prepare_running_;
  });
  (void)s;
  absl::MutexLock lock(&mu_);
  // Buffered records reach the device, and the active file gets its hint.
  // A background sync of a rolled file that failed is reported here too: the
  // caller learns that acknowledged writes may be lost.
  if (active_ != nullptr && write_error_.ok()) {
    if (FlushBuffer(/*aligned=*/false).ok()) HintActiveAtClose();  // Failures: write_error_.
  }
  const absl::Status flushed = write_error_;
  closed_ = true;
  active_.reset();
  prepared_.reset();  // An unused prepared file stays: the next Open continues it.
  cache_.Clear();
  merge_job_.reset();
  lock_.reset();
  return flushed;
}

uint64_t BitcaskStore::TEST_active_file_id() {
  absl::MutexLock lock(&mu_);
  return active_id_;
}

size_t BitcaskStore::TEST_data_file_count() {
  absl::MutexLock lock(&mu_);
  return files_.size();
}

}  // namespace kvlab::bitcask

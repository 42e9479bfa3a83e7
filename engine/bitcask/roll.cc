// Rolling the active file over without blocking writers: the full file is
// handed to a background task (sync, then hint) and records go on into a new
// writer file at once. Sync() waits for those tasks; recovery uses the link
// record at the start of each writer file to drop what followed a rolled file
// that lost its unsynced tail in a crash (format.h, "Links"). At open,
// StartActiveFile continues the newest writer file or creates one.

#include "absl/strings/str_cat.h"
#include "engine/bitcask/bitcask.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {
namespace {

// Whether the `valid_size` bytes of a data file end with an intact sync mark.
absl::StatusOr<bool> EndsWithSyncMark(File& file, uint64_t valid_size) {
  const size_t mark_size = RecordSize(0, 0);
  if (valid_size < kFileHeaderSize + mark_size) return false;
  std::string bytes(mark_size, '\0');
  ASSIGN_OR_RETURN(size_t n, file.Read(valid_size - mark_size, absl::MakeSpan(bytes)));
  Record record;
  size_t size = 0;
  return n == mark_size &&
         DecodeRecordAt(bytes, valid_size - mark_size, &record, &size) == DecodeResult::kOk &&
         record.type == RecordType::kSyncMark;
}

}  // namespace

absl::StatusOr<std::unique_ptr<File>> BitcaskStore::CreateWriterFileOnDevice(uint64_t id) {
  // The header and the directory entry are durable before any record is
  // written, so recovery never meets a writer file with a torn header.
  char header[kFileHeaderSize];
  EncodeFileHeaderTo(DataFileKind::kWriter, id, header);
  ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                   CreateSyncedFile(DataPath(id), std::string_view(header, sizeof(header)),
                                    kvlab::FileKind::kData));
  RETURN_IF_ERROR(SyncDir());
  return file;
}

absl::Status BitcaskStore::CreateWriterFile(uint64_t id, uint64_t prev_id, uint64_t prev_size) {
  absl::StatusOr<std::unique_ptr<File>> file = CreateWriterFileOnDevice(id);
  if (!file.ok()) {
    write_error_ = file.status();
    return file.status();
  }
  ActivateWriterFile(id, *std::move(file), prev_id, prev_size);
  return absl::OkStatus();
}

void BitcaskStore::ActivateWriterFile(uint64_t id, std::shared_ptr<File> file, uint64_t prev_id,
                                      uint64_t prev_size) {
  active_ = std::move(file);
  active_id_ = id;
  active_size_ = kFileHeaderSize;
  active_synced_ = kFileHeaderSize;
  active_written_ = kFileHeaderSize;
  buffer_.Clear();
  active_hints_.Clear(ActiveHintReserve());
  active_info_ = &files_[id];
  *active_info_ = FileInfo{DataFileKind::kWriter, kFileHeaderSize, 0, 0};
  AppendLink(prev_id, prev_size);
  SchedulePrepare();
}

void BitcaskStore::SchedulePrepare() {
  if (prepared_id_ != 0 || closed_) return;
  // The id is taken now: the prepared file is the next writer file, and
  // writer files are chained in id order (merge outputs take later ids).
  prepared_id_ = next_file_id_++;
  prepare_running_ = true;
  env_.executor->Schedule([this, id = prepared_id_] { PrepareStep(id); });
}

void BitcaskStore::PrepareStep(uint64_t id) {
  absl::StatusOr<std::unique_ptr<File>> file = CreateWriterFileOnDevice(id);
  {
    absl::MutexLock lock(&mu_);
    prepare_running_ = false;
    // On failure the roll-over creates the file itself (and reports its error).
    if (file.ok()) prepared_ = *std::move(file);
  }
  env_.executor->Notify();
}

void BitcaskStore::AppendLink(uint64_t prev_id, uint64_t prev_size) {
  KVLAB_CHECK_EQ(active_size_, kFileHeaderSize);
  active_size_ += EncodeLinkTo(prev_id, prev_size, active_size_,
                               buffer_.Append(RecordSize(0, kLinkValueSize)));
  active_info_->total_bytes = active_size_;
}

absl::Status BitcaskStore::RollActiveFile() {
  // Everything of the old file reaches the device now; its sync and hint are
  // a background task. Only the newest writer file, or a rolled one not yet
  // synced, may have a torn tail after a crash (recovery.cc).
  RETURN_IF_ERROR(FlushBuffer(/*aligned=*/false));
  const uint64_t old_id = active_id_;
  const uint64_t old_size = active_size_;
  // The next file's hint will be about as large: its block is reserved so at once.
  const size_t hint_size = active_hints_.size();
  seals_.push_back(Sealing{old_id, std::move(active_), old_size, std::move(active_hints_)});
  active_hints_.Clear(hint_size);
  ++rolls_;
  if (!seal_running_) {
    seal_running_ = true;
    env_.executor->Schedule([this] { SealStep(); });
  }
  if (prepared_id_ == 0) return CreateWriterFile(next_file_id_++, old_id, old_size);
  // The prepared file (WriteLocked waited for its task). If the task failed,
  // the same id is created here, in the foreground.
  KVLAB_CHECK(!prepare_running_);
  const uint64_t id = prepared_id_;
  std::shared_ptr<File> file = std::move(prepared_);
  prepared_id_ = 0;
  prepared_ = nullptr;
  if (file == nullptr) return CreateWriterFile(id, old_id, old_size);
  ++prepared_used_;
  ActivateWriterFile(id, std::move(file), old_id, old_size);
  return absl::OkStatus();
}

void BitcaskStore::SealStep() {
  Sealing* job = nullptr;
  absl::Status s;
  {
    absl::MutexLock lock(&mu_);
    KVLAB_CHECK(!seals_.empty());
    job = &seals_.front();  // Stays queued until done: Sync() waits for it.
    // After a failed sync (an older rolled file's, say) this file must not
    // become durable: its link and records would vouch for a writer chain
    // that lost records before them. Left unsynced and unhinted, recovery
    // drops it with the broken chain.
    s = write_error_;
  }
  if (s.ok()) s = SyncFile(*job->file);
  uint64_t hint_bytes = 0;
  bool hinted = false;
  if (s.ok()) {
    // On error no hint: the next open scans the file instead.
    hinted = WriteHintFile(job->id, job->hints.Finish(job->id, job->size), /*merging=*/false,
                           &hint_bytes)
                 .ok();
  }
  {
    absl::MutexLock lock(&mu_);
    if (!s.ok() && write_error_.ok()) {
      write_error_ = s;  // The rolled file's unsynced records may be gone.
    }
    auto it = files_.find(job->id);
    if (hinted && it != files_.end()) it->second.hint_bytes = hint_bytes;
    seals_.pop_front();
    seal_running_ = !seals_.empty();
    if (seal_running_) {
      env_.executor->Schedule([this] { SealStep(); });
    } else {
      MaybeScheduleMerge();  // The synced files may be merge inputs now.
    }
  }
  env_.executor->Notify();
}

absl::Status BitcaskStore::WaitForSeals() {
  uint64_t last = 0;
  {
    absl::MutexLock lock(&mu_);
    if (seals_.empty()) return absl::OkStatus();
    last = seals_.back().id;
  }
  RETURN_IF_ERROR(env_.executor->WaitUntil([this, last] {
    absl::MutexLock lock(&mu_);
    return seals_.empty() || seals_.front().id > last || !write_error_.ok();
  }));
  absl::MutexLock lock(&mu_);
  return CheckWritable();
}

absl::Status BitcaskStore::SyncPoint() {
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    // No rolled file syncing: no wait, and the active file is synced under
    // this same lock (one acquisition instead of three).
    if (seals_.empty()) return SyncActive();
  }
  RETURN_IF_ERROR(WaitForSeals());
  absl::MutexLock lock(&mu_);
  return SyncActive();  // Checks the store is still writable.
}

absl::Status BitcaskStore::StartActiveFile(Loaded* newest, uint64_t prev_id,
                                           uint64_t prev_size) {
  absl::MutexLock lock(&mu_);
  if (newest != nullptr && !newest->had_hint) {
    // Continued through the handle it was loaded by, unless that is read-only
    // (its hint was expected, and found unsound). Its size is known since
    // then: only this open, holding the lock, changes the directory's files.
    std::shared_ptr<File> file = std::move(newest->file);
    if (!newest->writable) {
      OpenOptions options;
      options.kind = kvlab::FileKind::kData;
      ASSIGN_OR_RETURN(file, env_.device->Open(DataPath(newest->id), options));
    }
    const uint64_t size = newest->size;
    const uint64_t valid_size = newest->valid_size;
    // Cut a torn tail. Then sync, whether or not there was one: a Close
    // without Sync leaves the last writes unsynced, and the new records will
    // claim that everything before them is durable (and merges rely on it).
    // The records kept now count as durable, so they get a sync mark like any
    // synced records (SyncActive), unless the valid part already ends with
    // one (written after a completed sync: it vouches for all before it).
    // A full file then rolls over (hint, new writer file).
    if (size > valid_size) RETURN_IF_ERROR(file->Truncate(valid_size));
    ASSIGN_OR_RETURN(bool ends_with_mark, EndsWithSyncMark(*file, valid_size));
    if (ends_with_mark) RETURN_IF_ERROR(SyncFile(*file));
    active_id_ = newest->id;
    active_info_ = &files_[active_id_];
    active_ = std::move(file);
    active_size_ = valid_size;
    active_written_ = valid_size;
    buffer_.Clear();
    active_synced_ = ends_with_mark ? valid_size : 0;  // 0 forces the sync and a mark.
    size_t hint_size = kHintHeaderSize;
    for (const HintEntry& e : newest->entries) hint_size += kHintEntryFixedSize + e.key.size();
    active_hints_.Clear(std::max(hint_size, ActiveHintReserve()));
    for (const HintEntry& e : newest->entries) active_hints_.Add(e);
    // A file that never got its link (its first write was lost) gets it now.
    if (active_size_ == kFileHeaderSize) AppendLink(prev_id, prev_size);
    RETURN_IF_ERROR(SyncActive());
    if (active_size_ < options_.max_file_size) {
      SchedulePrepare();
      return absl::OkStatus();
    }
    return RollActiveFile();
  }
  return CreateWriterFile(next_file_id_++, newest == nullptr ? 0 : newest->id,
                          newest == nullptr ? 0 : newest->valid_size);
}

}  // namespace kvlab::bitcask

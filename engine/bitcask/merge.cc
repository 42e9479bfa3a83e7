// Merge: rewrite the live records of every immutable data file into new files
// (with hints), then switch over, crash-safe at every step.
//
// Steps, one Executor task per input file and one for the commit:
//   1. copy: each input is read and scanned; records the keydir still points to
//      are re-encoded into "<id>.data.merging" outputs (sequence numbers kept).
//   2. each output is synced and gets a synced "<id>.hint.merging"; the active
//      file is synced (the writes that made the skipped records dead must
//      outlive the inputs); SyncDir.
//   3. commit point: "MERGE.tmp" (inputs + outputs, checksummed) is synced and
//      renamed to "MERGE"; SyncDir. Before this, recovery deletes *.merging and
//      keeps the inputs; after it, recovery redoes steps 4 and 6.
//   4. outputs are renamed to their final names; SyncDir.
//   5. the keydir is switched to the outputs (for keys not overwritten meanwhile).
//   6. inputs (data + hint) are removed; SyncDir; MERGE is removed; SyncDir.
// Tombstones are dropped: every older record of their key is in an input, and
// the inputs disappear together under the manifest.
#include <algorithm>
#include <cstring>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "engine/bitcask/bitcask.h"
#include "engine/bitcask/scan.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {

namespace {
constexpr size_t kMergeWriteChunkBytes = 1 << 20;
}  // namespace

absl::Status BitcaskStore::StartMergeLocked() {
  if (merge_running_) return absl::OkStatus();
  RETURN_IF_ERROR(merge_broken_);
  auto job = std::make_unique<MergeJob>();
  job->inputs.reserve(files_.size());
  // Rolled files still syncing in the background are no inputs: inputs must
  // be durable, and they are all older than those (seals run in order).
  for (const auto& [id, info] : files_) {
    bool syncing = false;
    for (const Sealing& seal : seals_) syncing |= seal.id == id;
    if (id != active_id_ && !syncing) {
      job->inputs.push_back(id);
      job->input_live_bytes += info.live_bytes;
    }
  }
  merge_status_ = absl::OkStatus();
  if (job->inputs.empty()) return absl::OkStatus();
  merge_job_ = std::move(job);
  merge_running_ = true;
  env_.executor->Schedule([this] { MergeStep(); });
  return absl::OkStatus();
}

void BitcaskStore::MergeStep() {
  MergeJob& job = *merge_job_;
  if (job.next_input < job.inputs.size()) {
    absl::Status s = MergeInput(job, job.inputs[job.next_input++]);
    if (!s.ok()) {
      MergeAbort(job);
      MergeDone(s);
      return;
    }
    env_.executor->Schedule([this] { MergeStep(); });
    return;
  }
  absl::Status s = MergeCommit(job);
  if (!s.ok()) MergeAbort(job);
  MergeDone(s);
}

absl::Status BitcaskStore::MergeInput(MergeJob& job, uint64_t input) {
  uint64_t size = 0;
  std::shared_ptr<File> file;
  {
    absl::MutexLock lock(&mu_);
    size = files_.at(input).total_bytes;
    file = cache_.Lookup(input);
  }
  if (file == nullptr) {
    ASSIGN_OR_RETURN(file, OpenCached(input));
  }
  ASSIGN_OR_RETURN(FileBytes file_bytes, ReadWholeFile(*file, size));
  const std::string_view bytes = file_bytes.view();
  ASSIGN_OR_RETURN(ScanResult scan, ScanDataFile(bytes, path_, input, /*tolerate_tail=*/false));
  std::vector<const HintEntry*> live;
  live.reserve(scan.entries.size());
  size_t live_key_bytes = 0;
  {
    absl::MutexLock lock(&mu_);
    for (const HintEntry& e : scan.entries) {
      if (e.type != RecordType::kPut) continue;
      auto it = keydir_.find(std::string_view(e.key));
      if (it != keydir_.end() && it->second.file_id == input && it->second.offset == e.offset) {
        live.push_back(&e);
        live_key_bytes += e.key.size();
      }
    }
  }
  job.moved.reserve(job.moved.size() + live.size());
  job.moved_keys.reserve(job.moved_keys.size() + live_key_bytes);
  for (const HintEntry* e : live) {
    if (job.out != nullptr && job.out_size + e->size > options_.max_file_size) {
      RETURN_IF_ERROR(MergeFlush(job, /*finish_file=*/true));
    }
    if (job.out == nullptr) {
      if (job.outputs.empty()) {
        // Once per merge: an output holds live bytes of the inputs (they
        // only lose live records while the merge runs) up to max_file_size,
        // and its hint is smaller than it (an entry is smaller than its
        // record). The buffer and the hint then grow only for a record
        // larger than that, not by doubling from a header's size.
        const uint64_t output_bytes =
            std::min<uint64_t>(options_.max_file_size, kFileHeaderSize + job.input_live_bytes);
        job.buffer.Reserve(std::min<uint64_t>(output_bytes, kMergeWriteChunkBytes));
        job.out_hints.Clear(output_bytes);
      }
      {
        absl::MutexLock lock(&mu_);
        job.out_id = next_file_id_++;
      }
      OpenOptions options;
      options.create = true;
      options.truncate = true;
      options.kind = kvlab::FileKind::kData;
      job.outputs.push_back(job.out_id);
      ASSIGN_OR_RETURN(job.out,
                       env_.device->Open(DataPath(job.out_id, kMergingSuffix), options));
      job.buffer.Clear();
      EncodeFileHeaderTo(DataFileKind::kMerge, job.out_id, job.buffer.Append(kFileHeaderSize));
      job.out_size = kFileHeaderSize;
      job.out_written = 0;
      job.out_hints.Clear();
    }
    Record r;
    size_t n = 0;
    // ScanDataFile verified this record's checksum on these very bytes.
    KVLAB_CHECK(DecodeVerifiedRecordAt(bytes.substr(e->offset), e->offset, &r, &n) ==
                DecodeResult::kOk);
    KVLAB_CHECK_EQ(n, e->size);
    // The record's bytes with new header fields: durable offset 0 (merge
    // outputs are synced whole before they count), its offset in the output,
    // batch remaining 0 (each live record stands alone).
    const uint64_t new_offset = job.out_size;
    ReencodeRecordTo(bytes.substr(e->offset, n), /*durable_offset=*/0, new_offset,
                     /*batch_remaining=*/0, job.buffer.Append(n));
    job.out_size += n;
    job.out_hints.Add(RecordType::kPut, r.sequence, new_offset, e->size, e->key);
    job.moved.push_back(MergeJob::Moved{job.moved_keys.size(), static_cast<uint32_t>(e->key.size()),
                                        input, e->offset, job.outputs.size() - 1, new_offset,
                                        e->size});
    job.moved_keys.append(e->key);
    if (job.buffer.size() >= kMergeWriteChunkBytes) RETURN_IF_ERROR(MergeFlush(job, false));
  }
  return absl::OkStatus();
}

absl::Status BitcaskStore::RemoveDataFile(uint64_t id) {
  for (bool data : {false, true}) {
    absl::Status s = env_.device->Remove(data ? DataPath(id) : HintPath(id));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

absl::Status BitcaskStore::RemoveMergeInputs(const std::vector<uint64_t>& inputs) {
  for (uint64_t id : inputs) RETURN_IF_ERROR(RemoveDataFile(id));
  RETURN_IF_ERROR(SyncDir());
  RETURN_IF_ERROR(env_.device->Remove(PathOf(kManifestName)));
  return SyncDir();
}

absl::Status BitcaskStore::MergeFlush(MergeJob& job, bool finish_file) {
  KVLAB_CHECK(job.out != nullptr);
  if (!job.buffer.empty()) {
    RETURN_IF_ERROR(
        job.out->Write(job.out_written, std::string_view(job.buffer.data(), job.buffer.size())));
    job.out_written += job.buffer.size();
    job.buffer.Clear();
  }
  if (!finish_file) return absl::OkStatus();
  KVLAB_CHECK_EQ(job.out_written, job.out_size);
  RETURN_IF_ERROR(SyncFile(*job.out));
  job.out.reset();
  uint64_t hint_bytes = 0;
  RETURN_IF_ERROR(WriteHintFile(job.out_id, job.out_hints.Finish(job.out_id, job.out_size),
                                /*merging=*/true, &hint_bytes));
  job.output_sizes.emplace_back(job.out_size, hint_bytes);
  return absl::OkStatus();
}

absl::Status BitcaskStore::MergeCommit(MergeJob& job) {
  if (job.out != nullptr) RETURN_IF_ERROR(MergeFlush(job, /*finish_file=*/true));
  {
    // Records the merge left out as dead were superseded by newer writes; those
    // must be durable before the inputs can go, or a crash would lose both.
    // They may sit in rolled files whose background sync has not run yet: this
    // task syncs them itself (a task must not wait for another task).
    std::vector<std::shared_ptr<File>> rolled;
    {
      absl::MutexLock lock(&mu_);
      // After a failed sync nothing newer may become durable (SyncActive).
      RETURN_IF_ERROR(CheckWritable());
      for (const Sealing& seal : seals_) rolled.push_back(seal.file);
    }
    for (const std::shared_ptr<File>& file : rolled) {
      absl::Status s = SyncFile(*file);
      if (!s.ok()) {
        absl::MutexLock lock(&mu_);
        if (write_error_.ok()) write_error_ = s;  // Its unsynced records may be gone.
        return s;
      }
    }
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(SyncActive());
  }
  RETURN_IF_ERROR(SyncDir());  // The outputs' directory entries, before the manifest names them.
  const std::string manifest_tmp = PathOf(kManifestTmpName);
  RETURN_IF_ERROR(CreateSyncedFile(manifest_tmp,
                                   EncodeManifest(job.inputs, job.outputs),
                                   kvlab::FileKind::kManifest)
                      .status());
  RETURN_IF_ERROR(env_.device->Rename(manifest_tmp, PathOf(kManifestName)));
  job.committed = true;  // From here on, a failure leaves the redo to the next open.
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(SyncDir());
    for (uint64_t id : job.outputs) {
      const FilePath data = DataPath(id, kMergingSuffix);
      RETURN_IF_ERROR(env_.device->Rename(data, data.without_suffix2()));
      const FilePath hint = HintPath(id, kMergingSuffix);
      RETURN_IF_ERROR(env_.device->Rename(hint, hint.without_suffix2()));
    }
    // No outputs (every input record was dead): no rename since the SyncDir
    // above, so a second one would make nothing more durable.
    return job.outputs.empty() ? absl::OkStatus() : SyncDir();
  }();
  if (!s.ok()) {
    absl::MutexLock lock(&mu_);
    merge_broken_ = s;
    return s;
  }
  uint64_t reclaimed = 0;
  {
    absl::MutexLock lock(&mu_);
    // Every output is finished here: output_sizes[i] belongs to outputs[i].
    KVLAB_CHECK_EQ(job.output_sizes.size(), job.outputs.size());
    absl::InlinedVector<FileInfo*, 4> output_infos(job.outputs.size());
    for (size_t i = 0; i < job.outputs.size(); ++i) {
      const auto& [data_bytes, hint_bytes] = job.output_sizes[i];
      FileInfo& info = files_[job.outputs[i]];
      info = FileInfo{DataFileKind::kMerge, data_bytes, 0, hint_bytes};
      output_infos[i] = &info;  // std::map: stable while files_ only gains entries.
    }
    for (const MergeJob::Moved& m : job.moved) {
      auto it = keydir_.find(std::string_view(job.moved_keys).substr(m.key_at, m.key_size));
      if (it == keydir_.end() || it->second.file_id != m.old_file ||
          it->second.offset != m.old_offset) {
        continue;  // Overwritten or deleted while the merge ran: the copy is dead.
      }
      it->second.file_id = job.outputs[m.output];
      it->second.offset = m.new_offset;
      output_infos[m.output]->live_bytes += m.size;
    }
    for (uint64_t id : job.inputs) {
      const FileInfo& info = files_.at(id);
      reclaimed += info.total_bytes + info.hint_bytes;
      files_.erase(id);
    }
    for (uint64_t id : job.outputs) {
      const FileInfo& info = files_.at(id);
      reclaimed -= std::min(reclaimed, info.total_bytes + info.hint_bytes);
    }
    merge_bytes_reclaimed_ += reclaimed;
    for (uint64_t id : job.inputs) cache_.Evict(id);
  }
  s = RemoveMergeInputs(job.inputs);
  if (!s.ok()) {
    absl::MutexLock lock(&mu_);
    merge_broken_ = s;  // The data is consistent; the next open finishes the cleanup.
  }
  return s;
}

void BitcaskStore::MergeAbort(MergeJob& job) {
  if (job.committed) return;  // The manifest may be durable: its outputs must stay.
  job.out.reset();
  // Ignoring errors on purpose: leftovers are removed at the next open.
  for (uint64_t id : job.outputs) {
    (void)env_.device->Remove(DataPath(id, kMergingSuffix));
    (void)env_.device->Remove(HintPath(id, kMergingSuffix));
  }
  (void)env_.device->Remove(PathOf(kManifestTmpName));
}

void BitcaskStore::MergeDone(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    merge_status_ = status;
    if (status.ok()) {
      ++merges_;
    } else {
      ++merge_failures_;
    }
    merge_running_ = false;
  }
  env_.executor->Notify();
}

}  // namespace kvlab::bitcask

// CountingDevice: a wrapper that forwards every call to another Device and
// counts bytes and operations read, written and synced, per FileKind (the
// kind given at Open), plus directory syncs. The source of the amplification
// figures; engines never count their own I/O.
//
// What counts: a read counts the bytes it returned; a write or append counts
// its bytes once it succeeded; Sync counts a sync of the file's kind; SyncDir
// counts a dir sync. Failed operations count nothing. Batched requests count
// as their single-call forms would.
#ifndef KVLAB_ENGINE_ENV_COUNTING_DEVICE_H_
#define KVLAB_ENGINE_ENV_COUNTING_DEVICE_H_

#include <memory>
#include <string>

#include "engine/env/env.h"

namespace kvlab {

class CountingDevice : public Device {
 public:
  // Owns `inner`. Files it opens must not outlive it.
  explicit CountingDevice(std::unique_ptr<Device> inner);

  // "counting(<inner name>)".
  std::string name() const override;
  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path,
                                             const OpenOptions& options) override;
  absl::Status Remove(std::string_view path) override { return inner_->Remove(path); }
  absl::Status Rename(std::string_view from, std::string_view to) override {
    return inner_->Rename(from, to);
  }
  absl::Status CreateDir(std::string_view path) override { return inner_->CreateDir(path); }
  absl::Status SyncDir(std::string_view dir) override;
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override {
    return inner_->List(dir);
  }
  absl::StatusOr<bool> Exists(std::string_view path) override { return inner_->Exists(path); }
  absl::StatusOr<uint64_t> FileSize(std::string_view path) override {
    return inner_->FileSize(path);
  }
  absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view path) override {
    return inner_->Lock(path);
  }
  // Unwraps this device's files and forwards the batch to the inner device, so
  // io_uring still keeps the whole batch in flight.
  absl::Status SubmitBatch(absl::Span<IoRequest> batch) override;
  size_t direct_alignment() const override { return inner_->direct_alignment(); }
  std::string host_root() const override { return inner_->host_root(); }

  // The live counters. The fields are updated with relaxed atomic adds
  // (std::atomic_ref), so a reader on another thread should use Snapshot().
  const IoCounters* counters() const override { return &counters_; }
  // A copy made with atomic loads: safe while other threads do I/O.
  IoCounters Snapshot() const;

  Device* inner() const { return inner_.get(); }

  // Adds to the counters (used by this device's files).
  void CountRead(FileKind kind, uint64_t bytes);
  void CountWrite(FileKind kind, uint64_t bytes);
  void CountSync(FileKind kind);

 private:
  std::unique_ptr<Device> inner_;
  mutable IoCounters counters_;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_COUNTING_DEVICE_H_

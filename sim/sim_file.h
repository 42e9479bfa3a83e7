// SimFile and SimFileLock: the handles a SimDevice gives out. Internal to sim/.
// A handle remembers the device epoch it was opened in; after Crash() the
// epoch moves on and every call on an older handle is FailedPrecondition.
#ifndef KVLAB_SIM_SIM_FILE_H_
#define KVLAB_SIM_SIM_FILE_H_

#include <memory>
#include <new>
#include <string>

#include "sim/sim_device.h"

namespace kvlab::sim {

class SimFile final : public File {
 public:
  // Deleting a handle runs its destructor under the device's mu_ (its inode
  // may die there: InodeRecycler) and leaves its memory to the device for
  // the next Open (SimDevice::spare_files_), which saves an allocation per
  // open. Handles are made only by SimDevice::Open.
  void operator delete(SimFile* f, std::destroying_delete_t);

  absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst) override {
    DeviceMutexLock lock(&device_->mu_);
    return device_->ReadLocked(*this, offset, dst);
  }
  absl::Status Write(uint64_t offset, std::string_view data) override {
    DeviceMutexLock lock(&device_->mu_);
    return device_->WriteLocked(*this, /*append=*/false, offset, data).status();
  }
  absl::StatusOr<uint64_t> Append(std::string_view data) override {
    DeviceMutexLock lock(&device_->mu_);
    return device_->WriteLocked(*this, /*append=*/true, 0, data);
  }
  absl::Status Sync() override { return device_->SyncFile(*this); }
  absl::Status Truncate(uint64_t size) override { return device_->TruncateFile(*this, size); }
  absl::StatusOr<uint64_t> Size() override { return device_->SizeOf(*this); }
  const std::string& path() const override { return path_; }

 private:
  friend class SimDevice;
  // `path` is one of the inode's open paths (SimDevice::Inode::FindOpenPath),
  // which lives as long as the inode, and so as long as this handle.
  SimFile(SimDevice* device, std::shared_ptr<SimDevice::Inode> inode,
          const SimDevice::OpenPath& path, const OpenOptions& options, uint64_t epoch)
      : device_(device), inode_(std::move(inode)), path_(path.path),
        path_word_(path.trace_word), options_(options), epoch_(epoch) {}
  ~SimFile() override = default;

  SimDevice* device_;
  std::shared_ptr<SimDevice::Inode> inode_;
  const std::string& path_;  // The path it was opened with, kept by inode_.
  uint64_t path_word_;        // TracePathWord(path_).
  OpenOptions options_;
  uint64_t epoch_;
};

class SimFileLock final : public FileLock {
 public:
  SimFileLock(SimDevice* device, std::string path, uint64_t epoch)
      : device_(device), path_(std::move(path)), epoch_(epoch) {}
  // Releases the lock, unless a crash already did (and someone may hold the
  // same name again in the new epoch).
  ~SimFileLock() override {
    DeviceMutexLock lock(&device_->mu_);
    if (device_->epoch_ == epoch_) device_->locks_.erase(path_);
  }

 private:
  SimDevice* device_;
  std::string path_;
  uint64_t epoch_;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_FILE_H_

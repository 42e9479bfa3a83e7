// PosixDevice: the Device on plain POSIX calls (open, pread, pwrite, fdatasync,
// rename, flock), rooted at a directory. UringDevice derives from it and
// reuses every namespace operation; only file I/O goes a different way.
//
// Direct I/O: a file opened with OpenOptions::direct gets O_DIRECT, and every
// read and write on it must have its offset, length and buffer address
// aligned to direct_alignment() (4096); otherwise InvalidArgument before any
// syscall. A file system without O_DIRECT (tmpfs) fails Open with
// InvalidArgument naming the path.
//
// SubmitBatch: POSIX has no queue, so the batch runs one request after
// another (the Device default).
#ifndef KVLAB_ENGINE_ENV_POSIX_DEVICE_H_
#define KVLAB_ENGINE_ENV_POSIX_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/env/env.h"

namespace kvlab {

// The alignment of direct I/O on the real devices: the page size, which also
// covers 4Kn drives.
inline constexpr size_t kDirectAlignment = 4096;

// An open file on a POSIX file descriptor. Owns the descriptor.
class PosixFile : public File {
 public:
  // `path` is the device path (for path()), `full_path` the host path (for
  // messages). Takes ownership of `fd`.
  PosixFile(int fd, std::string path, std::string full_path, const OpenOptions& options);
  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  absl::StatusOr<size_t> Read(uint64_t offset, absl::Span<char> dst) override;
  absl::Status Write(uint64_t offset, std::string_view data) override;
  // Serialised by a per-file mutex: Size() then Write() at that offset.
  absl::StatusOr<uint64_t> Append(std::string_view data) override;
  absl::Status Sync() override;
  absl::Status Truncate(uint64_t size) override;
  absl::StatusOr<uint64_t> Size() override;
  const std::string& path() const override { return path_; }

  int fd() const { return fd_; }
  bool direct() const { return direct_; }
  bool read_only() const { return read_only_; }
  const std::string& full_path() const { return full_path_; }

  // InvalidArgument if this file is direct and offset, length or buffer are
  // not aligned. `op` names the operation in the message.
  absl::Status CheckAligned(std::string_view op, uint64_t offset, const void* buffer,
                            size_t length) const;
  // FailedPrecondition if this file was opened read-only.
  absl::Status CheckWritable(std::string_view op) const;

 private:
  const int fd_;
  const std::string path_;
  const std::string full_path_;
  const bool direct_;
  const bool read_only_;
  std::mutex append_mu_;
};

class PosixDevice : public Device {
 public:
  // `root` must be an existing directory (MakeDevice creates it).
  explicit PosixDevice(std::string root);

  std::string name() const override { return "posix"; }
  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path,
                                             const OpenOptions& options) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status CreateDir(std::string_view path) override;
  absl::Status SyncDir(std::string_view dir) override;
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override;
  absl::StatusOr<bool> Exists(std::string_view path) override;
  absl::StatusOr<uint64_t> FileSize(std::string_view path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> Lock(std::string_view path) override;
  size_t direct_alignment() const override { return kDirectAlignment; }
  std::string host_root() const override { return root_; }  // For peers (env.h).

  const std::string& root() const { return root_; }
  // The host path of a device path ("" is the root itself).
  std::string HostPath(std::string_view path) const;

 protected:
  // Wraps a freshly opened descriptor in a File. UringDevice overrides this
  // to route the file's reads, writes and syncs through its rings.
  virtual std::unique_ptr<File> MakeFile(int fd, std::string path, std::string full_path,
                                         const OpenOptions& options);

 private:
  const std::string root_;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_POSIX_DEVICE_H_

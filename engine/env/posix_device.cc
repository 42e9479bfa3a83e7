// PosixDevice and PosixFile: the Device on POSIX calls. Every errno goes
// through ErrnoToStatus (io_error.h).
#include "engine/env/posix_device.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "engine/env/io_error.h"

namespace kvlab {
namespace {

// Holds a flock(2) on an open descriptor; closing the descriptor releases it.
class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // Ignoring errors on purpose: releases the lock.

 private:
  const int fd_;
};

}  // namespace

PosixFile::PosixFile(int fd, std::string path, std::string full_path, const OpenOptions& options)
    : fd_(fd),
      path_(std::move(path)),
      full_path_(std::move(full_path)),
      direct_(options.direct),
      read_only_(options.read_only) {
  KVLAB_CHECK(fd >= 0);
}

PosixFile::~PosixFile() { ::close(fd_); }  // Ignoring errors on purpose: nothing to report to.

absl::Status PosixFile::CheckAligned(std::string_view op, uint64_t offset, const void* buffer,
                                     size_t length) const {
  if (!direct_) return absl::OkStatus();
  const uint64_t address = reinterpret_cast<uintptr_t>(buffer);
  if (offset % kDirectAlignment == 0 && length % kDirectAlignment == 0 &&
      address % kDirectAlignment == 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(AV(op), " ", full_path_, ": direct I/O needs offset (", offset,
                   "), length (", length, ") and buffer address (", address,
                   ") aligned to ", kDirectAlignment, " bytes"));
}

absl::Status PosixFile::CheckWritable(std::string_view op) const {
  if (!read_only_) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(AV(op), " ", full_path_, ": file was opened read-only"));
}

absl::StatusOr<size_t> PosixFile::Read(uint64_t offset, absl::Span<char> dst) {
  RETURN_IF_ERROR(CheckAligned("read", offset, dst.data(), dst.size()));
  size_t done = 0;
  while (done < dst.size()) {
    const ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, IoKind::kRead,
                           absl::StrCat("pread at offset ", offset + done, " of"), full_path_);
    }
    if (n == 0) break;  // End of file.
    done += static_cast<size_t>(n);
    // A short direct read ends at end of file: the rest would be unaligned.
    if (direct_ && done % kDirectAlignment != 0) break;
  }
  return done;
}

absl::Status PosixFile::Write(uint64_t offset, std::string_view data) {
  RETURN_IF_ERROR(CheckWritable("write"));
  RETURN_IF_ERROR(CheckAligned("write", offset, data.data(), data.size()));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, IoKind::kWrite,
                           absl::StrCat("pwrite at offset ", offset + done, " of"), full_path_);
    }
    if (n == 0) {
      return absl::UnavailableError(absl::StrCat("pwrite at offset ", offset + done, " of ",
                                                 full_path_, ": no progress"));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PosixFile::Append(std::string_view data) {
  RETURN_IF_ERROR(CheckWritable("append"));
  std::lock_guard<std::mutex> lock(append_mu_);
  ASSIGN_OR_RETURN(const uint64_t offset, Size());
  RETURN_IF_ERROR(Write(offset, data));  // Virtual: UringFile writes through its ring.
  return offset;
}

absl::Status PosixFile::Sync() {
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, IoKind::kSync, "fdatasync", full_path_);
  }
  return absl::OkStatus();
}

absl::Status PosixFile::Truncate(uint64_t size) {
  RETURN_IF_ERROR(CheckWritable("truncate"));
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) {
      return ErrnoToStatus(errno, IoKind::kWrite, absl::StrCat("ftruncate to ", size), full_path_);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PosixFile::Size() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoToStatus(errno, IoKind::kMetadata, "fstat", full_path_);
  return static_cast<uint64_t>(st.st_size);
}

// --- PosixDevice ---

PosixDevice::PosixDevice(std::string root) : root_(std::move(root)) {
  KVLAB_CHECK(!root_.empty(), "PosixDevice needs a root directory");
}

std::string PosixDevice::HostPath(std::string_view path) const {
  if (path.empty()) return root_;
  return absl::StrCat(root_, "/", AV(path));
}

std::unique_ptr<File> PosixDevice::MakeFile(int fd, std::string path, std::string full_path,
                                            const OpenOptions& options) {
  return std::make_unique<PosixFile>(fd, std::move(path), std::move(full_path), options);
}

absl::StatusOr<std::unique_ptr<File>> PosixDevice::Open(std::string_view path,
                                                        const OpenOptions& options) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/false, "open"));
  int flags = O_CLOEXEC | (options.read_only ? O_RDONLY : O_RDWR);
  if (options.create) flags |= O_CREAT;
  if (options.create && options.exclusive) flags |= O_EXCL;
  if (options.truncate && !options.read_only) flags |= O_TRUNC;
  if (options.direct) flags |= O_DIRECT;
  std::string full = HostPath(path);
  int fd;
  do {
    fd = ::open(full.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    if (err == EINVAL && options.direct) {
      return absl::InvalidArgumentError(absl::StrCat(
          "open ", full, " with O_DIRECT: the file system does not support direct I/O"));
    }
    return ErrnoToStatus(err, IoKind::kMetadata, "open", full);
  }
  return MakeFile(fd, std::string(path), std::move(full), options);
}

absl::Status PosixDevice::Remove(std::string_view path) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/false, "remove"));
  const std::string full = HostPath(path);
  if (::unlink(full.c_str()) != 0) return ErrnoToStatus(errno, IoKind::kMetadata, "unlink", full);
  return absl::OkStatus();
}

absl::Status PosixDevice::Rename(std::string_view from, std::string_view to) {
  RETURN_IF_ERROR(CheckDevicePath(from, /*allow_root=*/false, "rename from"));
  RETURN_IF_ERROR(CheckDevicePath(to, /*allow_root=*/false, "rename to"));
  const std::string source = HostPath(from), target = HostPath(to);
  if (::rename(source.c_str(), target.c_str()) != 0) {
    return ErrnoToStatus(errno, IoKind::kMetadata, absl::StrCat("rename to ", target, " from"),
                         source);
  }
  return absl::OkStatus();
}

absl::Status PosixDevice::CreateDir(std::string_view path) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/false, "create dir"));
  const std::string full = HostPath(path);
  if (::mkdir(full.c_str(), 0755) == 0) return absl::OkStatus();
  const int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::OkStatus();
  }
  return ErrnoToStatus(err, IoKind::kMetadata, "mkdir", full);
}

absl::Status PosixDevice::SyncDir(std::string_view dir) {
  RETURN_IF_ERROR(CheckDevicePath(dir, /*allow_root=*/true, "sync dir"));
  const std::string full = HostPath(dir);
  const int fd = ::open(full.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, IoKind::kMetadata, "open directory", full);
  absl::Status status;
  while (::fsync(fd) != 0) {
    if (errno != EINTR) {
      status = ErrnoToStatus(errno, IoKind::kSync, "fsync directory", full);
      break;
    }
  }
  ::close(fd);  // Ignoring errors on purpose: a read-only descriptor.
  return status;
}

absl::StatusOr<std::vector<std::string>> PosixDevice::List(std::string_view dir) {
  RETURN_IF_ERROR(CheckDevicePath(dir, /*allow_root=*/true, "list"));
  const std::string full = HostPath(dir);
  DIR* d = ::opendir(full.c_str());
  if (d == nullptr) return ErrnoToStatus(errno, IoKind::kMetadata, "opendir", full);
  std::vector<std::string> names;
  errno = 0;
  while (const struct dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);  // Ignoring errors on purpose: nothing was written.
  if (err != 0) return ErrnoToStatus(err, IoKind::kMetadata, "readdir", full);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<bool> PosixDevice::Exists(std::string_view path) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/true, "exists"));
  const std::string full = HostPath(path);
  struct stat st;
  if (::stat(full.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoToStatus(errno, IoKind::kMetadata, "stat", full);
}

absl::StatusOr<uint64_t> PosixDevice::FileSize(std::string_view path) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/false, "file size"));
  const std::string full = HostPath(path);
  struct stat st;
  if (::stat(full.c_str(), &st) != 0) return ErrnoToStatus(errno, IoKind::kMetadata, "stat", full);
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<std::unique_ptr<FileLock>> PosixDevice::Lock(std::string_view path) {
  RETURN_IF_ERROR(CheckDevicePath(path, /*allow_root=*/false, "lock"));
  const std::string full = HostPath(path);
  const int fd = ::open(full.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoToStatus(errno, IoKind::kMetadata, "open lock file", full);
  // flock locks belong to the open file description, so a second Lock from
  // this same process conflicts too (fcntl locks would not).
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);  // Ignoring errors on purpose: the lock failed anyway.
    return ErrnoToStatus(err, IoKind::kLock, "flock", full);
  }
  return std::make_unique<PosixFileLock>(fd);
}

}  // namespace kvlab

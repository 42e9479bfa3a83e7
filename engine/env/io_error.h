// Error mapping and path checks shared by the real devices (PosixDevice and
// UringDevice). Every errno a real device sees becomes an absl::Status here,
// in one function, so the codes promised by env.h hold for both backends.
#ifndef KVLAB_ENGINE_ENV_IO_ERROR_H_
#define KVLAB_ENGINE_ENV_IO_ERROR_H_

#include <string_view>

#include "absl/status/status.h"

namespace kvlab {

// What kind of operation failed. It decides the code of an ambiguous errno:
// EIO is DataLoss on a read (the data is gone or damaged) but Unavailable on a
// write or sync (the write did not make it; the caller may fail the operation).
enum class IoKind {
  kRead,      // pread, io_uring read.
  kWrite,     // pwrite, io_uring write, ftruncate.
  kSync,      // fdatasync, fsync of a directory.
  kMetadata,  // open, rename, unlink, mkdir, stat, opendir.
  kLock,      // flock.
};

// The one errno -> absl::Status mapping of the real devices:
//   ENOENT NotFound; EEXIST AlreadyExists; ENOSPC, EDQUOT ResourceExhausted;
//   EIO DataLoss on kRead, Unavailable otherwise; EWOULDBLOCK on kLock
//   AlreadyExists (the lock is held); EINVAL InvalidArgument (e.g. O_DIRECT on a
//   file system without it); EACCES, EPERM, EROFS PermissionDenied; ENOTDIR,
//   EISDIR, ENOTEMPTY, EBADF FailedPrecondition; ENOMEM, EMFILE, ENFILE
//   ResourceExhausted; EAGAIN, EINTR, EBUSY Unavailable; any other errno is
//   Unavailable for I/O kinds and Internal for metadata.
// The message reads "<op> <path>: <strerror> (errno N)", so `op` should say
// what was attempted, e.g. "pread at offset 4096 of".
absl::Status ErrnoToStatus(int err, IoKind kind, std::string_view op, std::string_view path);

// Checks a device path per env.h: '/'-separated, relative, no "..", no empty
// component (so no leading, trailing or doubled '/'), no NUL. "" names the
// root and is accepted only when `allow_root`. InvalidArgument naming the path
// and `op` otherwise.
absl::Status CheckDevicePath(std::string_view path, bool allow_root, std::string_view op);
// The same rules without building an error: "" if `path` passes, else what is
// wrong ("empty component", ...). Sets *has_dot (if given) when a component
// is "." (valid, but the simulator resolves it away).
std::string_view DevicePathProblem(std::string_view path, bool allow_root,
                                   bool* has_dot = nullptr);

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_IO_ERROR_H_

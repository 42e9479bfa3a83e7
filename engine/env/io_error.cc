// The errno -> absl::Status mapping and the path checks of the real devices.
#include "engine/env/io_error.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"

namespace kvlab {

absl::Status ErrnoToStatus(int err, IoKind kind, std::string_view op, std::string_view path) {
  const std::string message =
      absl::StrCat(AV(op), " ", AV(path), ": ", std::strerror(err), " (errno ", err, ")");
  const bool io = kind == IoKind::kRead || kind == IoKind::kWrite || kind == IoKind::kSync;
  switch (err) {
    case ENOENT: return absl::NotFoundError(message);
    case EEXIST: return absl::AlreadyExistsError(message);
    case ENOSPC:
    case EDQUOT:
    case ENOMEM:
    case EMFILE:
    case ENFILE: return absl::ResourceExhaustedError(message);
    case EIO:
      return kind == IoKind::kRead ? absl::DataLossError(message) : absl::UnavailableError(message);
    case EINVAL: return absl::InvalidArgumentError(message);
    case EACCES:
    case EPERM:
    case EROFS: return absl::PermissionDeniedError(message);
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
    case EBADF: return absl::FailedPreconditionError(message);
    case EWOULDBLOCK:  // == EAGAIN on Linux.
      if (kind == IoKind::kLock) {
        return absl::AlreadyExistsError(absl::StrCat(message, ": the lock is held"));
      }
      return absl::UnavailableError(message);
    case EINTR:
    case EBUSY: return absl::UnavailableError(message);
    default: return io ? absl::UnavailableError(message) : absl::InternalError(message);
  }
}

absl::Status CheckDevicePath(std::string_view path, bool allow_root, std::string_view op) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(op), " '", AV(path), "': bad device path (", AV(why),
                     "); paths are relative, '/'-separated, without '..' or empty parts"));
  };
  if (path.empty()) return allow_root ? absl::OkStatus() : bad("empty");
  if (path.find('\0') != std::string_view::npos) return bad("contains NUL");
  if (path.front() == '/') return bad("leading '/'");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty()) return bad("empty component");
    if (part == "..") return bad("'..' component");
    start = end + 1;
  }
  return absl::OkStatus();
}

}  // namespace kvlab

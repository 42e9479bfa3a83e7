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

std::string_view DevicePathProblem(std::string_view path, bool allow_root, bool* has_dot) {
  if (has_dot != nullptr) *has_dot = false;
  if (path.empty()) return allow_root ? "" : "empty";
  if (std::memchr(path.data(), '\0', path.size()) != nullptr) return "contains NUL";
  if (path.front() == '/') return "leading '/'";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty()) return "empty component";
    if (part == "..") return "'..' component";
    if (part == "." && has_dot != nullptr) *has_dot = true;
    start = end + 1;
  }
  return "";
}

absl::Status CheckDevicePath(std::string_view path, bool allow_root, std::string_view op) {
  const std::string_view why = DevicePathProblem(path, allow_root, nullptr);
  if (why.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(AV(op), " '", AV(path), "': bad device path (", AV(why),
                   "); paths are relative, '/'-separated, without '..' or empty parts"));
}

}  // namespace kvlab

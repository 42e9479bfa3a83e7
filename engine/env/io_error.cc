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
  // Component by component, each found with one memchr (device ops check
  // every path, so this runs millions of times per campaign).
  const char* part = path.data();
  const char* const end = part + path.size();
  for (;;) {
    const auto* slash = static_cast<const char*>(std::memchr(part, '/', end - part));
    const size_t length = (slash != nullptr ? slash : end) - part;
    if (length == 0) return "empty component";
    if (length <= 2 && part[0] == '.') {
      if (length == 2 && part[1] == '.') return "'..' component";
      if (length == 1 && has_dot != nullptr) *has_dot = true;
    }
    if (slash == nullptr) return "";
    part = slash + 1;
  }
}

absl::Status CheckDevicePath(std::string_view path, bool allow_root, std::string_view op) {
  const std::string_view why = DevicePathProblem(path, allow_root, nullptr);
  if (why.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(AV(op), " '", AV(path), "': bad device path (", AV(why),
                   "); paths are relative, '/'-separated, without '..' or empty parts"));
}

}  // namespace kvlab

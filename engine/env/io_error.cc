// The errno -> absl::Status mapping and the path checks of the real devices.
#include "engine/env/io_error.h"

#include <cerrno>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

#if defined(__SSE2__)
// Byte i of a 16-byte step, as bit i: a NUL; a '/'; a '/' or '.'.
struct StepMasks {
  unsigned nuls, slashes, slash_or_dot;
};
inline StepMasks Masks(__m128i w) {
  const auto mask = [](__m128i bytes_equal) {
    return static_cast<unsigned>(_mm_movemask_epi8(bytes_equal));
  };
  // '/' (0x2f) and '.' (0x2e) differ in the low bit only.
  return {mask(_mm_cmpeq_epi8(w, _mm_setzero_si128())), mask(_mm_cmpeq_epi8(w, _mm_set1_epi8('/'))),
          mask(_mm_cmpeq_epi8(_mm_or_si128(w, _mm_set1_epi8(1)), _mm_set1_epi8('/')))};
}

// The 8 bytes at p as one word (a fixed-size memcpy is one load).
inline uint64_t Load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// True if `path` (at least 8 bytes) breaks no rule and has no "." component:
// no NUL, no '/' that is first, last or doubled, and no component that
// starts with '.' (a NUL, or a '/' or '.' right after a '/' or at the start,
// is "bad"). Sixteen bytes per step; false only sends the caller to the
// component loop, which finds (and names) what is wrong, if anything.
bool PlainPath(std::string_view path) {
  const char* const p = path.data();
  const size_t n = path.size();
  unsigned bad = 0;
  if (n < 16) {
    // One step of the first and the last 8 bytes (overlapping unless n == 8).
    const StepMasks m = Masks(_mm_set_epi64x(static_cast<long long>(Load8(p + n - 8)),
                                             static_cast<long long>(Load8(p))));
    // Bit i: byte i starts a component. Byte 8 is p[n - 8]: it and the byte
    // before it (the path's start if n == 8) are in the first 8 as well.
    const unsigned starts = (m.slashes << 1 & ~0x100u) | 1u;
    bad = m.nuls | (starts & m.slash_or_dot);
  } else {
    for (size_t at = 0;; at += 16) {
      if (at + 16 > n) at = n - 16;  // The last step overlaps the one before.
      const StepMasks m = Masks(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)));
      const unsigned starts = m.slashes << 1 | (at == 0 || p[at - 1] == '/' ? 1u : 0u);
      bad |= m.nuls | (starts & m.slash_or_dot);
      if (at + 16 >= n) break;
    }
  }
  return bad == 0 && p[n - 1] != '/';
}
#endif

}  // namespace

std::string_view DevicePathProblem(std::string_view path, bool allow_root, bool* has_dot) {
  if (has_dot != nullptr) *has_dot = false;
#if defined(__SSE2__)
  if (path.size() >= 8 && PlainPath(path)) return "";  // Device paths usually are.
#endif
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

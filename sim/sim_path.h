// Device paths inside the simulator: the same acceptance rules as the real
// devices (CheckDevicePath in engine/env/io_error.h), normalised so that one
// file has one name. Internal to sim/.
#ifndef KVLAB_SIM_SIM_PATH_H_
#define KVLAB_SIM_SIM_PATH_H_

#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/common/hash.h"
#include "engine/env/io_error.h"

namespace kvlab::sim {

// NormalizePath's out-of-line part: a path that breaks a rule or has a "."
// component.
absl::Status NormalizeOddPath(std::string_view op, std::string_view raw, bool allow_root,
                              std::string* storage, std::string_view* path);

// Checks `raw` exactly as the real devices do (relative, no leading '/', no
// "..", no empty component, no NUL; "" is the root, only if `allow_root`),
// then drops "." components as the file system would resolve them.
// InvalidArgument naming `op` and the path otherwise.
// Sets *path to the normalised path when OK, else to `raw`. It views `raw`
// itself unless a "." component had to go (the common case costs no copy);
// then it views *storage, which must outlive it.
// Inline: a valid path without "." components (nearly every path the device
// has not seen yet) is normal as it is; NormalizeOddPath does the rest.
inline absl::Status NormalizePath(std::string_view op, std::string_view raw, bool allow_root,
                                  std::string* storage, std::string_view* path) {
  *path = raw;
  bool has_dot = false;
  if (DevicePathProblem(raw, allow_root, &has_dot).empty() && !has_dot) [[likely]] {
    return absl::OkStatus();
  }
  return NormalizeOddPath(op, raw, allow_root, storage, path);
}

// a == b, inline for paths of up to 32 bytes (a memcmp of a variable length
// is a call into libc, and the device compares paths on every namespace op):
// 8-byte words, the last one overlapping the one before it.
inline bool SamePath(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n > 32) return std::memcmp(p, q, n) == 0;
  if (n >= 8) {
    for (size_t at = 0; at + 8 < n; at += 8) {
      if (LoadLe64(p + at, 8) != LoadLe64(q + at, 8)) return false;
    }
    return LoadLe64(p + n - 8, 8) == LoadLe64(q + n - 8, 8);
  }
  if (n >= 4) {
    return LoadLe64(p, 4) == LoadLe64(q, 4) && LoadLe64(p + n - 4, 4) == LoadLe64(q + n - 4, 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

// a < b (byte order, as std::string_view's <), inline: 8-byte big-endian
// words while both have one, then bytes. List sorts with it.
inline bool PathLess(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t at = 0;
  for (; at + 8 <= n; at += 8) {
    const uint64_t x = __builtin_bswap64(LoadLe64(a.data() + at, 8));
    const uint64_t y = __builtin_bswap64(LoadLe64(b.data() + at, 8));
    if (x != y) return x < y;
  }
  for (; at < n; ++at) {
    const auto x = static_cast<unsigned char>(a[at]);
    const auto y = static_cast<unsigned char>(b[at]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

// The directory holding `path` ("" for the root); the view points into `path`.
std::string ParentDir(std::string_view path);
std::string_view ParentDirView(std::string_view path);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_PATH_H_

// Device paths inside the simulator: the same acceptance rules as the real
// devices (CheckDevicePath in engine/env/io_error.h), normalised so that one
// file has one name. Internal to sim/.
#ifndef KVLAB_SIM_SIM_PATH_H_
#define KVLAB_SIM_SIM_PATH_H_

#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/common/bytes.h"
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

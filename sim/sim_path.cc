// Device path checks and normalisation for the simulator (see sim_path.h).
#include "sim/sim_path.h"

#include <string.h>  // memrchr

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/io_error.h"

namespace kvlab::sim {

absl::Status NormalizeOddPath(std::string_view op, std::string_view raw, bool allow_root,
                              std::string* storage, std::string_view* path) {
  *path = raw;
  // The real devices' rules (one copy of them, io_error.h); the error is
  // built only for a path that breaks one.
  if (!DevicePathProblem(raw, allow_root).empty()) return CheckDevicePath(raw, allow_root, op);
  std::string& out = *storage;
  out.clear();
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view part = raw.substr(start, end - start);
    if (part != ".") {
      if (!out.empty()) out += '/';
      out.append(part.data(), part.size());
    }
    start = end + 1;
  }
  if (out.empty() && !allow_root) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(op), " '", AV(raw), "': bad device path (names the root, not a file)"));
  }
  *path = out;
  return absl::OkStatus();
}

std::string ParentDir(std::string_view path) { return std::string(ParentDirView(path)); }

std::string_view ParentDirView(std::string_view path) {
  // memrchr (glibc, vectorised) rather than rfind, a byte loop in libstdc++.
  const void* slash = path.empty() ? nullptr : memrchr(path.data(), '/', path.size());
  if (slash == nullptr) return std::string_view();
  return path.substr(0, static_cast<const char*>(slash) - path.data());
}

}  // namespace kvlab::sim

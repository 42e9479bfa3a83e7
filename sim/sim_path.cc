// Device path checks and normalisation for the simulator (see sim_path.h).
#include "sim/sim_path.h"

#include <string.h>  // memrchr

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/io_error.h"

namespace kvlab::sim {
namespace {

// CheckDevicePath's rules, without building an error (and with memchr
// doing the scans): true if `raw` passes them. Sets *has_dot if a component
// is ".". Never more lenient than CheckDevicePath (a rejected path gets its
// error from it).
bool QuickValid(std::string_view raw, bool allow_root, bool* has_dot) {
  *has_dot = false;
  if (raw.empty()) return allow_root;
  if (raw.front() == '/') return false;
  if (raw.find('\0') != std::string_view::npos) return false;
  for (size_t start = 0; start <= raw.size();) {
    size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view part = raw.substr(start, end - start);
    if (part.empty() || part == "..") return false;
    if (part == ".") *has_dot = true;
    start = end + 1;
  }
  return true;
}

}  // namespace

absl::Status NormalizePath(std::string_view op, std::string_view raw, bool allow_root,
                           std::string* storage, std::string_view* path) {
  *path = raw;
  bool has_dot = false;
  if (!QuickValid(raw, allow_root, &has_dot)) {
    RETURN_IF_ERROR(CheckDevicePath(raw, allow_root, op));
    // (Never reached: QuickValid is exact. Normalising a dotless path the
    // slow way would give it back unchanged.)
    has_dot = true;
  }
  // A valid path with no "." component is already normal (the common case).
  if (!has_dot) return absl::OkStatus();
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

// Device path checks and normalisation for the simulator (see sim_path.h).
#include "sim/sim_path.h"

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/io_error.h"

namespace kvlab::sim {

PathArg NormalizePath(std::string_view op, std::string_view raw, bool allow_root) {
  PathArg arg{CheckDevicePath(raw, allow_root, op), {}};
  // A valid path with no "." component is already normal (the common case).
  const bool has_dot = raw == "." || raw.substr(0, 2) == "./" ||
                       raw.find("/./") != std::string_view::npos ||
                       (raw.size() >= 2 && raw.substr(raw.size() - 2) == "/.");
  if (!arg.status.ok() || !has_dot) {
    arg.path.assign(raw.data(), raw.size());
    return arg;
  }
  std::string out;
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
    arg.status = absl::InvalidArgumentError(
        absl::StrCat(AV(op), " '", AV(raw), "': bad device path (names the root, not a file)"));
    arg.path.assign(raw.data(), raw.size());
    return arg;
  }
  arg.path = std::move(out);
  return arg;
}

std::string ParentDir(std::string_view path) { return std::string(ParentDirView(path)); }

std::string_view ParentDirView(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

}  // namespace kvlab::sim

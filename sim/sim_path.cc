// Device path checks and normalisation for the simulator (see sim_path.h).
#include "sim/sim_path.h"

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/io_error.h"

namespace kvlab::sim {

PathArg NormalizePath(std::string_view op, std::string_view raw, bool allow_root) {
  PathArg arg{CheckDevicePath(raw, allow_root, op), std::string(raw)};
  if (!arg.status.ok()) return arg;
  std::string out;
  size_t start = 0;
  while (start <= raw.size() && !raw.empty()) {
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
    return arg;
  }
  arg.path = std::move(out);
  return arg;
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace kvlab::sim

// Device paths inside the simulator: the same acceptance rules as the real
// devices (CheckDevicePath in engine/env/io_error.h), normalised so that one
// file has one name. Internal to sim/.
#ifndef KVLAB_SIM_SIM_PATH_H_
#define KVLAB_SIM_SIM_PATH_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kvlab::sim {

struct PathArg {
  absl::Status status;
  std::string path;  // Normalised when status is OK, else the raw path.
};

// Checks `raw` exactly as the real devices do (relative, no leading '/', no
// "..", no empty component, no NUL; "" is the root, only if `allow_root`),
// then drops "." components as the file system would resolve them.
// InvalidArgument naming `op` and the path otherwise.
PathArg NormalizePath(std::string_view op, std::string_view raw, bool allow_root);

// The directory holding `path` ("" for the root); the view points into `path`.
std::string ParentDir(std::string_view path);
std::string_view ParentDirView(std::string_view path);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_PATH_H_

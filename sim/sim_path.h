// Device paths inside the simulator: the same acceptance rules as the real
// devices (CheckDevicePath in engine/env/io_error.h), normalised so that one
// file has one name. Internal to sim/.
#ifndef KVLAB_SIM_SIM_PATH_H_
#define KVLAB_SIM_SIM_PATH_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kvlab::sim {

// Checks `raw` exactly as the real devices do (relative, no leading '/', no
// "..", no empty component, no NUL; "" is the root, only if `allow_root`),
// then drops "." components as the file system would resolve them.
// InvalidArgument naming `op` and the path otherwise.
// Sets *path to the normalised path when OK, else to `raw`. It views `raw`
// itself unless a "." component had to go (the common case costs no copy);
// then it views *storage, which must outlive it.
absl::Status NormalizePath(std::string_view op, std::string_view raw, bool allow_root,
                           std::string* storage, std::string_view* path);

// The directory holding `path` ("" for the root); the view points into `path`.
std::string ParentDir(std::string_view path);
std::string_view ParentDirView(std::string_view path);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_PATH_H_

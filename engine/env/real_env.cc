// MakeDevice (posix / uring by name, with optional fallback) and RealEnv.
#include "engine/env/real_env.h"

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/posix_device.h"
#include "engine/env/uring_device.h"

namespace kvlab {

absl::StatusOr<std::unique_ptr<Device>> MakeDevice(std::string_view kind, std::string root,
                                                   const DeviceOptions& options) {
  if (kind != "posix" && kind != "uring") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown device kind '", AV(kind), "'; valid kinds: posix, uring"));
  }
  std::error_code ec;
  if (options.create_root) {
    std::filesystem::create_directories(root, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("create device root ", root, ": ", ec.message()));
    }
  }
  if (!std::filesystem::is_directory(root, ec)) {
    return absl::NotFoundError(absl::StrCat("device root ", root, " is not a directory"));
  }
  if (kind == "posix") return std::unique_ptr<Device>(new PosixDevice(std::move(root)));
  absl::StatusOr<std::unique_ptr<UringDevice>> uring =
      UringDevice::Create(root, options.ring_entries);
  if (uring.ok()) return std::unique_ptr<Device>(std::move(*uring));
  if (!options.fallback_to_posix) return uring.status();
  std::fprintf(stderr, "kvlab: %s; falling back to posix as configured\n",
               std::string(uring.status().message()).c_str());
  return std::unique_ptr<Device>(new PosixDevice(std::move(root)));
}

RealEnv::RealEnv(std::unique_ptr<CountingDevice> device, const RealEnvOptions& options)
    : device_(std::move(device)),
      random_(options.seed),
      executor_(std::make_unique<ThreadPoolExecutor>(options.executor_threads)) {
  env_.device = device_.get();
  env_.clock = &clock_;
  env_.executor = executor_.get();
  env_.random = &random_;
}

absl::StatusOr<std::unique_ptr<RealEnv>> RealEnv::Open(std::string_view kind, std::string root,
                                                       const RealEnvOptions& options) {
  if (options.executor_threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "executor_threads must be at least 1, got ", options.executor_threads));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Device> device,
                   MakeDevice(kind, std::move(root), options.device));
  auto counting = std::make_unique<CountingDevice>(std::move(device));
  return std::unique_ptr<RealEnv>(new RealEnv(std::move(counting), options));
}

}  // namespace kvlab

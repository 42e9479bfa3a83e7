// Choosing a real device by name, and RealEnv: the Env of real runs, which
// bundles a device (posix or uring) behind a CountingDevice, a RealClock, a
// ThreadPoolExecutor and a seeded Random.
#ifndef KVLAB_ENGINE_ENV_REAL_ENV_H_
#define KVLAB_ENGINE_ENV_REAL_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/env/counting_device.h"
#include "engine/env/env.h"
#include "engine/env/real_clock.h"
#include "engine/env/thread_pool_executor.h"

namespace kvlab {

struct DeviceOptions {
  // When "uring" cannot be set up (see UringDevice::Create), use "posix"
  // instead of failing. Off by default: a run that asked for io_uring should
  // not silently measure something else.
  bool fallback_to_posix = false;
  // io_uring submission queue size: the largest queue depth of one batch.
  unsigned ring_entries = 64;
  // Create the root directory (and its parents) if it is missing.
  bool create_root = true;
};

// Makes the device named `kind` ("posix" or "uring") rooted at `root`.
// InvalidArgument for an unknown kind (listing the valid ones); NotFound if
// the root is missing and !create_root; the UringDevice::Create error (e.g.
// "io_uring unavailable: ...") when uring cannot start and no fallback was
// asked for.
absl::StatusOr<std::unique_ptr<Device>> MakeDevice(std::string_view kind, std::string root,
                                                   const DeviceOptions& options = {});

struct RealEnvOptions {
  DeviceOptions device;
  int executor_threads = 2;  // Workers of the ThreadPoolExecutor.
  uint64_t seed = 1;         // Seed of the Env's Random.
};

class RealEnv {
 public:
  static absl::StatusOr<std::unique_ptr<RealEnv>> Open(std::string_view kind, std::string root,
                                                       const RealEnvOptions& options = {});

  // Valid for the life of this RealEnv. Destroy every engine first.
  const Env& env() const { return env_; }
  CountingDevice& device() { return *device_; }
  ThreadPoolExecutor& executor() { return *executor_; }
  RealClock& clock() { return clock_; }

 private:
  RealEnv(std::unique_ptr<CountingDevice> device, const RealEnvOptions& options);

  std::unique_ptr<CountingDevice> device_;
  RealClock clock_;
  Random random_;
  // Last member: destroyed first, so draining tasks still see the device.
  std::unique_ptr<ThreadPoolExecutor> executor_;
  Env env_;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_REAL_ENV_H_

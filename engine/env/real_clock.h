// RealClock: the Clock on std::chrono::steady_clock (monotonic wall time).
#ifndef KVLAB_ENGINE_ENV_REAL_CLOCK_H_
#define KVLAB_ENGINE_ENV_REAL_CLOCK_H_

#include <cstdint>

#include "engine/env/env.h"

namespace kvlab {

class RealClock : public Clock {
 public:
  // Nanoseconds of steady_clock since its epoch (boot on Linux).
  int64_t NowNanos() const override;
  // Sleeps the calling thread; returns at once for nanos <= 0.
  void SleepNanos(int64_t nanos) override;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_REAL_CLOCK_H_

// RealClock on std::chrono::steady_clock.
#include "engine/env/real_clock.h"

#include <chrono>
#include <thread>

namespace kvlab {

int64_t RealClock::NowNanos() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RealClock::SleepNanos(int64_t nanos) {
  if (nanos <= 0) return;
  std::this_thread::sleep_for(std::chrono::nanoseconds(nanos));
}

}  // namespace kvlab

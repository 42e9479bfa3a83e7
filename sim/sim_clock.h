// SimClock: virtual time for the simulator. Time moves only when the
// simulation moves it: device latency, SleepNanos, and the executor jumping to
// its next delayed task.
#ifndef KVLAB_SIM_SIM_CLOCK_H_
#define KVLAB_SIM_SIM_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "engine/common/check.h"
#include "engine/env/env.h"

namespace kvlab::sim {

class SimClock final : public Clock {
 public:
  // Virtual time starts at `start_nanos` (an arbitrary epoch).
  explicit SimClock(int64_t start_nanos = 0) : now_(start_nanos) {}

  int64_t NowNanos() const override { return now_.load(std::memory_order_relaxed); }

  // Advances virtual time by `nanos` at once; never blocks. Negative: no-op.
  void SleepNanos(int64_t nanos) override { Advance(nanos); }

  // Moves time forward by `nanos` (>= 0 is required; negative is ignored).
  void Advance(int64_t nanos) {
    if (nanos > 0) now_.fetch_add(nanos, std::memory_order_relaxed);
  }
  // Moves time forward to `nanos` if that is later than now.
  void AdvanceTo(int64_t nanos) {
    int64_t now = NowNanos();
    if (nanos > now) now_.store(nanos, std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_CLOCK_H_

// DeviceMutex: the SimDevice's lock. An uncontended Lock or Unlock is one
// inline atomic instruction; absl::Mutex costs two calls into a shared
// library per critical section, and the device takes its lock for every op
// (a deterministic run drives it from one thread, so it never waits).
// A contended Lock sleeps in std::atomic::wait (a futex on Linux) until an
// Unlock wakes it: the three-state mutex of Drepper, "Futexes Are Tricky".
#ifndef KVLAB_SIM_DEVICE_MUTEX_H_
#define KVLAB_SIM_DEVICE_MUTEX_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"

namespace kvlab::sim {

class ABSL_LOCKABLE DeviceMutex {
 public:
  DeviceMutex() = default;
  DeviceMutex(const DeviceMutex&) = delete;
  DeviceMutex& operator=(const DeviceMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    uint32_t expected = kFree;
    if (!state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire)) LockSlow();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    if (state_.exchange(kFree, std::memory_order_release) == kWaited) state_.notify_one();
  }

 private:
  // kWaited: held, and someone may be waiting (the Unlock must wake one).
  enum : uint32_t { kFree = 0, kHeld = 1, kWaited = 2 };

  void LockSlow() {
    // Whoever gets the lock here cannot know it was the last waiter, so it
    // holds it as kWaited: at worst its Unlock wakes no one.
    while (state_.exchange(kWaited, std::memory_order_acquire) != kFree) {
      state_.wait(kWaited, std::memory_order_relaxed);
    }
  }

  std::atomic<uint32_t> state_{kFree};
};

// Holds a DeviceMutex for its scope (as absl::MutexLock does).
class ABSL_SCOPED_LOCKABLE DeviceMutexLock {
 public:
  explicit DeviceMutexLock(DeviceMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~DeviceMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  DeviceMutexLock(const DeviceMutexLock&) = delete;
  DeviceMutexLock& operator=(const DeviceMutexLock&) = delete;

 private:
  DeviceMutex* const mu_;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_DEVICE_MUTEX_H_

// SimEnv: the deterministic twin of the real Env, with faults.
//
// One seed drives everything: device latency, fault choices, task order. The
// same seed and the same calls give the same trace hash, bit for bit. All of
// it runs on the caller's one OS thread.
//
// Crash model (ARCHITECTURE.md "The simulator"): each file has a durable image
// and a list of unsynced writes; Sync makes them durable. Crash() keeps each
// unsynced write, drops it, or tears it at sector granularity, as the fault
// profile says; unsynced directory operations (create, remove, rename) may be
// lost. After Crash() every File handle opened before it is dead (each call
// returns FailedPrecondition) and every pending task is dropped, so the old
// engine object can be destroyed without touching the surviving state.
//
// A crash in the middle of an engine operation: ScheduleCrashAfterOps(n) (or the
// profile's crash probability) makes the n-th next device operation fail with
// Unavailable("simulated crash") and every later one too, until Crash() is
// called; `crash_pending()` tells the driver to call it.
#ifndef KVLAB_SIM_SIM_ENV_H_
#define KVLAB_SIM_SIM_ENV_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/env/env.h"
#include "sim/fault_profile.h"
#include "sim/trace_hash.h"

namespace kvlab::sim {

class SimDevice;
class SimClock;
class SimExecutor;

// How many faults of each kind were injected, and other run facts.
struct SimCounters {
  uint64_t device_ops = 0;
  uint64_t crashes = 0;
  uint64_t torn_writes = 0;        // Unsynced writes torn by a crash.
  uint64_t dropped_writes = 0;     // Unsynced writes dropped by a crash.
  uint64_t lost_dir_ops = 0;       // Unsynced directory operations lost by a crash.
  uint64_t misdirected_writes = 0;
  uint64_t read_errors = 0;
  uint64_t write_errors = 0;
  uint64_t sync_errors = 0;
  uint64_t bit_flips = 0;
  uint64_t disk_full_errors = 0;
  uint64_t latency_spikes = 0;
};

class SimEnv {
 public:
  SimEnv(uint64_t seed, const FaultProfile& profile);
  ~SimEnv();
  SimEnv(const SimEnv&) = delete;
  SimEnv& operator=(const SimEnv&) = delete;

  // The Env to hand to engines. Valid for the life of the SimEnv.
  const Env& env() const { return env_; }

  SimDevice& device();
  SimClock& clock();
  SimExecutor& executor();
  Random& random() { return random_; }

  // Applies the crash model (see above) and counts the crash.
  void Crash();
  // The device will fail its n-th next operation (n >= 1) as a crash point.
  void ScheduleCrashAfterOps(uint64_t n);
  // True once a scheduled or random crash point was hit and Crash() not yet called.
  bool crash_pending() const;

  // Switch fault injection off (e.g. while the oracle reads back state) and on.
  void set_faults_enabled(bool enabled);

  // A hash over every device operation, its arguments and its result, and
  // every task run, in order. Printed by every simulated run.
  uint64_t trace_hash() const;
  const SimCounters& counters() const;
  const FaultProfile& profile() const { return profile_; }
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  FaultProfile profile_;
  Random random_;
  TraceHash trace_;      // Shared by the device and the executor.
  SimCounters counters_;
  std::unique_ptr<SimClock> clock_;
  std::unique_ptr<SimExecutor> executor_;
  std::unique_ptr<SimDevice> device_;
  Env env_;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_ENV_H_

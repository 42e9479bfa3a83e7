// RunPhase: drives one load or run phase of a workload against an open store,
// with N clients, and measures it (RESULTS.md §5).
//
// Real devices: each client is an OS thread with its own OperationGenerator
// (all sharing one KeySpace); the calling thread collects finished intervals
// every 50 ms. Simulator: each client is a task on the Env's executor,
// rescheduled after every operation, so the seeded SimExecutor interleaves
// clients at operation boundaries and latencies are in virtual time; the same
// seed gives the same numbers bit for bit.
//
// Latency: without a target rate, from just before the call to its return
// (service time; with one clock read per operation where operations can be
// generated ahead, see RESULTS.md §5). With a target rate every operation of a client has an
// intended start t0 + i * clients / rate, and latency runs from it: a stalled
// operation makes every later one late (no coordinated omission).
#ifndef KVLAB_EXPERIMENTS_RUNNER_PHASE_RUNNER_H_
#define KVLAB_EXPERIMENTS_RUNNER_PHASE_RUNNER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/env/env.h"
#include "engine/kv_store.h"
#include "experiments/histogram/histogram.h"
#include "workloads/workload.h"

namespace kvlab::runner {

// Histogram slots: one per workloads::OpType, then every operation.
inline constexpr size_t kAllSlot = workloads::kOpTypeCount;
inline constexpr size_t kSlotCount = workloads::kOpTypeCount + 1;
using HistogramSet = std::array<std::unique_ptr<LatencyHistogram>, kSlotCount>;
// "read", "update", "insert", "scan", "rmw", "delete", "all".
std::string_view SlotName(size_t slot);

enum class Phase { kLoad, kRun };

// One finished interval of a phase, as the timeline shows it.
struct IntervalRecord {
  int64_t index = 0;
  int64_t t_start_ns = 0;  // since the phase start
  int64_t t_end_ns = 0;
  uint64_t ops = 0;
  uint64_t errors = 0;
  const HistogramSet* hist = nullptr;  // this interval only; null slots had no samples
  // Cumulative since the phase start:
  uint64_t user_bytes_written = 0;
  uint64_t user_bytes_read = 0;
  IoCounters::PerKind device;  // device counters delta (zero if the device keeps none)
  uint64_t space_bytes = 0;    // engine Stats now
  uint64_t live_bytes = 0;
};

struct PhaseResult {
  uint64_t ops = 0;
  uint64_t errors = 0;
  std::string first_error;  // the first failed operation, "" if none
  int64_t duration_ns = 0;  // first (intended) start to last completion
  bool complete = true;     // false when stopped early
  HistogramSet hist;        // cumulative, per slot
  uint64_t user_bytes_written = 0;
  uint64_t user_bytes_read = 0;
  IoCounters::PerKind device;
  Stats stats;  // engine Stats at the end
};

struct PhaseOptions {
  Phase phase = Phase::kRun;
  const workloads::WorkloadSpec* spec = nullptr;
  uint32_t clients = 1;
  double target_ops_per_sec = 0;  // total over all clients; 0 = unthrottled
  uint64_t seed = 1;
  int64_t interval_ns = 1'000'000'000;
  bool simulated = false;  // clients as executor tasks (the simulator)
  int64_t op_cost_ns = 0;  // simulated: virtual time charged per operation
  const std::atomic<bool>* stop = nullptr;  // set: finish the current operations and return
  std::function<void(const IntervalRecord&)> on_interval;
  std::function<void(uint64_t ops_done)> on_progress;  // total ops so far, now and then
};

// Runs the phase. An error status means the phase could not run at all (e.g.
// a simulated deadlock); failed operations are counted in `errors` instead.
absl::StatusOr<PhaseResult> RunPhase(KvStore& store, const Env& env,
                                     const PhaseOptions& options);

// The operations a phase will run (load: records to insert; run: run.ops), or
// 0 when only a duration bounds it. For progress estimates.
uint64_t PlannedOps(Phase phase, const workloads::WorkloadSpec& spec);

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_PHASE_RUNNER_H_

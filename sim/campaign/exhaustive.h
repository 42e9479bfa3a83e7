// Exhaustive crash points for short sequences (`kvlab sim --exhaustive`).
//
// For op sequences of length K (K <= 5) over an alphabet of 8 ops on two keys, all of them
// when there are at most `max_sequences`, else a seeded sample: the sequence
// is run once without a crash to count its device operations D; then, for
// every i in 1..D, it is run again with a crash at the i-th device operation
// (SimEnv::ScheduleCrashAfterOps), recovered and checked by the CrashOracle.
//
// Each crash point is resolved many ways. Its n unsynced operations (writes,
// truncates and directory operations, SimDevice::UnsyncedOpsForCrash) are
// decided through SimDevice::Crash(chooser):
//   - every subset kept, the rest dropped: all 2^n when n <= max_subset_bits,
//     else `sampled_subsets` seeded subsets (plus none and all);
//   - each one torn (at sector granularity), the rest kept: n more;
//   - `random_subsets` seeded mixes through the fault profile (kept / dropped /
//     torn writes, lost directory ops), as a cross-check of the plain model.
// The crash at the end of each run (every seed ends in one) is strict.
#ifndef KVLAB_SIM_CAMPAIGN_EXHAUSTIVE_H_
#define KVLAB_SIM_CAMPAIGN_EXHAUSTIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"

namespace kvlab::sim {

struct ExhaustiveOptions {
  EngineConfig engine;
  uint32_t ops = 3;               // K: sequence length, 1..5.
  uint64_t max_sequences = 2000;  // Enumerate all if there are at most this many.
  uint32_t random_subsets = 4;    // Seeded unsynced-write mixes per crash point.
  uint32_t max_subset_bits = 10;  // Enumerate every kept/dropped subset up to 2^this.
  uint64_t sampled_subsets = 1024;  // Subsets sampled beyond that.
  bool single_tears = true;       // Each unsynced write torn alone, the rest kept.
  uint64_t sample_seed = 1;       // For sampling sequences beyond max_sequences.
};

struct ExhaustiveResult {
  uint64_t alphabet = 0;         // Distinct ops a sequence position can hold.
  uint64_t sequences = 0;        // Sequences run.
  bool sampled = false;          // True if fewer than alphabet^K were run.
  uint64_t crash_points = 0;     // (sequence, device op index) pairs.
  uint64_t states_checked = 0;   // Recoveries checked by the oracle.
  uint64_t subset_states = 0;    // Of which: kept/dropped subsets of unsynced ops.
  uint64_t tear_states = 0;      // Of which: one unsynced op torn, the rest kept.
  uint64_t subsets_sampled_points = 0;  // Crash points with n > max_subset_bits (sampled).
  uint64_t max_unsynced_ops = 0;  // The largest n met at a crash point.
  uint64_t failing_states = 0;
  std::vector<std::string> failures;  // The first few, readably, with the schedule.
  double wall_seconds = 0;
  int64_t sim_nanos = 0;
};

ExhaustiveResult RunExhaustive(const ExhaustiveOptions& options);
std::string FormatExhaustive(const ExhaustiveOptions& options, const ExhaustiveResult& result);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_CAMPAIGN_EXHAUSTIVE_H_

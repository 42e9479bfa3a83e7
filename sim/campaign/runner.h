// RunSchedule: one campaign seed, played against one engine in a SimEnv.
//
// Every op of the Schedule is applied to the store and recorded with the
// CrashOracle; every Get is checked against the oracle's model, which (since
// the oracle adopts the recovered state after each crash check) is exactly
// what the store must serve. Any write, sync, maintenance or close that fails
// is recorded as uncertain and followed by a crash and a recovery (fail-stop:
// an engine is never asked to go on after an I/O error).
//
// After every crash: SimEnv::Crash(), the old store is destroyed, and the
// store is reopened and checked by CrashOracle::CheckRecovered WITH FAULTS
// DISABLED. The crash itself already applied every fault the profile allows
// to the surviving bytes (tears, drops, lost directory ops, bit flips that
// persist); disabling faults for recovery keeps the verdict about the crash
// state, not about a read error during the check. (Faults during recovery are
// covered by crashes in the middle of a `reopen` op, whose open runs with
// faults on.)
//
// Disk full (fault_profile.h): a write that fails with ResourceExhausted is
// uncertain and followed by a crash, like any failed write. The recovery
// after it runs ON THE FULL DISK (SimDevice::set_hold_full; every other fault
// off): the engine must recover, or refuse with ResourceExhausted and no
// damage. If it refuses, space is freed, the device crashes again (the failed
// attempt's unsynced work may be lost) and the store recovers as after any
// crash. Either way space is then freed (SimDevice::FreeSpace: a new seeded
// free space on top of what the store holds), so the seed goes on and can
// meet the full disk again.
#ifndef KVLAB_SIM_CAMPAIGN_RUNNER_H_
#define KVLAB_SIM_CAMPAIGN_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "sim/campaign/schedule.h"
#include "sim/fault_profile.h"
#include "sim/sim_device.h"
#include "sim/sim_env.h"

namespace kvlab::sim {

// What went wrong, from worst to least bad. Everything here fails a seed.
enum class FailureKind : uint8_t {
  kSyncedWriteLost,        // A recovery lost an op acknowledged before a sync point.
  kWrongValue,             // A value served that the model does not hold.
  kUndetectedCorruption,   // A wrong value served after damage was injected.
  kIllegalRecoveredState,  // Not any legal prefix (a hole, a half batch, ...).
  kSpuriousCorruption,     // Corruption reported where no fault could damage data.
  kOpenFailed,             // The store could not be (re)opened, faults off.
  kUnexpectedError,        // An op failed with no fault injected.
  kDeterminism,            // The two runs of the seed differ.
};
std::string_view FailureKindName(FailureKind kind);

struct Failure {
  FailureKind kind;
  size_t op_index;      // The op being applied (ops.size() for the final check).
  std::string message;  // What was expected and what was found.
};

struct RunConfig {
  EngineConfig engine;
  FaultProfile profile = FaultProfile::None();
  uint64_t min_crashes = 0;  // Crash at the end until this many happened.
  // Stop at the first failure (the shrinker's predicate needs no more).
  bool stop_at_first_failure = true;
  // If set, the first crash of the run decides every unsynced operation with
  // it (SimDevice::Crash(chooser)) instead of the fault profile; later crashes
  // follow the profile. For enumerating crash outcomes (exhaustive mode).
  SimDevice::CrashChooser first_crash_chooser;
  // False: replay only, for the second (determinism) run of a seed whose first
  // run passed. The engine gets exactly the same calls and a deterministic
  // run hashes the same, but no model follows the writes: reads are not
  // compared, recoveries are read back without the crash oracle's search, and
  // each verdict is the first run's (a pass). Failures that need no model
  // (an error no fault explains, Corruption with no damaging fault, a failed
  // open or read-back) are still reported, so SameFailures still compares.
  bool check = true;
};

struct RunResult {
  uint64_t trace_hash = 0;  // SimEnv's trace hash mixed with every op's outcome.
  uint64_t ops_applied = 0;
  uint64_t crashes = 0;
  uint64_t gets_checked = 0;
  uint64_t recoveries_checked = 0;
  uint64_t corruptions_detected = 0;  // Reported as Corruption, where damage was injected.
  uint64_t maintenance_runs = 0;      // Maintain() calls the engine implements.
  bool stopped_on_detected_corruption = false;  // Open said Corruption (legitimately).
  int64_t sim_nanos = 0;              // Virtual device time of the run.
  uint64_t device_ops_in_schedule = 0;  // Device ops from after the first open to the last op.
  // Unsynced operations the first crash decided (SimDevice::UnsyncedOpsForCrash).
  uint64_t first_crash_unsynced_ops = 0;
  // Recoveries that ran on a full disk, and those the engine refused with
  // ResourceExhausted (it then recovered after space was freed).
  uint64_t full_disk_recoveries = 0;
  uint64_t full_disk_recoveries_refused = 0;
  SimCounters counters;
  std::vector<Failure> failures;

  bool failed() const { return !failures.empty(); }
  uint64_t Count(FailureKind kind) const;
};

RunResult RunSchedule(const RunConfig& config, const Schedule& schedule);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_CAMPAIGN_RUNNER_H_

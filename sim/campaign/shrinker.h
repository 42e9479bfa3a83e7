// Shrink: reduce a failing seed's schedule to a minimal one that still fails.
//
// Delta debugging (Zeller's ddmin) over the op list, crash points included,
// then one-op-at-a-time removal, then simplifying what is left: crash points
// moved earlier, batch entries cut, values cut to one byte, sync flags off;
// last, each fault kind of the profile is switched off if the failure stays.
// Every candidate is re-run from scratch with the same SimEnv seed, so each
// verdict is deterministic; and each op keeps its id, which seeds the faults
// it meets (schedule.h), so cutting ops does not move the faults of the ops
// that stay: a failure that needs a fault shrinks as far as one that does not. A candidate "still fails" when its run reports a
// failure of the same kind as the original's first failure.
#ifndef KVLAB_SIM_CAMPAIGN_SHRINKER_H_
#define KVLAB_SIM_CAMPAIGN_SHRINKER_H_

#include <cstdint>
#include <vector>

#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"

namespace kvlab::sim {

struct ShrinkOptions {
  uint64_t max_runs = 4000;  // Bound on candidate runs.
  double max_seconds = 60;   // Bound on wall time.
};

struct ShrinkResult {
  Schedule schedule;      // The smallest failing schedule found.
  FaultProfile profile;   // The profile it fails with (fault kinds maybe switched off).
  RunResult run;          // Its run (failures[0] is the failure kept).
  uint64_t runs = 0;      // Candidates tried.
  std::vector<std::string> faults_switched_off;  // Profile keys zeroed while shrinking.
};

// REQUIRES: RunSchedule(config, schedule) fails.
ShrinkResult Shrink(const RunConfig& config, const Schedule& schedule,
                    const ShrinkOptions& options = ShrinkOptions());

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_CAMPAIGN_SHRINKER_H_

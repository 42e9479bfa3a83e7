// Campaign: many seeds, each run twice (determinism self-check), in parallel.
//
// Seed s: its schedule is GenerateSchedule(s, ...), its fault profile the
// base profile or, with swarm, base.Swarm(Random(s)) (each fault kind on or
// off by a coin flip drawn from the seed). Each seed is its own SimEnv on one
// thread, so `jobs` threads give the same per-seed results as one. A failing
// seed gets the exact replay command and a shrunk schedule.
#ifndef KVLAB_SIM_CAMPAIGN_CAMPAIGN_H_
#define KVLAB_SIM_CAMPAIGN_CAMPAIGN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "sim/campaign/shrinker.h"
#include "sim/fault_profile.h"

namespace kvlab::sim {

struct CampaignOptions {
  EngineConfig engine;
  FaultProfile profile = FaultProfile::None();
  std::string profile_path;  // For the replay command; "" = no --faults flag.
  bool swarm = false;
  // With swarm: engine options that each seed sets or leaves at their
  // default by a coin flip (its own stream from the seed, after the fault
  // kinds), e.g. max_file_size=16KiB, so that one campaign runs both
  // rare and frequent file roll-overs, merges and their directory operations.
  std::vector<std::pair<std::string, std::string>> swarm_engine_options;
  uint64_t seed_first = 1;
  uint64_t seed_last = 1;
  ScheduleOptions schedule;
  int jobs = 1;
  bool shrink = true;        // Shrink the first failing seed.
  ShrinkOptions shrink_options;
};

struct SeedReport {
  uint64_t seed = 0;
  RunResult run;               // The first run.
  uint64_t second_hash = 0;    // The second run's trace hash.
  bool determinism_ok = true;  // Same hash and same failures both times.
  bool failed() const { return run.failed() || !determinism_ok; }
};

struct CampaignSummary {
  uint64_t seeds = 0, failed_seeds = 0;
  uint64_t ops = 0, crashes = 0, gets_checked = 0, recoveries_checked = 0;
  uint64_t maintenance_runs = 0;
  SimCounters faults;  // Summed over seeds (first runs).
  // Per kind, the seeds whose first run had at least one (device_ops: seeds
  // with any injected fault, see FaultsInjected).
  SimCounters seeds_with;
  uint64_t full_disk_recoveries = 0, full_disk_recoveries_refused = 0;
  uint64_t synced_writes_lost = 0, wrong_values = 0, undetected_corruptions = 0;
  uint64_t corruptions_detected = 0, seeds_stopped_on_detected_corruption = 0;
  uint64_t illegal_states = 0, spurious_corruptions = 0, open_failures = 0;
  uint64_t unexpected_errors = 0, determinism_mismatches = 0;
  int64_t sim_nanos = 0;     // Virtual device time, both runs of every seed.
  double wall_seconds = 0;
  std::vector<uint64_t> failing_seeds;
  std::optional<SeedReport> first_failure;
  std::optional<ShrinkResult> shrunk;  // Of the first failing seed.

  bool ok() const { return failed_seeds == 0; }
};

// Injected faults of a run, all kinds: torn, misdirected, read / write / sync
// errors, bit flips, disk full, latency spikes (not the crash baseline:
// crashes, dropped unsynced writes, lost directory ops).
uint64_t FaultsInjected(const SimCounters& c);

// The fault profile seed `seed` runs with.
FaultProfile SeedProfile(const CampaignOptions& options, uint64_t seed);
// The RunConfig of seed `seed`.
RunConfig SeedConfig(const CampaignOptions& options, uint64_t seed);

// Runs one seed twice and compares: the second run replays the first without
// the model when the first passed (RunConfig::check), in full when it failed.
SeedReport RunSeed(const CampaignOptions& options, uint64_t seed);

// Runs every seed; `on_seed` (may be empty) is called in seed order, from the
// calling thread's lock, as results arrive.
CampaignSummary RunCampaign(const CampaignOptions& options,
                            const std::function<void(const SeedReport&)>& on_seed);

// "./kvlab sim --engine bitcask --seed 7 --ops 2000 --crashes 1 --faults p.yaml ..."
std::string ReplayCommand(const CampaignOptions& options, uint64_t seed);
// The line printed per seed.
std::string FormatSeedLine(const SeedReport& report);
// The multi-line summary (and the failure report with the shrunk schedule).
std::string FormatSummary(const CampaignOptions& options, const CampaignSummary& summary);

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_CAMPAIGN_CAMPAIGN_H_

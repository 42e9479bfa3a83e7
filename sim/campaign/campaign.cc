// Running a campaign of seeds and reporting it (see campaign.h).
#include "sim/campaign/campaign.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/status_macros.h"

namespace kvlab::sim {
uint64_t FaultsInjected(const SimCounters& c) {
  return c.torn_writes + c.misdirected_writes + c.read_errors + c.write_errors +
         c.sync_errors + c.bit_flips + c.disk_full_errors + c.latency_spikes;
}

namespace {

// Applies fold(to.x, c.x) to every counter x but device_ops: the crash and
// fault kinds. (device_ops means something else in each caller.)
template <typename Fold>
void FoldKinds(SimCounters& to, const SimCounters& c, Fold fold) {
  fold(to.crashes, c.crashes);
  fold(to.torn_writes, c.torn_writes);
  fold(to.dropped_writes, c.dropped_writes);
  fold(to.lost_dir_ops, c.lost_dir_ops);
  fold(to.misdirected_writes, c.misdirected_writes);
  fold(to.read_errors, c.read_errors);
  fold(to.write_errors, c.write_errors);
  fold(to.sync_errors, c.sync_errors);
  fold(to.bit_flips, c.bit_flips);
  fold(to.disk_full_errors, c.disk_full_errors);
  fold(to.latency_spikes, c.latency_spikes);
}

void Add(SimCounters& to, const SimCounters& c) {
  to.device_ops += c.device_ops;
  FoldKinds(to, c, [](uint64_t& sum, uint64_t n) { sum += n; });
}

// Each counter of `c` that is non-zero adds 1 to `to` (device_ops: any fault).
void AddSeen(SimCounters& to, const SimCounters& c) {
  to.device_ops += FaultsInjected(c) > 0;
  FoldKinds(to, c, [](uint64_t& seeds, uint64_t n) { seeds += n > 0; });
}

// "torn 2, full 5": the non-zero kinds of one seed, short names.
std::string FaultBreakdown(const SimCounters& c) {
  std::string out;
  auto add = [&out](const char* name, uint64_t n) {
    if (n > 0) absl::StrAppend(&out, out.empty() ? "" : " ", name, " ", n);
  };
  add("torn", c.torn_writes);
  add("lostdir", c.lost_dir_ops);
  add("misdir", c.misdirected_writes);
  add("rerr", c.read_errors);
  add("werr", c.write_errors);
  add("serr", c.sync_errors);
  add("flip", c.bit_flips);
  add("full", c.disk_full_errors);
  add("spike", c.latency_spikes);
  return out;
}

// "torn 1, dropped unsynced 2, ..., latency spikes 0": every kind but
// crashes, for the summary's faults-injected and seeds-with lines.
std::string FaultKinds(const SimCounters& c) {
  return absl::StrFormat(
      "torn %d, dropped unsynced %d, lost dir ops %d, misdirected %d, read errors %d, "
      "write errors %d, sync errors %d, bit flips %d, disk full %d, latency spikes %d",
      c.torn_writes, c.dropped_writes, c.lost_dir_ops, c.misdirected_writes, c.read_errors,
      c.write_errors, c.sync_errors, c.bit_flips, c.disk_full_errors, c.latency_spikes);
}

void Tally(CampaignSummary& s, const SeedReport& r) {
  const RunResult& run = r.run;
  ++s.seeds;
  s.ops += run.ops_applied;
  s.crashes += run.crashes;
  s.gets_checked += run.gets_checked;
  s.recoveries_checked += run.recoveries_checked;
  s.maintenance_runs += run.maintenance_runs;
  Add(s.faults, run.counters);
  AddSeen(s.seeds_with, run.counters);
  s.full_disk_recoveries += run.full_disk_recoveries;
  s.full_disk_recoveries_refused += run.full_disk_recoveries_refused;
  s.synced_writes_lost += run.Count(FailureKind::kSyncedWriteLost);
  s.wrong_values += run.Count(FailureKind::kWrongValue);
  s.undetected_corruptions += run.Count(FailureKind::kUndetectedCorruption);
  s.illegal_states += run.Count(FailureKind::kIllegalRecoveredState);
  s.spurious_corruptions += run.Count(FailureKind::kSpuriousCorruption);
  s.open_failures += run.Count(FailureKind::kOpenFailed);
  s.unexpected_errors += run.Count(FailureKind::kUnexpectedError);
  s.corruptions_detected += run.corruptions_detected;
  s.seeds_stopped_on_detected_corruption += run.stopped_on_detected_corruption;
  s.determinism_mismatches += !r.determinism_ok;
  s.sim_nanos += 2 * run.sim_nanos;
  if (r.failed()) {
    ++s.failed_seeds;
    s.failing_seeds.push_back(r.seed);
    if (!s.first_failure || r.seed < s.first_failure->seed) s.first_failure = r;
  }
}

bool SameFailures(const RunResult& a, const RunResult& b) {
  if (a.failures.size() != b.failures.size()) return false;
  for (size_t i = 0; i < a.failures.size(); ++i) {
    if (a.failures[i].kind != b.failures[i].kind ||
        a.failures[i].op_index != b.failures[i].op_index) {
      return false;
    }
  }
  return true;
}

}  // namespace

FaultProfile SeedProfile(const CampaignOptions& options, uint64_t seed) {
  if (!options.swarm) return options.profile;
  Random random(seed ^ 0x5A4A4Dull);
  return options.profile.Swarm(random);
}

RunConfig SeedConfig(const CampaignOptions& options, uint64_t seed) {
  RunConfig config;
  config.engine = options.engine;
  if (options.swarm && !options.swarm_engine_options.empty()) {
    Random random(seed ^ 0x535753455453ull);  // "SWSETS": apart from the fault kinds' draws.
    for (const auto& [name, value] : options.swarm_engine_options) {
      if (random.OneIn(2)) config.engine.options[name] = value;
    }
  }
  config.profile = SeedProfile(options, seed);
  config.min_crashes = options.schedule.crashes;
  return config;
}

SeedReport RunSeed(const CampaignOptions& options, uint64_t seed) {
  RunConfig config = SeedConfig(options, seed);
  Schedule schedule = GenerateSchedule(seed, options.schedule);
  SeedReport report;
  report.seed = seed;
  report.run = RunSchedule(config, schedule);
  // A run that passed is replayed without the model (RunConfig::check): the
  // trace hash covers the engine's calls and answers, the verdicts were
  // checked once. A failing run is replayed in full, to compare failures.
  config.check = report.run.failed();
  RunResult second = RunSchedule(config, schedule);
  report.second_hash = second.trace_hash;
  report.determinism_ok =
      second.trace_hash == report.run.trace_hash && SameFailures(report.run, second);
  return report;
}

CampaignSummary RunCampaign(const CampaignOptions& options,
                            const std::function<void(const SeedReport&)>& on_seed) {
  auto start = std::chrono::steady_clock::now();
  CampaignSummary summary;
  std::mutex mu;
  std::map<uint64_t, SeedReport> ready;  // Finished, waiting for earlier seeds.
  uint64_t next_to_print = options.seed_first;
  std::atomic<uint64_t> next_seed{options.seed_first};
  auto worker = [&] {
    for (;;) {
      uint64_t seed = next_seed.fetch_add(1);
      if (seed > options.seed_last || seed < options.seed_first) return;
      SeedReport report = RunSeed(options, seed);
      std::lock_guard<std::mutex> lock(mu);
      Tally(summary, report);
      ready.emplace(seed, std::move(report));
      while (!ready.empty() && ready.begin()->first == next_to_print) {
        if (on_seed) on_seed(ready.begin()->second);
        ready.erase(ready.begin());
        ++next_to_print;
      }
    }
  };
  int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  // Wall time of the seeds only (time compression), not of the shrink below.
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.shrink && summary.first_failure && summary.first_failure->run.failed()) {
    uint64_t seed = summary.first_failure->seed;
    summary.shrunk = Shrink(SeedConfig(options, seed), GenerateSchedule(seed, options.schedule),
                            options.shrink_options);
  }
  return summary;
}

std::string ReplayCommand(const CampaignOptions& options, uint64_t seed) {
  std::string cmd = absl::StrCat("./kvlab sim --engine ", options.engine.name, " --seed ", seed,
                                 " --ops ", options.schedule.ops);
  if (options.schedule.crashes > 0) absl::StrAppend(&cmd, " --crashes ", options.schedule.crashes);
  if (!options.profile_path.empty()) absl::StrAppend(&cmd, " --faults ", options.profile_path);
  if (options.swarm) absl::StrAppend(&cmd, " --swarm");
  for (const auto& [name, value] : options.swarm_engine_options) {
    absl::StrAppend(&cmd, " --swarm-set ", name, "=", value);
  }
  for (const auto& [name, value] : options.engine.options) {
    absl::StrAppend(&cmd, " --set ", name, "=", value);
  }
  return cmd;
}

std::string FormatSeedLine(const SeedReport& r) {
  const std::string breakdown = FaultBreakdown(r.run.counters);
  std::string line = absl::StrFormat(
      "seed %d: ops %d crashes %d faults %d%s hash %016x", r.seed, r.run.ops_applied,
      r.run.crashes, FaultsInjected(r.run.counters),
      breakdown.empty() ? "" : absl::StrCat(" (", breakdown, ")"), r.run.trace_hash);
  if (!r.determinism_ok) {
    absl::StrAppendFormat(&line, " DETERMINISM MISMATCH (second run %016x)", r.second_hash);
  }
  if (r.run.failed()) {
    const Failure& f = r.run.failures[0];
    absl::StrAppend(&line, " FAIL at op ", f.op_index, ": ", AV(FailureKindName(f.kind)), ": ",
                    f.message);
  } else if (r.determinism_ok) {
    line += r.run.stopped_on_detected_corruption ? " ok (stopped: corruption detected on open)"
                                                 : " ok";
  }
  return line;
}

std::string FormatSummary(const CampaignOptions& options, const CampaignSummary& s) {
  const SimCounters& f = s.faults;
  const SimCounters& w = s.seeds_with;
  double sim_seconds = static_cast<double>(s.sim_nanos) * 1e-9;
  // Seeds run on `jobs` threads, so the figure is the whole machine's; per
  // job is what to compare across machines with other core counts.
  const int jobs = std::max(1, options.jobs);
  const double compression = s.wall_seconds > 0 ? sim_seconds / s.wall_seconds : 0.0;
  const std::string per_job =
      jobs > 1 ? absl::StrFormat(" (%d jobs, %.0fx per job)", jobs, compression / jobs) : "";
  std::string out = absl::StrFormat(
      "summary: engine %s, %d seeds (%d failed), %d ops, %d crashes, %d gets checked, "
      "%d recoveries checked, %d maintenance runs\n"
      "  faults injected: %s (device ops %d)\n"
      "  seeds with: %s, any injected fault %d\n"
      "  disk full: %d recoveries on a full disk, %d refused with ResourceExhausted (then "
      "recovered after space was freed)\n"
      "  synced writes lost %d, wrong values served %d, corruptions undetected %d "
      "(detected %d; seeds stopped on a detected corruption %d)\n"
      "  illegal recovered states %d, spurious corruptions %d, open failures %d, "
      "unexplained errors %d, determinism mismatches %d\n"
      "  time: %.2f s wall, %.2f s simulated device time (both runs), "
      "%.0fx time compression%s, %.0f ops/s\n",
      options.engine.name, s.seeds, s.failed_seeds, s.ops, s.crashes, s.gets_checked,
      s.recoveries_checked, s.maintenance_runs, FaultKinds(f), f.device_ops, FaultKinds(w),
      w.device_ops, s.full_disk_recoveries,
      s.full_disk_recoveries_refused, s.synced_writes_lost, s.wrong_values,
      s.undetected_corruptions, s.corruptions_detected, s.seeds_stopped_on_detected_corruption,
      s.illegal_states, s.spurious_corruptions, s.open_failures, s.unexpected_errors,
      s.determinism_mismatches, s.wall_seconds, sim_seconds,
      compression, per_job,
      s.wall_seconds > 0 ? 2.0 * static_cast<double>(s.ops) / s.wall_seconds : 0.0);
  if (s.first_failure) {
    const SeedReport& r = *s.first_failure;
    absl::StrAppend(&out, "FAILED seeds:");
    for (size_t i = 0; i < s.failing_seeds.size() && i < 20; ++i) {
      absl::StrAppend(&out, " ", s.failing_seeds[i]);
    }
    absl::StrAppend(&out, s.failing_seeds.size() > 20 ? " ...\n" : "\n");
    absl::StrAppend(&out, "first failing seed: ", FormatSeedLine(r), "\n  replay: ",
                    ReplayCommand(options, r.seed), "\n");
  }
  if (s.shrunk) {
    const ShrinkResult& k = *s.shrunk;
    absl::StrAppend(&out, "shrunk (", k.runs, " runs) from ",
                    FormatShape(Shape(GenerateSchedule(k.schedule.seed, options.schedule))),
                    " to ", FormatShape(Shape(k.schedule)), "; still fails: ",
                    AV(FailureKindName(k.run.failures[0].kind)), ": ",
                    k.run.failures[0].message, "\n");
    if (!k.faults_switched_off.empty()) {
      absl::StrAppend(&out, "  fault kinds not needed (switched off): ");
      for (const std::string& name : k.faults_switched_off) absl::StrAppend(&out, name, " ");
      out += "\n";
    }
    absl::StrAppend(&out, FormatSchedule(k.schedule));
  }
  return out;
}

}  // namespace kvlab::sim

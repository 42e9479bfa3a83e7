// `kvlab sim`: simulation campaigns with faults and crashes, for any engine.
//
// Parses the flags, runs the seeds (or one replayed schedule, or the
// exhaustive crash-point mode) and prints one line per seed and a summary.
// Exit status: 0 all seeds passed, 1 a check failed, 2 bad usage or input.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "experiments/cli/commands.h"
#include "sim/campaign/campaign.h"
#include "sim/campaign/exhaustive.h"
#include "sim/campaign/schedule.h"
#include "sim/fault_profile.h"

namespace kvlab {
namespace {

constexpr char kUsage[] = R"(usage: kvlab sim [options]

Runs seeded simulation campaigns: each seed is a random sequence of put / get /
delete / batch / sync / maintenance (merge, ...) / reopen / crash ops against an
engine on the simulated device, with the faults of a profile. Every read is
checked against a model, every recovery by the crash oracle; each seed runs
twice and the two trace hashes must match. A failing seed prints the command
that replays it and a shrunk schedule that still fails.

options:
  --engine NAME      engine to test (default bitcask; see `kvlab engines`)
  --seed N           run one seed
  --seeds A..B       run seeds A to B inclusive (default 1..10)
  --ops N            ops per seed (default 2000)
  --crashes K        at least K crashes per seed (default 1), some mid-operation
  --faults FILE      fault profile YAML (default: no injected faults; the strict
                     crash still drops unsynced writes), e.g. sim/profiles/all.yaml
  --swarm            per seed, switch each fault kind of the profile on or off
  --set KEY=VALUE    engine option (repeatable), e.g. --set max_file_size=64KiB
  --swarm-set KEY=VALUE
                     with --swarm, each seed sets this engine option or leaves
                     it as it is, by a coin flip (repeatable), e.g.
                     --swarm-set max_file_size=16KiB: small files roll over
                     and merge often, so crashes meet unsynced directory ops
  --keys N           key universe size (default 16)
  --jobs J           seeds in parallel on J threads (default 1; deterministic)
  --quiet            print only failing seeds and the summary
  --no-shrink        do not shrink a failing seed
  --replay FILE      run the schedule in FILE (as written by a shrink) once
  --exhaustive       crash at every device op of every sequence of --ops K ops
                     (K <= 5; --sequences N bounds how many, sampled beyond);
                     each crash point: every kept/dropped subset of its unsynced
                     ops up to 2^B (--subset-bits B, default 10; 1024 sampled
                     beyond), each op torn alone, 4 seeded mixes
  --help             this text
)";

struct Flags {
  sim::CampaignOptions campaign;
  bool quiet = false;
  bool exhaustive = false;
  uint64_t sequences = 2000;
  uint64_t subset_bits = 10;
  std::string replay_path;
  bool ops_given = false;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "kvlab sim: %s\n(see `kvlab sim --help`)\n", message.c_str());
  return 2;
}

bool ParseU64(const char* text, uint64_t* out) {
  return absl::SimpleAtoi(absl::string_view(text), out);
}

// Returns 0 on success, else the exit status (after printing the error).
int ParseFlags(int argc, char** argv, Flags& flags) {
  sim::CampaignOptions& c = flags.campaign;
  c.engine.name = "bitcask";
  c.seed_first = 1;
  c.seed_last = 10;
  c.schedule.crashes = 1;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&](const char** out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    const char* v = nullptr;
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      return -1;
    } else if (flag == "--swarm") {
      c.swarm = true;
    } else if (flag == "--quiet") {
      flags.quiet = true;
    } else if (flag == "--no-shrink") {
      c.shrink = false;
    } else if (flag == "--exhaustive") {
      flags.exhaustive = true;
    } else if (!value(&v)) {
      return UsageError(flag.rfind("--", 0) == 0 ? absl::StrCat(flag, " needs a value")
                                                 : absl::StrCat("unexpected argument '", flag,
                                                                "'"));
    } else if (flag == "--engine") {
      c.engine.name = v;
    } else if (flag == "--seed") {
      if (!ParseU64(v, &c.seed_first)) return UsageError(absl::StrCat("--seed: bad number '", v, "'"));
      c.seed_last = c.seed_first;
    } else if (flag == "--seeds") {
      std::vector<std::string> parts = absl::StrSplit(v, "..");
      if (parts.size() != 2 || !ParseU64(parts[0].c_str(), &c.seed_first) ||
          !ParseU64(parts[1].c_str(), &c.seed_last) || c.seed_first > c.seed_last) {
        return UsageError(absl::StrCat("--seeds: expected A..B with A <= B, got '", v, "'"));
      }
    } else if (flag == "--ops") {
      if (!ParseU64(v, &c.schedule.ops)) return UsageError(absl::StrCat("--ops: bad number '", v, "'"));
      flags.ops_given = true;
    } else if (flag == "--crashes") {
      if (!ParseU64(v, &c.schedule.crashes)) {
        return UsageError(absl::StrCat("--crashes: bad number '", v, "'"));
      }
    } else if (flag == "--keys") {
      uint64_t keys = 0;
      if (!ParseU64(v, &keys) || keys == 0 || keys > 100) {
        return UsageError(absl::StrCat("--keys: expected 1..100, got '", v, "'"));
      }
      c.schedule.keys = static_cast<uint32_t>(keys);
    } else if (flag == "--jobs") {
      uint64_t jobs = 0;
      if (!ParseU64(v, &jobs) || jobs == 0 || jobs > 256) {
        return UsageError(absl::StrCat("--jobs: expected 1..256, got '", v, "'"));
      }
      c.jobs = static_cast<int>(jobs);
    } else if (flag == "--subset-bits") {
      if (!ParseU64(v, &flags.subset_bits) || flags.subset_bits > 20) {
        return UsageError(absl::StrCat("--subset-bits: expected 0..20, got '", v, "'"));
      }
    } else if (flag == "--sequences") {
      if (!ParseU64(v, &flags.sequences) || flags.sequences == 0) {
        return UsageError(absl::StrCat("--sequences: bad number '", v, "'"));
      }
    } else if (flag == "--faults") {
      absl::StatusOr<sim::FaultProfile> profile = sim::FaultProfile::Load(v);
      if (!profile.ok()) {
        return UsageError(absl::StrCat("--faults ", v, ": ", profile.status().message()));
      }
      c.profile = *profile;
      c.profile_path = v;
    } else if (flag == "--set") {
      std::string kv = v;
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return UsageError(absl::StrCat("--set: expected KEY=VALUE, got '", kv, "'"));
      }
      c.engine.options[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else if (flag == "--swarm-set") {
      std::string kv = v;
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return UsageError(absl::StrCat("--swarm-set: expected KEY=VALUE, got '", kv, "'"));
      }
      c.swarm_engine_options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (flag == "--replay") {
      flags.replay_path = v;
    } else {
      return UsageError(absl::StrCat("unknown flag '", flag, "'"));
    }
  }
  const EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find(c.engine.name) == nullptr) {
    return UsageError(absl::StrCat("unknown engine '", c.engine.name, "'; registered: ",
                                   absl::StrJoin(registry.Names(), ", ")));
  }
  absl::StatusOr<EngineOptions> valid = registry.Validate(c.engine);
  if (!valid.ok()) return UsageError(std::string(valid.status().message()));
  if (!c.swarm_engine_options.empty()) {
    if (!c.swarm) return UsageError("--swarm-set needs --swarm");
    EngineConfig all = c.engine;  // Every swarm option set at once must be valid too.
    for (const auto& [name, value] : c.swarm_engine_options) all.options[name] = value;
    absl::StatusOr<EngineOptions> swarm_valid = registry.Validate(all);
    if (!swarm_valid.ok()) {
      return UsageError(absl::StrCat("--swarm-set: ", swarm_valid.status().message()));
    }
  }
  if (flags.exhaustive && (!flags.ops_given || c.schedule.ops < 1 || c.schedule.ops > 5)) {
    return UsageError("--exhaustive needs --ops K with 1 <= K <= 5");
  }
  return 0;
}

int RunReplay(const Flags& flags) {
  std::ifstream in(flags.replay_path);
  if (!in) return UsageError(absl::StrCat("--replay: cannot read '", flags.replay_path, "'"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<sim::Schedule> schedule = sim::ParseSchedule(text.str());
  if (!schedule.ok()) {
    return UsageError(absl::StrCat(flags.replay_path, ": ", schedule.status().message()));
  }
  sim::RunConfig config;
  config.engine = flags.campaign.engine;
  config.profile = flags.campaign.profile;
  sim::RunResult a = sim::RunSchedule(config, *schedule);
  sim::RunResult b = sim::RunSchedule(config, *schedule);
  std::printf("replay %s: %s\n", flags.replay_path.c_str(),
              sim::FormatShape(sim::Shape(*schedule)).c_str());
  std::printf("%s", sim::FormatSchedule(*schedule).c_str());
  std::printf("trace hash %016llx, second run %016llx%s\n",
              static_cast<unsigned long long>(a.trace_hash),
              static_cast<unsigned long long>(b.trace_hash),
              a.trace_hash == b.trace_hash ? "" : " DETERMINISM MISMATCH");
  for (const sim::Failure& f : a.failures) {
    std::printf("FAIL at op %zu: %s: %s\n", f.op_index,
                std::string(sim::FailureKindName(f.kind)).c_str(), f.message.c_str());
  }
  if (!a.failed()) std::printf("passed\n");
  return a.failed() || a.trace_hash != b.trace_hash ? 1 : 0;
}

// Writes the shrunk schedule and its profile next to each other, so that
// `--replay` runs exactly the failing case.
void SaveShrunk(const Flags& flags, const sim::CampaignSummary& s) {
  if (!s.shrunk) return;
  std::string base = absl::StrCat("kvlab-sim-", flags.campaign.engine.name, "-seed-",
                                  s.shrunk->schedule.seed, "-shrunk");
  std::ofstream(base + ".schedule") << sim::SerializeSchedule(s.shrunk->schedule);
  std::ofstream(base + ".faults.yaml") << s.shrunk->profile.ToYaml();
  std::string cmd = absl::StrCat("./kvlab sim --engine ", flags.campaign.engine.name,
                                 " --replay ", base, ".schedule --faults ", base,
                                 ".faults.yaml");
  // The seed's own options (with --swarm-set, the ones its coin flips chose).
  const sim::RunConfig config = sim::SeedConfig(flags.campaign, s.shrunk->schedule.seed);
  for (const auto& [name, value] : config.engine.options) {
    absl::StrAppend(&cmd, " --set ", name, "=", value);
  }
  std::printf("  shrunk case saved; replay it with:\n  %s\n", cmd.c_str());
}

}  // namespace

int SimMain(int argc, char** argv) {
  // Debian's libabsl is built without NDEBUG, so every absl::Mutex Lock/Unlock
  // (SimDevice takes one per device op, engines their own) runs the lock-order
  // deadlock detector, a debug aid. Campaigns are single-threaded per seed;
  // the tests keep the detector on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Flags flags;
  int status = ParseFlags(argc, argv, flags);
  if (status != 0) return status < 0 ? 0 : status;
  if (!flags.replay_path.empty()) return RunReplay(flags);
  if (flags.exhaustive) {
    sim::ExhaustiveOptions options;
    options.engine = flags.campaign.engine;
    options.ops = static_cast<uint32_t>(flags.campaign.schedule.ops);
    options.max_sequences = flags.sequences;
    options.max_subset_bits = static_cast<uint32_t>(flags.subset_bits);
    sim::ExhaustiveResult result = sim::RunExhaustive(options);
    std::printf("%s", sim::FormatExhaustive(options, result).c_str());
    return result.failing_states == 0 ? 0 : 1;
  }
  const bool quiet = flags.quiet;
  sim::CampaignSummary summary =
      sim::RunCampaign(flags.campaign, [quiet](const sim::SeedReport& report) {
        if (quiet && !report.failed()) return;
        std::printf("%s\n", sim::FormatSeedLine(report).c_str());
        std::fflush(stdout);
      });
  std::printf("%s", sim::FormatSummary(flags.campaign, summary).c_str());
  SaveShrunk(flags, summary);
  return summary.ok() ? 0 : 1;
}

}  // namespace kvlab

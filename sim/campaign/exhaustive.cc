// Every crash point of short sequences (see exhaustive.h).
#include "sim/campaign/exhaustive.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::sim {
namespace {

Op MakePut(const std::string& key, const std::string& value, bool sync) {
  Op op;
  op.kind = OpKind::kPut;
  op.key = key;
  op.value = value;
  op.sync = sync;
  return op;
}

// The alphabet: writes to two keys, with and without sync, a batch, a
// delete, an explicit sync, a merge and a reopen. Values are made unique per position
// when the sequence is built, so the oracle can tell every write apart.
std::vector<Op> Alphabet() {
  std::vector<Op> ops;
  ops.push_back(MakePut("a", "", false));
  ops.push_back(MakePut("b", "", false));
  ops.push_back(MakePut("a", "", true));
  Op del;
  del.kind = OpKind::kDelete;
  del.key = "a";
  ops.push_back(del);
  Op batch;
  batch.kind = OpKind::kBatch;
  batch.batch.Put("a", "");
  batch.batch.Put("b", "");
  ops.push_back(batch);
  Op sync;
  sync.kind = OpKind::kSync;
  ops.push_back(sync);
  Op merge;
  merge.kind = OpKind::kMaintain;
  merge.maintenance = MaintenanceKind::kMerge;
  ops.push_back(merge);
  Op reopen;
  reopen.kind = OpKind::kReopen;
  ops.push_back(reopen);
  return ops;
}

Schedule BuildSequence(const std::vector<Op>& alphabet, const std::vector<size_t>& picks) {
  Schedule s;
  s.seed = 1;
  for (size_t i = 0; i < picks.size(); ++i) {
    Op op = alphabet[picks[i]];
    std::string value = absl::StrCat("v", i, "-", std::string(100 + 37 * i, 'x'));
    if (op.kind == OpKind::kPut) op.value = value;
    for (size_t j = 0; j < op.batch.size(); ++j) {
      op.batch.mutable_ops()[j].value = absl::StrCat(value, j);
    }
    op.id = i;
    s.ops.push_back(op);
  }
  return s;
}

// The seeded profile mixes of a crash point (see exhaustive.h).
std::vector<std::pair<uint64_t, FaultProfile>> Mixes(uint32_t random_subsets) {
  std::vector<std::pair<uint64_t, FaultProfile>> out;
  for (uint32_t r = 0; r < random_subsets; ++r) {
    FaultProfile mix = FaultProfile::None();
    mix.unsynced_keep = 0.5;
    mix.torn_write = 0.25;
    mix.lose_unsynced_dir_ops = 0.5;
    out.push_back({100 + r, mix});
  }
  return out;
}

// Keeps the unsynced ops whose bit is set in `mask`, drops the others.
SimDevice::CrashChooser Subset(uint64_t mask) {
  return [mask](size_t i) {
    return i < 64 && (mask >> i) & 1 ? SimDevice::CrashFate::kKeep : SimDevice::CrashFate::kDrop;
  };
}

// Tears unsynced op `torn`, keeps the others.
SimDevice::CrashChooser TearOne(size_t torn) {
  return [torn](size_t i) {
    return i == torn ? SimDevice::CrashFate::kTear : SimDevice::CrashFate::kKeep;
  };
}

}  // namespace

ExhaustiveResult RunExhaustive(const ExhaustiveOptions& options) {
  KVLAB_CHECK(options.ops >= 1 && options.ops <= 5);
  auto start = std::chrono::steady_clock::now();
  ExhaustiveResult result;
  std::vector<Op> alphabet = Alphabet();
  result.alphabet = alphabet.size();
  uint64_t total = 1;
  for (uint32_t i = 0; i < options.ops; ++i) total *= alphabet.size();
  result.sampled = total > options.max_sequences;
  uint64_t count = result.sampled ? options.max_sequences : total;
  Random sampler(options.sample_seed);
  const auto mixes = Mixes(options.random_subsets);
  for (uint64_t n = 0; n < count; ++n) {
    uint64_t index = result.sampled ? sampler.Uniform(total) : n;
    std::vector<size_t> picks;
    for (uint32_t i = 0; i < options.ops; ++i) {
      picks.push_back(index % alphabet.size());
      index /= alphabet.size();
    }
    Schedule sequence = BuildSequence(alphabet, picks);
    RunConfig config;
    config.engine = options.engine;
    RunResult reference = RunSchedule(config, sequence);
    ++result.sequences;
    ++result.states_checked;  // Its final crash.
    result.sim_nanos += reference.sim_nanos;
    uint64_t device_ops = reference.device_ops_in_schedule;
    for (uint64_t i = 1; i <= device_ops; ++i) {
      ++result.crash_points;
      Schedule crashing = sequence;
      Op crash;
      crash.kind = OpKind::kCrash;
      crash.crash_after_ops = i;
      crashing.ops.insert(crashing.ops.begin(), crash);
      crashing.seed = 1;
      auto check = [&](const RunConfig& c, std::string_view resolution) {
        RunResult run = RunSchedule(c, crashing);
        ++result.states_checked;
        result.sim_nanos += run.sim_nanos;
        if (run.failed()) {
          ++result.failing_states;
          if (result.failures.size() < 3) {
            result.failures.push_back(absl::StrCat(
                AV(FailureKindName(run.failures[0].kind)), ": ", run.failures[0].message,
                "\n  crash resolution: ", AV(resolution), ", sim seed ", crashing.seed, "\n",
                FormatSchedule(crashing)));
          }
        }
        return run;
      };
      // Every unsynced op dropped (the strict crash); tells n.
      RunConfig chosen = config;
      chosen.first_crash_chooser = Subset(0);
      const uint64_t unsynced = check(chosen, "every unsynced op dropped").first_crash_unsynced_ops;
      ++result.subset_states;
      result.max_unsynced_ops = std::max(result.max_unsynced_ops, unsynced);
      // Every other kept/dropped subset, or a seeded sample of them.
      const bool all = unsynced <= options.max_subset_bits;
      result.subsets_sampled_points += !all;
      const uint64_t full = unsynced >= 64 ? ~0ull : (1ull << unsynced) - 1;
      const uint64_t masks = all ? full : options.sampled_subsets + 1;
      Random subset_random(crashing.ops.size() * 1000003 + i);
      for (uint64_t m = 1; m <= masks; ++m) {
        const uint64_t mask = all ? m : m == masks ? full : subset_random.Next() & full;
        chosen.first_crash_chooser = Subset(mask);
        check(chosen, absl::StrCat("unsynced ops kept by mask 0x", absl::Hex(mask)));
        ++result.subset_states;
      }
      for (uint64_t t = 0; options.single_tears && t < unsynced; ++t) {
        chosen.first_crash_chooser = TearOne(t);
        check(chosen, absl::StrCat("unsynced op ", t, " torn, the rest kept"));
        ++result.tear_states;
      }
      for (const auto& [seed, profile] : mixes) {
        crashing.seed = seed;
        RunConfig mixed = config;
        mixed.profile = profile;
        check(mixed, absl::StrCat("seeded mix: unsynced_keep ", profile.unsynced_keep,
                                  ", torn_write ", profile.torn_write));
      }
    }
  }
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string FormatExhaustive(const ExhaustiveOptions& options, const ExhaustiveResult& r) {
  std::string out = absl::StrFormat(
      "exhaustive: engine %s, sequences of %d ops over an alphabet of %d (%s %d), "
      "%d crash points (every device op of every sequence)\n"
      "  per crash point: every kept/dropped subset of its unsynced ops (all when <= %d ops, "
      "else %d sampled; %d points sampled; at most %d unsynced ops at a point), "
      "each op torn alone (%s), %d seeded mixes\n"
      "  states checked %d (subsets %d, single tears %d), failing %d; cost %.2f s wall "
      "(%.1f us per state), %.2f s simulated\n",
      options.engine.name, options.ops, r.alphabet, r.sampled ? "sampled" : "all", r.sequences,
      r.crash_points, options.max_subset_bits, options.sampled_subsets,
      r.subsets_sampled_points, r.max_unsynced_ops, options.single_tears ? "on" : "off",
      options.random_subsets, r.states_checked, r.subset_states, r.tear_states,
      r.failing_states, r.wall_seconds,
      r.states_checked ? 1e6 * r.wall_seconds / static_cast<double>(r.states_checked) : 0.0,
      static_cast<double>(r.sim_nanos) * 1e-9);
  for (const std::string& f : r.failures) absl::StrAppend(&out, "FAIL ", f);
  return out;
}

}  // namespace kvlab::sim

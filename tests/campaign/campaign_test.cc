// Campaign slices in the default run: bitcask and memory under crashes and
// swarm faults, with zero lost synced writes, wrong values, undetected
// corruptions and determinism mismatches; plus the schedule text form, the
// jobs-independence of results, and the exhaustive crash-point mode.
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "engine/common/hash.h"
#include "gtest/gtest.h"
#include "sim/campaign/campaign.h"
#include "sim/campaign/exhaustive.h"
#include "sim/campaign/schedule.h"
#include "sim/sim_device.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

using testing::EnsureBitcask;

CampaignOptions Slice(const std::string& engine, uint64_t seeds, uint64_t ops = 300) {
  CampaignOptions o;
  o.engine.name = engine;
  // Half the seeds roll 16 KiB files over (and merge them) all the time.
  if (engine == "bitcask") o.swarm_engine_options = {{"max_file_size", "16KiB"}};
  o.profile = testing::AllFaults();
  o.swarm = true;
  o.seed_first = 1;
  o.seed_last = seeds;
  o.schedule.ops = ops;
  o.schedule.crashes = 2;
  o.jobs = 2;
  return o;
}

void PrintFailingSeeds(const SeedReport& r) {
  if (r.failed()) std::printf("%s\n", FormatSeedLine(r).c_str());
}

void ExpectClean(const CampaignOptions& o, const CampaignSummary& s) {
  SCOPED_TRACE(FormatSummary(o, s));
  EXPECT_EQ(s.seeds, o.seed_last - o.seed_first + 1);
  EXPECT_EQ(s.synced_writes_lost, 0u);
  EXPECT_EQ(s.wrong_values, 0u);
  EXPECT_EQ(s.undetected_corruptions, 0u);
  EXPECT_EQ(s.determinism_mismatches, 0u);
  EXPECT_EQ(s.failed_seeds, 0u);
  EXPECT_GE(s.crashes, 2 * s.seeds);
  EXPECT_GT(s.gets_checked, 0u);
}

// The default slice of the campaign (>= 10 000 seeds x 2 000 ops):
// 250 seeds x 2 000 ops (x KVLAB_SCALE), about 5 s on 2 cores.
TEST(CampaignSlice, BitcaskWithCrashesAndSwarmFaults) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 250 * testing::Scale(), 2000);
  CampaignSummary s = RunCampaign(o, PrintFailingSeeds);
  ExpectClean(o, s);
  // The slice really exercises every fault kind and mid-operation crashes.
  const SimCounters& f = s.faults;
  SCOPED_TRACE(FormatSummary(o, s));
  EXPECT_GT(f.device_ops, 0u);
  EXPECT_GT(f.torn_writes, 0u);
  EXPECT_GT(f.dropped_writes, 0u);
  EXPECT_GT(f.lost_dir_ops, 0u);
  EXPECT_GT(f.misdirected_writes, 0u);
  EXPECT_GT(f.read_errors, 0u);
  EXPECT_GT(f.write_errors, 0u);
  EXPECT_GT(f.sync_errors, 0u);
  EXPECT_GT(f.bit_flips, 0u);
  EXPECT_GT(f.disk_full_errors, 0u);
  EXPECT_GT(f.latency_spikes, 0u);
  EXPECT_GT(s.full_disk_recoveries, 0u);
  EXPECT_GT(s.maintenance_runs, 0u);
}

TEST(CampaignSlice, MemoryEngine) {
  CampaignOptions o = Slice("memory", 200 * testing::Scale(), 2000);
  ExpectClean(o, RunCampaign(o, PrintFailingSeeds));
}

TEST(Campaign, ResultsDoNotDependOnJobs) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 16);
  std::vector<std::string> lines[2];
  for (int jobs : {1, 2}) {
    o.jobs = jobs;
    RunCampaign(o, [&](const SeedReport& r) { lines[jobs - 1].push_back(FormatSeedLine(r)); });
  }
  EXPECT_EQ(lines[0], lines[1]);
  ASSERT_EQ(lines[0].size(), 16u);
}

TEST(Campaign, DifferentSeedsDifferentTraces) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 2);
  EXPECT_NE(RunSeed(o, 1).run.trace_hash, RunSeed(o, 2).run.trace_hash);
}

TEST(Campaign, SwarmEngineOptionsAreSeededCoinFlips) {
  CampaignOptions o = Slice("bitcask", 1);
  o.engine.options.clear();
  o.swarm_engine_options = {{"max_file_size", "16KiB"}};
  int set = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const RunConfig c = SeedConfig(o, seed);
    EXPECT_EQ(c.engine.options, SeedConfig(o, seed).engine.options) << "seeded";
    if (c.engine.options.count("max_file_size") > 0) {
      EXPECT_EQ(c.engine.options.at("max_file_size"), "16KiB");
      ++set;
    }
  }
  EXPECT_GT(set, 60);
  EXPECT_LT(set, 140);
  EXPECT_NE(ReplayCommand(o, 3).find("--swarm-set max_file_size=16KiB"), std::string::npos);
  o.swarm = false;
  EXPECT_TRUE(SeedConfig(o, 3).engine.options.empty()) << "only with swarm";
}

TEST(Schedule, TextFormRoundTrips) {
  ScheduleOptions options;
  options.ops = 500;
  options.crashes = 3;
  Schedule s = GenerateSchedule(9, options);
  EXPECT_EQ(Shape(s).crashes >= 3, true);
  absl::StatusOr<Schedule> back = ParseSchedule(SerializeSchedule(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SerializeSchedule(*back), SerializeSchedule(s));
  EXPECT_EQ(back->seed, 9u);
  EXPECT_FALSE(ParseSchedule("seed 1\nput k01 zz\n").ok());
  EXPECT_FALSE(ParseSchedule("put k01 00\n").ok());
}

// A seed's schedule is fixed (shrinking and --replay files depend on it): the
// digests of the text forms of a few generated schedules, pinned.
TEST(Schedule, GenerationIsPinned) {
  struct Case {
    uint64_t seed, ops, crashes;
    uint64_t digest;
  };
  const Case cases[] = {{1, 2000, 1, 0x4f8ba65834824ee7}, {9, 500, 3, 0x203b85fc35831b1d},
                        {77, 300, 7, 0x48333ca0b3688a63}, {5, 40, 0, 0x5a321123e58d55a6},
                        {3, 5, 9, 0xf160bc093b572294}};
  for (const Case& c : cases) {
    ScheduleOptions options;
    options.ops = c.ops;
    options.crashes = c.crashes;
    const uint64_t digest = HashBytes64(SerializeSchedule(GenerateSchedule(c.seed, options)));
    EXPECT_EQ(digest, c.digest) << "seed " << c.seed;
  }
}

// Key names are "k%02u" whether formatted once per schedule (the first 64)
// or per op (beyond those).
TEST(Schedule, KeyNamesAreKAndAtLeastTwoDigits) {
  ScheduleOptions options;
  options.ops = 3000;
  options.keys = 300;
  const Schedule s = GenerateSchedule(4, options);
  size_t cached = 0, beyond = 0;
  auto check = [&](const std::string& key) {
    ASSERT_GE(key.size(), 3u) << key;
    uint32_t n = 0;
    ASSERT_TRUE(absl::SimpleAtoi(key.substr(1), &n)) << key;
    EXPECT_LT(n, options.keys) << key;
    EXPECT_EQ(key, absl::StrFormat("k%02u", n));
    (n < 64 ? cached : beyond) += 1;
  };
  for (const Op& op : s.ops) {
    if (op.kind == OpKind::kPut || op.kind == OpKind::kGet || op.kind == OpKind::kDelete) {
      check(op.key);
    }
    for (const WriteBatch::Op& b : op.batch.ops()) check(b.key);
  }
  EXPECT_GT(cached, 100u);
  EXPECT_GT(beyond, 100u);
}

TEST(Schedule, OpIdsAreKeptInTextAndDefaultToThePosition) {
  Schedule s = GenerateSchedule(9, ScheduleOptions());
  for (size_t i = 0; i < s.ops.size(); ++i) ASSERT_EQ(s.ops[i].id, i);
  s.ops.erase(s.ops.begin(), s.ops.begin() + 10);  // As the shrinker cuts.
  absl::StatusOr<Schedule> back = ParseSchedule(SerializeSchedule(s));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->ops.size(), s.ops.size());
  EXPECT_EQ(back->ops[0].id, 10u);
  EXPECT_EQ(back->ops.back().id, s.ops.back().id);
  // Files written before ids existed: an op's id is its position.
  absl::StatusOr<Schedule> old = ParseSchedule("seed 1\nput k01 00\nget k01\n");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->ops[1].id, 1u);
  absl::StatusOr<Schedule> bad = ParseSchedule("seed 1\n@x get k01\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string_view::npos) << bad.status();
  EXPECT_FALSE(ParseSchedule("seed 1\n@3\n").ok()) << "an id needs an op";
}

TEST(Schedule, AnOpsFaultsDoNotDependOnTheOpsBeforeIt) {
  // An op meets the same faults whatever ran before it: its id seeds them.
  // Forty gets of one synced key (one device read each, the file already
  // open), half of the reads slowed by a latency spike: the spikes of the
  // even gets alone plus those of the odd gets alone are those of all of
  // them (plus the shared prefix counted twice).
  EnsureBitcask();
  RunConfig config;
  config.engine.name = "bitcask";
  config.profile = FaultProfile::None();
  config.profile.latency_spike = 0.5;
  auto op = [](OpKind kind, uint64_t id) {
    Op o;
    o.kind = kind;
    o.key = "k";
    o.value = kind == OpKind::kPut ? "v" : "";
    o.id = id;
    return o;
  };
  Schedule prefix{5, {op(OpKind::kPut, 0), op(OpKind::kSync, 1), op(OpKind::kGet, 2)}};
  Schedule all = prefix, even = prefix, odd = prefix;
  for (uint64_t id = 3; id < 43; ++id) {
    all.ops.push_back(op(OpKind::kGet, id));
    (id % 2 == 0 ? even : odd).ops.push_back(op(OpKind::kGet, id));
  }
  auto spikes = [&](const Schedule& s) {
    const RunResult r = RunSchedule(config, s);
    EXPECT_FALSE(r.failed());
    return r.counters.latency_spikes;
  };
  const uint64_t in_all = spikes(all), in_even = spikes(even), in_odd = spikes(odd);
  EXPECT_GT(in_all, 10u);
  EXPECT_EQ(in_even + in_odd, in_all + spikes(prefix))
      << "the faults of the kept ops moved when others were cut";
}

TEST(Exhaustive, EveryCrashPointOfShortSequencesOnBitcask) {
  EnsureBitcask();
  ExhaustiveOptions o;
  o.engine.name = "bitcask";
  o.ops = 2;
  o.random_subsets = 2;
  ExhaustiveResult r = RunExhaustive(o);
  SCOPED_TRACE(FormatExhaustive(o, r));
  EXPECT_FALSE(r.sampled);
  EXPECT_EQ(r.sequences, r.alphabet * r.alphabet);
  EXPECT_GT(r.crash_points, r.sequences);
  EXPECT_GE(r.subset_states, r.crash_points);  // At least the strict crash of each.
  EXPECT_GT(r.subset_states, r.crash_points);  // Some points had unsynced ops to choose.
  EXPECT_GT(r.tear_states, 0u);
  EXPECT_GT(r.max_unsynced_ops, 0u);
  EXPECT_EQ(r.failing_states, 0u);
}

// The hook the exhaustive mode enumerates with: SimDevice::Crash(chooser)
// decides each unsynced op, numbered directory ops first, then files in path
// order, each file's writes in order.
TEST(CrashChooser, DecidesEachUnsyncedOpByItsIndex) {
  for (uint64_t mask = 0; mask < 8; ++mask) {
    SimDevice device(3);
    OpenOptions create;
    create.create = true;
    auto a = device.Open("a", create);
    auto b = device.Open("b", create);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(device.SyncDir("").ok());
    ASSERT_TRUE((*a)->Write(0, "A0").ok());
    ASSERT_TRUE((*a)->Write(2, "A1").ok());
    ASSERT_TRUE((*b)->Write(0, "B0").ok());
    ASSERT_EQ(device.UnsyncedOpsForCrash(), 3u);
    std::vector<size_t> asked;
    device.Crash([&](size_t i) {
      asked.push_back(i);
      return (mask >> i) & 1 ? SimDevice::CrashFate::kKeep : SimDevice::CrashFate::kDrop;
    });
    EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2}));
    auto read = [&](const char* path) {
      auto f = device.Open(path, OpenOptions{});
      EXPECT_TRUE(f.ok());
      std::string out(8, '\0');
      auto n = (*f)->Read(0, absl::MakeSpan(out));
      EXPECT_TRUE(n.ok());
      out.resize(*n);
      return out;
    };
    std::string want_a = (mask & 1) ? "A0" : "";
    if (mask & 2) want_a = (mask & 1) ? "A0A1" : std::string("\0\0A1", 4);
    EXPECT_EQ(read("a"), want_a) << mask;
    EXPECT_EQ(read("b"), (mask & 4) ? "B0" : "") << mask;
    EXPECT_EQ(device.sim_counters().dropped_writes, 3u - __builtin_popcountll(mask));
  }
  // A torn write keeps at least one sector piece and loses at least one.
  SimDevice device(5);
  OpenOptions create;
  create.create = true;
  auto f = device.Open("t", create);
  ASSERT_TRUE(f.ok() && device.SyncDir("").ok());
  ASSERT_TRUE((*f)->Write(0, std::string(3 * 4096, 'x')).ok());
  device.Crash([](size_t) { return SimDevice::CrashFate::kTear; });
  EXPECT_EQ(device.sim_counters().torn_writes, 1u);
  auto g = device.Open("t", OpenOptions{});
  std::string out(3 * 4096, '\0');
  ASSERT_TRUE((*g)->Read(0, absl::MakeSpan(out)).ok());
  EXPECT_NE(out, std::string(3 * 4096, 'x'));
  EXPECT_NE(out.find('x'), std::string::npos);
}

}  // namespace
}  // namespace kvlab::sim

// Campaign slices in the default run: bitcask and memory under crashes and
// swarm faults, with zero lost synced writes, wrong values, undetected
// corruptions and determinism mismatches; plus the schedule text form, the
// jobs-independence of results, and the exhaustive crash-point mode.
#include <cstdio>
#include <string>

#include "engine/bitcask/bitcask.h"
#include "engine/engine_config.h"
#include "gtest/gtest.h"
#include "sim/campaign/campaign.h"
#include "sim/campaign/exhaustive.h"
#include "sim/campaign/schedule.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

void EnsureBitcask() {
  EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find("bitcask") == nullptr) {
    ASSERT_TRUE(registry.Register(bitcask::Descriptor()).ok());
  }
}

CampaignOptions Slice(const std::string& engine, uint64_t seeds) {
  CampaignOptions o;
  o.engine.name = engine;
  if (engine == "bitcask") o.engine.options["max_file_size"] = "16KiB";
  o.profile = testing::AllFaults();
  o.swarm = true;
  o.seed_first = 1;
  o.seed_last = seeds;
  o.schedule.ops = 300;
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

TEST(CampaignSlice, BitcaskWithCrashesAndSwarmFaults) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 20 * testing::Scale());
  CampaignSummary s = RunCampaign(o, PrintFailingSeeds);
  ExpectClean(o, s);
  // The slice really exercises faults and mid-operation crashes.
  EXPECT_GT(s.faults.device_ops, 0u);
  EXPECT_GT(s.faults.torn_writes + s.faults.dropped_writes, 0u);
  EXPECT_GT(s.faults.read_errors + s.faults.write_errors + s.faults.sync_errors, 0u);
  EXPECT_GT(s.maintenance_runs, 0u);
}

TEST(CampaignSlice, MemoryEngine) {
  CampaignOptions o = Slice("memory", 20 * testing::Scale());
  ExpectClean(o, RunCampaign(o, PrintFailingSeeds));
}

TEST(Campaign, ResultsDoNotDependOnJobs) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 6);
  std::vector<std::string> lines[2];
  for (int jobs : {1, 2}) {
    o.jobs = jobs;
    RunCampaign(o, [&](const SeedReport& r) { lines[jobs - 1].push_back(FormatSeedLine(r)); });
  }
  EXPECT_EQ(lines[0], lines[1]);
  ASSERT_EQ(lines[0].size(), 6u);
}

TEST(Campaign, DifferentSeedsDifferentTraces) {
  EnsureBitcask();
  CampaignOptions o = Slice("bitcask", 2);
  EXPECT_NE(RunSeed(o, 1).run.trace_hash, RunSeed(o, 2).run.trace_hash);
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
  EXPECT_EQ(r.failing_states, 0u);
}

}  // namespace
}  // namespace kvlab::sim

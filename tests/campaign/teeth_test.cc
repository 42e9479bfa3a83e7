// The checks have teeth: Bitcask broken on purpose (test_noop_sync=true makes
// every sync a no-op) must make the campaign report lost synced writes, and
// the shrinker must cut the failing seed to a shorter schedule that still
// loses a synced write when replayed (also through its text form).
#include <string>

#include "gtest/gtest.h"
#include "sim/campaign/campaign.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "sim/campaign/shrinker.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

using testing::EnsureBitcask;

CampaignOptions Broken(bool swarm) {
  CampaignOptions o;
  o.engine.name = "bitcask";
  o.engine.options["test_noop_sync"] = "true";
  o.engine.options["max_file_size"] = "16KiB";
  o.seed_first = 1;
  o.seed_last = 3000 * testing::Scale();
  o.schedule.ops = 2000;
  o.schedule.crashes = 2;
  o.jobs = 2;
  if (swarm) {
    o.profile = testing::AllFaults();
    o.swarm = true;
  }
  return o;
}

TEST(Teeth, NoopSyncLosesSyncedWritesAndShrinks) {
  EnsureBitcask();
  CampaignOptions o = Broken(/*swarm=*/false);
  o.shrink_options.max_seconds = 20;
  CampaignSummary s = RunCampaign(o, nullptr);
  std::string report = FormatSummary(o, s);
  SCOPED_TRACE(report);
  EXPECT_GT(s.synced_writes_lost, 0u);
  EXPECT_GT(s.failed_seeds, 0u);
  EXPECT_EQ(s.determinism_mismatches, 0u);
  ASSERT_TRUE(s.first_failure.has_value());
  EXPECT_NE(report.find("replay: ./kvlab sim --engine bitcask --seed "), std::string::npos);

  ASSERT_TRUE(s.shrunk.has_value());
  const ShrinkResult& k = *s.shrunk;
  Schedule original = GenerateSchedule(k.schedule.seed, o.schedule);
  EXPECT_LT(k.schedule.ops.size(), original.ops.size() / 10);
  ASSERT_TRUE(k.run.failed());
  EXPECT_EQ(k.run.failures[0].kind, FailureKind::kSyncedWriteLost);

  // Replayed from scratch, and from its text form, it still fails the same way.
  RunConfig config = SeedConfig(o, k.schedule.seed);
  config.profile = k.profile;
  RunResult again = RunSchedule(config, k.schedule);
  ASSERT_TRUE(again.failed());
  EXPECT_EQ(again.failures[0].kind, FailureKind::kSyncedWriteLost);
  EXPECT_EQ(again.trace_hash, k.run.trace_hash);
  absl::StatusOr<Schedule> parsed = ParseSchedule(SerializeSchedule(k.schedule));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  RunResult from_text = RunSchedule(config, *parsed);
  ASSERT_TRUE(from_text.failed());
  EXPECT_EQ(from_text.failures[0].kind, FailureKind::kSyncedWriteLost);

  // Control: with sync working, the shrunk schedule passes: the no-op sync
  // alone is what loses the write.
  config.engine.options["test_noop_sync"] = "false";
  RunResult control = RunSchedule(config, k.schedule);
  EXPECT_FALSE(control.failed()) << control.failures[0].message;
}

TEST(Teeth, NoopSyncIsCaughtUnderSwarmFaultsToo) {
  EnsureBitcask();
  CampaignOptions o = Broken(/*swarm=*/true);
  o.shrink = false;
  CampaignSummary s = RunCampaign(o, nullptr);
  SCOPED_TRACE(FormatSummary(o, s));
  EXPECT_GT(s.synced_writes_lost, 0u);
  // Every seed has a sync point and a crash after it: nearly all must fail.
  EXPECT_GT(s.failed_seeds, s.seeds * 9 / 10);
  EXPECT_EQ(s.determinism_mismatches, 0u);
}

}  // namespace
}  // namespace kvlab::sim

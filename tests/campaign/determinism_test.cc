// The determinism check has teeth. A seed's second run replays the first
// without the model when the first passed (RunConfig::check = false), so the
// replay's trace hash must cover every answer the engine gives and every
// device call it makes. An engine that is Bitcask with one planted difference
// between the runs (one Get answering wrong, or one open making an extra
// device call) must be reported as a determinism mismatch, wherever in the
// run the difference lands.
#include <atomic>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "sim/campaign/campaign.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

// Counted over the process; the tests set which call is planted (0: none).
std::atomic<uint64_t> g_gets{0}, g_wrong_get{0};
std::atomic<uint64_t> g_opens{0}, g_extra_call_open{0};

// Bitcask, but the g_wrong_get-th Get answers with a byte appended (or "!"
// where it would have answered NotFound or an error).
class FlakyStore : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view k) override {
    absl::StatusOr<std::string> got = ForwardingStore::Get(o, k);
    if (++g_gets != g_wrong_get.load()) return got;
    return got.ok() ? *got + "!" : std::string("!");
  }
};

void EnsureFlaky() {
  testing::EnsureWrappedBitcask(
      "flaky_bitcask", "test engine: Bitcask with one planted difference between runs",
      [](const Env& env, std::unique_ptr<KvStore> inner) -> std::unique_ptr<KvStore> {
        // The planted open then asks the device about a file nobody uses.
        if (++g_opens == g_extra_call_open.load()) (void)env.device->Exists("flake");
        return std::make_unique<FlakyStore>(std::move(inner));
      });
}

CampaignOptions Options() {
  CampaignOptions o;
  o.engine.name = "flaky_bitcask";
  o.engine.options["max_file_size"] = "16KiB";
  o.profile = testing::AllFaults();
  o.schedule.ops = 300;
  o.schedule.crashes = 2;
  return o;
}

// A seed whose first run passes, and how many Gets and opens one run makes.
struct Seed {
  uint64_t seed = 0, gets = 0, opens = 0;
};
Seed PassingSeed(const CampaignOptions& o) {
  for (uint64_t seed = 1;; ++seed) {
    g_gets = g_opens = g_wrong_get = g_extra_call_open = 0;
    RunResult r = RunSchedule(SeedConfig(o, seed), GenerateSchedule(seed, o.schedule));
    if (!r.failed() && r.crashes >= 2) return Seed{seed, g_gets.load(), g_opens.load()};
  }
}

TEST(Determinism, ReplayOfAPassingRunHashesTheSame) {
  EnsureFlaky();
  CampaignOptions o = Options();
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    g_wrong_get = g_extra_call_open = 0;
    RunConfig config = SeedConfig(o, seed);
    Schedule schedule = GenerateSchedule(seed, o.schedule);
    RunResult checked = RunSchedule(config, schedule);
    config.check = false;
    RunResult replay = RunSchedule(config, schedule);
    EXPECT_EQ(checked.trace_hash, replay.trace_hash) << "seed " << seed;
    EXPECT_EQ(checked.failed(), replay.failed()) << "seed " << seed;
    SeedReport report = RunSeed(o, seed);
    EXPECT_TRUE(report.determinism_ok) << FormatSeedLine(report);
  }
}

TEST(Determinism, AWrongAnswerAnywhereInTheReplayIsAMismatch) {
  EnsureFlaky();
  CampaignOptions o = Options();
  const Seed s = PassingSeed(o);
  ASSERT_GT(s.gets, 50u);
  // Every Get of the second run in turn: ops' gets, reopen checks, recovery read-backs.
  for (uint64_t k = 1; k <= s.gets; ++k) {
    g_gets = g_opens = g_extra_call_open = 0;
    g_wrong_get = s.gets + k;
    SeedReport report = RunSeed(o, s.seed);
    EXPECT_FALSE(report.run.failed()) << FormatSeedLine(report);
    EXPECT_FALSE(report.determinism_ok) << "Get " << k << " of the replay: " << FormatSeedLine(report);
  }
}

TEST(Determinism, AnExtraDeviceCallInEitherRunIsAMismatch) {
  EnsureFlaky();
  CampaignOptions o = Options();
  const Seed s = PassingSeed(o);
  ASSERT_GE(s.opens, 3u);
  for (uint64_t k = 1; k <= 2 * s.opens; ++k) {
    g_gets = g_opens = g_wrong_get = 0;
    g_extra_call_open = k;
    SeedReport report = RunSeed(o, s.seed);
    EXPECT_FALSE(report.determinism_ok) << "open " << k << ": " << FormatSeedLine(report);
  }
}

}  // namespace
}  // namespace kvlab::sim

// Shrinking a failure that needs an injected fault: the faults of an op's
// device operations come from a stream seeded by that op's id, so cutting
// other ops does not move them, and the shrinker gets down to the few ops the
// failure needs.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "engine/engine_config.h"
#include "engine/kv_store.h"
#include "gtest/gtest.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "sim/campaign/shrinker.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

// Bitcask with a planted bug: a Get whose device read fails with an injected
// read error returns an empty value instead of the error. Only a read error
// on a Get that reaches the device shows it.
class SwallowsReadErrors : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view key) override {
    absl::StatusOr<std::string> got = ForwardingStore::Get(o, key);
    if (!got.ok() && absl::StrContains(got.status().message(), "injected read error")) {
      return std::string();  // The bug.
    }
    return got;
  }
};

void EnsureEngine() {
  testing::EnsureWrappedBitcask(
      "test_swallows_read_errors",
      "test engine: Bitcask that turns read errors on Get into empty values",
      [](const Env&, std::unique_ptr<KvStore> inner) -> std::unique_ptr<KvStore> {
        return std::make_unique<SwallowsReadErrors>(std::move(inner));
      });
}

TEST(ShrinkFaults, AReadErrorFailureShrinksToAFewOps) {
  EnsureEngine();
  RunConfig config;
  config.engine.name = "test_swallows_read_errors";
  config.profile = FaultProfile::None();
  config.profile.read_error = 0.02;
  config.stop_at_first_failure = true;
  ScheduleOptions options;
  options.ops = 1000;
  int failing = 0;
  for (uint64_t seed = 1; seed <= 12 * static_cast<uint64_t>(testing::Scale()); ++seed) {
    const Schedule schedule = GenerateSchedule(seed, options);
    const RunResult run = RunSchedule(config, schedule);
    if (!run.failed()) continue;
    ASSERT_EQ(run.failures[0].kind, FailureKind::kWrongValue) << run.failures[0].message;
    ++failing;
    const ShrinkResult shrunk = Shrink(config, schedule);
    ASSERT_TRUE(shrunk.run.failed());
    EXPECT_EQ(shrunk.run.failures[0].kind, FailureKind::kWrongValue);
    // A put, what gets its record onto the device (a sync, a reopen), a get.
    EXPECT_LE(shrunk.schedule.ops.size(), 4u)
        << "seed " << seed << " shrank from " << run.ops_applied << " ops only to "
        << shrunk.schedule.ops.size() << ":\n"
        << FormatSchedule(shrunk.schedule);
  }
  EXPECT_GE(failing, 6) << "too few seeds hit the planted bug";
}

}  // namespace
}  // namespace kvlab::sim

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
class SwallowsReadErrors final : public KvStore {
 public:
  explicit SwallowsReadErrors(std::unique_ptr<KvStore> inner) : inner_(std::move(inner)) {}

  absl::Status Put(const WriteOptions& o, std::string_view k, std::string_view v) override {
    return inner_->Put(o, k, v);
  }
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view key) override {
    absl::StatusOr<std::string> got = inner_->Get(o, key);
    if (!got.ok() && absl::StrContains(got.status().message(), "injected read error")) {
      return std::string();  // The bug.
    }
    return got;
  }
  absl::Status Delete(const WriteOptions& o, std::string_view k) override {
    return inner_->Delete(o, k);
  }
  absl::Status Write(const WriteOptions& o, const WriteBatch& b) override {
    return inner_->Write(o, b);
  }
  absl::Status Sync() override { return inner_->Sync(); }
  absl::Status Maintain(MaintenanceKind kind) override { return inner_->Maintain(kind); }
  Stats GetStats() override { return inner_->GetStats(); }
  Capabilities GetCapabilities() const override { return inner_->GetCapabilities(); }
  absl::Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<KvStore> inner_;
};

void EnsureEngine() {
  testing::EnsureBitcask();
  EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find("test_swallows_read_errors") != nullptr) return;
  EngineDescriptor d = *registry.Find("bitcask");
  d.name = "test_swallows_read_errors";
  d.summary = "test engine: Bitcask that turns read errors on Get into empty values";
  EngineFactory bitcask = d.factory;
  d.factory = [bitcask](const Env& env, std::string_view path,
                        const EngineOptions& options) -> absl::StatusOr<std::unique_ptr<KvStore>> {
    absl::StatusOr<std::unique_ptr<KvStore>> inner = bitcask(env, path, options);
    if (!inner.ok()) return inner.status();
    return std::make_unique<SwallowsReadErrors>(*std::move(inner));
  };
  ASSERT_TRUE(registry.Register(std::move(d)).ok());
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

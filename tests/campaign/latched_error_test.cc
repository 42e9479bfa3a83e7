// The campaign's "error with no fault injected" check, against an engine that
// latches a background error: a fault injected during a call that succeeded
// (the engine's background sync failed inside it) explains a later refusal
// until the store is reopened; a refusal with no fault since the open is
// still a failure.
#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "engine/kv_store.h"
#include "gtest/gtest.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "tests/campaign/campaign_test_util.h"

namespace kvlab::sim {
namespace {

std::atomic<int> latched_by_fault{0};

// An in-memory store (nothing survives: Durability::kNone) whose Sync() stands
// for a background task: it appends to a log file on the device and, if that
// fails, returns OK but refuses every later write, as an engine with a
// latched background error does. With `spurious`, it latches an error by
// itself after 5 writes, with no fault at all: the bug the check must catch.
class LatchingStore final : public KvStore {
 public:
  LatchingStore(const Env& env, std::string log_path, bool spurious)
      : env_(env), log_path_(std::move(log_path)), spurious_(spurious) {}

  absl::Status Put(const WriteOptions&, std::string_view key, std::string_view value) override {
    RETURN_IF_ERROR(Admit());
    map_[std::string(key)] = std::string(value);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Get(const ReadOptions&, std::string_view key) override {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) return absl::NotFoundError("no such key");
    return it->second;
  }
  absl::Status Delete(const WriteOptions&, std::string_view key) override {
    RETURN_IF_ERROR(Admit());
    map_.erase(std::string(key));
    return absl::OkStatus();
  }
  absl::Status Write(const WriteOptions&, const WriteBatch& batch) override {
    RETURN_IF_ERROR(Admit());
    for (const WriteBatch::Op& op : batch.ops()) {
      if (op.type == WriteBatch::OpType::kPut) {
        map_[op.key] = op.value;
      } else {
        map_.erase(op.key);
      }
    }
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    absl::Status s = [&]() -> absl::Status {
      OpenOptions options;
      options.create = true;
      ASSIGN_OR_RETURN(std::unique_ptr<File> log, env_.device->Open(log_path_, options));
      RETURN_IF_ERROR(log->Write(0, "x"));
      return log->Sync();
    }();
    if (!s.ok() && latched_.ok()) {
      latched_ = absl::UnavailableError(
          absl::StrCat("refusing writes after a background error: ", s.message()));
      ++latched_by_fault;
    }
    return absl::OkStatus();  // The background task's error is not this call's.
  }
  absl::Status Maintain(MaintenanceKind) override {
    return absl::UnimplementedError("no maintenance");
  }
  Stats GetStats() override { return Stats(); }
  Capabilities GetCapabilities() const override {
    Capabilities c;
    c.durability = Durability::kNone;
    return c;
  }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  absl::Status Admit() {
    if (spurious_ && ++writes_ == 5) latched_ = absl::InternalError("latched by a bug");
    return latched_;
  }

  const Env& env_;
  const std::string log_path_;
  const bool spurious_;
  int writes_ = 0;
  absl::Status latched_;
  absl::flat_hash_map<std::string, std::string> map_;
};

void EnsureLatching() {
  EngineRegistry& registry = EngineRegistry::Default();
  if (registry.Find("test_latching") != nullptr) return;
  EngineDescriptor d;
  d.name = "test_latching";
  d.summary = "test engine: latches background sync errors";
  d.options = {{"spurious", OptionType::kBool, "false", "latch an error with no fault"}};
  d.factory = [](const Env& env, std::string_view path,
                 const EngineOptions& options) -> absl::StatusOr<std::unique_ptr<KvStore>> {
    return std::make_unique<LatchingStore>(env, absl::StrCat(AV(path), ".log"),
                                           options.GetBool("spurious"));
  };
  ASSERT_TRUE(registry.Register(std::move(d)).ok());
}

RunResult Play(uint64_t seed, bool spurious, const FaultProfile& profile) {
  RunConfig config;
  config.engine.name = "test_latching";
  config.engine.options["spurious"] = spurious ? "true" : "false";
  config.profile = profile;
  config.stop_at_first_failure = true;
  ScheduleOptions schedule;
  schedule.ops = 300;
  return RunSchedule(config, GenerateSchedule(seed, schedule));
}

TEST(LatchedError, AFaultInAnEarlierSuccessfulCallExplainsALaterRefusal) {
  EnsureLatching();
  FaultProfile profile = FaultProfile::None();
  profile.sync_error = 0.3;
  latched_by_fault = 0;
  uint64_t refusals = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RunResult r = Play(seed, /*spurious=*/false, profile);
    EXPECT_FALSE(r.failed()) << "seed " << seed << ": " << r.failures[0].message;
    refusals += r.counters.sync_errors;
  }
  EXPECT_GT(latched_by_fault.load(), 10) << "the latched path was not exercised";
  EXPECT_GT(refusals, 0u);
}

TEST(LatchedError, ARefusalWithNoFaultSinceTheOpenIsStillAFailure) {
  EnsureLatching();
  int caught = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    RunResult r = Play(seed, /*spurious=*/true, FaultProfile::None());
    if (r.failed() && r.failures[0].kind == FailureKind::kUnexpectedError) ++caught;
  }
  EXPECT_EQ(caught, 20) << "a spurious latched error went unreported";
}

}  // namespace
}  // namespace kvlab::sim

// SeedRun: one run of a Schedule against an engine in the simulator, private
// to the runner (runner.h is the interface). The ops and crashes are played in
// runner.cc; the reads checked against the model and the crash oracle, and
// the read-backs after reopens and recoveries, in runner_checks.cc.
#ifndef KVLAB_SIM_CAMPAIGN_SEED_RUN_H_
#define KVLAB_SIM_CAMPAIGN_SEED_RUN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/common/hash.h"
#include "engine/engine_config.h"
#include "engine/kv_store.h"
#include "models/crash_oracle.h"
#include "sim/campaign/runner.h"
#include "sim/campaign/schedule.h"
#include "sim/sim_env.h"

namespace kvlab::sim::internal {

inline constexpr char kStorePath[] = "db";

// Faults that can leave damaged bytes behind: a wrong value served after one
// of these is an undetected corruption (else a plain wrong value).
inline uint64_t DamageFaults(const SimCounters& c) {
  return c.bit_flips + c.misdirected_writes + c.torn_writes;
}

// Faults that damage bytes the engine may rely on (synced, or kept at an
// accepted recovery): only these make a Corruption from Open, a Get or a
// maintenance call legitimate. A torn write damages only its own unsynced
// bytes, which recovery must drop (ARCHITECTURE.md rule 3), so tears alone
// never excuse an Open that fails with Corruption.
inline uint64_t MediumDamageFaults(const SimCounters& c) {
  return c.bit_flips + c.misdirected_writes;
}

// Injected faults of any kind (a failed call is explained by one of these).
inline uint64_t AllFaults(const SimCounters& c) {
  return c.read_errors + c.write_errors + c.sync_errors + c.disk_full_errors + c.bit_flips +
         c.misdirected_writes;
}

class SeedRun {
 public:
  SeedRun(const RunConfig& config, const Schedule& schedule)
      : config_(config),
        schedule_(schedule),
        env_(schedule.seed, config.profile),
        oracle_(Durability::kSyncPoint, OracleOptions(config.profile)),
        engine_options_(EngineRegistry::Default().Validate(config.engine)) {}

  RunResult Run();

 private:
  static models::CrashOracle::Options OracleOptions(const FaultProfile& p) {
    models::CrashOracle::Options o;
    o.synced_data_may_be_damaged = p.bit_flip > 0 || p.misdirected_write > 0;
    return o;
  }
  bool Stopped() const {
    return stopped_ || (config_.stop_at_first_failure && !result_.failures.empty());
  }
  void Mix(uint64_t v) { hash_ = (hash_ ^ v) * 0x100000001B3ull + 0x9E3779B97F4A7C15ull; }
  // The device's fault stream for the op with id `op_id` (schedule.h).
  static constexpr uint64_t kEndOfRunId = ~uint64_t{0};
  uint64_t FaultSeed(uint64_t op_id) const {
    return Mix64(FoldWord(FoldWord(0x5eed0f0a17ull, schedule_.seed), op_id));
  }
  void MixStatus(const absl::Status& s) { Mix(static_cast<uint64_t>(s.code())); }
  void Fail(FailureKind kind, std::string message) {
    result_.failures.push_back({kind, op_index_, std::move(message)});
  }

  absl::Status OpenStore() {
    faults_reported_ = AllFaults(env_.counters());  // Earlier faults hit the old store.
    absl::StatusOr<std::unique_ptr<KvStore>> store =
        engine_options_.ok() ? EngineRegistry::Default().Open(config_.engine.name, *engine_options_,
                                                              env_.env(), kStorePath)
                             : engine_options_.status();
    MixStatus(store.status());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    return absl::OkStatus();
  }
  bool FirstOpen();
  void Apply(const Op& op);
  void DoWrite(const Op& op);
  void DoGet(const Op& op);
  void DoSync();
  void DoMaintain(const Op& op);
  void DoReopen();
  void DoCrash(const Op& op);
  // A call failed: a failure if no fault explains it, then fail-stop.
  void AfterError(const absl::Status& status, const SimCounters& before, std::string_view what);
  void CrashAndRecover();
  // SimEnv::Crash (the first one with config_.first_crash_chooser), counted.
  void CrashDevice();
  // OpenStore after a crash, faults off; on the full disk first if a disk-full
  // error happened since space was last freed (see runner.h).
  absl::Status RecoverStore();
  void ReportOpenFailure(const absl::Status& status, std::string_view when);
  void CheckRecovery(std::string_view when);
  void CheckReopened();
  // The key universe, first-written order: the oracle's, or when !check the
  // one kept here (NoteKeys). Replay reads back exactly what a check reads.
  const std::vector<std::string>& Keys() const {
    return config_.check ? oracle_.keys() : keys_;
  }
  void NoteKeys(const Op& op);
  // Reads every key of Keys() back, mixing each answer into the hash (so a
  // replay covers what a check compared); fills `found` and `corrupted` when
  // given. A read error other than NotFound or Corruption ends it (returned).
  absl::Status ReadBack(absl::flat_hash_map<std::string, std::string>* found,
                        absl::flat_hash_set<std::string>* corrupted);
  // Whether a fault explains an error returned by a call that started with
  // counters `before`: one was injected during the call, or earlier during
  // a call that succeeded (a background task the engine ran inside it, say a
  // sync of a rolled file) since the store was opened: an engine may latch
  // that error and refuse later calls until it is reopened.
  bool FaultExplains(const SimCounters& before) const {
    return AllFaults(env_.counters()) > AllFaults(before) ||
           AllFaults(before) > faults_reported_;
  }

  const RunConfig& config_;
  const Schedule& schedule_;
  SimEnv env_;
  models::CrashOracle oracle_;
  std::vector<std::string> keys_;  // Keys() when !config_.check.
  models::KeyTable key_table_;  // Numbers keys_ (a new key's id is keys_.size()).
  // Validated once: a seed opens the store up to hundreds of times.
  const absl::StatusOr<EngineOptions> engine_options_;
  std::unique_ptr<KvStore> store_;
  // Every read's value (KvStore::Get into a string): one buffer for the run,
  // so a read allocates only when its value outgrows every earlier one.
  std::string read_value_;
  Durability durability_ = Durability::kSyncPoint;
  bool maintenance_unimplemented_[5] = {};
  size_t op_index_ = 0;
  bool stopped_ = false;
  uint64_t hash_ = 0xCBF29CE484222325ull;
  uint64_t disk_full_errors_seen_ = 0;  // SimCounters::disk_full_errors at the last FreeSpace.
  // AllFaults up to the last store open or the last failed call: faults
  // beyond it were injected during calls that succeeded (FaultExplains).
  uint64_t faults_reported_ = 0;
  bool call_failed_ = false;  // The current op's call returned an error.
  RunResult result_;
};

}  // namespace kvlab::sim::internal

#endif  // KVLAB_SIM_CAMPAIGN_SEED_RUN_H_

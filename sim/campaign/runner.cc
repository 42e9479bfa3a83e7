// Playing one Schedule against an engine in the simulator (see runner.h).
#include "sim/campaign/runner.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/hash.h"
#include "engine/common/status_macros.h"
#include "models/crash_oracle.h"
#include "models/state_hash.h"
#include "sim/sim_executor.h"

namespace kvlab::sim {
namespace {

constexpr char kStorePath[] = "db";

// Faults that can leave damaged bytes behind: a wrong value served after one
// of these is an undetected corruption (else a plain wrong value).
uint64_t DamageFaults(const SimCounters& c) {
  return c.bit_flips + c.misdirected_writes + c.torn_writes;
}

// Faults that damage bytes the engine may rely on (synced, or kept at an
// accepted recovery): only these make a Corruption from Open, a Get or a
// maintenance call legitimate. A torn write damages only its own unsynced
// bytes, which recovery must drop (ARCHITECTURE.md rule 3), so tears alone
// never excuse an Open that fails with Corruption.
uint64_t MediumDamageFaults(const SimCounters& c) {
  return c.bit_flips + c.misdirected_writes;
}

// Injected faults of any kind (a failed call is explained by one of these).
uint64_t AllFaults(const SimCounters& c) {
  return c.read_errors + c.write_errors + c.sync_errors + c.disk_full_errors + c.bit_flips +
         c.misdirected_writes;
}

std::string Show(const std::string* v) {
  if (v == nullptr) return "<absent>";
  std::string shown = v->size() <= 24 ? *v : v->substr(0, 24) + "...";
  return absl::StrCat("\"", absl::CHexEscape(shown), "\" (", v->size(), " B)");
}

// What a Get returned (ok or NotFound) against what the model holds.
bool SameValue(const absl::StatusOr<std::string>& got, const std::string* expected) {
  return got.ok() ? expected != nullptr && *got == *expected : expected == nullptr;
}

const std::string* ValueOf(const absl::StatusOr<std::string>& got) {
  return got.ok() ? &*got : nullptr;
}

WriteBatch ToBatch(const Op& op) {
  WriteBatch batch;
  switch (op.kind) {
    case OpKind::kPut: batch.Put(op.key, op.value); break;
    case OpKind::kDelete: batch.Delete(op.key); break;
    case OpKind::kBatch:
      for (const WriteBatch::Op& b : op.batch) {
        if (b.type == WriteBatch::OpType::kPut) {
          batch.Put(b.key, b.value);
        } else {
          batch.Delete(b.key);
        }
      }
      break;
    default: KVLAB_CHECK(false, "not a write");
  }
  return batch;
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
  absl::flat_hash_set<std::string> key_set_;
  // Validated once: a seed opens the store up to hundreds of times.
  const absl::StatusOr<EngineOptions> engine_options_;
  std::unique_ptr<KvStore> store_;
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

bool SeedRun::FirstOpen() {
  env_.set_faults_enabled(false);
  absl::Status s = OpenStore();
  env_.set_faults_enabled(true);
  if (!s.ok()) {
    Fail(FailureKind::kOpenFailed, absl::StrCat("creating the store failed: ", s.ToString()));
    return false;
  }
  durability_ = store_->GetCapabilities().durability;
  if (durability_ != Durability::kSyncPoint) {
    oracle_ = models::CrashOracle(durability_, OracleOptions(config_.profile));
  }
  return true;
}

RunResult SeedRun::Run() {
  int64_t start_nanos = env_.env().clock->NowNanos();
  if (FirstOpen()) {
    uint64_t ops_before = env_.counters().device_ops;
    for (op_index_ = 0; op_index_ < schedule_.ops.size() && !Stopped(); ++op_index_) {
      const Op& op = schedule_.ops[op_index_];
      env_.device().ReseedFaults(FaultSeed(op.id));
      Apply(op);
      ++result_.ops_applied;
      if (!Stopped() && env_.crash_pending()) CrashAndRecover();
    }
    result_.device_ops_in_schedule = env_.counters().device_ops - ops_before;
    // The end of every seed is a crash too: whatever was synced must be there.
    op_index_ = schedule_.ops.size();
    env_.device().ReseedFaults(FaultSeed(kEndOfRunId));
    while (!Stopped() && (result_.crashes < config_.min_crashes || result_.crashes == 0)) {
      CrashAndRecover();
    }
  }
  store_.reset();
  result_.sim_nanos = env_.env().clock->NowNanos() - start_nanos;
  result_.counters = env_.counters();
  Mix(env_.trace_hash());
  result_.trace_hash = hash_;
  return std::move(result_);
}

void SeedRun::Apply(const Op& op) {
  call_failed_ = false;
  Mix(static_cast<uint64_t>(op.kind));
  switch (op.kind) {
    case OpKind::kPut:
    case OpKind::kDelete:
    case OpKind::kBatch: DoWrite(op); break;
    case OpKind::kGet: DoGet(op); break;
    case OpKind::kSync: DoSync(); break;
    case OpKind::kMaintain: DoMaintain(op); break;
    case OpKind::kReopen: DoReopen(); break;
    case OpKind::kCrash: DoCrash(op); break;
  }
  if (call_failed_) faults_reported_ = std::max(faults_reported_, AllFaults(env_.counters()));
}

void SeedRun::DoWrite(const Op& op) {
  WriteOptions options;
  options.sync = op.sync;
  SimCounters before = env_.counters();
  WriteBatch batch;
  if (config_.check || op.kind == OpKind::kBatch) batch = ToBatch(op);
  absl::Status s;
  switch (op.kind) {
    case OpKind::kPut: s = store_->Put(options, op.key, op.value); break;
    case OpKind::kDelete: s = store_->Delete(options, op.key); break;
    default: s = store_->Write(options, batch); break;
  }
  MixStatus(s);
  if (!config_.check) {
    NoteKeys(op);
  } else if (s.ok()) {
    oracle_.Acknowledged(std::move(batch));
    if (op.sync) oracle_.Synced();
  } else {
    oracle_.Uncertain(std::move(batch));
  }
  if (!s.ok()) AfterError(s, before, FormatOp(op));
}

void SeedRun::NoteKeys(const Op& op) {
  auto note = [&](const std::string& key) {
    if (key_set_.insert(key).second) keys_.push_back(key);
  };
  if (op.kind != OpKind::kBatch) {
    note(op.key);
    return;
  }
  for (const WriteBatch::Op& b : op.batch) note(b.key);
}

void SeedRun::DoGet(const Op& op) {
  SimCounters before = env_.counters();
  absl::StatusOr<std::string> got = store_->Get(ReadOptions(), op.key);
  MixStatus(got.status());
  if (got.ok() || absl::IsNotFound(got.status())) {
    ++result_.gets_checked;
    if (got.ok()) Mix(models::HashBytes(*got, 1));
    if (!config_.check) return;
    const std::string* expected = oracle_.model().Find(op.key);
    if (SameValue(got, expected)) return;
    bool damaged = DamageFaults(env_.counters()) > 0;
    Fail(damaged && got.ok() ? FailureKind::kUndetectedCorruption : FailureKind::kWrongValue,
         absl::StrCat("get ", op.key, " returned ", Show(ValueOf(got)), " but the model holds ",
                      Show(expected)));
    return;
  }
  if (IsCorruption(got.status())) {
    if (MediumDamageFaults(env_.counters()) > 0) {
      ++result_.corruptions_detected;
      return;
    }
    Fail(FailureKind::kSpuriousCorruption,
         absl::StrCat("get ", op.key, " reported ", got.status().ToString(),
                      " but no fault could have damaged it"));
    return;
  }
  // A read error or a crash point: explained by a fault, or a failure.
  call_failed_ = true;
  if (env_.crash_pending() || FaultExplains(before)) return;
  Fail(FailureKind::kUnexpectedError,
       absl::StrCat("get ", op.key, " failed with no fault injected: ", got.status().ToString()));
}

void SeedRun::DoSync() {
  SimCounters before = env_.counters();
  absl::Status s = store_->Sync();
  MixStatus(s);
  if (s.ok()) {
    if (config_.check) oracle_.Synced();
    return;
  }
  AfterError(s, before, "sync");
}

void SeedRun::DoMaintain(const Op& op) {
  size_t kind = static_cast<size_t>(op.maintenance);
  if (maintenance_unimplemented_[kind]) return;
  SimCounters before = env_.counters();
  absl::Status s = store_->Maintain(op.maintenance);
  MixStatus(s);
  if (absl::IsUnimplemented(s)) {
    maintenance_unimplemented_[kind] = true;
    return;
  }
  if (s.ok()) {
    ++result_.maintenance_runs;
    return;
  }
  AfterError(s, before, FormatOp(op));
}

void SeedRun::DoReopen() {
  SimCounters before = env_.counters();
  absl::Status s = store_->Close();
  MixStatus(s);
  store_.reset();
  if (!s.ok()) {
    AfterError(s, before, "close");
    return;
  }
  s = OpenStore();
  if (!s.ok()) {
    if (IsCorruption(s) && MediumDamageFaults(env_.counters()) == 0) {
      Fail(FailureKind::kSpuriousCorruption,
           absl::StrCat("reopen after a clean close reported ", s.ToString()));
      stopped_ = true;
      return;
    }
    AfterError(s, before, "open (reopen after a clean close)");
    return;
  }
  // No crash happened: every acknowledged write is still on the device, so
  // the reopened store must equal the model exactly (empty under kNone).
  // Nothing here is adopted as durable: the writes since the last sync point
  // may still be lost by a later crash, so the oracle's window stays as it is.
  env_.set_faults_enabled(false);
  if (durability_ == Durability::kNone) {
    CheckRecovery("after a clean close and reopen");
  } else {
    CheckReopened();
  }
  env_.set_faults_enabled(true);
}

void SeedRun::CheckReopened() {
  for (const std::string& key : Keys()) {
    absl::StatusOr<std::string> got = store_->Get(ReadOptions(), key);
    MixStatus(got.status());
    if (IsCorruption(got.status())) {
      if (MediumDamageFaults(env_.counters()) > 0) {
        ++result_.corruptions_detected;
        continue;
      }
      Fail(FailureKind::kSpuriousCorruption,
           absl::StrCat("after a clean close and reopen, get ", key, " reported ",
                        got.status().ToString(), " but no fault could have damaged it"));
      return;
    }
    if (!got.ok() && env_.crash_pending()) return;  // An armed crash point fired.
    if (!got.ok() && !absl::IsNotFound(got.status())) {
      Fail(FailureKind::kUnexpectedError,
           absl::StrCat("after a clean close and reopen, get ", key, " failed (faults off): ",
                        got.status().ToString()));
      return;
    }
    if (got.ok()) Mix(models::HashBytes(*got, 1));
    if (!config_.check) continue;
    const std::string* expected = oracle_.model().Find(key);
    if (!SameValue(got, expected)) {
      Fail(FailureKind::kIllegalRecoveredState,
           absl::StrCat("after a clean close and reopen (no crash), get ", key, " returned ",
                        Show(ValueOf(got)), " but the model holds ", Show(expected)));
      return;
    }
  }
}

void SeedRun::DoCrash(const Op& op) {
  if (op.crash_after_ops == 0) {
    CrashAndRecover();
  } else {
    env_.ScheduleCrashAfterOps(op.crash_after_ops);
  }
}

void SeedRun::AfterError(const absl::Status& status, const SimCounters& before,
                         std::string_view what) {
  call_failed_ = true;
  if (!env_.crash_pending() && !FaultExplains(before) &&
      !(IsCorruption(status) && MediumDamageFaults(env_.counters()) > 0)) {
    Fail(FailureKind::kUnexpectedError,
         absl::StrCat(AV(what), " failed with no fault injected: ", status.ToString()));
  } else if (IsCorruption(status)) {
    ++result_.corruptions_detected;
  }
  CrashAndRecover();
}

void SeedRun::CrashDevice() {
  if (result_.crashes == 0) {
    result_.first_crash_unsynced_ops = env_.device().UnsyncedOpsForCrash();
  }
  if (result_.crashes == 0 && config_.first_crash_chooser) {
    env_.executor().Crash();  // What SimEnv::Crash() does, with chosen fates.
    env_.device().Crash(config_.first_crash_chooser);
  } else {
    env_.Crash();
  }
  ++result_.crashes;
  Mix(0xC4A5);
}

absl::Status SeedRun::RecoverStore() {
  if (env_.counters().disk_full_errors == disk_full_errors_seen_) return OpenStore();
  // The disk filled up: recover on it, then make room.
  ++result_.full_disk_recoveries;
  env_.device().set_hold_full(true);
  absl::Status s = OpenStore();
  env_.device().set_hold_full(false);
  env_.device().FreeSpace();
  disk_full_errors_seen_ = env_.counters().disk_full_errors;
  if (!s.ok() && !absl::IsResourceExhausted(s)) {
    return absl::Status(s.code(), absl::StrCat(s.message(), " (recovering on a full disk)"));
  }
  if (s.ok()) return s;
  // Refused for lack of space: the operator made room; the machine goes down
  // again before the restart (the failed attempt's unsynced work may be lost).
  ++result_.full_disk_recoveries_refused;
  Mix(0xF011);
  store_.reset();
  CrashDevice();
  return OpenStore();
}

void SeedRun::CrashAndRecover() {
  CrashDevice();
  store_.reset();  // Every file handle is dead: its calls fail, on purpose ignored.
  env_.set_faults_enabled(false);
  absl::Status s = RecoverStore();
  if (!s.ok()) {
    ReportOpenFailure(s, "after a crash");
  } else {
    CheckRecovery("after a crash");
  }
  env_.set_faults_enabled(true);
}

void SeedRun::ReportOpenFailure(const absl::Status& status, std::string_view when) {
  if (IsCorruption(status) && MediumDamageFaults(env_.counters()) > 0) {
    // Detected corruption: the right answer; the seed cannot go on.
    ++result_.corruptions_detected;
    result_.stopped_on_detected_corruption = true;
    stopped_ = true;
    return;
  }
  Fail(IsCorruption(status) ? FailureKind::kSpuriousCorruption : FailureKind::kOpenFailed,
       absl::StrCat("open ", AV(when), " (faults off) failed: ", status.ToString()));
  stopped_ = true;
}

absl::Status SeedRun::ReadBack(absl::flat_hash_map<std::string, std::string>* found,
                               absl::flat_hash_set<std::string>* corrupted) {
  for (const std::string& key : Keys()) {
    absl::StatusOr<std::string> value = store_->Get(ReadOptions(), key);
    MixStatus(value.status());
    if (value.ok()) {
      Mix(models::HashBytes(*value, 1));
      if (found != nullptr) found->emplace(key, *std::move(value));
    } else if (IsCorruption(value.status())) {
      if (corrupted != nullptr) corrupted->insert(key);
    } else if (!absl::IsNotFound(value.status())) {
      return absl::Status(value.status().code(),
                          absl::StrCat("reading key ", key, " back: ", value.status().message()));
    }
  }
  return absl::OkStatus();
}

void SeedRun::CheckRecovery(std::string_view when) {
  absl::flat_hash_map<std::string, std::string> found;
  absl::flat_hash_set<std::string> corrupted;
  const bool check = config_.check;
  absl::Status s = ReadBack(check ? &found : nullptr, check ? &corrupted : nullptr);
  models::CrashOracle::Counters before = oracle_.counters();
  if (s.ok() && check) s = oracle_.CheckRecoveredState(found, corrupted);
  MixStatus(s);
  ++result_.recoveries_checked;
  const models::CrashOracle::Counters& after = oracle_.counters();
  result_.corruptions_detected += after.corruptions_reported - before.corruptions_reported;
  if (s.ok()) return;
  FailureKind kind = FailureKind::kIllegalRecoveredState;
  if (after.synced_ops_lost > before.synced_ops_lost) {
    kind = FailureKind::kSyncedWriteLost;
  } else if (after.wrong_values > before.wrong_values) {
    kind = DamageFaults(env_.counters()) > 0 ? FailureKind::kUndetectedCorruption
                                             : FailureKind::kWrongValue;
  }
  Fail(kind, absl::StrCat("recovery ", AV(when), ": ", s.message()));
  stopped_ = true;  // The oracle's state is unchanged: it cannot go on.
}

}  // namespace

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kSyncedWriteLost: return "synced write lost";
    case FailureKind::kWrongValue: return "wrong value served";
    case FailureKind::kUndetectedCorruption: return "undetected corruption";
    case FailureKind::kIllegalRecoveredState: return "illegal recovered state";
    case FailureKind::kSpuriousCorruption: return "corruption with no damaging fault";
    case FailureKind::kOpenFailed: return "open failed";
    case FailureKind::kUnexpectedError: return "error with no fault injected";
    case FailureKind::kDeterminism: return "determinism mismatch";
  }
  return "?";
}

uint64_t RunResult::Count(FailureKind kind) const {
  uint64_t n = 0;
  for (const Failure& f : failures) n += f.kind == kind;
  return n;
}

RunResult RunSchedule(const RunConfig& config, const Schedule& schedule) {
  SeedRun run(config, schedule);
  return run.Run();
}

}  // namespace kvlab::sim

// Playing one Schedule against an engine in the simulator (see runner.h): the
// ops, crashes and recoveries of a SeedRun (seed_run.h); its checks are in
// runner_checks.cc.
#include "sim/campaign/runner.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/crash_oracle.h"
#include "sim/campaign/seed_run.h"
#include "sim/sim_executor.h"

namespace kvlab::sim {
namespace internal {
namespace {

// Records the op's writes with the crash oracle (acknowledged or uncertain),
// viewing the Schedule's strings (it outlives the run, so the oracle copies
// nothing). A single put or delete needs no vector.
void RecordWrite(models::CrashOracle& oracle, const Op& op, bool acknowledged) {
  auto record = [&](absl::Span<const models::WriteRef> refs) {
    if (acknowledged) {
      oracle.AcknowledgedRef(refs);
    } else {
      oracle.UncertainRef(refs);
    }
  };
  switch (op.kind) {
    case OpKind::kPut: {
      const models::WriteRef put{WriteBatch::OpType::kPut, op.key, op.value};
      return record({&put, 1});
    }
    case OpKind::kDelete: {
      const models::WriteRef del{WriteBatch::OpType::kDelete, op.key, {}};
      return record({&del, 1});
    }
    case OpKind::kBatch: {
      absl::InlinedVector<models::WriteRef, 6> refs;
      for (const WriteBatch::Op& b : op.batch.ops()) refs.push_back({b.type, b.key, b.value});
      return record(refs);
    }
    default: KVLAB_CHECK(false, "not a write");
  }
}

}  // namespace

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
  absl::Status s;
  switch (op.kind) {
    case OpKind::kPut: s = store_->Put(options, op.key, op.value); break;
    case OpKind::kDelete: s = store_->Delete(options, op.key); break;
    case OpKind::kBatch: s = store_->Write(options, op.batch); break;
    default: KVLAB_CHECK(false, "not a write");
  }
  MixStatus(s);
  if (!config_.check) {
    NoteKeys(op);
  } else {
    RecordWrite(oracle_, op, /*acknowledged=*/s.ok());
    if (s.ok() && op.sync) oracle_.Synced();
  }
  if (!s.ok()) AfterError(s, before, FormatOp(op));
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

}  // namespace internal

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
  internal::SeedRun run(config, schedule);
  return run.Run();
}

}  // namespace kvlab::sim

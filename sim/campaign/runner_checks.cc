// The checks of a SeedRun (seed_run.h): reads compared against the model, and
// the read-backs after a reopen (against the model) and after a crash (by the
// crash oracle). When RunConfig::check is false they read back the same keys
// and mix the same answers into the hash, comparing nothing.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "models/state_hash.h"
#include "sim/campaign/seed_run.h"

namespace kvlab::sim::internal {
namespace {

std::string Show(std::optional<std::string_view> v) {
  if (!v.has_value()) return "<absent>";
  std::string shown = v->size() <= 24 ? std::string(*v) : absl::StrCat(AV(v->substr(0, 24)), "...");
  return absl::StrCat("\"", absl::CHexEscape(shown), "\" (", v->size(), " B)");
}

// A value read (nullptr: NotFound) or a model entry (nullptr: absent), for Show.
std::optional<std::string_view> ValueOf(const std::string* got) {
  if (got == nullptr) return std::nullopt;
  return std::string_view(*got);
}
std::optional<std::string_view> ValueOf(const models::RefModel::Entry* entry) {
  if (entry == nullptr) return std::nullopt;
  return entry->value;
}

// What a Get returned against what the model holds.
bool SameValue(const std::string* got, const models::RefModel::Entry* expected) {
  return got != nullptr ? expected != nullptr && *got == expected->value : expected == nullptr;
}

// The hash of a value read, mixed into the run hash. `same`: it equals
// `expected`, whose value hash is then the same (no need to hash it again).
uint64_t ReadHash(const std::string& got, const models::RefModel::Entry* expected, bool same) {
  return same ? expected->value_hash : models::ValueHash(got);
}

}  // namespace

void SeedRun::NoteKeys(const Op& op) {
  auto note = [&](const std::string& key) {
    if (key_table_.Intern(key) == keys_.size()) keys_.push_back(key);
  };
  if (op.kind != OpKind::kBatch) {
    note(op.key);
    return;
  }
  for (const WriteBatch::Op& b : op.batch.ops()) note(b.key);
}

void SeedRun::DoGet(const Op& op) {
  SimCounters before = env_.counters();
  const absl::Status s = store_->Get(ReadOptions(), op.key, &read_value_);
  MixStatus(s);
  if (s.ok() || absl::IsNotFound(s)) {
    ++result_.gets_checked;
    const std::string* got = s.ok() ? &read_value_ : nullptr;
    const models::RefModel::Entry* expected =
        config_.check ? oracle_.model().FindEntry(op.key) : nullptr;
    const bool same = config_.check && SameValue(got, expected);
    if (got != nullptr) Mix(ReadHash(*got, expected, same));
    if (!config_.check || same) return;
    bool damaged = DamageFaults(env_.counters()) > 0;
    Fail(damaged && got != nullptr ? FailureKind::kUndetectedCorruption : FailureKind::kWrongValue,
         absl::StrCat("get ", op.key, " returned ", Show(ValueOf(got)), " but the model holds ",
                      Show(ValueOf(expected))));
    return;
  }
  if (IsCorruption(s)) {
    if (MediumDamageFaults(env_.counters()) > 0) {
      ++result_.corruptions_detected;
      return;
    }
    Fail(FailureKind::kSpuriousCorruption,
         absl::StrCat("get ", op.key, " reported ", s.ToString(),
                      " but no fault could have damaged it"));
    return;
  }
  // A read error or a crash point: explained by a fault, or a failure.
  call_failed_ = true;
  if (env_.crash_pending() || FaultExplains(before)) return;
  Fail(FailureKind::kUnexpectedError,
       absl::StrCat("get ", op.key, " failed with no fault injected: ", s.ToString()));
}

void SeedRun::CheckReopened() {
  for (const std::string& key : Keys()) {
    const absl::Status s = store_->Get(ReadOptions(), key, &read_value_);
    MixStatus(s);
    // s.ok() first: IsCorruption is an out-of-line call, and most reads succeed.
    if (!s.ok() && IsCorruption(s)) {
      if (MediumDamageFaults(env_.counters()) > 0) {
        ++result_.corruptions_detected;
        continue;
      }
      Fail(FailureKind::kSpuriousCorruption,
           absl::StrCat("after a clean close and reopen, get ", key, " reported ", s.ToString(),
                        " but no fault could have damaged it"));
      return;
    }
    if (!s.ok() && env_.crash_pending()) return;  // An armed crash point fired.
    if (!s.ok() && !absl::IsNotFound(s)) {
      Fail(FailureKind::kUnexpectedError,
           absl::StrCat("after a clean close and reopen, get ", key, " failed (faults off): ",
                        s.ToString()));
      return;
    }
    const std::string* got = s.ok() ? &read_value_ : nullptr;
    const models::RefModel::Entry* expected =
        config_.check ? oracle_.model().FindEntry(key) : nullptr;
    const bool same = config_.check && SameValue(got, expected);
    if (got != nullptr) Mix(ReadHash(*got, expected, same));
    if (!config_.check) continue;
    if (!same) {
      Fail(FailureKind::kIllegalRecoveredState,
           absl::StrCat("after a clean close and reopen (no crash), get ", key, " returned ",
                        Show(ValueOf(got)), " but the model holds ", Show(ValueOf(expected))));
      return;
    }
  }
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
  if (found != nullptr) found->reserve(Keys().size());  // No rehash while it fills.
  for (const std::string& key : Keys()) {
    const absl::Status s = store_->Get(ReadOptions(), key, &read_value_);
    MixStatus(s);
    if (s.ok()) {
      // After a crash the value may be any legal one; mostly it is the model's.
      const models::RefModel::Entry* model =
          config_.check ? oracle_.model().FindEntry(key) : nullptr;
      Mix(ReadHash(read_value_, model, model != nullptr && read_value_ == model->value));
      if (found != nullptr) found->emplace(key, read_value_);
    } else if (IsCorruption(s)) {
      if (corrupted != nullptr) corrupted->insert(key);
    } else if (!absl::IsNotFound(s)) {
      return absl::Status(s.code(), absl::StrCat("reading key ", key, " back: ", s.message()));
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

}  // namespace kvlab::sim::internal

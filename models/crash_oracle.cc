// CrashOracle (see crash_oracle.h for the rule it checks). The window of ops
// since the last sync point is enumerated as candidate states over an overlay
// on the base (no copies); hashes find the match, an entry-by-entry compare
// confirms it, and only a failure pays for the detailed diff.
#include "models/crash_oracle.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "models/crash_oracle_walker.h"
#include "models/state_hash.h"

namespace kvlab::models {
namespace {

// A value for messages: quoted and C-escaped, long ones cut, or <absent>.
std::string Show(const std::string_view* value) {
  if (value == nullptr) return "<absent>";
  constexpr size_t kShown = 40;
  std::string out = absl::StrCat(
      "\"", absl::CHexEscape(absl::string_view(value->data(), std::min(value->size(), kShown))),
      "\"");
  if (value->size() > kShown) absl::StrAppend(&out, "...(", value->size(), " bytes)");
  return out;
}
std::string Show(const std::string* value) {
  if (value == nullptr) return Show(static_cast<const std::string_view*>(nullptr));
  const std::string_view view = *value;
  return Show(&view);
}

}  // namespace

CrashOracle::CrashOracle(Durability durability, Options options)
    : durability_(durability), options_(options) {}

void CrashOracle::Acknowledged(WriteBatch op) { RecordBatch(std::move(op), /*uncertain=*/false); }

void CrashOracle::Uncertain(WriteBatch op) { RecordBatch(std::move(op), /*uncertain=*/true); }

void CrashOracle::AcknowledgedRef(absl::Span<const WriteRef> op) {
  Record(op, /*uncertain=*/false, nullptr);
}

void CrashOracle::UncertainRef(absl::Span<const WriteRef> op) {
  Record(op, /*uncertain=*/true, nullptr);
}

// The batch moves to the heap once; every view of it holds it alive.
void CrashOracle::RecordBatch(WriteBatch op, bool uncertain) {
  auto batch = std::make_shared<const WriteBatch>(std::move(op));
  Ops ops;
  for (const WriteBatch::Op& o : batch->ops()) ops.push_back(WriteRef{o.type, o.key, o.value});
  Record(ops, uncertain, std::move(batch));
}

void CrashOracle::Record(absl::Span<const WriteRef> op, bool uncertain, Keep keep) {
  Recorded rec{Ops(op.begin(), op.end()), {}, uncertain, std::move(keep)};
  for (WriteRef& o : rec.ops) {
    Intern(o);
    // Hashed once: model_, base_ and the walker share them.
    rec.hashes.push_back(o.type == WriteBatch::OpType::kPut
                             ? HashPut(key_table_->key_hash(o.key_id), o.value)
                             : PutHashes());
  }
  if (uncertain) {
    KVLAB_CHECK(uncertain_in_window_ < kMaxUncertainOps,
                "CrashOracle: too many failed (uncertain) writes since the last check; "
                "the driver must crash and CheckRecovered sooner after write errors");
    ++uncertain_in_window_;
    ++uncertain_ops_total_;
  } else {
    model_.Apply(rec.ops, rec.hashes, rec.keep);
    ++acknowledged_ops_;
  }
  window_.push_back(std::move(rec));
  model_hash_after_.push_back(model_.StateHash());
}

void CrashOracle::Synced() {
  if (durability_ == Durability::kNone) return;  // Nothing is ever promised.
  synced_ops_ = acknowledged_ops_;
  required_ = window_.size();
  if (!damaged_.empty()) {  // A synced write heals a damaged key (rule (d)).
    for (const Recorded& rec : window_) {
      if (rec.uncertain) continue;
      for (const WriteRef& op : rec.ops) damaged_.erase(AV(op.key));
    }
  }
  FoldRequired();
}

// Moves the required ops before the first pending uncertain op into base_.
void CrashOracle::FoldRequired() {
  size_t k = 0;
  while (k < required_ && !window_[k].uncertain) ++k;
  if (k == 0) return;
  for (size_t i = 0; i < k; ++i) {
    base_.Apply(window_[i].ops, window_[i].hashes, window_[i].keep);
    folded_.push_back(std::move(window_[i]));
    if (folded_.size() > kFoldedHistoryOps) folded_.pop_front();
  }
  KVLAB_CHECK_EQ(base_.StateHash(), model_hash_after_[k - 1]);
  window_.erase(window_.begin(), window_.begin() + k);
  model_hash_after_.erase(model_hash_after_.begin(), model_hash_after_.begin() + k);
  required_ -= k;
}

void CrashOracle::Intern(WriteRef& op) {
  op.key_id = key_table_->Intern(op.key);
  op.key = key_table_->key(op.key_id);
  if (op.key_id >= in_universe_.size()) in_universe_.resize(op.key_id + 1);
  if (in_universe_[op.key_id]) return;
  in_universe_[op.key_id] = true;
  keys_.emplace_back(op.key);
}

bool CrashOracle::Pinned(const std::string& key) const {
  if (durability_ == Durability::kNone) return false;
  for (size_t i = window_.size(); i-- > 0;) {
    for (const WriteRef& op : window_[i].ops) {
      if (op.key == key) return i < required_ && !window_[i].uncertain;
    }
  }
  return true;  // Untouched since the base, which is synced (or adopted).
}

void CrashOracle::Adopt(const Candidate& c) {
  size_t u = 0;
  for (size_t i = 0; i < c.prefix; ++i) {
    Recorded& rec = window_[i];
    if (rec.uncertain && (c.included & (uint64_t{1} << u++)) == 0) continue;
    base_.Apply(rec.ops, rec.hashes, rec.keep);
    folded_.push_back(std::move(rec));  // The window is cleared below.
    if (folded_.size() > kFoldedHistoryOps) folded_.pop_front();
  }
  window_.clear();
  model_hash_after_.clear();
  required_ = 0;
  uncertain_in_window_ = 0;
  model_ = base_;
}

absl::Status CrashOracle::CheckRecovered(KvStore& store) {
  FoundMap found;
  found.reserve(keys_.size());
  KeySet corrupted;
  std::string value;  // Every read's, reused.
  for (const std::string& key : keys_) {
    const absl::Status s = store.Get(ReadOptions(), key, &value);
    if (s.ok()) {
      found.emplace(key, value);
    } else if (IsCorruption(s)) {
      corrupted.insert(key);
    } else if (!absl::IsNotFound(s)) {
      ++counters_.checks;
      return absl::Status(s.code(), absl::StrCat("crash oracle: reading key ", Show(&key),
                                                 " after recovery: ", s.message()));
    }
  }
  return CheckRecoveredState(found, corrupted);
}

absl::Status CrashOracle::CheckRecoveredState(const FoundMap& found) {
  return CheckRecoveredState(found, KeySet());
}

absl::Status CrashOracle::CheckRecoveredState(const FoundMap& found, const KeySet& corrupted) {
  ++counters_.checks;
  counters_.corruptions_reported += corrupted.size();
  for (const auto& [key, value] : found) {
    KVLAB_CHECK(corrupted.empty() || !corrupted.contains(key),
                "CrashOracle: a key both found and corrupted");
    const uint32_t id = key_table_->Find(key);
    if (id == KeyTable::kNone || id >= in_universe_.size() || !in_universe_[id]) {
      ++counters_.wrong_values;
      return absl::InternalError(absl::StrCat("crash oracle: key ", Show(&key),
                                              " was never written but reads back as ",
                                              Show(&value)));
    }
  }
  KeySet wild = corrupted;  // Keys left out of the candidate match.
  RETURN_IF_ERROR(CheckDamaged(found, corrupted, wild));
  absl::flat_hash_map<std::string, ValueSet> newly_damaged;
  for (const std::string& key : corrupted) {
    ValueSet older;
    ValueHistory(key, newly_damaged[key], older);  // Before Search empties the window.
  }
  RETURN_IF_ERROR(Search(found, wild));
  // Damaged keys that read back healthy hold what was read; corrupted ones
  // stay (or become) damaged. (Search's Adopt already set model_ = base_.)
  bool healed = false;
  for (auto it = damaged_.begin(); it != damaged_.end();) {
    if (corrupted.contains(it->first)) {
      ++it;
      continue;
    }
    const std::string* f = FindIn(found, it->first);
    if (f != nullptr) {
      auto value = std::make_shared<const std::string>(*f);  // `found` is the caller's.
      // Numbered without joining the universe (it may be a key never written).
      base_.Put(key_table_->Intern(it->first), *value, HashPut(EntryKeyHash(it->first), *value),
                value);
    } else {
      base_.Delete(key_table_->Find(it->first));
    }
    damaged_.erase(it++);
    healed = true;
  }
  if (healed) model_ = base_;
  for (auto& [key, values] : newly_damaged) damaged_[key].insert(values.begin(), values.end());
  return absl::OkStatus();
}

// Rule (b) for corrupted keys, and rule (d) for keys damaged at an earlier
// check; adds the damaged keys to `wild`.
absl::Status CrashOracle::CheckDamaged(const FoundMap& found, const KeySet& corrupted,
                                       KeySet& wild) const {
  std::vector<std::string> sorted(corrupted.begin(), corrupted.end());
  std::sort(sorted.begin(), sorted.end());
  for (const std::string& key : sorted) {
    if (options_.synced_data_may_be_damaged || damaged_.contains(key) || !Pinned(key)) continue;
    return absl::InternalError(absl::StrCat(
        "crash oracle: key ", Show(&key),
        " reads back as Corruption, but its value is synced and this fault profile cannot "
        "damage synced data (CrashOracle::Options::synced_data_may_be_damaged is false); "
        "expected ", Show(base_.Find(key)), " or its last synced write"));
  }
  for (const auto& [key, allowed] : damaged_) {
    if (corrupted.contains(key)) continue;
    const std::string* f = FindIn(found, key);
    const Value value = f ? Value(*f) : std::nullopt;
    ValueSet written, older;
    ValueHistory(key, written, older);
    if (!allowed.contains(value) && !written.contains(value)) {
      return absl::InternalError(absl::StrCat(
          "crash oracle: key ", Show(&key), " was reported as Corruption at an earlier check "
          "and now reads back as ", Show(f), ", which it never held before the damage or "
          "since"));
    }
    wild.insert(key);
  }
  return absl::OkStatus();
}

// Finds a candidate equal to `found` outside `wild` and adopts it; else Explain.
absl::Status CrashOracle::Search(const FoundMap& found, const KeySet& corrupted) {
  // A found value equal to the one model_ or base_ holds for its key (the
  // usual case) takes that entry's hash, EntryHash of the same key and bytes,
  // instead of hashing the value again.
  auto entry_hash = [this](const std::string& key, const std::string& value) {
    const uint32_t id = key_table_->Find(key);
    for (const RefModel* m : {&model_, &base_}) {
      const RefModel::Entry* e = m->FindEntry(id);
      if (e != nullptr && e->value == value) return e->hash;
    }
    return id == KeyTable::kNone ? EntryHash(key, value)
                                 : EntryHashOf(key_table_->key_hash(id), value);
  };
  uint64_t target = 0;
  for (const auto& [key, value] : found) {
    // (Looking up in an empty set still hashes the key: skipped, as below.)
    if (corrupted.empty() || !corrupted.contains(key)) target += entry_hash(key, value);
  }

  Walker walker(*this, nullptr, nullptr);
  auto matches = [&]() {
    for (const std::string& key : keys_) {
      if (!corrupted.empty() && corrupted.contains(key)) continue;
      if (!SameValue(walker.Lookup(key), FindIn(found, key))) return false;
    }
    return true;
  };
  if (uncertain_in_window_ == 0 && corrupted.empty()) {
    // Fast path: the model's hash after each op is already known.
    for (size_t p = required_; p <= window_.size(); ++p) {
      ++counters_.prefixes_considered;
      const uint64_t h = p == 0 ? base_.StateHash() : model_hash_after_[p - 1];
      if (h != target) continue;
      walker.Build(Candidate{p, 0});
      if (!matches()) continue;  // A 64-bit hash collision: keep looking.
      Adopt(Candidate{p, 0});
      return absl::OkStatus();
    }
  } else {
    std::optional<Candidate> hit;
    walker.Run([&](const Candidate& c, const Walker::Track& t) {
      ++counters_.prefixes_considered;
      uint64_t h = t.hash;
      for (const std::string& key : corrupted) h -= walker.LookupSlot(key).hash;
      if (h != target || !matches()) return false;
      hit = c;
      return true;
    });
    if (hit.has_value()) {
      Adopt(*hit);
      return absl::OkStatus();
    }
  }
  return Explain(found, corrupted);
}

// `key`'s base value and every write to it in the window (`written`), and in
// `older` the values it held before the required point, including recently
// folded (synced) history: values a synced op has since replaced.
void CrashOracle::ValueHistory(const std::string& key, ValueSet& written,
                               ValueSet& older) const {
  auto value_of = [](const WriteRef& op) {
    return op.type == WriteBatch::OpType::kPut ? Value(op.value) : std::nullopt;
  };
  const std::string_view* base_value = base_.Find(key);
  written.insert(base_value ? Value(*base_value) : std::nullopt);
  older = written;
  for (const Recorded& rec : folded_) {
    for (const WriteRef& op : rec.ops) {
      if (op.key == key) older.insert(value_of(op));
    }
  }
  for (size_t i = 0; i < window_.size(); ++i) {
    for (const WriteRef& op : window_[i].ops) {
      if (op.key != key) continue;
      written.insert(value_of(op));
      if (i < required_) older.insert(value_of(op));
    }
  }
}

// Found keys whose value is neither their base value nor any put in the window.
uint64_t CrashOracle::CountNeverWritten(const FoundMap& found) const {
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> puts;
  for (const Recorded& rec : window_) {
    for (const WriteRef& op : rec.ops) {
      if (op.type == WriteBatch::OpType::kPut) puts.insert({AV(op.key), AV(op.value)});
    }
  }
  uint64_t n = 0;
  for (const auto& [key, value] : found) {
    if (SameValue(base_.Find(key), &value)) continue;
    n += !puts.contains({AV(key), AV(value)});
  }
  return n;
}

// The failure path: finds the closest candidate, the first key where it
// differs, that key's legal values, and classifies the failure.
absl::Status CrashOracle::Explain(const FoundMap& found, const KeySet& corrupted) {
  Walker walker(*this, &found, &corrupted);
  Candidate best;
  int64_t best_mismatches = -1;
  size_t candidates = 0;
  walker.Run([&](const Candidate& c, const Walker::Track& t) {
    ++candidates;
    if (best_mismatches < 0 || t.mismatches <= best_mismatches) {
      best = c;
      best_mismatches = t.mismatches;
    }
    return false;
  });
  KVLAB_CHECK(best_mismatches > 0, "CrashOracle: a matching candidate was missed");
  walker.Build(best);
  std::vector<std::string> differing;
  for (const std::string& key : keys_) {
    if (corrupted.contains(key)) continue;
    if (!SameValue(walker.Lookup(key), FindIn(found, key))) differing.push_back(key);
  }
  std::sort(differing.begin(), differing.end());
  KVLAB_CHECK(!differing.empty());
  const std::string& first = differing.front();
  const std::string* found_value = FindIn(found, first);

  // The first key's legal values over every candidate, and its older values.
  ValueSet legal;
  walker.Run([&](const Candidate&, const Walker::Track&) {
    const std::string_view* v = walker.Lookup(first);
    legal.insert(v == nullptr ? std::nullopt : Value(*v));
    return false;
  });
  ValueSet written, older;
  ValueHistory(first, written, older);
  counters_.wrong_values += CountNeverWritten(found);
  const Value found_opt = found_value ? Value(*found_value) : std::nullopt;
  std::string verdict;
  if (!found_opt.has_value() && !legal.contains(found_opt)) {
    verdict = "it is missing, but every legal state holds it: an acknowledged write "
              "before the last sync point was lost";
    ++counters_.synced_ops_lost;
  } else if (older.contains(found_opt) && !legal.contains(found_opt)) {
    verdict = "it holds an older value: an op acknowledged before the last sync point "
              "was lost (or a deleted key came back)";
    ++counters_.synced_ops_lost;
  } else if (!written.contains(found_opt)) {
    verdict = "it holds a value never written for that key (at least in the last " +
              std::to_string(kFoldedHistoryOps) + " synced ops)";
  } else {
    verdict = "it mixes two prefixes (no single prefix of the acknowledged ops explains it)";
  }
  std::vector<std::string> legal_shown;
  for (const auto& v : legal) {
    if (legal_shown.size() == 8) {
      legal_shown.push_back("...");
      break;
    }
    legal_shown.push_back(Show(v ? &*v : nullptr));
  }
  std::vector<std::string> differing_shown;
  for (size_t i = 0; i < differing.size() && i < 5; ++i) {
    differing_shown.push_back(Show(&differing[i]));
  }
  return absl::InternalError(absl::StrCat(
      "crash oracle: recovered state is not legal. First differing key ", Show(&first),
      ": found ", Show(found_value), "; legal values over the ", candidates,
      " candidate prefixes: [", absl::StrJoin(legal_shown, ", "), "]; ", verdict,
      ". Closest legal state: ", best.prefix, " of the ", window_.size(),
      " ops since the last synced state (", required_, " of them required), differing in ",
      differing.size(), " key(s): ", absl::StrJoin(differing_shown, ", "),
      differing.size() > 5 ? ", ..." : "", ". Ops: ", acknowledged_ops_, " acknowledged, ",
      synced_ops_, " synced, ", uncertain_in_window_, " uncertain pending; durability ",
      durability_ == Durability::kNone ? "none" : "sync point", "."));
}

}  // namespace kvlab::models

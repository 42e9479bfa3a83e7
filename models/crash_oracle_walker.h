// CrashOracle::Walker, the enumeration of candidate states, and the helpers
// it shares with crash_oracle.cc. Internal to crash_oracle.cc (its own file
// only to keep each file a readable size).
#ifndef KVLAB_MODELS_CRASH_ORACLE_WALKER_H_
#define KVLAB_MODELS_CRASH_ORACLE_WALKER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "engine/common/status_macros.h"
#include "models/crash_oracle.h"

namespace kvlab::models {
namespace oracle_internal {
using FoundMap = absl::flat_hash_map<std::string, std::string>;
using KeySet = absl::flat_hash_set<std::string>;

inline const std::string* FindIn(const FoundMap& found, std::string_view key) {
  auto it = found.find(AV(key));
  return it == found.end() ? nullptr : &it->second;
}

// Two values or absences (std::string or std::string_view), equal.
template <typename A, typename B>
bool SameValue(const A* a, const B* b) {
  if (a == nullptr || b == nullptr) return (a == nullptr) == (b == nullptr);
  return std::string_view(*a) == std::string_view(*b);
}

}  // namespace oracle_internal

using oracle_internal::FindIn;
using oracle_internal::FoundMap;
using oracle_internal::KeySet;
using oracle_internal::SameValue;

// Walks the candidate states: base_ + the window's ops, each uncertain op
// applied or not, visiting every prefix p >= required_. The state lives in an
// overlay (key -> value pointer into the window, nullptr = deleted) with an
// undo log, so branches share work and nothing is copied.
class CrashOracle::Walker {
 public:
  struct Track {
    uint64_t hash = 0;
    int64_t mismatches = 0;  // Keys differing from *found_ (when given).
  };
  using Visit = absl::FunctionRef<bool(const Candidate&, const Track&)>;

  // With `found`, Track::mismatches counts keys (outside `corrupted`) whose
  // candidate value differs from found's.
  Walker(const CrashOracle& oracle, const FoundMap* found, const KeySet* corrupted)
      : o_(oracle), found_(found), corrupted_(corrupted) {}

  // The candidate's value of `key` (nullptr: absent) and its EntryHash (0).
  struct Slot {
    const std::string_view* value = nullptr;
    uint64_t hash = 0;
  };
  Slot LookupSlot(std::string_view key) const {
    if (!overlay_.empty()) {  // (An empty map's lookup still hashes the key.)
      auto it = overlay_.find(AV(key));
      if (it != overlay_.end()) return it->second;
    }
    const RefModel::Entry* e = o_.base_.FindEntry(key);
    return e == nullptr ? Slot{} : Slot{&e->value, e->hash};
  }
  const std::string_view* Lookup(std::string_view key) const { return LookupSlot(key).value; }

  // Visits every candidate until `visit` returns true; returns whether it did.
  // The overlay then holds the state of the candidate that stopped the walk.
  bool Run(Visit visit) {
    overlay_.clear();
    undo_.clear();
    seen_.clear();
    Track start;
    start.hash = o_.base_.StateHash();
    if (found_ != nullptr) start.mismatches = BaseMismatches();
    return Walk(0, 0, 0, start, /*skip_visit=*/false, visit);
  }

  // Sets the overlay to candidate `c`'s state.
  void Build(const Candidate& c) {
    overlay_.clear();
    undo_.clear();
    Track t;
    size_t u = 0;
    for (size_t i = 0; i < c.prefix; ++i) {
      const Recorded& rec = o_.window_[i];
      if (rec.uncertain && (c.included & (uint64_t{1} << u++)) == 0) continue;
      Apply(rec, t);
    }
  }

 private:
  bool Walk(size_t i, size_t u, uint64_t included, Track t, bool skip_visit, Visit visit) {
    const size_t n = o_.window_.size();
    for (;; ++i) {
      if (i >= o_.required_ && !skip_visit && visit(Candidate{i, included}, t)) return true;
      skip_visit = false;
      if (i == n) return false;
      const Recorded& rec = o_.window_[i];
      if (rec.uncertain) {
        // Branches that reach op i in the same state (an uncertain op later
        // overwritten, or a no-op) walk the same futures: explore one. Equal
        // hashes stand for equal states here (a 2^-64 risk of a false reject).
        if (!seen_.insert({i, t.hash}).second) return false;
        const size_t mark = undo_.size();
        Track with = t;
        Apply(rec, with);
        if (Walk(i + 1, u + 1, included | (uint64_t{1} << u), with, false, visit)) return true;
        Undo(mark);
        ++u;
        // Excluding op i leaves state i, already visited if i >= required_.
        skip_visit = i >= o_.required_;
        continue;
      }
      Apply(rec, t);
    }
  }

  int64_t BaseMismatches() const {
    int64_t m = 0;
    for (const std::string& key : o_.keys_) {
      if (corrupted_->contains(key)) continue;
      m += !SameValue(o_.base_.Find(key), FindIn(*found_, key));
    }
    return m;
  }

  void Apply(const Recorded& rec, Track& t) {
    size_t j = 0;
    for (const WriteRef& op : rec.ops) {
      const Slot old_slot = LookupSlot(op.key);
      const Slot new_slot = op.type == WriteBatch::OpType::kPut
                                ? Slot{&op.value, rec.hashes[j].entry}
                                : Slot{};
      const std::string_view* old_value = old_slot.value;
      const std::string_view* new_value = new_slot.value;
      ++j;
      t.hash += new_slot.hash - old_slot.hash;
      if (found_ != nullptr && !corrupted_->contains(AV(op.key))) {
        const std::string* f = FindIn(*found_, op.key);
        t.mismatches += !SameValue(new_value, f);
        t.mismatches -= !SameValue(old_value, f);
      }
      auto [it, inserted] = overlay_.try_emplace(AV(op.key), new_slot);
      undo_.push_back(UndoEntry{it->first, inserted, inserted ? Slot{} : it->second});
      it->second = new_slot;
    }
  }

  void Undo(size_t mark) {
    while (undo_.size() > mark) {
      const UndoEntry& u = undo_.back();
      if (u.inserted) {
        overlay_.erase(u.key);
      } else {
        overlay_[u.key] = u.previous;
      }
      undo_.pop_back();
    }
  }

  struct UndoEntry {
    absl::string_view key;
    bool inserted;
    Slot previous;
  };
  const CrashOracle& o_;
  const FoundMap* found_;
  const KeySet* corrupted_;
  absl::flat_hash_map<absl::string_view, Slot> overlay_;
  std::vector<UndoEntry> undo_;
  absl::flat_hash_set<std::pair<size_t, uint64_t>> seen_;  // (uncertain op index, state hash)
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_CRASH_ORACLE_WALKER_H_

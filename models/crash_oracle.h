// CrashOracle: checks a recovered store against the durability contract of
// ARCHITECTURE.md ("The durability contract, which the crash oracle checks").
//
// The driver reports every write as the engine answered it (Acknowledged /
// Uncertain) and every sync point (Synced). After a crash and a reopen,
// CheckRecovered reads every key ever written and decides whether the store is
// a LEGAL recovered state. On success the recovered state becomes the new
// base and later operations append to it.
//
// THE RULE. Call the operations recorded since the last adopted base (or the
// start) the window w[0..n), and r the number of them recorded before the
// last Synced(). A recovered state is legal iff, for SOME prefix length p with
// r <= p <= n and SOME choice, for each Uncertain op in w[0..p), of applied
// or not applied:
//   (a) every key that Get returns a value (or NotFound) for has exactly the
//       value (or absence) it has in  base + the chosen ops of w[0..p),
//       applied in order, each batch whole (never a mix of two candidates);
//   (b) every key reported as Corruption (IsCorruption) is a wildcard: it is
//       counted in corruptions_reported and excluded from (a), EXCEPT that it
//       is an error when Options::synced_data_may_be_damaged is false and the
//       key is PINNED: its last op in the window is an Acknowledged op at an
//       index < r, or no window op touches it and durability is not kNone
//       (i.e. its value, present or absent, is the same in every candidate
//       and the engine promised it durable). Corruption of unsynced data is
//       always legal (rule 3: damaged data is reported, or within the
//       unsynced suffix dropped; it is never returned as a value);
//   (c) any other Get error fails the check (the store could not be read);
//   (d) a key DAMAGED at an earlier accepted check (read back as Corruption
//       there, and since then neither read back healthy at an accepted check
//       nor written by an acknowledged op followed by Synced()) may read back
//       as Corruption again, always (even if pinned), or as a value it could
//       hold at that check or this one: its value at the last sync point
//       (before the first pending uncertain op) or any write to it after
//       that (absence for a delete). It is left out of (a), so a damaged key
//       need not agree with the chosen prefix (looser than (a), on purpose).
//       When it reads back healthy at an accepted check, the value read
//       becomes its base value.
// Rule 2 ("no value never written for that key") follows from (a): every
// candidate holds only written values. In a failed check, keys holding a
// value that is neither their base value nor a write in the window are
// counted in wrong_values.
//
// Durability. kSyncPoint and kCheckpoint: the driver calls Synced() at every
// sync point the engine defines (Sync() OK, a sync=true write acknowledged, a
// completed checkpoint/commit). kNone: Synced() is ignored, r stays 0, so ANY
// prefix of the window (including the empty one, i.e. the base: empty for a
// new oracle, the last adopted state after a check) is legal and nothing is
// pinned. Under kNone the window is only emptied by a check, so memory grows
// with the ops between two checks.
//
// Uncertain ops. A write that returned an error may or may not be applied, at
// its recorded position; whether it was is unknown until a check resolves it,
// so a Synced() folds the window into the base only up to the first pending
// uncertain op. At most kMaxUncertainOps uncertain ops may be pending in the
// window (the check enumerates include/exclude: 2^u candidates per prefix);
// recording one more KVLAB_CHECK-fails, telling the driver to crash (and
// check) sooner after write errors.
//
// Cost. Ops since the last sync point only are kept (older ones are folded
// into the base), plus the hash of the model state after each of them; a
// check hashes the recovered state once and compares it with the candidate
// prefixes' hashes (O(n) with no uncertain ops), then confirms the match entry
// by entry. Only a failure computes the detailed diff for the message (it
// also consults the last kFoldedHistoryOps folded ops, to tell a lost synced
// write from a value never written).
//
// Copies. Acknowledged/Uncertain take the WriteBatch and keep it (shared by
// the window, the models and the folded history, freed when none refers to
// it); AcknowledgedRef/UncertainRef copy nothing, for a driver whose writes
// outlive the oracle (the simulator's Schedule). The models view the
// recorded bytes (ref_model.h): no write's key or value is ever copied.
//
// model() is the state after every Acknowledged op (Uncertain ops excluded).
// Not thread-safe.
#ifndef KVLAB_MODELS_CRASH_ORACLE_H_
#define KVLAB_MODELS_CRASH_ORACLE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "engine/kv_store.h"
#include "models/ref_model.h"

namespace kvlab::models {

class CrashOracle {
 public:
  // Bound on pending uncertain ops in the window (see the file comment).
  static constexpr size_t kMaxUncertainOps = 10;

  struct Options {
    // True when the fault profile can damage bytes that were synced (bit flips
    // on read, misdirected writes): Corruption for a pinned key is then legal.
    // False (strict) for crash / torn-write-only profiles.
    bool synced_data_may_be_damaged = false;
  };

  explicit CrashOracle(Durability durability) : CrashOracle(durability, Options()) {}
  CrashOracle(Durability durability, Options options);

  // A put/delete/batch the engine acknowledged OK (a Put is a one-op batch).
  void Acknowledged(WriteBatch op);
  // A write that returned an error: it may or may not have been applied.
  void Uncertain(WriteBatch op);
  // The same for a write whose keys and values stay valid, unchanged, for the
  // oracle's life (the simulator's Schedule outlives its run): nothing is copied.
  void AcknowledgedRef(absl::Span<const WriteRef> op);
  void UncertainRef(absl::Span<const WriteRef> op);
  // A Sync() (or sync write, or completed checkpoint) returned OK: every op
  // recorded so far must survive. Ignored under Durability::kNone.
  void Synced();

  // Every key ever written, in first-written order (the universe a check reads).
  const std::vector<std::string>& keys() const { return keys_; }

  // Reads every key of the universe from `store` with Get and checks it (see
  // the file comment). On success adopts the matched state as the new base.
  // On failure: an error (kInternal) naming the first differing key, its
  // legal values over the candidate prefixes, what was found, the closest
  // candidate and the counts of acknowledged / synced / uncertain ops; the
  // oracle's state is then unchanged.
  absl::Status CheckRecovered(KvStore& store);
  // The same check against a plain map: `found` holds the keys that read back
  // with a value; universe keys missing from it read NotFound. Keys in
  // `corrupted` read back as Corruption. REQUIRES: found and corrupted are
  // disjoint (KVLAB_CHECKed).
  absl::Status CheckRecoveredState(const absl::flat_hash_map<std::string, std::string>& found);
  absl::Status CheckRecoveredState(const absl::flat_hash_map<std::string, std::string>& found,
                                   const absl::flat_hash_set<std::string>& corrupted);

  // The state after every acknowledged op.
  const RefModel& model() const { return model_; }

  struct Counters {
    uint64_t checks = 0;           // CheckRecovered* calls.
    uint64_t synced_ops_lost = 0;  // Failed checks whose found state or first
                                   // differing key shows a synced op undone.
    uint64_t wrong_values = 0;     // In failed checks: keys read back with a value that
                                   // is neither their base value nor a write in the window.
    uint64_t corruptions_reported = 0;  // Keys read back as Corruption.
    uint64_t prefixes_considered = 0;   // Candidate states compared by hash.
  };
  const Counters& counters() const { return counters_; }

  // Totals over the oracle's life, for messages and reports.
  uint64_t acknowledged_ops() const { return acknowledged_ops_; }
  uint64_t uncertain_ops() const { return uncertain_ops_total_; }
  uint64_t synced_ops() const { return synced_ops_; }
  // Ops in the window, how many of them are required, and pending uncertain ones.
  size_t window_size() const { return window_.size(); }
  size_t required_in_window() const { return required_; }
  size_t uncertain_in_window() const { return uncertain_in_window_; }

 private:
  using Ops = absl::InlinedVector<WriteRef, 1>;  // Most writes are a single put or delete.
  struct Recorded {
    Ops ops;                      // Keys are interned (key_table_: key and key_id).
    absl::InlinedVector<PutHashes, 2> hashes;  // Of each op (zero for a delete).
    bool uncertain = false;
    Keep keep;  // The WriteBatch that `ops`' values view (null: they outlive the oracle).
  };
  class Walker;
  struct Candidate {
    size_t prefix = 0;       // Ops of the window included (p).
    uint64_t included = 0;   // Bit i: the i-th uncertain op in the window is applied.
  };

  void RecordBatch(WriteBatch op, bool uncertain);
  void Record(absl::Span<const WriteRef> op, bool uncertain, Keep keep);
  void FoldRequired();
  // Interns op.key (key_table_: the stored key and its id) and adds it to
  // the universe if new.
  void Intern(WriteRef& op);
  bool Pinned(const std::string& key) const;
  void Adopt(const Candidate& c);
  using Value = std::optional<std::string>;
  using ValueSet = std::set<Value>;
  void ValueHistory(const std::string& key, ValueSet& written, ValueSet& older) const;
  uint64_t CountNeverWritten(const absl::flat_hash_map<std::string, std::string>& found) const;
  absl::Status CheckDamaged(const absl::flat_hash_map<std::string, std::string>& found,
                            const absl::flat_hash_set<std::string>& corrupted,
                            absl::flat_hash_set<std::string>& wild) const;
  absl::Status Search(const absl::flat_hash_map<std::string, std::string>& found,
                      const absl::flat_hash_set<std::string>& wild);
  absl::Status Explain(const absl::flat_hash_map<std::string, std::string>& found,
                       const absl::flat_hash_set<std::string>& corrupted);

  Durability durability_;
  Options options_;
  // Numbers every key the models hold (shared by copies of the oracle: ids
  // only ever get added). Before base_ and model_, which point to it.
  std::shared_ptr<KeyTable> key_table_ = std::make_shared<KeyTable>();
  RefModel base_{key_table_.get()};   // State before window_[0].
  RefModel model_{key_table_.get()};  // base_ + every acknowledged op of the window.
  std::vector<Recorded> window_;
  // model_hash_after_[i]: model_'s hash after window_[0..i] (uncertain excluded).
  std::vector<uint64_t> model_hash_after_;
  size_t required_ = 0;  // r.
  size_t uncertain_in_window_ = 0;
  // The last ops folded into base_, kept only to tell "a synced write was
  // lost" from "a value never written" in failure messages.
  static constexpr size_t kFoldedHistoryOps = 1024;
  std::deque<Recorded> folded_;
  // Keys read back as Corruption at an accepted check and not written (into
  // the base) since, with the values they may legally read back as (rule (d)).
  absl::flat_hash_map<std::string, ValueSet> damaged_;
  std::vector<std::string> keys_;
  std::vector<bool> in_universe_;  // By key id: in keys_.
  uint64_t acknowledged_ops_ = 0, uncertain_ops_total_ = 0, synced_ops_ = 0;
  Counters counters_;
};

}  // namespace kvlab::models

#endif  // KVLAB_MODELS_CRASH_ORACLE_H_

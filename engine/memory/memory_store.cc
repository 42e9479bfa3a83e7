// The `memory` engine (see memory_store.h): maps under one mutex, with
// snapshot versions kept only while a snapshot or iterator could see them.
#include "engine/memory/memory_store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::memory {
namespace {

// The value a key had before the write with sequence number `seq`.
struct OldVersion {
  uint64_t seq;
  std::optional<std::string> value;  // nullopt: the key was absent.
};

// Everything the store, its snapshots and its iterators share. Snapshots and
// iterators hold a shared_ptr, so they may outlive the KvStore object.
struct State {
  explicit State(bool ordered_in) : ordered(ordered_in) {}
  const bool ordered;

  absl::Mutex mu;
  bool closed ABSL_GUARDED_BY(mu) = false;
  absl::btree_map<std::string, std::string> tree ABSL_GUARDED_BY(mu);      // ordered
  absl::flat_hash_map<std::string, std::string> hash ABSL_GUARDED_BY(mu);  // !ordered
  uint64_t seq ABSL_GUARDED_BY(mu) = 0;  // Sequence number of the last write.
  // Live snapshot sequence numbers -> how many snapshots/iterators hold each.
  std::map<uint64_t, int> live ABSL_GUARDED_BY(mu);
  // Per key, the versions overwritten since a live snapshot was taken, by seq.
  absl::btree_map<std::string, std::vector<OldVersion>> history ABSL_GUARDED_BY(mu);
  Stats stats ABSL_GUARDED_BY(mu);

  absl::Status CheckOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (closed) return absl::FailedPreconditionError("memory store: used after Close()");
    return absl::OkStatus();
  }

  const std::string* FindCurrent(std::string_view key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (ordered) {
      auto it = tree.find(AV(key));
      return it == tree.end() ? nullptr : &it->second;
    }
    auto it = hash.find(AV(key));
    return it == hash.end() ? nullptr : &it->second;
  }

  // The value of `key` as of snapshot sequence `at`; nullptr if absent.
  const std::string* FindAt(std::string_view key, uint64_t at) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    auto h = history.find(AV(key));
    if (h != history.end()) {
      for (const OldVersion& v : h->second) {
        if (v.seq > at) return v.value ? &*v.value : nullptr;
      }
    }
    return FindCurrent(key);
  }

  // Keeps the version of `key` that write `seq` is about to replace, when a
  // live snapshot can see it (see memory_store.h).
  void SaveOldVersion(std::string_view key, uint64_t write_seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (live.empty()) return;
    const uint64_t newest_snapshot = live.rbegin()->first;
    auto h = history.find(AV(key));
    if (h != history.end() && !h->second.empty() &&
        h->second.back().seq > newest_snapshot) {
      return;  // No snapshot sees the current version (written after them all).
    }
    const std::string* current = FindCurrent(key);
    std::optional<std::string> old;
    if (current != nullptr) old = *current;
    if (h == history.end()) h = history.try_emplace(std::string(key)).first;
    h->second.push_back(OldVersion{write_seq, std::move(old)});
  }

  void ApplyPut(std::string_view key, std::string_view value, uint64_t write_seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    SaveOldVersion(key, write_seq);
    stats.user_bytes_written += key.size() + value.size();
    if (ordered) {
      auto it = tree.find(AV(key));
      if (it != tree.end()) {
        stats.live_data_bytes -= it->second.size();
        it->second.assign(value.data(), value.size());
      } else {
        tree.emplace(std::string(key), std::string(value));
        stats.live_data_bytes += key.size();
      }
    } else {
      auto it = hash.find(AV(key));
      if (it != hash.end()) {
        stats.live_data_bytes -= it->second.size();
        it->second.assign(value.data(), value.size());
      } else {
        hash.emplace(std::string(key), std::string(value));
        stats.live_data_bytes += key.size();
      }
    }
    stats.live_data_bytes += value.size();
  }

  void ApplyDelete(std::string_view key, uint64_t write_seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    SaveOldVersion(key, write_seq);
    stats.user_bytes_written += key.size();
    if (ordered) {
      auto it = tree.find(AV(key));
      if (it == tree.end()) return;
      stats.live_data_bytes -= it->first.size() + it->second.size();
      tree.erase(it);
    } else {
      auto it = hash.find(AV(key));
      if (it == hash.end()) return;
      stats.live_data_bytes -= it->first.size() + it->second.size();
      hash.erase(it);
    }
  }

  uint64_t Pin() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    ++live[seq];
    return seq;
  }

  // Drops one hold on snapshot `at`, then every version no live snapshot can
  // read: a version saved by write t serves snapshot s only when t > s, so
  // versions with t <= the oldest live snapshot are dead.
  void Unpin(uint64_t at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    auto it = live.find(at);
    KVLAB_CHECK(it != live.end(), "memory store: releasing an unknown snapshot");
    const bool was_oldest = it == live.begin();
    if (--it->second == 0) live.erase(it);
    if (live.empty()) {
      history.clear();
      return;
    }
    if (!was_oldest) return;
    const uint64_t oldest = live.begin()->first;
    for (auto h = history.begin(); h != history.end();) {
      std::vector<OldVersion>& versions = h->second;
      size_t dead = 0;
      while (dead < versions.size() && versions[dead].seq <= oldest) ++dead;
      versions.erase(versions.begin(), versions.begin() + dead);
      h = versions.empty() ? history.erase(h) : std::next(h);
    }
  }
};

class MemorySnapshot final : public Snapshot {
 public:
  MemorySnapshot(std::shared_ptr<State> state, uint64_t at)
      : state_(std::move(state)), at_(at) {}
  ~MemorySnapshot() override {
    absl::MutexLock lock(&state_->mu);
    state_->Unpin(at_);
  }
  uint64_t at() const { return at_; }

 private:
  std::shared_ptr<State> state_;
  const uint64_t at_;
};

// Iterates the view as of sequence `at` (its own pin on that snapshot). Each
// step re-seeks by key under the mutex, so concurrent writes never invalidate it.
class MemoryIterator final : public Iterator {
 public:
  MemoryIterator(std::shared_ptr<State> state, uint64_t at)
      : state_(std::move(state)), at_(at) {}
  ~MemoryIterator() override {
    absl::MutexLock lock(&state_->mu);
    state_->Unpin(at_);
  }
  bool Valid() const override { return valid_; }
  void SeekToFirst() override { Position(std::string_view(), /*exclusive=*/false); }
  void Seek(std::string_view target) override { Position(target, /*exclusive=*/false); }
  void Next() override {
    KVLAB_CHECK(valid_, "memory iterator: Next() on an invalid iterator");
    std::string current = std::move(key_);
    Position(current, /*exclusive=*/true);
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  absl::Status status() const override { return status_; }

 private:
  // Moves to the first key >= from (> from when exclusive) visible at at_.
  void Position(std::string_view from, bool exclusive) {
    absl::MutexLock lock(&state_->mu);
    valid_ = false;
    status_ = state_->CheckOpen();
    if (!status_.ok()) return;
    std::string cursor(from);
    bool skip_equal = exclusive;
    while (true) {
      auto t = skip_equal ? state_->tree.upper_bound(cursor) : state_->tree.lower_bound(cursor);
      auto h = skip_equal ? state_->history.upper_bound(cursor)
                          : state_->history.lower_bound(cursor);
      const std::string* next = nullptr;
      if (t != state_->tree.end()) next = &t->first;
      if (h != state_->history.end() && (next == nullptr || h->first < *next)) next = &h->first;
      if (next == nullptr) return;
      const std::string* value = state_->FindAt(*next, at_);
      if (value != nullptr) {
        key_ = *next;
        value_ = *value;
        valid_ = true;
        return;
      }
      cursor = *next;
      skip_equal = true;
    }
  }

  std::shared_ptr<State> state_;
  const uint64_t at_;
  bool valid_ = false;
  std::string key_, value_;
  absl::Status status_;
};

class MemoryStore final : public KvStore {
 public:
  explicit MemoryStore(const MemoryOptions& options)
      : options_(options), state_(std::make_shared<State>(options.ordered)) {}

  absl::Status Put(const WriteOptions&, std::string_view key, std::string_view value) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    ++state_->stats.puts;
    state_->ApplyPut(key, value, ++state_->seq);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    ++state_->stats.gets;
    const std::string* value;
    if (options.snapshot != nullptr) {
      ASSIGN_OR_RETURN(uint64_t at, SnapshotSeq(options.snapshot));
      value = state_->FindAt(key, at);
    } else {
      value = state_->FindCurrent(key);
    }
    if (value == nullptr) return absl::NotFoundError("memory store: key not found");
    state_->stats.user_bytes_read += key.size() + value->size();
    return *value;
  }

  absl::Status Delete(const WriteOptions&, std::string_view key) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    ++state_->stats.deletes;
    state_->ApplyDelete(key, ++state_->seq);
    return absl::OkStatus();
  }

  absl::Status Write(const WriteOptions&, const WriteBatch& batch) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    ++state_->stats.batches;
    const uint64_t write_seq = ++state_->seq;  // One sequence number: atomic for snapshots.
    for (const WriteBatch::Op& op : batch.ops()) {
      if (op.type == WriteBatch::OpType::kPut) {
        state_->ApplyPut(op.key, op.value, write_seq);
      } else {
        state_->ApplyDelete(op.key, write_seq);
      }
    }
    return absl::OkStatus();
  }

  // Native: one critical section, so concurrent RMWs on a key never lose updates.
  absl::StatusOr<std::string> ReadModifyWrite(const WriteOptions&, std::string_view key,
                                              RmwFunction fn) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    ++state_->stats.rmws;
    const std::string* old = state_->FindCurrent(key);
    std::string updated = old != nullptr ? fn(std::string_view(*old)) : fn(std::nullopt);
    if (old != nullptr) state_->stats.user_bytes_read += key.size() + old->size();
    state_->ApplyPut(key, updated, ++state_->seq);
    return updated;
  }

  absl::Status Sync() override {
    absl::MutexLock lock(&state_->mu);
    return state_->CheckOpen();  // Nothing to make durable: Durability::kNone.
  }

  absl::StatusOr<std::unique_ptr<Iterator>> NewIterator(const ReadOptions& options) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    RETURN_IF_ERROR(RequireOrdered("iterators"));
    ++state_->stats.scans;
    uint64_t at = state_->seq;
    if (options.snapshot != nullptr) {
      ASSIGN_OR_RETURN(at, SnapshotSeq(options.snapshot));
    }
    ++state_->live[at];
    return std::unique_ptr<Iterator>(new MemoryIterator(state_, at));
  }

  absl::StatusOr<std::unique_ptr<Snapshot>> NewSnapshot() override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    RETURN_IF_ERROR(RequireOrdered("snapshots"));
    return std::unique_ptr<Snapshot>(new MemorySnapshot(state_, state_->Pin()));
  }

  absl::Status Maintain(MaintenanceKind kind) override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    return absl::UnimplementedError(absl::StrCat(
        "memory store: no maintenance '", AV(MaintenanceKindName(kind)), "' (nothing to do)"));
  }

  Stats GetStats() override {
    absl::MutexLock lock(&state_->mu);
    Stats stats = state_->stats;
    stats.space_used_bytes = stats.live_data_bytes;  // No device: RAM is the space.
    stats.engine["entries"] = static_cast<double>(
        options_.ordered ? state_->tree.size() : state_->hash.size());
    stats.engine["snapshot_versions"] = static_cast<double>(state_->history.size());
    return stats;
  }

  Capabilities GetCapabilities() const override {
    Capabilities caps;
    caps.ordered = options_.ordered;
    caps.snapshots = options_.ordered;
    caps.native_rmw = true;
    caps.checkpoint = false;
    caps.concurrent = true;
    caps.durability = Durability::kNone;
    return caps;
  }

  absl::Status Close() override {
    absl::MutexLock lock(&state_->mu);
    RETURN_IF_ERROR(state_->CheckOpen());
    state_->closed = true;
    state_->tree.clear();
    state_->hash.clear();
    state_->history.clear();
    return absl::OkStatus();
  }

 private:
  absl::Status RequireOrdered(std::string_view what) const {
    if (options_.ordered) return absl::OkStatus();
    return absl::UnimplementedError(absl::StrCat(
        "memory store opened with ordered=false has no ", AV(what),
        "; open it with ordered=true"));
  }

  absl::StatusOr<uint64_t> SnapshotSeq(const Snapshot* snapshot) const {
    auto* mine = dynamic_cast<const MemorySnapshot*>(snapshot);
    if (mine == nullptr) {
      return absl::InvalidArgumentError("memory store: snapshot from another store");
    }
    return mine->at();
  }

  const MemoryOptions options_;
  std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<KvStore> NewMemoryStore(const MemoryOptions& options) {
  return std::make_unique<MemoryStore>(options);
}

EngineDescriptor Descriptor() {
  EngineDescriptor d;
  d.name = "memory";
  d.summary = "RAM only, nothing durable: the harness-overhead baseline and a test double";
  d.options = {{"ordered", OptionType::kBool, "true",
                "btree with iterators, scans and snapshots (true) or a hash map (false)"}};
  d.factory = [](const Env&, std::string_view,
              const EngineOptions& options) -> absl::StatusOr<std::unique_ptr<KvStore>> {
    MemoryOptions memory_options;
    memory_options.ordered = options.GetBool("ordered");
    return NewMemoryStore(memory_options);
  };
  return d;
}

}  // namespace kvlab::memory

// SimDevice::Crash: the state a power loss leaves behind.
//
// 1. Each unsynced directory operation, in order, is lost with probability
//    lose_unsynced_dir_ops, else applied to the durable namespace (all records
//    of one operation together). Entries whose parent directory did not
//    survive are gone too.
// 2. Each surviving file's image is its durable image plus its unsynced
//    writes and truncates, in order, each torn (faults on, torn_write), kept
//    (unsynced_keep) or dropped.
// 3. The live state becomes that state; handles opened before are dead,
//    locks are released, a pending crash point is cleared.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"
#include "sim/sim_device.h"
#include "sim/sim_path.h"

namespace kvlab::sim {

void SimDevice::TearWrite(std::string& image, uint64_t offset, std::string_view data) {
  const uint64_t begin = offset;
  const uint64_t end = offset + data.size();
  if (begin == end) return;
  if (image.size() < end) image.resize(end, '\0');
  // The write's pieces, cut at sector boundaries of the file offset.
  const uint64_t sector = profile_.sector_size;
  std::vector<std::pair<uint64_t, uint64_t>> pieces;
  for (uint64_t p = begin; p < end;) {
    const uint64_t q = std::min(end, (p / sector + 1) * sector);
    pieces.emplace_back(p, q);
    p = q;
  }
  std::vector<bool> lost(pieces.size());
  bool any_lost = false;
  for (size_t i = 0; i < pieces.size(); ++i) {
    lost[i] = random_.OneIn(2);
    any_lost = any_lost || lost[i];
  }
  if (!any_lost) lost[random_.Uniform(pieces.size())] = true;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto [p, q] = pieces[i];
    if (!lost[i]) {
      std::memcpy(image.data() + p, data.data() + (p - begin), q - p);
      continue;
    }
    bool garbage = profile_.torn_fill == TornFill::kGarbage ||
                   (profile_.torn_fill == TornFill::kBoth && random_.OneIn(2));
    for (uint64_t j = p; j < q; ++j) {
      image[j] = garbage ? static_cast<char>(random_.Next() >> 56) : '\0';
    }
  }
}

void SimDevice::CrashInode(Inode& inode, const CrashChooser* chooser, size_t first_index) {
  // The durable image is rebuilt in place (it is replaced anyway); the fates
  // are drawn in op order, exactly as when the image was a copy.
  if (inode.durable_in_current) inode.CopyOutDurable();
  std::string& image = inode.durable;
  bool all_kept = true;
  for (size_t j = 0; j < inode.unsynced.size(); ++j) {
    const PendingOp& w = inode.unsynced[j];
    const CrashFate fate = chooser != nullptr ? (*chooser)(first_index + j) : CrashFate::kKeep;
    const bool tear = chooser != nullptr
                          ? fate == CrashFate::kTear && !w.truncate
                          : !w.truncate && faults_enabled_ &&
                                random_.Bernoulli(profile_.torn_write);
    if (tear) {
      ++counters_->torn_writes;
      TearWrite(image, w.offset, inode.Data(w));
      all_kept = false;
      continue;
    }
    const bool keep = chooser != nullptr ? fate == CrashFate::kKeep
                                         : random_.Bernoulli(profile_.unsynced_keep);
    if (!keep) {
      ++counters_->dropped_writes;
      all_kept = false;
      continue;
    }
    inode.ApplyTo(image, w);
  }
  // Every op kept and no flip to undo: the image is the current one (the
  // Inode invariant); else current takes the new image. Either way the
  // durable image is now current.
  if (!all_kept || !inode.flipped.empty()) inode.current.swap(image);
  inode.ClearUnsynced();
  inode.DurableIsCurrent();
}

void SimDevice::RecomputeUsedBytes() {
  used_bytes_ = 0;
  for (auto& [path, node] : live_) {
    if (node.inode == nullptr) continue;
    node.inode->linked = true;
    used_bytes_ += node.inode->current.size();
  }
}

std::vector<SimDevice::Inode*> SimDevice::CrashCandidates() const {
  std::vector<Inode*> out;
  std::set<const Inode*> seen;
  for (const Names* names : {&live_, &durable_}) {
    for (const NameEntry* e : Sorted(*names)) {
      Inode* inode = e->second.inode.get();
      if (inode == nullptr || inode->unsynced.empty() || !seen.insert(inode).second) continue;
      out.push_back(inode);
    }
  }
  return out;
}

size_t SimDevice::UnsyncedOpsForCrash() const {
  DeviceMutexLock lock(&mu_);
  size_t n = dir_log_ops_;
  for (const Inode* inode : CrashCandidates()) n += inode->unsynced.size();
  return n;
}

void SimDevice::Crash() {
  DeviceMutexLock lock(&mu_);
  CrashLocked(nullptr);
}

void SimDevice::Crash(const CrashChooser& chooser) {
  DeviceMutexLock lock(&mu_);
  CrashLocked(&chooser);
}

void SimDevice::CrashLocked(const CrashChooser* chooser) {
  // With a chooser: where each inode's ops start in the numbering.
  std::map<const Inode*, size_t> first_index;
  if (chooser != nullptr) {
    size_t next = dir_log_ops_;
    for (const Inode* inode : CrashCandidates()) {
      first_index[inode] = next;
      next += inode->unsynced.size();
    }
  }
  // 1. Directory operations: the records of one share its `op`.
  size_t op_index = 0;
  for (size_t i = 0; i < dir_log_.size(); ++op_index) {
    size_t end = i + 1;
    while (end < dir_log_.size() && dir_log_[end].op == dir_log_[i].op) ++end;
    const bool lose = chooser != nullptr ? (*chooser)(op_index) != CrashFate::kKeep
                                         : random_.Bernoulli(profile_.lose_unsynced_dir_ops);
    if (lose) {
      ++counters_->lost_dir_ops;
    } else {
      for (size_t j = i; j < end; ++j) {
        const DirRecord& r = dir_log_[j];
        const HashedPath path(RecordPath(r), r.word);
        if (r.node.has_value()) {
          durable_.insert_or_assign(path, *r.node);
        } else {
          durable_.erase(path);
        }
      }
    }
    i = end;
  }
  dir_log_.clear();
  dir_log_paths_.clear();
  dir_log_ops_ = 0;
  for (bool changed = true; changed;) {
    changed = false;
    // (A fixpoint: the order of the walk does not change the result.)
    for (auto it = durable_.begin(); it != durable_.end();) {
      const std::string_view parent = ParentDirView(it->first);
      auto p = parent.empty() ? durable_.end() : durable_.find(parent);
      if (!parent.empty() && (p == durable_.end() || !p->second.is_dir)) {
        durable_.erase(it++);
        changed = true;
      } else {
        ++it;
      }
    }
  }
  // 2. File images, once per surviving inode, in path order. A file with no
  // unsynced ops already has current == durable: nothing to do (and no
  // random draw: fates are drawn per unsynced op).
  for (auto& [path, node] : live_) {
    if (node.inode != nullptr) node.inode->linked = false;
  }
  // Only the names of files with unsynced ops are sorted (usually a few of
  // many). A file named twice is rebuilt under its first name: CrashInode
  // leaves it no unsynced op, so the second name skips it.
  std::vector<const NameEntry*> dirty;
  for (const NameEntry& e : durable_) {
    const Inode* inode = e.second.inode.get();
    if (inode != nullptr && !inode->unsynced.empty()) dirty.push_back(&e);
  }
  std::sort(dirty.begin(), dirty.end(),
            [](const NameEntry* a, const NameEntry* b) { return a->first < b->first; });
  for (const NameEntry* e : dirty) {
    Inode* inode = e->second.inode.get();
    if (inode->unsynced.empty()) continue;
    auto at = first_index.find(inode);
    CrashInode(*inode, chooser, at == first_index.end() ? 0 : at->second);
  }
  // 3. The new epoch.
  live_ = durable_;
  ++live_version_;
  ++dir_version_;
  RecomputeUsedBytes();
  locks_.clear();
  ++epoch_;
  crashed_.store(false, std::memory_order_release);
  crash_after_ops_ = 0;
  crash_reason_.clear();
  ++counters_->crashes;
  trace_->Add(TraceEvent(TraceHash::kCrash)
                  .Word(counters_->crashes)
                  .Word(static_cast<uint64_t>(clock_->NowNanos())));
}

}  // namespace kvlab::sim

// SimDevice: the namespace operations (open, remove, rename, create_dir,
// sync_dir, list, exists, file_size, lock) on the live directory view, and
// the per-directory log of unsynced entry changes that SyncDir makes durable.
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "sim/sim_device.h"
#include "sim/sim_device_op.h"
#include "sim/sim_file.h"
#include "sim/sim_path.h"

namespace kvlab::sim {

// ---- Namespace ----

const SimDevice::Node* SimDevice::Lookup(std::string_view path) const {
  auto it = live_.find(path);
  return it == live_.end() ? nullptr : &it->second;
}

bool SimDevice::IsLiveDir(std::string_view dir) {
  if (known_dir_version_ == dir_version_ && BytesEqual(known_dir_, dir)) return true;
  const Node* n = Lookup(dir);
  if (n == nullptr || !n->is_dir) return false;
  known_dir_.assign(dir);
  known_dir_version_ = dir_version_;
  return true;
}

absl::Status SimDevice::CheckParentDir(std::string_view op, std::string_view path,
                                       std::string_view parent) {
  if (parent.empty() || IsLiveDir(parent)) return absl::OkStatus();
  const Node* n = Lookup(parent);
  if (n == nullptr) {
    return absl::NotFoundError(absl::StrCat(AV(op), " '", AV(path), "': parent directory '",
                                            AV(parent), "' does not exist"));
  }
  if (!n->is_dir) {
    return absl::FailedPreconditionError(
        absl::StrCat(AV(op), " '", AV(path), "': '", AV(parent), "' is a file, not a directory"));
  }
  return absl::OkStatus();
}

std::vector<const SimDevice::NameEntry*> SimDevice::Sorted(const Names& names) {
  std::vector<const NameEntry*> out;
  out.reserve(names.size());
  for (const NameEntry& e : names) out.push_back(&e);
  std::sort(out.begin(), out.end(),
            [](const NameEntry* a, const NameEntry* b) { return a->first < b->first; });
  return out;
}

void SimDevice::Unlink(const Node& node) {
  if (node.inode == nullptr) return;
  node.inode->linked = false;
  used_bytes_ -= node.inode->current.size();
}

void SimDevice::EraseEntry(Names::iterator it) {
  ++live_version_;
  if (it->second.is_dir) ++dir_version_;
  Unlink(it->second);
  live_.erase(it);
}

void SimDevice::SetEntry(const HashedPath& path, const std::optional<Node>& node) {
  if (!node.has_value()) {
    auto it = live_.find(path);
    if (it == live_.end()) {
      ++live_version_;
      return;
    }
    EraseEntry(it);
    return;
  }
  ++live_version_;
  auto [it, inserted] = live_.try_emplace(path);
  if (!inserted) {
    if (it->second.is_dir) ++dir_version_;
    Unlink(it->second);
  }
  if (node->inode != nullptr) {
    node->inode->linked = true;
    used_bytes_ += node->inode->current.size();
  }
  it->second = *node;
}

const SimDevice::DirRecord& SimDevice::AppendDirRecord(std::string_view dir,
                                                       const HashedPath& path,
                                                       std::optional<Node> node) {
  // (`dir` is usually ParentDirView(path), a view into it.)
  KVLAB_CHECK(path.path.size() >= dir.size() &&
              (dir.data() == path.path.data() || BytesEqual(path.path.substr(0, dir.size()), dir)));
  dir_log_.push_back(DirRecord{dir_op_seq_, path.word, dir_log_paths_.size(), path.path.size(),
                               dir.size(), std::move(node)});
  dir_log_paths_.append(path.path);
  return dir_log_.back();
}

void SimDevice::LogEntryChange(std::string_view parent, const HashedPath& path,
                               std::optional<Node> node) {
  BeginDirOp();
  const DirRecord& r = AppendDirRecord(parent, path, std::move(node));
  SetEntry(path, r.node);
}

// Inline: every namespace op starts here (only this file calls it).
inline absl::Status SimDevice::FindPath(OpKind kind, std::string_view raw, bool allow_root,
                                        std::string* storage, HashedPath* path,
                                        Names::iterator* entry) {
  *path = HashedPath(raw);
  *entry = live_.find(*path);
  if (*entry != live_.end()) return absl::OkStatus();
  std::string_view normal;
  RETURN_IF_ERROR(NormalizePath(KindName(kind), raw, allow_root, storage, &normal));
  if (normal.data() != raw.data()) {
    *path = HashedPath(normal);
    *entry = live_.find(*path);
  }
  return absl::OkStatus();
}

absl::Status SimDevice::NamespaceOp(OpKind kind, std::string_view path_view, bool allow_root,
                                    int64_t latency_ns, NamespaceBody body) {
  DeviceMutexLock lock(&mu_);
  std::string storage;
  HashedPath path(std::string_view(), 0);
  Names::iterator entry;
  const absl::Status path_status = FindPath(kind, path_view, allow_root, &storage, &path, &entry);
  Op op{kind, path.path};
  op.path_word = &path.word;
  uint64_t bytes = 0;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(path_status);
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns = latency_ns;
    return body(path, entry, bytes);
  }();
  FinishOp(op, s, bytes, {});
  return s;
}

absl::StatusOr<std::unique_ptr<File>> SimDevice::Open(std::string_view path_view,
                                                      const OpenOptions& options) {
  std::unique_ptr<File> file;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kOpen, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](const HashedPath& path, Names::iterator entry, uint64_t&) -> absl::Status {
        const Node* n = entry == live_.end() ? nullptr : &entry->second;
        if (n != nullptr && n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("open '", AV(path.path), "': is a directory"));
        }
        if (n != nullptr && options.create && options.exclusive) {
          return absl::AlreadyExistsError(
              absl::StrCat("open '", AV(path.path), "': exists (exclusive create asked)"));
        }
        std::shared_ptr<Inode> inode;
        if (n == nullptr) {
          if (!options.create) {
            return absl::NotFoundError(absl::StrCat("open '", AV(path.path), "': no such file"));
          }
          const std::string_view parent = ParentDirView(path.path);
          RETURN_IF_ERROR(CheckParentDir("open", path.path, parent));
          inode = NewInode();
          LogEntryChange(parent, path, Node{false, inode});
        } else {
          inode = n->inode;
        }
        if (options.truncate && !options.read_only && !inode->current.empty()) {
          ApplyTruncate(*inode, 0);
        }
        const OpenPath& open_path = inode->FindOpenPath(path.path, path.word);
        void* memory;  // A deleted handle's, if there is one.
        if (spare_files_.empty()) {
          memory = ::operator new(sizeof(SimFile));
        } else {
          memory = spare_files_.back();
          spare_files_.pop_back();
        }
        file.reset(new (memory) SimFile(this, std::move(inode), open_path, options, epoch_));
        return absl::OkStatus();
      }));
  return file;
}

absl::Status SimDevice::Remove(std::string_view path_view) {
  return NamespaceOp(
      OpKind::kRemove, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](const HashedPath& path, Names::iterator entry, uint64_t&) -> absl::Status {
        if (entry == live_.end()) {
          return absl::NotFoundError(absl::StrCat("remove '", AV(path.path), "': no such file"));
        }
        if (entry->second.is_dir) {
          return absl::FailedPreconditionError(absl::StrCat(
              "remove '", AV(path.path), "': is a directory (Remove removes files)"));
        }
        // LogEntryChange(path, std::nullopt), erasing the entry found.
        BeginDirOp();
        AppendDirRecord(ParentDirView(path.path), path, std::nullopt);
        EraseEntry(entry);
        return absl::OkStatus();
      });
}

// Rename spells NamespaceOp's steps out: it checks two paths and traces the
// target as the op's data.
absl::Status SimDevice::Rename(std::string_view from_view, std::string_view to_view) {
  DeviceMutexLock lock(&mu_);
  std::string from_storage, to_storage;
  HashedPath from(std::string_view(), 0), to(std::string_view(), 0);
  Names::iterator src_it, dst_it;
  const absl::Status from_status =
      FindPath(OpKind::kRename, from_view, /*allow_root=*/false, &from_storage, &from, &src_it);
  const absl::Status to_status =
      FindPath(OpKind::kRename, to_view, /*allow_root=*/false, &to_storage, &to, &dst_it);
  Op op{OpKind::kRename, from.path};
  op.path_word = &from.word;
  op.length = to.path.size();
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(from_status);
    RETURN_IF_ERROR(to_status);
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns = profile_.metadata_latency_ns;
    const Node* src = src_it == live_.end() ? nullptr : &src_it->second;
    if (src == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("rename '", AV(from.path), "' to '", AV(to.path), "': no such file"));
    }
    const std::string_view to_parent = ParentDirView(to.path);
    RETURN_IF_ERROR(CheckParentDir("rename", to.path, to_parent));
    if (from.path == to.path) return absl::OkStatus();
    const Node* dst = dst_it == live_.end() ? nullptr : &dst_it->second;
    auto fail = [&](std::string_view why) {
      return absl::FailedPreconditionError(
          absl::StrCat("rename '", AV(from.path), "' to '", AV(to.path), "': ", AV(why)));
    };
    if (dst != nullptr && dst->is_dir != src->is_dir) {
      return fail(dst->is_dir ? "the target is a directory" : "the target is a file");
    }
    const std::string_view from_parent = ParentDirView(from.path);
    if (!src->is_dir) {
      // A file: its entry goes and comes back under the new name, as one
      // operation (erasing leaves the other entries where they are).
      const Node node = *src;
      BeginDirOp();
      AppendDirRecord(from_parent, from, std::nullopt);
      AppendDirRecord(to_parent, to, node);
      EraseEntry(src_it);
      SetEntry(to, node);
      return absl::OkStatus();
    }
    // "from/": the names of a moved directory's entries start with it.
    const std::string from_prefix = absl::StrCat(AV(from.path), "/");
    if (absl::StartsWith(AV(to.path), from_prefix)) {
      return absl::InvalidArgumentError(absl::StrCat("rename '", AV(from.path), "' to '",
                                                     AV(to.path),
                                                     "': cannot move a directory into itself"));
    }
    if (dst != nullptr) {
      const std::string to_prefix = absl::StrCat(AV(to.path), "/");
      for (const NameEntry& e : live_) {
        if (absl::StartsWith(e.first, to_prefix)) return fail("the target directory is not empty");
      }
    }
    // Log every moved entry's erasure, then the entry under its new name (in
    // path order), then apply the records to live_ in that order. The views
    // and nodes point into live_, unchanged until the records are applied.
    std::vector<std::pair<std::string_view, const Node*>> moved = {{from.path, src}};
    for (const NameEntry* e : Sorted(live_)) {
      if (absl::StartsWith(e->first, from_prefix)) moved.emplace_back(e->first, &e->second);
    }
    const size_t first = dir_log_.size();
    BeginDirOp();
    for (const auto& [path, node] : moved) {
      AppendDirRecord(from_parent, HashedPath(path), std::nullopt);
    }
    std::string to_path;
    for (const auto& [path, node] : moved) {
      // `to` plus what follows `from` (nothing for the moved entry itself).
      to_path.assign(to.path).append(path.substr(from.path.size()));
      AppendDirRecord(to_parent, HashedPath(to_path), *node);
    }
    for (size_t i = first; i < dir_log_.size(); ++i) {
      const DirRecord& r = dir_log_[i];
      SetEntry(HashedPath(RecordPath(r), r.word), r.node);
    }
    return absl::OkStatus();
  }();
  FinishOp(op, s, 0, to.path);
  return s;
}

absl::Status SimDevice::CreateDir(std::string_view path_view) {
  return NamespaceOp(
      OpKind::kCreateDir, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](const HashedPath& path, Names::iterator entry, uint64_t&) -> absl::Status {
        if (entry != live_.end()) {
          if (entry->second.is_dir) return absl::OkStatus();
          return absl::AlreadyExistsError(
              absl::StrCat("create_dir '", AV(path.path), "': a file of that name exists"));
        }
        const std::string_view parent = ParentDirView(path.path);
        RETURN_IF_ERROR(CheckParentDir("create_dir", path.path, parent));
        LogEntryChange(parent, path, Node{true, nullptr});
        return absl::OkStatus();
      });
}

absl::Status SimDevice::SyncDir(std::string_view dir_view) {
  return NamespaceOp(
      OpKind::kSyncDir, dir_view, /*allow_root=*/true, profile_.sync_latency_ns,
      [&](const HashedPath& dir_path, Names::iterator entry, uint64_t&) -> absl::Status {
        const std::string_view dir = dir_path.path;
        if (!dir.empty() && (entry == live_.end() || !entry->second.is_dir)) {
          return absl::NotFoundError(absl::StrCat("sync_dir '", AV(dir), "': no such directory"));
        }
        // Make this directory's records durable, in log order; keep the
        // others, and their paths, compacted in place, in order.
        size_t kept = 0;
        size_t kept_bytes = 0;
        uint64_t kept_ops = 0;
        for (DirRecord& r : dir_log_) {
          const std::string_view path = RecordPath(r);
          if (!BytesEqual(path.substr(0, r.dir_size), dir)) {
            if (kept == 0 || dir_log_[kept - 1].op != r.op) ++kept_ops;
            if (r.path_at != kept_bytes) {
              std::memmove(dir_log_paths_.data() + kept_bytes, path.data(), path.size());
              r.path_at = kept_bytes;
            }
            kept_bytes += r.path_size;
            if (&dir_log_[kept] != &r) dir_log_[kept] = std::move(r);
            ++kept;
            continue;
          }
          // (The record is dropped below: its node can move.)
          if (r.node.has_value()) {
            durable_.insert_or_assign(HashedPath(path, r.word), std::move(*r.node));
          } else {
            durable_.erase(HashedPath(path, r.word));
          }
        }
        dir_log_.erase(dir_log_.begin() + kept, dir_log_.end());
        dir_log_paths_.resize(kept_bytes);
        dir_log_ops_ = kept_ops;
        ++io_counters_.dir_syncs;
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<std::string>> SimDevice::List(std::string_view dir_view) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kList, dir_view, /*allow_root=*/true, profile_.metadata_latency_ns,
      [&](const HashedPath& dir_path, Names::iterator entry, uint64_t& bytes) -> absl::Status {
        const std::string_view dir = dir_path.path;
        if (!dir.empty()) {
          if (entry == live_.end()) {
            return absl::NotFoundError(absl::StrCat("list '", AV(dir), "': no such directory"));
          }
          if (!entry->second.is_dir) {
            return absl::FailedPreconditionError(
                absl::StrCat("list '", AV(dir), "': not a directory"));
          }
        }
        if (list_cache_.version != live_version_ || !BytesEqual(list_cache_.dir, dir)) {
          // The direct children, in byte order: views into live_'s keys
          // (unchanged in here), sorted, then copied into the cache.
          std::vector<std::string_view>& children = list_cache_.children;
          children.clear();
          for (const NameEntry& e : live_) {
            std::string_view name = e.first;
            if (!dir.empty()) {
              // "dir/..."; `dir` is valid, so "dir" never ends in '/'.
              if (name.size() <= dir.size() || name[dir.size()] != '/' ||
                  !BytesEqual(name.substr(0, dir.size()), dir)) {
                continue;
              }
              name.remove_prefix(dir.size() + 1);
            }
            if (name.find('/') != std::string_view::npos) continue;  // A grandchild.
            children.push_back(name);
          }
          std::sort(children.begin(), children.end(), PathLess);
          list_cache_.dir.assign(dir);
          list_cache_.version = live_version_;
          list_cache_.names.assign(children.begin(), children.end());
        }
        names = list_cache_.names;
        bytes = names.size();
        return absl::OkStatus();
      }));
  return names;
}

absl::StatusOr<bool> SimDevice::Exists(std::string_view path_view) {
  bool exists = false;
  RETURN_IF_ERROR(NamespaceOp(OpKind::kExists, path_view, /*allow_root=*/true,
                              profile_.metadata_latency_ns,
                              [&](const HashedPath& path, Names::iterator entry,
                                  uint64_t& bytes) -> absl::Status {
                                exists = path.path.empty() || entry != live_.end();
                                bytes = exists ? 1 : 0;
                                return absl::OkStatus();
                              }));
  return exists;
}

absl::StatusOr<uint64_t> SimDevice::FileSize(std::string_view path_view) {
  uint64_t size = 0;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kFileSize, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](const HashedPath& path, Names::iterator entry, uint64_t& bytes) -> absl::Status {
        const Node* n = entry == live_.end() ? nullptr : &entry->second;
        if (n == nullptr) {
          return absl::NotFoundError(
              absl::StrCat("file_size '", AV(path.path), "': no such file"));
        }
        if (n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("file_size '", AV(path.path), "': is a directory"));
        }
        size = bytes = n->inode->current.size();
        return absl::OkStatus();
      }));
  return size;
}

absl::StatusOr<std::unique_ptr<FileLock>> SimDevice::Lock(std::string_view path_view) {
  std::unique_ptr<FileLock> held;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kLock, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](const HashedPath& path, Names::iterator entry, uint64_t&) -> absl::Status {
        const Node* n = entry == live_.end() ? nullptr : &entry->second;
        if (n != nullptr && n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("lock '", AV(path.path), "': is a directory"));
        }
        if (locks_.count(path.path) > 0) {
          return absl::AlreadyExistsError(absl::StrCat(
              "lock '", AV(path.path), "': already held (is another store open here?)"));
        }
        if (n == nullptr) {
          const std::string_view parent = ParentDirView(path.path);
          RETURN_IF_ERROR(CheckParentDir("lock", path.path, parent));
          LogEntryChange(parent, path, Node{false, NewInode()});
        }
        locks_.emplace(path.path);
        held = std::make_unique<SimFileLock>(this, std::string(path.path), epoch_);
        return absl::OkStatus();
      }));
  return held;
}

}  // namespace kvlab::sim

// SimDevice: the namespace operations (open, remove, rename, create_dir,
// sync_dir, list, exists, file_size, lock) on the live directory view, and
// the per-directory log of unsynced entry changes that SyncDir makes durable.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "sim/sim_device.h"
#include "sim/sim_file.h"
#include "sim/sim_path.h"

namespace kvlab::sim {

// ---- Namespace ----

const SimDevice::Node* SimDevice::Lookup(std::string_view path) const {
  auto it = live_.find(path);
  return it == live_.end() ? nullptr : &it->second;
}

bool SimDevice::IsLiveDir(std::string_view dir) {
  if (known_dir_version_ == dir_version_ && known_dir_ == dir) return true;
  const Node* n = Lookup(dir);
  if (n == nullptr || !n->is_dir) return false;
  known_dir_.assign(dir);
  known_dir_version_ = dir_version_;
  return true;
}

absl::Status SimDevice::CheckParentDir(std::string_view op, std::string_view path) {
  std::string_view parent = ParentDirView(path);
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

void SimDevice::SetEntry(const std::string& path, const std::optional<Node>& node) {
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

void SimDevice::LogDirOp(DirOp op) {
  for (const DirRecord& r : op.records) SetEntry(r.path, r.node);
  dir_log_.push_back(std::move(op));
}

void SimDevice::LogEntryChange(std::string_view path, std::optional<Node> node) {
  DirOp op;
  op.records.emplace_back(ParentDirView(path), std::string(path), std::move(node));
  LogDirOp(std::move(op));
}

absl::Status SimDevice::NamespaceOp(OpKind kind, std::string_view path_view, bool allow_root,
                                    int64_t latency_ns, NamespaceBody body) {
  DeviceMutexLock lock(&mu_);
  std::string storage;
  std::string_view path;
  const absl::Status path_status =
      NormalizePath(KindName(kind), path_view, allow_root, &storage, &path);
  Op op{kind, path};
  uint64_t bytes = 0;
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(path_status);
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns = latency_ns;
    return body(path, bytes);
  }();
  return FinishOp(op, s, bytes, {});
}

absl::StatusOr<std::unique_ptr<File>> SimDevice::Open(std::string_view path_view,
                                                      const OpenOptions& options) {
  std::unique_ptr<File> file;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kOpen, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](std::string_view path, uint64_t&) -> absl::Status {
        const Node* n = Lookup(path);
        if (n != nullptr && n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("open '", AV(path), "': is a directory"));
        }
        if (n != nullptr && options.create && options.exclusive) {
          return absl::AlreadyExistsError(
              absl::StrCat("open '", AV(path), "': exists (exclusive create asked)"));
        }
        std::shared_ptr<Inode> inode;
        if (n == nullptr) {
          if (!options.create) {
            return absl::NotFoundError(absl::StrCat("open '", AV(path), "': no such file"));
          }
          RETURN_IF_ERROR(CheckParentDir("open", path));
          inode = std::make_shared<Inode>();
          LogEntryChange(path, Node{false, inode});
        } else {
          inode = n->inode;
        }
        if (options.truncate && !options.read_only && !inode->current.empty()) {
          ApplyTruncate(*inode, 0);
        }
        const OpenPath& open_path = inode->FindOpenPath(path);
        file = std::make_unique<SimFile>(this, std::move(inode), open_path, options, epoch_);
        return absl::OkStatus();
      }));
  return file;
}

absl::Status SimDevice::Remove(std::string_view path_view) {
  return NamespaceOp(
      OpKind::kRemove, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](std::string_view path, uint64_t&) -> absl::Status {
        auto it = live_.find(path);
        if (it == live_.end()) {
          return absl::NotFoundError(absl::StrCat("remove '", AV(path), "': no such file"));
        }
        if (it->second.is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("remove '", AV(path), "': is a directory (Remove removes files)"));
        }
        // LogEntryChange(path, std::nullopt), erasing the entry found.
        DirOp op;
        op.records.emplace_back(ParentDirView(path), std::string(path), std::nullopt);
        EraseEntry(it);
        dir_log_.push_back(std::move(op));
        return absl::OkStatus();
      });
}

// Rename spells NamespaceOp's steps out: it checks two paths and traces the
// target as the op's data.
absl::Status SimDevice::Rename(std::string_view from_view, std::string_view to_view) {
  DeviceMutexLock lock(&mu_);
  std::string from_storage, to_storage;
  std::string_view from, to;
  const absl::Status from_status =
      NormalizePath("rename", from_view, /*allow_root=*/false, &from_storage, &from);
  const absl::Status to_status =
      NormalizePath("rename", to_view, /*allow_root=*/false, &to_storage, &to);
  Op op{OpKind::kRename, from};
  op.length = to.size();
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(from_status);
    RETURN_IF_ERROR(to_status);
    RETURN_IF_ERROR(BeginOp(op));
    op.latency_ns = profile_.metadata_latency_ns;
    const auto src_it = live_.find(from);
    const Node* src = src_it == live_.end() ? nullptr : &src_it->second;
    if (src == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("rename '", AV(from), "' to '", AV(to), "': no such file"));
    }
    RETURN_IF_ERROR(CheckParentDir("rename", to));
    if (from == to) return absl::OkStatus();
    const Node* dst = Lookup(to);
    auto fail = [&](std::string_view why) {
      return absl::FailedPreconditionError(
          absl::StrCat("rename '", AV(from), "' to '", AV(to), "': ", AV(why)));
    };
    if (dst != nullptr && dst->is_dir != src->is_dir) {
      return fail(dst->is_dir ? "the target is a directory" : "the target is a file");
    }
    // "from/": the names of a moved directory's entries start with it.
    const std::string from_prefix = src->is_dir ? absl::StrCat(AV(from), "/") : std::string();
    if (src->is_dir && absl::StartsWith(AV(to), from_prefix)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rename '", AV(from), "' to '", AV(to), "': cannot move a directory into itself"));
    }
    if (dst != nullptr && dst->is_dir) {
      const std::string to_prefix = absl::StrCat(AV(to), "/");
      for (const NameEntry& e : live_) {
        if (absl::StartsWith(e.first, to_prefix)) return fail("the target directory is not empty");
      }
    }
    // Erase every moved entry, then set it under its new name (in path
    // order). The views and nodes point into live_, unchanged until LogDirOp.
    std::vector<std::pair<std::string_view, const Node*>> moved = {{from, src}};
    if (src->is_dir) {
      for (const NameEntry* e : Sorted(live_)) {
        if (absl::StartsWith(e->first, from_prefix)) moved.emplace_back(e->first, &e->second);
      }
    }
    DirOp dir_op;
    dir_op.records.reserve(2 * moved.size());
    const std::string_view from_parent = ParentDirView(from);
    const std::string_view to_parent = ParentDirView(to);
    for (const auto& [path, node] : moved) {
      dir_op.records.emplace_back(from_parent, std::string(path), std::nullopt);
    }
    for (const auto& [path, node] : moved) {
      // `to` plus what follows `from` (nothing for the moved entry itself).
      std::string to_path;
      to_path.reserve(to.size() + path.size() - from.size());
      to_path.append(to).append(path.substr(from.size()));
      dir_op.records.emplace_back(to_parent, std::move(to_path), *node);
    }
    if (src->is_dir) {
      LogDirOp(std::move(dir_op));
      return absl::OkStatus();
    }
    // A file: LogDirOp, erasing the source entry found above (erasing
    // leaves the other entries where they are).
    EraseEntry(src_it);
    SetEntry(dir_op.records[1].path, dir_op.records[1].node);
    dir_log_.push_back(std::move(dir_op));
    return absl::OkStatus();
  }();
  return FinishOp(op, s, 0, to);
}

absl::Status SimDevice::CreateDir(std::string_view path_view) {
  return NamespaceOp(
      OpKind::kCreateDir, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](std::string_view path, uint64_t&) -> absl::Status {
        const Node* n = Lookup(path);
        if (n != nullptr) {
          if (n->is_dir) return absl::OkStatus();
          return absl::AlreadyExistsError(
              absl::StrCat("create_dir '", AV(path), "': a file of that name exists"));
        }
        RETURN_IF_ERROR(CheckParentDir("create_dir", path));
        LogEntryChange(path, Node{true, nullptr});
        return absl::OkStatus();
      });
}

absl::Status SimDevice::SyncDir(std::string_view dir_view) {
  return NamespaceOp(
      OpKind::kSyncDir, dir_view, /*allow_root=*/true, profile_.sync_latency_ns,
      [&](std::string_view dir, uint64_t&) -> absl::Status {
        if (!dir.empty() && !IsLiveDir(dir)) {
          return absl::NotFoundError(absl::StrCat("sync_dir '", AV(dir), "': no such directory"));
        }
        // Make this directory's records durable, in log order; keep the
        // others (compacted in place, in order).
        size_t kept_ops = 0;
        for (DirOp& dir_op : dir_log_) {
          size_t kept = 0;
          for (DirRecord& r : dir_op.records) {
            if (r.dir() != dir) {
              if (&dir_op.records[kept] != &r) dir_op.records[kept] = std::move(r);
              ++kept;
              continue;
            }
            // (The record is dropped below: its parts can move.)
            if (r.node.has_value()) {
              durable_.insert_or_assign(std::move(r.path), std::move(*r.node));
            } else {
              durable_.erase(r.path);
            }
          }
          dir_op.records.erase(dir_op.records.begin() + kept, dir_op.records.end());
          if (kept == 0) continue;
          if (&dir_log_[kept_ops] != &dir_op) dir_log_[kept_ops] = std::move(dir_op);
          ++kept_ops;
        }
        dir_log_.resize(kept_ops);
        ++io_counters_.dir_syncs;
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<std::string>> SimDevice::List(std::string_view dir_view) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kList, dir_view, /*allow_root=*/true, profile_.metadata_latency_ns,
      [&](std::string_view dir, uint64_t& bytes) -> absl::Status {
        if (!dir.empty() && !IsLiveDir(dir)) {
          const Node* n = Lookup(dir);
          if (n == nullptr) {
            return absl::NotFoundError(absl::StrCat("list '", AV(dir), "': no such directory"));
          }
          if (!n->is_dir) {
            return absl::FailedPreconditionError(
                absl::StrCat("list '", AV(dir), "': not a directory"));
          }
        }
        if (list_cache_.version != live_version_ || list_cache_.dir != dir) {
          // The direct children, in byte order: views into live_'s keys
          // (unchanged in here), sorted, then copied into the cache.
          std::vector<std::string_view> children;
          for (const NameEntry& e : live_) {
            std::string_view name = e.first;
            if (!dir.empty()) {
              // "dir/..."; `dir` is valid, so "dir" never ends in '/'.
              if (name.size() <= dir.size() || name[dir.size()] != '/' ||
                  !name.starts_with(dir)) {
                continue;
              }
              name.remove_prefix(dir.size() + 1);
            }
            if (name.find('/') != std::string_view::npos) continue;  // A grandchild.
            children.push_back(name);
          }
          std::sort(children.begin(), children.end());
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
                              [&](std::string_view path, uint64_t& bytes) -> absl::Status {
                                exists = path.empty() || Lookup(path) != nullptr;
                                bytes = exists ? 1 : 0;
                                return absl::OkStatus();
                              }));
  return exists;
}

absl::StatusOr<uint64_t> SimDevice::FileSize(std::string_view path_view) {
  uint64_t size = 0;
  RETURN_IF_ERROR(NamespaceOp(
      OpKind::kFileSize, path_view, /*allow_root=*/false, profile_.metadata_latency_ns,
      [&](std::string_view path, uint64_t& bytes) -> absl::Status {
        const Node* n = Lookup(path);
        if (n == nullptr) {
          return absl::NotFoundError(absl::StrCat("file_size '", AV(path), "': no such file"));
        }
        if (n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("file_size '", AV(path), "': is a directory"));
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
      [&](std::string_view path, uint64_t&) -> absl::Status {
        const Node* n = Lookup(path);
        if (n != nullptr && n->is_dir) {
          return absl::FailedPreconditionError(
              absl::StrCat("lock '", AV(path), "': is a directory"));
        }
        if (locks_.count(path) > 0) {
          return absl::AlreadyExistsError(
              absl::StrCat("lock '", AV(path), "': already held (is another store open here?)"));
        }
        if (n == nullptr) {
          RETURN_IF_ERROR(CheckParentDir("lock", path));
          LogEntryChange(path, Node{false, std::make_shared<Inode>()});
        }
        locks_.emplace(path);
        held = std::make_unique<SimFileLock>(this, std::string(path), epoch_);
        return absl::OkStatus();
      }));
  return held;
}

}  // namespace kvlab::sim

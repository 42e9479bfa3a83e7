// A bounded cache of open, read-only data-file handles (least recently used out).
//
// Handles are shared: a reader keeps its handle alive even if the cache evicts
// it or a merge removes the file meanwhile. Not thread-safe: its owner
// serializes the calls (BitcaskStore makes them under its mutex, which a Get
// holds anyway: a second lock per Get cost more than the lookup). The cache
// does no I/O: a miss is opened by the caller (OpenDataFile) outside its
// lock, so no device I/O happens under the store's mutex.
#ifndef KVLAB_ENGINE_BITCASK_FILE_CACHE_H_
#define KVLAB_ENGINE_BITCASK_FILE_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/env/env.h"

namespace kvlab::bitcask {

class FileCache {
 public:
  // Keeps at most `capacity` >= 1 handles.
  explicit FileCache(size_t capacity);

  // The cached handle of data file `id` (now the most recently used), or
  // null on a miss.
  std::shared_ptr<File> Lookup(uint64_t id);
  // Adds `file`, opened after a Lookup of `id` missed, and counts the miss;
  // returns the handle to use (the one cached first, if another caller added
  // one meanwhile).
  std::shared_ptr<File> AddMissed(uint64_t id, std::shared_ptr<File> file);
  // Adds the open handle `file` of data file `id` (most recently used), e.g.
  // one that recovery opened anyway; an existing entry for `id` is kept.
  void Put(uint64_t id, std::shared_ptr<File> file);
  void Evict(uint64_t id);
  void Clear();

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  using Entry = std::pair<uint64_t, std::shared_ptr<File>>;
  // Adds `file` as the most recently used, evicting past capacity.
  void Insert(uint64_t id, std::shared_ptr<File> file);
  const size_t capacity_;
  std::list<Entry> lru_;  // Most recently used first.
  absl::flat_hash_map<uint64_t, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

// Opens data file `id` of the store in `dir` read-only (a cache miss).
absl::StatusOr<std::shared_ptr<File>> OpenDataFile(Device& device, std::string_view dir,
                                                   uint64_t id);

// "<dir>/<name><suffix>", or "<name><suffix>" when dir is the device root "".
std::string JoinPath(std::string_view dir, std::string_view name, std::string_view suffix = {});

// "<dir>/<id, 10+ digits><suffix><suffix2>" (no "/" when dir is ""), built in
// an inline buffer when it fits: the Device API takes string_views, and the
// paths recovery, merge and cache misses name files by would otherwise each
// be a heap allocation. Neither copyable nor movable (it points into itself).
class FilePath {
 public:
  FilePath(std::string_view dir, uint64_t id, std::string_view suffix,
           std::string_view suffix2 = {});
  FilePath(const FilePath&) = delete;
  FilePath& operator=(const FilePath&) = delete;

  std::string_view view() const { return std::string_view(data_, size_); }
  operator std::string_view() const { return view(); }  // NOLINT: used as a path.
  // The path without suffix2, "<dir>/<id><suffix>": the target of renaming a
  // ".tmp" or ".merging" file into place, without building a second path.
  std::string_view without_suffix2() const {
    return std::string_view(data_, size_ - suffix2_size_);
  }

 private:
  char inline_[96];
  std::string heap_;  // Only for a long dir.
  const char* data_;
  size_t size_;
  size_t suffix2_size_;
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_FILE_CACHE_H_

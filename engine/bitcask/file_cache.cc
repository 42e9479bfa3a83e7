// The bounded cache of open data files (file_cache.h).
#include "engine/bitcask/file_cache.h"

#include <algorithm>
#include <cstring>

#include "engine/bitcask/format.h"
#include "engine/common/check.h"
#include "engine/common/decimal.h"
#include "engine/common/status_macros.h"

namespace kvlab::bitcask {
namespace {

constexpr size_t kIndexReserve = 7;

}  // namespace

std::string JoinPath(std::string_view dir, std::string_view name, std::string_view suffix) {
  // By hand, not StrCat: one exact allocation and no zero-fill, for the
  // ~5 paths every Get miss, roll-over, merge step and open builds.
  std::string out;
  out.reserve(dir.size() + 1 + name.size() + suffix.size());
  if (!dir.empty()) out.append(dir).push_back('/');
  out.append(name).append(suffix);
  return out;
}

FilePath::FilePath(std::string_view dir, uint64_t id, std::string_view suffix,
                   std::string_view suffix2)
    : suffix2_size_(suffix2.size()) {
  const size_t digits = DecimalWidth(id, kFileIdDigits);
  size_ = (dir.empty() ? 0 : dir.size() + 1) + digits + suffix.size() + suffix2.size();
  char* p = inline_;
  if (size_ > sizeof(inline_)) {
    heap_.resize(size_);
    p = heap_.data();
  }
  data_ = p;
  if (!dir.empty()) {
    std::memcpy(p, dir.data(), dir.size());
    p += dir.size();
    *p++ = '/';
  }
  // Nearly every id takes exactly kFileIdDigits: a constant width lets the
  // zero padding compile to two stores instead of a memset call.
  if (digits == kFileIdDigits) {
    WriteDecimalWidth(id, kFileIdDigits, p);
  } else {
    WriteDecimalWidth(id, digits, p);
  }
  p += digits;
  // The suffix is nearly always ".data" or ".hint": a constant size inlines the copy.
  if (suffix.size() == kDataSuffix.size()) {
    std::memcpy(p, suffix.data(), kDataSuffix.size());
  } else if (!suffix.empty()) {
    std::memcpy(p, suffix.data(), suffix.size());
  }
  p += suffix.size();
  if (!suffix2.empty()) std::memcpy(p, suffix2.data(), suffix2.size());
}

absl::StatusOr<std::shared_ptr<File>> OpenDataFile(Device& device, std::string_view dir,
                                                   uint64_t id) {
  OpenOptions options;
  options.read_only = true;
  options.kind = kvlab::FileKind::kData;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                   device.Open(FilePath(dir, id, kDataSuffix), options));
  return std::shared_ptr<File>(std::move(file));
}

FileCache::FileCache(size_t capacity) : capacity_(capacity) {
  KVLAB_CHECK(capacity_ >= 1);
  // Sized once for a store's usual handful of files: growing from empty
  // rehashed the index at the 1st, 2nd, 4th and 8th insert.
  index_.reserve(std::min<size_t>(capacity_, kIndexReserve));
}

std::shared_ptr<File> FileCache::Lookup(uint64_t id) {
  // The most recently used file first (Gets mostly read the same file again):
  // no hash lookup and no splice.
  if (!lru_.empty() && lru_.front().first == id) {
    ++hits_;
    return lru_.front().second;
  }
  auto it = index_.find(id);
  if (it == index_.end()) return nullptr;
  ++hits_;
  if (it->second != lru_.begin()) lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

std::shared_ptr<File> FileCache::AddMissed(uint64_t id, std::shared_ptr<File> file) {
  KVLAB_CHECK(file != nullptr);
  ++misses_;
  auto it = index_.find(id);
  if (it != index_.end()) return it->second->second;
  Insert(id, file);
  return file;
}

void FileCache::Put(uint64_t id, std::shared_ptr<File> file) {
  KVLAB_CHECK(file != nullptr);
  if (!index_.contains(id)) Insert(id, std::move(file));
}

void FileCache::Insert(uint64_t id, std::shared_ptr<File> file) {
  lru_.emplace_front(id, std::move(file));
  index_[id] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

void FileCache::Evict(uint64_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

void FileCache::Clear() {
  index_.clear();
  lru_.clear();
}

}  // namespace kvlab::bitcask

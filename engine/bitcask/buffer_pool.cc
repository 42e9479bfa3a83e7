// The pool of write buffers (buffer_pool.h).
#include "engine/bitcask/buffer_pool.h"

#include <utility>

namespace kvlab::bitcask {
namespace {

// Stores open one at a time in a simulated run, a few at once in a campaign
// running seeds in parallel. A block is write_buffer_size (1 MiB by default,
// up to 1 GiB) + 64 KiB; only blocks up to the default's size are kept, so the
// pool holds at most 4 x 2 MiB after every store closed.
constexpr size_t kSharedPoolBuffers = 4;
constexpr size_t kSharedPoolBlockBytes = 2 << 20;

}  // namespace

WriteBufferPool& WriteBufferPool::Shared() {
  static WriteBufferPool* const pool = new WriteBufferPool(kSharedPoolBuffers, kSharedPoolBlockBytes);
  return *pool;
}

WriteBuffer WriteBufferPool::Take(size_t capacity) {
  WriteBuffer buffer;
  {
    absl::MutexLock lock(&mu_);
    if (!buffers_.empty()) {
      buffer = std::move(buffers_.back());
      buffers_.pop_back();
    }
  }
  buffer.Reserve(capacity);
  return buffer;
}

void WriteBufferPool::Give(WriteBuffer buffer) {
  if (buffer.capacity() > max_bytes_) return;  // Freed here.
  buffer.Clear();
  absl::MutexLock lock(&mu_);
  if (buffers_.size() < max_buffers_) buffers_.push_back(std::move(buffer));
}

size_t WriteBufferPool::size() const {
  absl::MutexLock lock(&mu_);
  return buffers_.size();
}

}  // namespace kvlab::bitcask

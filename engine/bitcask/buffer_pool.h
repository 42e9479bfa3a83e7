// Write buffers of closed stores, kept for the stores opened after them.
//
// A store reserves its write buffer once, when it is constructed: one block of
// write_buffer_size (at most max_file_size) + 64 KiB. The simulator opens and
// closes a store about 150 times per seed, and taking such a block from the
// allocator and giving it back cost ~1,200 instructions per open. Thread-safe.
#ifndef KVLAB_ENGINE_BITCASK_BUFFER_POOL_H_
#define KVLAB_ENGINE_BITCASK_BUFFER_POOL_H_

#include <cstddef>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "engine/bitcask/write_buffer.h"

namespace kvlab::bitcask {

class WriteBufferPool {
 public:
  // Keeps at most `max_buffers` buffers of at most `max_bytes` each; more,
  // or bigger ones, given back are freed (a closed store's memory is not held
  // beyond that bound).
  WriteBufferPool(size_t max_buffers, size_t max_bytes)
      : max_buffers_(max_buffers), max_bytes_(max_bytes) {}

  // The pool every store takes its write buffer from (never destroyed).
  static WriteBufferPool& Shared();

  // An empty buffer with room for `capacity` bytes: the most recently given
  // one (grown if it is smaller), else a new one.
  WriteBuffer Take(size_t capacity);
  // Keeps `buffer` for a later Take (its contents are dropped), unless the
  // pool is full or the buffer is bigger than max_bytes.
  void Give(WriteBuffer buffer);
  size_t size() const;

 private:
  const size_t max_buffers_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::vector<WriteBuffer> buffers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_BUFFER_POOL_H_

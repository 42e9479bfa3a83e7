// The active data file's write buffer: records are encoded straight into a
// block reserved once (no zero-fill, no reallocation unless one record is
// larger than the room left), and flushes drain it from the front.
#ifndef KVLAB_ENGINE_BITCASK_WRITE_BUFFER_H_
#define KVLAB_ENGINE_BITCASK_WRITE_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

namespace kvlab::bitcask {

class WriteBuffer {
 public:
  WriteBuffer() = default;
  // A moved-from buffer is empty, with no block.
  WriteBuffer(WriteBuffer&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  WriteBuffer& operator=(WriteBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }

  // Makes room for `capacity` bytes in all (keeps the contents).
  void Reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  // Returns room for `n` more bytes at the end, which now count as contents:
  // the caller writes all n of them.
  char* Append(size_t n) {
    if (size_ + n > capacity_) Reserve(std::max(size_ + n, 2 * capacity_));
    char* at = data_.get() + size_;
    size_ += n;
    return at;
  }

  // Drops the first `n` bytes; the rest moves to the front.
  void Consume(size_t n) {
    if (n < size_) std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= std::min(n, size_);
  }

  void Clear() { size_ = 0; }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_WRITE_BUFFER_H_

// The key type of Bitcask's keydir: keys of up to 20 bytes are stored inline
// in the 24-byte object (no allocation per key, and a key comparison reads no
// second cache line); longer keys take one heap block. Lookups take any
// std::string_view (transparent hash and equality).
#ifndef KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_
#define KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace kvlab::bitcask {

class KeydirKey {
 public:
  static constexpr size_t kInlineBytes = 20;

  explicit KeydirKey(std::string_view key) : size_(static_cast<uint32_t>(key.size())) {
    char* dst = bytes_;
    if (size_ > kInlineBytes) {
      dst = new char[size_];
      std::memcpy(bytes_, &dst, sizeof(dst));
    }
    if (size_ > 0) std::memcpy(dst, key.data(), size_);
  }
  KeydirKey(const KeydirKey& other) : KeydirKey(other.view()) {}
  KeydirKey(KeydirKey&& other) noexcept : size_(other.size_) {
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));  // The inline key or the pointer.
    other.size_ = 0;  // The block, if any, is ours now.
  }
  KeydirKey& operator=(const KeydirKey& other) {
    if (this != &other) *this = KeydirKey(other.view());
    return *this;
  }
  KeydirKey& operator=(KeydirKey&& other) noexcept {
    if (this != &other) {
      Release();
      size_ = other.size_;
      std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
      other.size_ = 0;
    }
    return *this;
  }
  ~KeydirKey() { Release(); }

  std::string_view view() const { return std::string_view(data(), size_); }

 private:
  const char* data() const {
    if (size_ <= kInlineBytes) return bytes_;
    const char* heap;
    std::memcpy(&heap, bytes_, sizeof(heap));
    return heap;
  }
  void Release() {
    if (size_ > kInlineBytes) delete[] data();
    size_ = 0;
  }

  char bytes_[kInlineBytes];  // The key, or (when longer) a pointer to it.
  uint32_t size_;
};
static_assert(sizeof(KeydirKey) == 24);

struct KeydirHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size()));
  }
  size_t operator()(const KeydirKey& key) const { return (*this)(key.view()); }
};

struct KeydirEq {
  using is_transparent = void;
  static std::string_view View(std::string_view s) { return s; }
  static std::string_view View(const KeydirKey& k) { return k.view(); }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return View(a) == View(b);
  }
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_

// The key type of Bitcask's keydir: keys of up to 20 bytes are stored inline
// in the 24-byte object (no allocation per key, and a key comparison reads no
// second cache line); longer keys take one heap block. Lookups take any
// std::string_view (transparent hash and equality), short keys inline.
#ifndef KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_
#define KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "engine/common/bytes.h"
#include "engine/common/hash.h"

namespace kvlab::bitcask {

// Keys of up to 16 bytes (every key the simulator writes) are hashed and
// copied inline as two words, and compared inline (BytesEqual): absl::Hash,
// memcmp and memcpy each took a call and tens of instructions, and the keydir
// hashes and compares a key once per Put, Get and hint entry loaded.
inline constexpr size_t kShortKeyBytes = 16;

// The n <= kShortKeyBytes bytes at p as two words, loaded so that they overlap
// and never leave a byte out: for one n, equal words mean equal keys, and
// Store writes the bytes back.
struct ShortKey {
  ShortKey(const char* p, size_t n) {
    if (n >= 8) {
      a = Load<uint64_t>(p);
      b = Load<uint64_t>(p + n - 8);
    } else if (n >= 4) {
      a = Load<uint32_t>(p);
      b = Load<uint32_t>(p + n - 4);
    } else if (n > 0) {
      a = uint64_t{static_cast<uint8_t>(p[0])} << 16 |
          uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 | static_cast<uint8_t>(p[n - 1]);
    }
  }
  void Store(char* p, size_t n) const {
    if (n >= 8) {
      StoreWord<uint64_t>(p + n - 8, b);
      StoreWord<uint64_t>(p, a);
    } else if (n >= 4) {
      StoreWord<uint32_t>(p + n - 4, b);
      StoreWord<uint32_t>(p, a);
    } else if (n > 0) {
      p[n - 1] = static_cast<char>(a);
      p[n / 2] = static_cast<char>(a >> 8);
      p[0] = static_cast<char>(a >> 16);
    }
  }

  uint64_t a = 0;
  uint64_t b = 0;

 private:
  template <typename T>
  static uint64_t Load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  template <typename T>
  static void StoreWord(char* p, uint64_t v) {
    const T t = static_cast<T>(v);
    std::memcpy(p, &t, sizeof(t));
  }
};

class KeydirKey {
 public:
  static constexpr size_t kInlineBytes = 20;

  explicit KeydirKey(std::string_view key) : size_(static_cast<uint32_t>(key.size())) {
    char* dst = bytes_;
    if (size_ > kInlineBytes) {
      dst = new char[size_];
      std::memcpy(bytes_, &dst, sizeof(dst));
    }
    if (size_ <= kShortKeyBytes) {
      ShortKey(key.data(), size_).Store(dst, size_);
    } else {
      std::memcpy(dst, key.data(), size_);
    }
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
  // A short key's words and length, mixed by one 64x64->128-bit multiply
  // folded to 64 bits (MulFold64, wyhash's mixer): the low bits (the table's
  // control byte) and the high bits (its probe start) both depend on every
  // input bit.
  size_t operator()(std::string_view key) const {
    const size_t n = key.size();
    if (n > kShortKeyBytes) return absl::Hash<absl::string_view>{}(absl::string_view(key.data(), n));
    const ShortKey w(key.data(), n);
    return MulFold64(w.a ^ 0xa0761d6478bd642full, w.b ^ 0xe7037ed1a0b428dbull ^ n);
  }
  size_t operator()(const KeydirKey& key) const { return (*this)(key.view()); }
};

struct KeydirEq {
  using is_transparent = void;
  static std::string_view View(std::string_view s) { return s; }
  static std::string_view View(const KeydirKey& k) { return k.view(); }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return BytesEqual(View(a), View(b));
  }
};

}  // namespace kvlab::bitcask

#endif  // KVLAB_ENGINE_BITCASK_KEYDIR_KEY_H_

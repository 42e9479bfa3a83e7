// Inline comparison of short byte strings.
#ifndef KVLAB_ENGINE_COMMON_BYTES_H_
#define KVLAB_ENGINE_COMMON_BYTES_H_

#include <cstddef>
#include <cstring>
#include <string_view>

#include "engine/common/hash.h"

namespace kvlab {

// a == b, inline for strings of up to 32 bytes: a memcmp of a variable length
// is a call into libc, and keys and paths are compared on every keydir probe
// and every simulated namespace op. 8-byte words, the last one overlapping
// the one before it (4-byte words below 8 bytes).
inline bool BytesEqual(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n > 32) return std::memcmp(p, q, n) == 0;
  if (n >= 8) {
    for (size_t at = 0; at + 8 < n; at += 8) {
      if (LoadLe64(p + at, 8) != LoadLe64(q + at, 8)) return false;
    }
    return LoadLe64(p + n - 8, 8) == LoadLe64(q + n - 8, 8);
  }
  if (n >= 4) {
    return LoadLe64(p, 4) == LoadLe64(q, 4) && LoadLe64(p + n - 4, 4) == LoadLe64(q + n - 4, 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

}  // namespace kvlab

#endif  // KVLAB_ENGINE_COMMON_BYTES_H_

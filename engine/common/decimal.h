// Decimal formatting by hand, zero-padded to a minimum width: file names
// ("0000000042.data") and the simulator's keys and values ("k07",
// "s12o345-") are formatted millions of times per campaign, and
// absl::StrCat / snprintf would allocate or parse a format each time.
#ifndef KVLAB_ENGINE_COMMON_DECIMAL_H_
#define KVLAB_ENGINE_COMMON_DECIMAL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kvlab {

// How many characters v takes in decimal, at least min_digits.
inline size_t DecimalWidth(uint64_t v, size_t min_digits) {
  static constexpr uint64_t kPow10[] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
                                        1000000ull, 10000000ull, 100000000ull, 1000000000ull,
                                        10000000000ull};
  // The common case, v fits the minimum width: one compare (file ids, keys).
  if (min_digits > 0 && min_digits <= 10 && v < kPow10[min_digits]) return min_digits;
  size_t n = 1;
  for (uint64_t rest = v; rest >= 10; rest /= 10) ++n;
  return std::max(n, min_digits);
}

// Writes v as exactly `width` decimal characters at out, zero-padded on the
// left. REQUIRES: width >= DecimalWidth(v, 1).
inline void WriteDecimalWidth(uint64_t v, size_t width, char* out) {
  // Two digits per step from a 200-byte table: half the divisions.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  std::memset(out, '0', width);  // The padding; the digits overwrite its end.
  char* p = out + width;
  while (v >= 10) {
    p -= 2;
    std::memcpy(p, kPairs + 2 * static_cast<size_t>(v % 100), 2);
    v /= 100;
  }
  if (v != 0) *--p = static_cast<char>('0' + v);  // An odd leading digit.
}

// Writes v with at least min_digits characters at out; returns the end.
inline char* WriteDecimal(uint64_t v, size_t min_digits, char* out) {
  const size_t n = DecimalWidth(v, min_digits);
  WriteDecimalWidth(v, n, out);
  return out + n;
}

}  // namespace kvlab

#endif  // KVLAB_ENGINE_COMMON_DECIMAL_H_

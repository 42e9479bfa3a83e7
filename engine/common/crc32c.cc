// CRC-32C: the byte-table path, and the SSE4.2 path with three interleaved
// streams joined by the shift-combine.
//
// The combine. Let raw(r, B) be the CRC register after feeding the bytes B to
// a register holding r (no pre/post inversion; what _mm_crc32_u64 computes).
// CRC is linear over GF(2), so for blocks A, B, C of L bytes each
//   raw(r, A B C) = Z(Z(raw(r, A)) ^ raw(0, B)) ^ raw(0, C),
// where Z(c) = raw(c, L zero bytes) = c * x^(8L) mod P (the reflected
// representation: bit 31 is the coefficient of x^0, as in zlib's multmodp).
// raw(r, A), raw(0, B), raw(0, C) are three independent dependency chains, so
// the CPU overlaps them. Z is linear in c, so it is four table look-ups:
// Z(c) = T[0][c & 0xff] ^ T[1][(c >> 8) & 0xff] ^ T[2][..] ^ T[3][c >> 24]
// with T[k][b] = (b << 8k) * x^(8L) mod P; the tables are computed at compile
// time from the polynomial (x^(8L) by square-and-multiply).
#include "engine/common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace kvlab::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82f63b78u;  // Reversed Castagnoli polynomial.

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t ExtendTable(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

// a * b mod P, both in the reflected representation (zlib's multmodp).
constexpr uint32_t MultModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;  // b * x mod P.
  }
  return product;
}

// x^(8 * n) mod P.
constexpr uint32_t XPow8N(uint64_t n) {
  uint32_t result = 1u << 31;       // x^0.
  uint32_t power = 1u << (31 - 8);  // x^8.
  for (; n != 0; n >>= 1) {
    if (n & 1) result = MultModP(power, result);
    power = MultModP(power, power);
  }
  return result;
}

// Z(c) = c * x^(8 * kLen) mod P, by four byte tables.
struct ShiftTable {
  uint32_t t[4][256];
  uint32_t operator()(uint32_t c) const {
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
  }
};

constexpr ShiftTable MakeShiftTable(uint64_t len) {
  ShiftTable s{};
  const uint32_t x = XPow8N(len);
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) s.t[k][b] = MultModP(x, b << (8 * k));
  }
  return s;
}

// The block lengths of the three streams, longest first: a buffer is cut
// into 3 x 4096-byte groups while it can, then 3 x 1024, 3 x 256, 3 x 64; the
// rest (< 192 bytes) is one stream. A 4 KiB record: 3 x 1024 + 3 x 256 + ...
constexpr size_t kLen0 = 4096, kLen1 = 1024, kLen2 = 256, kLen3 = 64;
constexpr ShiftTable kShift0 = MakeShiftTable(kLen0);
constexpr ShiftTable kShift1 = MakeShiftTable(kLen1);
constexpr ShiftTable kShift2 = MakeShiftTable(kLen2);
constexpr ShiftTable kShift3 = MakeShiftTable(kLen3);

#if defined(__x86_64__)
inline uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline void Store64(char* p, uint64_t w) { std::memcpy(p, &w, 8); }

// Consumes groups of 3 x len bytes from src (copying them to dst if kCopy)
// while n allows, extending the raw register c.
template <bool kCopy, size_t kLen>
__attribute__((target("sse4.2"), always_inline)) inline uint64_t Interleaved(
    uint64_t c, const char*& src, char*& dst, size_t& n, const ShiftTable& shift) {
  while (n >= 3 * kLen) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t i = 0; i < kLen; i += 8) {
      const uint64_t w0 = Load64(src + i);
      const uint64_t w1 = Load64(src + kLen + i);
      const uint64_t w2 = Load64(src + 2 * kLen + i);
      c = _mm_crc32_u64(c, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
      if constexpr (kCopy) {
        Store64(dst + i, w0);
        Store64(dst + kLen + i, w1);
        Store64(dst + 2 * kLen + i, w2);
      }
    }
    c = shift(static_cast<uint32_t>(c)) ^ c1;
    c = shift(static_cast<uint32_t>(c)) ^ c2;
    src += 3 * kLen;
    if constexpr (kCopy) dst += 3 * kLen;
    n -= 3 * kLen;
  }
  return c;
}

// The raw register `crc` extended by src[0, n) (copied to dst if kCopy).
// Compiled for SSE4.2 here only; called only when the CPU has it.
template <bool kCopy>
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, char* dst,
                                                          const char* src, size_t n) {
  uint64_t c = crc;
  c = Interleaved<kCopy, kLen0>(c, src, dst, n, kShift0);
  c = Interleaved<kCopy, kLen1>(c, src, dst, n, kShift1);
  c = Interleaved<kCopy, kLen2>(c, src, dst, n, kShift2);
  c = Interleaved<kCopy, kLen3>(c, src, dst, n, kShift3);
  while (n >= 8) {
    const uint64_t w = Load64(src);
    c = _mm_crc32_u64(c, w);
    if constexpr (kCopy) {
      Store64(dst, w);
      dst += 8;
    }
    src += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (size_t i = 0; i < n; ++i) {
    c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(src[i]));
    if constexpr (kCopy) dst[i] = src[i];
  }
  return c32;
}
#endif

bool CpuHasSse42() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

}  // namespace

bool HardwareAccelerated() {
  static const bool hardware = CpuHasSse42();  // Safe from other static initialisers.
  return hardware;
}

uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n) {
  return ~ExtendTable(~init_crc, data, n);
}

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
#if defined(__x86_64__)
  if (HardwareAccelerated()) return ~ExtendHardware<false>(~init_crc, nullptr, data, n);
#endif
  return ExtendPortable(init_crc, data, n);
}

uint32_t CopyAndExtend(uint32_t init_crc, char* dst, const char* src, size_t n) {
#if defined(__x86_64__)
  if (HardwareAccelerated()) return ~ExtendHardware<true>(~init_crc, dst, src, n);
#endif
  if (n > 0) std::memcpy(dst, src, n);
  return ExtendPortable(init_crc, src, n);
}

}  // namespace kvlab::crc32c

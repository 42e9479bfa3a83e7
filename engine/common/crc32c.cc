// CRC-32C: the byte-table path, and the SSE4.2 path with three interleaved
// streams joined by a PCLMULQDQ shift (which also serves Substitute).
//
// The combine. Let raw(r, B) be the CRC register after feeding the bytes B to
// a register holding r (no pre/post inversion; what _mm_crc32_u64 computes).
// CRC is linear over GF(2), so for adjacent blocks A, B, C
//   raw(r, A B C) = raw(r, A) * x^(8|BC|) ^ raw(0, B) * x^(8|C|) ^ raw(0, C) mod P
// (the reflected representation: bit 31 is the coefficient of x^0, as in
// zlib's multmodp). raw(r, A), raw(0, B), raw(0, C) are three independent
// dependency chains, so the CPU overlaps them (the instruction has a 3-cycle
// latency, a throughput of one per cycle). The shift c * x^(64w) mod P: the
// carry-less product c * K, K = x^(64w - 33) mod P, is a 64-bit polynomial
// equal to c * K * x (PCLMULQDQ's one-bit offset in the reflected form), and
// _mm_crc32_u64(r, v) = r * x^64 ^ v * x^32, so XOR-ing the products into the
// last word of C before its _mm_crc32_u64 adds c * x^(64w) with no separate
// reduction. Every block length in words has its K (computed at compile time
// from the polynomial), so even a 56-byte record is cut into three streams.
#include "engine/common/crc32c.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
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

// K[w] = x^(64 * w - 33) mod P: multiplying a register by K[w] with
// PCLMULQDQ and feeding the 64-bit product to _mm_crc32_u64 shifts the
// register by w words (see the top of the file).
constexpr size_t kMaxShiftWords = 384;
struct ShiftConstants {
  uint32_t k[kMaxShiftWords + 1];
};

constexpr ShiftConstants MakeShiftConstants() {
  ShiftConstants s{};
  for (size_t w = 1; w <= kMaxShiftWords; ++w) {
    // x^(64w - 33) = x^(64w - 40) * x^7: XPow8N covers whole bytes only.
    s.k[w] = MultModP(XPow8N(8 * w - 5), 1u << (31 - 7));
  }
  return s;
}
constexpr ShiftConstants kShift = MakeShiftConstants();

// A buffer is cut into 3 x 1024-byte groups while it can; the rest, when it
// has at least kMinGroupWords whole words, is one more group of three nearly
// equal streams; what is left (< 8 bytes) goes through one chain.
constexpr size_t kBigWords = 128;
constexpr size_t kMinGroupWords = 7;
// CopyAndExtend's group (with the stores) measured no faster than one chain
// below 12 words (64 B: 9.5 ns grouped, 7.1 ns one chain; 100 B: equal).
constexpr size_t kMinCopyGroupWords = 12;
constexpr size_t kSkewWords = 4;
static_assert(3 * kBigWords <= kMaxShiftWords);  // la + lc < words < 3 * kBigWords.

#if defined(__x86_64__)
inline uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline void Store64(char* p, uint64_t w) { std::memcpy(p, &w, 8); }

#define KVLAB_CRC_TARGET __attribute__((target("sse4.2,pclmul")))

// c * x^(64 * w) mod P folded into the next word fed to _mm_crc32_u64:
// returns c * K[w] as a 64-bit polynomial (times x, the PCLMULQDQ offset).
KVLAB_CRC_TARGET inline uint64_t ShiftProduct(uint64_t c, size_t w) {
  const __m128i product = _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<int64_t>(c)),
                                               _mm_cvtsi32_si128(kShift.k[w]), 0x00);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(product));
}

// One group: streams A and B of la words and C of lc >= la words, adjacent
// at src (copied to dst if kCopy). Returns raw(c, A B C):
//   crc32(raw(0, C minus its last word), last ^ c0 * K[la + lc] ^ c1 * K[lc]).
template <bool kCopy>
KVLAB_CRC_TARGET __attribute__((always_inline)) inline uint64_t Group(
    uint64_t c, const char* src, char* dst, size_t la, size_t lc) {
  const char* a = src;
  const char* b = src + 8 * la;
  const char* cs = src + 16 * la;
  uint64_t c1 = 0;
  uint64_t c2 = 0;
  size_t i = 0;
  for (; i + 1 < la; ++i) {
    const uint64_t w0 = Load64(a + 8 * i);
    const uint64_t w1 = Load64(b + 8 * i);
    const uint64_t w2 = Load64(cs + 8 * i);
    c = _mm_crc32_u64(c, w0);
    c1 = _mm_crc32_u64(c1, w1);
    c2 = _mm_crc32_u64(c2, w2);
    if constexpr (kCopy) {
      Store64(dst + 8 * i, w0);
      Store64(dst + 8 * (la + i), w1);
      Store64(dst + 8 * (2 * la + i), w2);
    }
  }
  const uint64_t w0 = Load64(a + 8 * i);
  const uint64_t w1 = Load64(b + 8 * i);
  c = _mm_crc32_u64(c, w0);
  c1 = _mm_crc32_u64(c1, w1);
  if constexpr (kCopy) {
    Store64(dst + 8 * i, w0);
    Store64(dst + 8 * (la + i), w1);
  }
  for (; i + 1 < lc; ++i) {
    const uint64_t w2 = Load64(cs + 8 * i);
    c2 = _mm_crc32_u64(c2, w2);
    if constexpr (kCopy) Store64(dst + 8 * (2 * la + i), w2);
  }
  const uint64_t last = Load64(cs + 8 * i);
  if constexpr (kCopy) Store64(dst + 8 * (2 * la + i), last);
  return _mm_crc32_u64(c2, last ^ ShiftProduct(c, la + lc) ^ ShiftProduct(c1, lc));
}

// One 4-, 2- or 1-byte piece of the tail (after the last whole word):
// extends c32 by it, copies it if kCopy, and advances src and dst.
template <bool kCopy, typename Piece>
__attribute__((target("sse4.2"), always_inline)) inline uint32_t TailWord(uint32_t c32,
                                                                          const char*& src,
                                                                          char*& dst) {
  Piece w;
  std::memcpy(&w, src, sizeof(w));
  if constexpr (sizeof(Piece) == 4) {
    c32 = _mm_crc32_u32(c32, w);
  } else if constexpr (sizeof(Piece) == 2) {
    c32 = _mm_crc32_u16(c32, w);
  } else {
    c32 = _mm_crc32_u8(c32, w);
  }
  src += sizeof(w);
  if constexpr (kCopy) {
    std::memcpy(dst, &w, sizeof(w));
    dst += sizeof(w);
  }
  return c32;
}

// The raw register `c` extended by src[0, n) one word at a time, then the
// 4-, 2- and 1-byte tail (copied to dst if kCopy): short buffers, and what
// follows the grouped streams.
template <bool kCopy>
__attribute__((target("sse4.2"), always_inline)) inline uint32_t Chain(uint64_t c,
                                                                       const char* src,
                                                                       char* dst, size_t n) {
  for (; n >= 8; n -= 8, src += 8) {
    const uint64_t w = Load64(src);
    c = _mm_crc32_u64(c, w);
    if constexpr (kCopy) {
      Store64(dst, w);
      dst += 8;
    }
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  if (n & 4) c32 = TailWord<kCopy, uint32_t>(c32, src, dst);
  if (n & 2) c32 = TailWord<kCopy, uint16_t>(c32, src, dst);
  if (n & 1) c32 = TailWord<kCopy, uint8_t>(c32, src, dst);
  return c32;
}

// The raw register `crc` extended by src[0, n) (copied to dst if kCopy).
// Compiled for SSE4.2 + PCLMULQDQ here only; called only when the CPU has both.
template <bool kCopy>
KVLAB_CRC_TARGET __attribute__((noinline)) uint32_t ExtendHardware(uint32_t crc, char* dst, const char* src, size_t n) {
  uint64_t c = crc;
  while (n >= 3 * 8 * kBigWords) {
    c = Group<kCopy>(c, src, dst, kBigWords, kBigWords);
    src += 3 * 8 * kBigWords;
    if constexpr (kCopy) dst += 3 * 8 * kBigWords;
    n -= 3 * 8 * kBigWords;
  }
  const size_t words = n / 8;
  if (words >= (kCopy ? kMinCopyGroupWords : kMinGroupWords)) {
    // C runs kSkewWords longer than A and B: their registers take the
    // PCLMULQDQ detour (GPR -> XMM -> GPR, ~12 cycles) while C still runs.
    const size_t la = words >= kSkewWords + 3 ? (words - kSkewWords) / 3 : 1;
    c = Group<kCopy>(c, src, dst, la, words - 2 * la);
    src += 8 * words;
    if constexpr (kCopy) dst += 8 * words;
    n -= 8 * words;
  }
  return Chain<kCopy>(c, src, dst, n);
}
#endif

bool CpuHasSse42() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul");
#else
  return false;
#endif
}

#if defined(__x86_64__)
// The hardware path with the pre/post inversion inside, so that Extend and
// CopyAndExtend forward their arguments unchanged (a tail jump).
// Most checksums are of short buffers (a record header with its key, a sync
// mark, a file header): below a group's size they take one chain here,
// without the register saves the grouped path needs.
KVLAB_CRC_TARGET uint32_t ExtendAccelerated(uint32_t init_crc, const char* data, size_t n) {
  if (n >= 8 * kMinGroupWords) return ~ExtendHardware<false>(~init_crc, nullptr, data, n);
  return ~Chain<false>(~init_crc, data, nullptr, n);
}
KVLAB_CRC_TARGET uint32_t CopyAndExtendAccelerated(uint32_t init_crc, char* dst, const char* src,
                                                   size_t n) {
  return ~ExtendHardware<true>(~init_crc, dst, src, n);
}

// Substitute's shift: the raw register `c` (no inversions) times
// x^(8 * bytes), i.e. c followed by that many zero bytes.
KVLAB_CRC_TARGET uint32_t ShiftHardware(uint32_t c, uint64_t bytes) {
  if (bytes & 4) c = _mm_crc32_u32(c, 0);
  if (bytes & 2) c = _mm_crc32_u16(c, 0);
  if (bytes & 1) c = _mm_crc32_u8(c, 0);
  for (uint64_t words = bytes / 8; words > 0;) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(words, kMaxShiftWords));
    // _mm_crc32_u64(0, v) = v * x^32, and ShiftProduct(c, w) = c * K[w] * x.
    c = static_cast<uint32_t>(_mm_crc32_u64(0, ShiftProduct(c, step)));
    words -= step;
  }
  return c;
}

KVLAB_CRC_TARGET uint32_t SubstituteAccelerated(uint32_t crc, const char* old_bytes,
                                                const char* new_bytes, size_t n,
                                                uint64_t bytes_after) {
  // The raw CRC (zero register) of old XOR new, then shifted past the rest.
  uint64_t c = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) c = _mm_crc32_u64(c, Load64(old_bytes + i) ^ Load64(new_bytes + i));
  uint32_t c32 = static_cast<uint32_t>(c);
  if (n - i >= 4) {
    uint32_t a, b;
    std::memcpy(&a, old_bytes + i, 4);
    std::memcpy(&b, new_bytes + i, 4);
    c32 = _mm_crc32_u32(c32, a ^ b);
    i += 4;
  }
  for (; i < n; ++i) c32 = _mm_crc32_u8(c32, static_cast<uint8_t>(old_bytes[i] ^ new_bytes[i]));
  return crc ^ ShiftHardware(c32, bytes_after);
}
#endif

uint32_t CopyAndExtendPortable(uint32_t init_crc, char* dst, const char* src, size_t n) {
  if (n > 0) std::memcpy(dst, src, n);
  return ExtendPortable(init_crc, src, n);
}

// The implementations Extend and CopyAndExtend jump to. They start as
// resolvers that pick one by the CPU at the first call; being constant-
// initialised, they work from any static initialiser. A per-call test of a
// guarded static flag made every call save and restore registers (~20
// instructions per checksum, 376 K checksums per 20 simulated seeds).
using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);
using CopyAndExtendFn = uint32_t (*)(uint32_t, char*, const char*, size_t);
uint32_t ResolveExtend(uint32_t init_crc, const char* data, size_t n);
uint32_t ResolveCopyAndExtend(uint32_t init_crc, char* dst, const char* src, size_t n);
constinit std::atomic<ExtendFn> extend_impl{&ResolveExtend};
constinit std::atomic<CopyAndExtendFn> copy_and_extend_impl{&ResolveCopyAndExtend};

uint32_t ResolveExtend(uint32_t init_crc, const char* data, size_t n) {
  ExtendFn impl = &ExtendPortable;
#if defined(__x86_64__)
  if (HardwareAccelerated()) impl = &ExtendAccelerated;
#endif
  extend_impl.store(impl, std::memory_order_relaxed);  // Every thread picks the same.
  return impl(init_crc, data, n);
}

uint32_t ResolveCopyAndExtend(uint32_t init_crc, char* dst, const char* src, size_t n) {
  CopyAndExtendFn impl = &CopyAndExtendPortable;
#if defined(__x86_64__)
  if (HardwareAccelerated()) impl = &CopyAndExtendAccelerated;
#endif
  copy_and_extend_impl.store(impl, std::memory_order_relaxed);  // Every thread picks the same.
  return impl(init_crc, dst, src, n);
}

}  // namespace

bool HardwareAccelerated() {
  static const bool hardware = CpuHasSse42();  // Safe from other static initialisers.
  return hardware;
}

uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n) {
  return ~ExtendTable(~init_crc, data, n);
}

uint32_t SubstitutePortable(uint32_t crc, const char* old_bytes, const char* new_bytes, size_t n,
                            uint64_t bytes_after) {
  uint32_t c = 0;  // The raw CRC (zero register) of old XOR new.
  for (size_t i = 0; i < n; ++i) {
    c = kTable[(c ^ static_cast<uint8_t>(old_bytes[i] ^ new_bytes[i])) & 0xff] ^ (c >> 8);
  }
  return crc ^ MultModP(XPow8N(bytes_after), c);
}

uint32_t Substitute(uint32_t crc, const char* old_bytes, const char* new_bytes, size_t n,
                    uint64_t bytes_after) {
#if defined(__x86_64__)
  if (HardwareAccelerated()) return SubstituteAccelerated(crc, old_bytes, new_bytes, n, bytes_after);
#endif
  return SubstitutePortable(crc, old_bytes, new_bytes, n, bytes_after);
}

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  return extend_impl.load(std::memory_order_relaxed)(init_crc, data, n);
}

uint32_t CopyAndExtend(uint32_t init_crc, char* dst, const char* src, size_t n) {
  return copy_and_extend_impl.load(std::memory_order_relaxed)(init_crc, dst, src, n);
}

}  // namespace kvlab::crc32c

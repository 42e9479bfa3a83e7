// TraceBytes64 (definition in trace_bytes.h): a portable loop, an AVX2 one
// and an AVX-512 one, picked once per process by what the CPU supports.
#include "sim/trace_bytes.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "engine/common/check.h"
#include "engine/common/hash.h"

namespace kvlab::sim {
namespace trace_bytes_internal {
namespace {

inline constexpr uint64_t kKey[8] = {kHashLane[0],  kHashLane[1],  kHashLane[2],  kHashLane[3],
                                     kHashFinal[0], kHashFinal[1], kHashFinal[2], kHashFinal[3]};

// The end of the definition, from v[i] = p[i] ^ R(s[i]).
inline uint64_t Finish(const uint64_t (&v)[8]) {
  return Mix64((MulFold64(v[0], v[1]) ^ MulFold64(v[2], v[3]) ^ MulFold64(v[4], v[5]) ^
                MulFold64(v[6], v[7]) ^ v[0] ^ v[2] ^ v[4] ^ v[6]) +
               kGoldenGamma);
}

#if defined(__x86_64__)
const bool kHasAvx2 = [] {
  __builtin_cpu_init();  // Needed before main (this runs in a static initialiser).
  return __builtin_cpu_supports("avx2") != 0;
}();
const bool kHasAvx512 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") != 0;
}();
#else
const bool kHasAvx2 = false;
const bool kHasAvx512 = false;
#endif

}  // namespace

bool HasAvx2() { return kHasAvx2; }
bool HasAvx512() { return kHasAvx512; }

uint64_t Portable(std::string_view bytes) {
  const char* const data = bytes.data();
  const size_t n = bytes.size();
  KVLAB_CHECK(n >= 64);
  uint64_t p[8], s[8] = {};
  for (uint64_t& lane : p) lane = static_cast<uint64_t>(n) * kGoldenGamma;
  const size_t blocks = (n + 63) / 64;
  uint64_t shift = 0;  // j * G for block j.
  for (size_t j = 0; j < blocks; ++j, shift += kGoldenGamma) {
    const char* block = j + 1 < blocks ? data + 64 * j : data + n - 64;
    for (int i = 0; i < 8; ++i) {
      const uint64_t d = LoadLe64(block + 8 * i, 8);
      const uint64_t x = d ^ (kKey[i] + shift);
      p[i] += (x & 0xffffffffu) * (x >> 32);
      s[i] += d;
    }
  }
  uint64_t v[8];
  for (int i = 0; i < 8; ++i) v[i] = p[i] ^ ((s[i] << 32) | (s[i] >> 32));
  return Finish(v);
}

#if defined(__x86_64__)
namespace {
// One half block: four lanes (little-endian words: x86 is little-endian).
__attribute__((target("avx2"), always_inline)) inline void Half(__m256i& p, __m256i& s,
                                                                __m256i key, const char* at) {
  const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
  const __m256i x = _mm256_xor_si256(d, key);
  p = _mm256_add_epi64(p, _mm256_mul_epu32(x, _mm256_srli_epi64(x, 32)));
  s = _mm256_add_epi64(s, d);
}
}  // namespace

__attribute__((target("avx2"))) uint64_t Avx2(std::string_view bytes) {
  const char* const data = bytes.data();
  const size_t n = bytes.size();
  KVLAB_CHECK(n >= 64);
  const __m256i step = _mm256_set1_epi64x(static_cast<int64_t>(kGoldenGamma));
  __m256i key0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kKey));
  __m256i key1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kKey + 4));
  __m256i p0 = _mm256_set1_epi64x(static_cast<int64_t>(static_cast<uint64_t>(n) * kGoldenGamma));
  __m256i p1 = p0;
  __m256i s0 = _mm256_setzero_si256();
  __m256i s1 = s0;
  // Block j is at 64 * j until the last one, at `last`.
  const char* const last = data + n - 64;
  for (const char* block = data;; block = std::min(block + 64, last)) {
    Half(p0, s0, key0, block);
    Half(p1, s1, key1, block + 32);
    if (block == last) break;
    key0 = _mm256_add_epi64(key0, step);
    key1 = _mm256_add_epi64(key1, step);
  }
  // v = p ^ R(s): R swaps the 32-bit halves of each lane.
  uint64_t v[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(v),
                      _mm256_xor_si256(p0, _mm256_shuffle_epi32(s0, 0xb1)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(v + 4),
                      _mm256_xor_si256(p1, _mm256_shuffle_epi32(s1, 0xb1)));
  return Finish(v);
}
namespace {
__attribute__((target("avx512f"), always_inline)) inline void Block512(__m512i& p, __m512i& s,
                                                                      __m512i& key, __m512i step,
                                                                      const char* at) {
  const __m512i d = _mm512_loadu_si512(at);
  const __m512i x = _mm512_xor_si512(d, key);
  p = _mm512_add_epi64(p, _mm512_mul_epu32(x, _mm512_srli_epi64(x, 32)));
  s = _mm512_add_epi64(s, d);
  key = _mm512_add_epi64(key, step);
}
}  // namespace

// All eight lanes in one register: a block is one load, xor, shift,
// multiply and two adds (about half the AVX2 loop's instructions).
__attribute__((target("avx512f"))) uint64_t Avx512(std::string_view bytes) {
  const char* const data = bytes.data();
  const size_t n = bytes.size();
  KVLAB_CHECK(n >= 64);
  const __m512i step = _mm512_set1_epi64(static_cast<int64_t>(kGoldenGamma));
  __m512i key = _mm512_loadu_si512(kKey);
  __m512i p = _mm512_set1_epi64(static_cast<int64_t>(static_cast<uint64_t>(n) * kGoldenGamma));
  __m512i s = _mm512_setzero_si512();
  // Blocks 0 .. B-2 at 64 * j, then the last 64 bytes.
  const char* const last = data + n - 64;
  for (const char* at = data; at < last; at += 64) Block512(p, s, key, step, at);
  Block512(p, s, key, step, last);
  // v = p ^ R(s): R swaps the 32-bit halves of each lane.
  uint64_t v[8];
  _mm512_storeu_si512(v, _mm512_xor_si512(p, _mm512_shuffle_epi32(s, _MM_PERM_CDAB)));
  return Finish(v);
}
#else
uint64_t Avx2(std::string_view bytes) {
  KVLAB_CHECK(false, "no AVX2 here");
  return 0;
}
uint64_t Avx512(std::string_view bytes) {
  KVLAB_CHECK(false, "no AVX-512 here");
  return 0;
}
#endif

}  // namespace trace_bytes_internal

uint64_t TraceBytes64(std::string_view bytes) {
  if (trace_bytes_internal::kHasAvx512) return trace_bytes_internal::Avx512(bytes);
  if (trace_bytes_internal::kHasAvx2) return trace_bytes_internal::Avx2(bytes);
  return trace_bytes_internal::Portable(bytes);
}

}  // namespace kvlab::sim

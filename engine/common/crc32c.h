// CRC-32C (Castagnoli), the checksum under every byte kvlab writes.
//
// Hardware-accelerated with SSE4.2 where the CPU has it, table-driven
// otherwise; both give the same values (tested against RFC 3720 vectors).
#ifndef KVLAB_ENGINE_COMMON_CRC32C_H_
#define KVLAB_ENGINE_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kvlab::crc32c {

// Returns the CRC-32C of `init_crc` extended by data[0, n).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// A stored CRC is masked so that a CRC of data that itself holds CRCs does not
// degenerate (LevelDB's rationale: crc of a string with embedded crcs).
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return ((rot >> 17) | (rot << 15));
}

}  // namespace kvlab::crc32c

#endif  // KVLAB_ENGINE_COMMON_CRC32C_H_

// CRC-32C (Castagnoli), the checksum under every byte kvlab writes.
//
// Hardware-accelerated with SSE4.2 where the CPU has it, table-driven
// otherwise; both give the same values (tested against RFC 3720 vectors and
// against each other on every length 0..4096 at every alignment). The hardware
// path (SSE4.2 + PCLMULQDQ) runs three independent _mm_crc32_u64 streams over
// three adjacent blocks of any buffer of 56 bytes or more (the instruction has
// a 3-cycle latency but a throughput of one per cycle) and joins them with the
// carry-less-multiply shift of crc32c.cc.
#ifndef KVLAB_ENGINE_COMMON_CRC32C_H_
#define KVLAB_ENGINE_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kvlab::crc32c {

// Returns the CRC-32C of `init_crc` extended by data[0, n).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

// Extend(init_crc, src, n) that also copies src[0, n) to dst (one pass over
// the bytes instead of a memcpy and a second read). The ranges must not overlap.
uint32_t CopyAndExtend(uint32_t init_crc, char* dst, const char* src, size_t n);

// The CRC of a message whose CRC is `crc` after its bytes [at, at + n)
// change from old_bytes[0, n) to new_bytes[0, n), where `bytes_after` bytes
// of the message follow them. CRC is linear: the change's own CRC, shifted
// past the bytes after it, is XOR-ed in, so the cost is O(n + log(bytes_after)),
// not the message's length. (A record re-encoded with a few new header
// fields keeps most of its checksum work.)
uint32_t Substitute(uint32_t crc, const char* old_bytes, const char* new_bytes, size_t n,
                    uint64_t bytes_after);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// The byte-table implementations, whatever the CPU (for tests and comparison).
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
uint32_t SubstitutePortable(uint32_t crc, const char* old_bytes, const char* new_bytes, size_t n,
                            uint64_t bytes_after);
// Whether Extend and CopyAndExtend use SSE4.2 and PCLMULQDQ on this CPU.
bool HardwareAccelerated();

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

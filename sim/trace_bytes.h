// TraceBytes64: the hash of a byte string of more than 64 bytes in a trace
// event (the bytes a device op reads or writes; trace_hash.h). It is the
// simulator's bulk hashing: about a gigabyte per 300-seed campaign, so it
// takes eight bytes per 32x32->64-bit multiply on eight lanes, which AVX2
// does four lanes per instruction and AVX-512 all eight (XXH3's accumulate
// step, with a key that moves on per block). The value is fixed: the same on
// every build and machine, with or without AVX2/AVX-512 (all paths compute
// the definition below; tests/sim/trace_bytes_test.cc checks they agree and
// pins values).
//
// TraceBytes64, exactly. n >= 64 is the length; + and * are mod 2^64;
// W[i] = kHashLane[i] for i < 4, kHashFinal[i - 4] for i >= 4
// (engine/common/hash.h); G = kGoldenGamma; lo(x), hi(x) the low and high
// 32 bits of x; R(x) = x rotated by 32 bits.
//   the bytes are cut into 64-byte blocks from the start; the last block is
//   the last 64 bytes of the input (overlapping the one before it when n is
//   not a multiple of 64); there are B = ceil(n / 64) blocks;
//   eight lanes start as p[i] = n * G, s[i] = 0;
//   block j (j = 0 .. B-1), read as eight little-endian words d[0..7], does
//   for every i: x = d[i] ^ (W[i] + j * G); p[i] += lo(x) * hi(x); s[i] += d[i];
//   v[i] = p[i] ^ R(s[i]);
//   result = Mix64(M(v0, v1) ^ M(v2, v3) ^ M(v4, v5) ^ M(v6, v7) ^ v0 ^ v2 ^ v4 ^ v6
//                  + G), M = MulFold64.
// What holds: every byte enters a lane's sum s[i] as is, so two inputs of one
// length that differ in one block differ in some s[i]; the products, with a
// key that depends on the block's position, make the sums' order count
// (moving blocks around changes the p[i]). A 32x32-bit product forgets x
// when lo(x) or hi(x) is 0, which the sums cover. This is weaker than
// HashBytes64 (64x64->128-bit multiplies) against structured inputs, but
// for data not built from these constants two inputs collide with
// probability far below anything a campaign can meet. Not keyed.
#ifndef KVLAB_SIM_TRACE_BYTES_H_
#define KVLAB_SIM_TRACE_BYTES_H_

#include <cstdint>
#include <string_view>

namespace kvlab::sim {

// The definition above; `bytes` must be at least 64 bytes long.
uint64_t TraceBytes64(std::string_view bytes);

namespace trace_bytes_internal {
// The implementations, for tests. Avx2 only where HasAvx2(), Avx512 only
// where HasAvx512().
uint64_t Portable(std::string_view bytes);
uint64_t Avx2(std::string_view bytes);
uint64_t Avx512(std::string_view bytes);
bool HasAvx2();
bool HasAvx512();
}  // namespace trace_bytes_internal

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_TRACE_BYTES_H_

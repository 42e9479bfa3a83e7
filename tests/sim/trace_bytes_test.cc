// TraceBytes64 (sim/trace_bytes.h): pinned values of the definition, the
// AVX2, AVX-512 and portable paths agreeing, and that it tells inputs apart.
#include "sim/trace_bytes.h"

#include <cstdint>
#include <set>
#include <string>

#include "engine/env/env.h"
#include "gtest/gtest.h"
#include "tests/sim/sim_test_util.h"

namespace kvlab::sim {
namespace {

using trace_bytes_internal::Avx2;
using trace_bytes_internal::Avx512;
using trace_bytes_internal::HasAvx2;
using trace_bytes_internal::HasAvx512;
using trace_bytes_internal::Portable;

TEST(TraceBytes, ValuesArePinned) {
  // Computed independently from the definition in trace_bytes.h: one block,
  // three blocks (the last overlapping), zeros, and sixteen blocks.
  const std::string block = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR";
  for (auto* hash : {&TraceBytes64, &Portable}) {
    EXPECT_EQ((*hash)(block), 0x26fac327684ef156ull);
    EXPECT_EQ((*hash)((block + block + block).substr(0, 150)), 0xde36569f24733037ull);
    EXPECT_EQ((*hash)(std::string(64, '\0')), 0x89e25f560900de1bull);
    EXPECT_EQ((*hash)(std::string(1000, '\0')), 0xf3c4c4d2ad86bad7ull);
  }
}

TEST(TraceBytes, Avx2AgreesWithPortable) {
  if (!HasAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  Random random(7);
  for (int round = 0; round < 2000 * testing::Scale(); ++round) {
    std::string bytes(64 + random.Uniform(700), '\0');
    // Random bytes, or long runs of one byte (low entropy).
    const bool runs = random.OneIn(2);
    char run = 0;
    for (char& c : bytes) {
      if (!runs || random.OneIn(50)) run = static_cast<char>(random.Uniform(256));
      c = run;
    }
    ASSERT_EQ(Avx2(bytes), Portable(bytes)) << "length " << bytes.size();
  }
}

TEST(TraceBytes, Avx512AgreesWithPortable) {
  if (!HasAvx512()) GTEST_SKIP() << "no AVX-512 on this CPU";
  Random random(9);
  for (int round = 0; round < 2000 * testing::Scale(); ++round) {
    // Every length 64..191 (one to three blocks, every overlap), then random ones.
    std::string bytes(round < 128 ? 64 + round : 64 + random.Uniform(3000), '\0');
    const bool runs = random.OneIn(2);
    char run = 0;
    for (char& c : bytes) {
      if (!runs || random.OneIn(50)) run = static_cast<char>(random.Uniform(256));
      c = run;
    }
    ASSERT_EQ(Avx512(bytes), Portable(bytes)) << "length " << bytes.size();
  }
}

TEST(TraceBytes, TellsInputsApart) {
  // Every single-bit flip of a 300-byte input, every length from 64 to 400
  // of one buffer, and two blocks swapped: all distinct values.
  std::string base(300, '\0');
  Random random(11);
  for (char& c : base) c = static_cast<char>(random.Uniform(256));
  std::set<uint64_t> seen = {TraceBytes64(base)};
  for (size_t bit = 0; bit < 8 * base.size(); ++bit) {
    std::string flipped = base;
    flipped[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_TRUE(seen.insert(TraceBytes64(flipped)).second) << "bit " << bit;
  }
  std::string zeros(400, '\0');
  for (size_t n = 64; n <= zeros.size(); ++n) {
    EXPECT_TRUE(seen.insert(TraceBytes64(std::string_view(zeros).substr(0, n))).second) << n;
  }
  const std::string swapped = base.substr(64, 64) + base.substr(0, 64) + base.substr(128);
  EXPECT_NE(TraceBytes64(swapped), TraceBytes64(base)) << "the order of blocks counts";
}

}  // namespace
}  // namespace kvlab::sim

// HashBytes64 (engine/common/hash.h) on every path (one zero-padded chunk,
// a partial block, whole blocks, an overlapping last chunk): no collisions
// among random and low-entropy inputs, every input and seed bit flips every
// output bit about half the time, and the length counts. Its exact values
// are pinned in tests/sim/sim_determinism_test.cc.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/common/hash.h"
#include "gtest/gtest.h"

namespace kvlab {
namespace {

std::string RandomBytes(uint64_t& state, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t w = SplitMix64(state);
    for (size_t k = 0; k < 8 && i + k < n; ++k) s[i + k] = static_cast<char>(w >> (8 * k));
  }
  return s;
}

// Lengths on both sides of every boundary of the code: 16 (one chunk), 32,
// 48, 64 (the block) and 128.
const std::vector<size_t> kLengths = {0,  1,  7,  8,  9,  15, 16,  17,  31,  32,  33, 40,
                                      47, 48, 49, 63, 64, 65, 100, 127, 128, 129, 200, 1000};

TEST(HashBytes64, NoCollisionsAmongRandomInputs) {
  uint64_t state = 1;
  std::unordered_set<std::string> inputs;  // Distinct: short lengths repeat.
  for (size_t n : kLengths) {
    for (int i = 0; i < 5000; ++i) inputs.insert(RandomBytes(state, n));
  }
  std::unordered_set<uint64_t> seen;
  for (const std::string& s : inputs) seen.insert(HashBytes64(s));
  EXPECT_EQ(seen.size(), inputs.size());
}

TEST(HashBytes64, NoCollisionsAmongLowEntropyInputs) {
  std::unordered_set<uint64_t> seen;
  size_t count = 0;
  auto add = [&](const std::string& s, uint64_t seed) {
    seen.insert(HashBytes64(s, seed));
    ++count;
  };
  // Zeros of every length up to 16 KiB + 64 (a whole file and more).
  for (size_t n = 0; n <= 16384 + 64; ++n) add(std::string(n, '\0'), 0);
  // 300 zero bytes with one 64-bit word (at every byte offset, so some
  // straddle two chunks) set to a small counter, its negation or eight
  // copies of it.
  for (size_t at = 0; at + 8 <= 300; ++at) {
    for (uint64_t v = 1; v <= 64; ++v) {
      for (uint64_t w : {v, ~v + 1, uint64_t{0x0101010101010101} * v}) {
        std::string s(300, '\0');
        for (int k = 0; k < 8; ++k) s[at + k] = static_cast<char>(w >> (8 * k));
        add(s, 0);
      }
    }
  }
  // 100 zero bytes with the two words of one chunk (the first, or the
  // fourth, in the second block) set to small values: all pairs.
  for (size_t at : {0, 80}) {
    for (uint64_t a = 0; a < 64; ++a) {
      for (uint64_t b = 0; b < 64; ++b) {
        if (a == 0 && b == 0) continue;  // Zeros, added above.
        std::string s(100, '\0');
        s[at] = static_cast<char>(a);
        s[at + 8] = static_cast<char>(b);
        add(s, 0);
      }
    }
  }
  // One string under small seeds and larger seeds of one bit.
  const std::string text = "a value of a few dozen bytes, as the models hash";
  for (uint64_t seed = 1; seed <= 5000; ++seed) add(text, seed);
  for (int bit = 13; bit < 64; ++bit) add(text, uint64_t{1} << bit);
  EXPECT_EQ(seen.size(), count);
}

TEST(HashBytes64, EveryBitOfA16KiBInputCounts) {
  uint64_t state = 2;
  std::string bytes = RandomBytes(state, 16384);
  std::string zeros(16384, '\0');
  const uint64_t h = HashBytes64(bytes);
  const uint64_t hz = HashBytes64(zeros);
  for (size_t bit = 0; bit < 8 * bytes.size(); bit += 7) {
    const char mask = static_cast<char>(1 << (bit % 8));
    bytes[bit / 8] ^= mask;
    zeros[bit / 8] ^= mask;
    EXPECT_NE(HashBytes64(bytes), h) << bit;
    EXPECT_NE(HashBytes64(zeros), hz) << bit;
    bytes[bit / 8] ^= mask;
    zeros[bit / 8] ^= mask;
  }
}

// For every input bit (and seed bit) and every output bit, flipping the input
// bit flips the output bit in 200 random trials between 50 and 150 times
// (mean 100, standard deviation ~7).
TEST(HashBytes64, Avalanche) {
  constexpr int kTrials = 200;
  uint64_t state = 3;
  for (size_t n : kLengths) {
    if (n > 200) continue;
    const size_t bits = 8 * n + 64;  // The input's bits, then the seed's.
    std::vector<int> flips(bits * 64, 0);
    for (int t = 0; t < kTrials; ++t) {
      std::string s = RandomBytes(state, n);
      const uint64_t seed = SplitMix64(state);
      const uint64_t h = HashBytes64(s, seed);
      for (size_t b = 0; b < bits; ++b) {
        uint64_t g;
        if (b < 8 * n) {
          s[b / 8] ^= static_cast<char>(1 << (b % 8));
          g = HashBytes64(s, seed);
          s[b / 8] ^= static_cast<char>(1 << (b % 8));
        } else {
          g = HashBytes64(s, seed ^ (uint64_t{1} << (b - 8 * n)));
        }
        const uint64_t d = h ^ g;
        for (int o = 0; o < 64; ++o) flips[b * 64 + o] += (d >> o) & 1;
      }
    }
    int bad = 0;
    for (size_t b = 0; b < bits; ++b) {
      for (int o = 0; o < 64; ++o) {
        const int f = flips[b * 64 + o];
        if (f < 50 || f > 150) {
          if (++bad <= 5) {
            ADD_FAILURE() << "length " << n << ", input bit " << b << " flips output bit " << o
                          << " " << f << " times in " << kTrials;
          }
        }
      }
    }
    EXPECT_EQ(bad, 0) << "length " << n;
  }
}

TEST(HashBytes64, LengthAndSeedCount) {
  EXPECT_NE(HashBytes64(std::string_view("a\0", 2)), HashBytes64("a"));
  EXPECT_NE(HashBytes64(std::string(16, '\0')), HashBytes64(std::string(15, '\0')));
  EXPECT_NE(HashBytes64(std::string(64, 'x')), HashBytes64(std::string(65, 'x')));
  EXPECT_NE(HashBytes64("abc", 0), HashBytes64("abc", 1));
  // The overlapping last chunk: the same last 16 bytes, different earlier ones.
  EXPECT_NE(HashBytes64(std::string(17, 'x')), HashBytes64("y" + std::string(16, 'x')));
}

}  // namespace
}  // namespace kvlab

// The keydir's hash, equality and short-key copy (engine/bitcask/keydir_key.h):
// a key and its KeydirKey hash alike, every byte of a short key counts, both
// the low bits (the table's control byte) and the high bits (its probe start)
// are spread; keys are equal exactly when their bytes are; ShortKey writes
// back exactly the key's bytes.
#include "engine/bitcask/keydir_key.h"

#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace kvlab::bitcask {
namespace {

size_t Hash(std::string_view key) { return KeydirHash{}(key); }

TEST(KeydirHash, KeyAndKeydirKeyHashAlike) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string k(n, '\0');
    for (size_t i = 0; i < n; ++i) k[i] = static_cast<char>('a' + (i * 5 + n) % 26);
    EXPECT_EQ(Hash(k), KeydirHash{}(KeydirKey(k))) << n;
  }
}

TEST(KeydirHash, EveryKeyOfUpToTwoBytesHashesApart) {
  absl::flat_hash_set<size_t> seen;
  seen.insert(Hash(""));
  for (int a = 0; a < 256; ++a) {
    const char one[] = {static_cast<char>(a)};
    EXPECT_TRUE(seen.insert(Hash(std::string_view(one, 1))).second) << a;
    for (int b = 0; b < 256; ++b) {
      const char two[] = {static_cast<char>(a), static_cast<char>(b)};
      EXPECT_TRUE(seen.insert(Hash(std::string_view(two, 2))).second) << a << " " << b;
    }
  }
}

// Every bit of every byte counts, at every length (the inline loads cover
// the whole key; past 16 bytes absl::Hash does), and so does the length.
TEST(KeydirHash, EveryBitAndTheLengthCount) {
  for (size_t n = 1; n <= 24; ++n) {
    std::string base(n, '\0');
    for (size_t i = 0; i < n; ++i) base[i] = static_cast<char>('k' + i % 7);
    absl::flat_hash_set<size_t> seen = {Hash(base)};
    for (size_t i = 0; i < n; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string k = base;
        k[i] = static_cast<char>(k[i] ^ (1 << bit));
        EXPECT_TRUE(seen.insert(Hash(k)).second) << n << " " << i << " " << bit;
      }
    }
    EXPECT_NE(Hash(base), Hash(base + '\0')) << n;
    EXPECT_NE(Hash(base), Hash(base.substr(0, n - 1))) << n;
  }
}

TEST(KeydirHash, LowAndHighBitsSpreadOverSimulatorKeys) {
  constexpr int kKeys = 128 * 64;
  std::vector<int> low(128), high(128);
  for (int i = 0; i < kKeys; ++i) {
    const size_t h = Hash("k" + std::to_string(i));
    ++low[h & 127];
    ++high[h >> (8 * sizeof(size_t) - 7)];
  }
  for (int b = 0; b < 128; ++b) {  // 64 expected in each.
    EXPECT_GT(low[b], 25) << b;
    EXPECT_LT(low[b], 110) << b;
    EXPECT_GT(high[b], 25) << b;
    EXPECT_LT(high[b], 110) << b;
  }
}

TEST(KeydirEq, EqualExactlyWhenTheBytesAre) {
  for (size_t n = 0; n <= 24; ++n) {
    std::string base(n, '\0');
    for (size_t i = 0; i < n; ++i) base[i] = static_cast<char>(0xf0 + i);
    const KeydirKey stored(base);
    EXPECT_TRUE(KeydirEq{}(stored, std::string_view(base))) << n;
    EXPECT_TRUE(KeydirEq{}(std::string_view(base), std::string(base))) << n;
    EXPECT_FALSE(KeydirEq{}(stored, std::string_view(base + 'x'))) << n;
    if (n > 0) EXPECT_FALSE(KeydirEq{}(stored, std::string_view(base).substr(1))) << n;
    for (size_t i = 0; i < n; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string k = base;
        k[i] = static_cast<char>(k[i] ^ (1 << bit));
        EXPECT_FALSE(KeydirEq{}(stored, std::string_view(k))) << n << " " << i << " " << bit;
      }
    }
  }
}

TEST(ShortKey, StoreWritesBackExactlyTheKey) {
  for (size_t n = 0; n <= kShortKeyBytes; ++n) {
    std::string key(n, '\0');
    for (size_t i = 0; i < n; ++i) key[i] = static_cast<char>(i * 37 + n * 11 + 1);
    char out[kShortKeyBytes + 8];
    std::memset(out, '#', sizeof(out));
    ShortKey(key.data(), n).Store(out, n);
    EXPECT_EQ(key, std::string_view(out, n)) << n;
    EXPECT_EQ(std::string(sizeof(out) - n, '#'), std::string_view(out + n, sizeof(out) - n)) << n;
  }
}

}  // namespace
}  // namespace kvlab::bitcask

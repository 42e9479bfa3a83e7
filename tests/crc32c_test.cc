// CRC-32C against the RFC 3720 (iSCSI) test vectors on both paths, the
// hardware (three interleaved streams + shift-combine) against the byte table
// on random buffers of every length 0..4096 at every alignment, CopyAndExtend,
// and the mask round trip.
#include "engine/common/crc32c.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kvlab {
namespace {

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

uint32_t CopyThenCheck(uint32_t crc, const char* data, size_t n) {
  std::vector<char> dst(n + 1, '\x5a');
  const uint32_t got = crc32c::CopyAndExtend(crc, dst.data(), data, n);
  EXPECT_EQ(0, n == 0 ? 0 : std::memcmp(dst.data(), data, n)) << n;
  EXPECT_EQ('\x5a', dst[n]) << "wrote past the end, n = " << n;
  return got;
}

void CheckRfc3720(ExtendFn extend) {
  auto value = [&](const std::string& s) { return extend(0, s.data(), s.size()); };
  std::string zeros(32, '\0');
  EXPECT_EQ(0x8a9136aau, value(zeros));
  std::string ones(32, '\xff');
  EXPECT_EQ(0x62a8ab43u, value(ones));
  std::string ascending(32, 0), descending(32, 0);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(0x46dd794eu, value(ascending));
  EXPECT_EQ(0x113fdb5cu, value(descending));
  EXPECT_EQ(0xe3069283u, value("123456789"));
}

TEST(Crc32c, Rfc3720Vectors) {
  CheckRfc3720(&crc32c::Extend);
  CheckRfc3720(&crc32c::ExtendPortable);
  CheckRfc3720(&CopyThenCheck);
  EXPECT_EQ(0xe3069283u, crc32c::Value("123456789"));
}

// Every length 0..4096 at every alignment 0..15 of a random buffer, with a
// random initial CRC: the fast paths equal the byte table.
TEST(Crc32c, FastPathsEqualTableOnEveryLengthAndAlignment) {
  if (!crc32c::HardwareAccelerated()) GTEST_SKIP() << "no SSE4.2/PCLMULQDQ: Extend is the table";
  std::mt19937_64 rng(42);
  std::vector<char> buf(4096 + 16 + 64);
  for (char& c : buf) c = static_cast<char>(rng());
  std::vector<char> dst(buf.size());
  for (size_t align = 0; align < 16; ++align) {
    for (size_t n = 0; n <= 4096; ++n) {
      const uint32_t init = static_cast<uint32_t>(rng());
      const char* p = buf.data() + align;
      const uint32_t want = crc32c::ExtendPortable(init, p, n);
      ASSERT_EQ(want, crc32c::Extend(init, p, n)) << "n " << n << " align " << align;
      char* d = dst.data() + (align * 7) % 16;  // Another alignment for the copy.
      d[n] = '\x77';
      ASSERT_EQ(want, crc32c::CopyAndExtend(init, d, p, n)) << "n " << n << " align " << align;
      ASSERT_EQ(0, n == 0 ? 0 : std::memcmp(d, p, n)) << "n " << n << " align " << align;
      ASSERT_EQ('\x77', d[n]) << "n " << n << " align " << align;
    }
  }
}

// Long buffers take the 3 x 1024-byte groups and a variable group after them.
TEST(Crc32c, LongBuffersEqualTable) {
  std::mt19937_64 rng(7);
  std::vector<char> buf(200000);
  for (char& c : buf) c = static_cast<char>(rng());
  for (int i = 0; i < 60; ++i) {
    const size_t n = i < 20 ? 12288 * (i + 1) / 2 + i : rng() % buf.size();
    const size_t off = rng() % 16;
    const size_t len = std::min(n, buf.size() - off);
    const uint32_t want = crc32c::ExtendPortable(0, buf.data() + off, len);
    EXPECT_EQ(want, crc32c::Extend(0, buf.data() + off, len)) << len;
    EXPECT_EQ(want, CopyThenCheck(0, buf.data() + off, len)) << len;
  }
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string s = "hello, key-value world: extend must equal one pass";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t part = crc32c::Extend(crc32c::Value(s.data(), cut), s.data() + cut, s.size() - cut);
    EXPECT_EQ(crc32c::Value(s), part) << cut;
  }
}

// Substitute equals the CRC recomputed over the changed message, on both
// paths: changes of 0..40 bytes at every offset of short messages, and before
// tails of every length mod 8 and past the longest one-step shift (3072 bytes).
TEST(Crc32c, SubstituteEqualsRecomputed) {
  std::mt19937_64 rng(11);
  std::vector<size_t> tails;
  for (size_t t = 0; t <= 70; ++t) tails.push_back(t);
  for (size_t t : {3064, 3071, 3072, 3073, 3080, 6144, 6151, 12300, 100003}) tails.push_back(t);
  std::vector<char> before(100003 + 64 + 40), after;
  for (char& c : before) c = static_cast<char>(rng());
  int cases = 0;
  for (size_t head : {0, 1, 7, 12}) {
    for (size_t n = 0; n <= 40; ++n) {
      for (size_t tail : tails) {
        if (tail > 80 && n % 7 != 0) continue;  // The long tails: fewer widths.
        const size_t len = head + n + tail;
        after.assign(before.begin(), before.begin() + len);
        for (size_t i = 0; i < n; ++i) after[head + i] = static_cast<char>(rng());
        const uint32_t init = static_cast<uint32_t>(rng());
        const uint32_t old_crc = crc32c::ExtendPortable(init, before.data(), len);
        const uint32_t want = crc32c::ExtendPortable(init, after.data(), len);
        const char* o = before.data() + head;
        const char* w = after.data() + head;
        ASSERT_EQ(want, crc32c::SubstitutePortable(old_crc, o, w, n, tail))
            << head << " " << n << " " << tail;
        ASSERT_EQ(want, crc32c::Substitute(old_crc, o, w, n, tail))
            << head << " " << n << " " << tail;
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 10000);
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  uint32_t crc = crc32c::Value("foo");
  EXPECT_NE(crc, crc32c::Mask(crc));
  EXPECT_EQ(crc, crc32c::Unmask(crc32c::Mask(crc)));
}

}  // namespace
}  // namespace kvlab

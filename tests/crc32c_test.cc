// CRC-32C against the RFC 3720 (iSCSI) test vectors, and the mask round trip.
#include "engine/common/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace kvlab {
namespace {

TEST(Crc32c, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(0x8a9136aau, crc32c::Value(zeros));
  std::string ones(32, '\xff');
  EXPECT_EQ(0x62a8ab43u, crc32c::Value(ones));
  std::string ascending(32, 0), descending(32, 0);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(0x46dd794eu, crc32c::Value(ascending));
  EXPECT_EQ(0x113fdb5cu, crc32c::Value(descending));
  EXPECT_EQ(0xe3069283u, crc32c::Value("123456789"));
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string s = "hello, key-value world: extend must equal one pass";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t part = crc32c::Extend(crc32c::Value(s.data(), cut), s.data() + cut, s.size() - cut);
    EXPECT_EQ(crc32c::Value(s), part) << cut;
  }
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  uint32_t crc = crc32c::Value("foo");
  EXPECT_NE(crc, crc32c::Mask(crc));
  EXPECT_EQ(crc, crc32c::Unmask(crc32c::Mask(crc)));
}

}  // namespace
}  // namespace kvlab

// engine/common/decimal.h: WriteDecimal and WriteDecimalWidth write what
// "%0*llu" writes, for every width, around every power of ten.
#include "engine/common/decimal.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kvlab {
namespace {

std::string Printf(uint64_t v, size_t width) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%0*llu", static_cast<int>(width),
                static_cast<unsigned long long>(v));
  return buffer;
}

std::vector<uint64_t> Values() {
  std::vector<uint64_t> out;
  for (uint64_t v = 0; v < 1000; ++v) out.push_back(v);
  for (uint64_t p = 10; p != 0 && p <= UINT64_MAX / 10; p *= 10) {
    for (uint64_t v : {p - 1, p, p + 1, 2 * p + 7}) out.push_back(v);
  }
  out.push_back(UINT64_MAX);
  return out;
}

TEST(DecimalTest, MatchesPrintfAtEveryMinimumWidth) {
  for (uint64_t v : Values()) {
    for (size_t min_digits : {0, 1, 2, 10, 12, 25}) {
      char buffer[32];
      char* end = WriteDecimal(v, min_digits, buffer);
      EXPECT_EQ(std::string(buffer, static_cast<size_t>(end - buffer)), Printf(v, min_digits)) << v << " " << min_digits;
      EXPECT_EQ(static_cast<size_t>(end - buffer), DecimalWidth(v, min_digits));
    }
  }
}

TEST(DecimalTest, WidthWritesExactlyThatManyCharacters) {
  for (uint64_t v : Values()) {
    const size_t width = DecimalWidth(v, 10) + 2;
    std::string out(width + 1, '#');
    WriteDecimalWidth(v, width, out.data());
    EXPECT_EQ(out.substr(0, width), Printf(v, width));
    EXPECT_EQ(out[width], '#');  // Nothing past the width.
  }
}

}  // namespace
}  // namespace kvlab

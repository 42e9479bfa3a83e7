// FilePath (engine/bitcask/file_cache.h) names the same file as JoinPath of
// NumberedFileName: at every id width (the 10-digit fast path and past it),
// with and without a directory, with one or two suffixes of any length, inline
// or on the heap; and without_suffix2 is the path without the second suffix.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/bitcask/file_cache.h"
#include "engine/bitcask/format.h"
#include "gtest/gtest.h"

namespace kvlab::bitcask {
namespace {

TEST(FilePath, MatchesJoinPathAtEveryWidth) {
  std::vector<uint64_t> ids = {0, 1, 9, 10, 99, 100, 12345, UINT64_MAX};
  for (uint64_t p = 10; p <= 10000000000000000000ull; p *= 10) {
    for (uint64_t d : {p - 1, p, p + 1}) ids.push_back(d);
    if (p > UINT64_MAX / 10) break;
  }
  const std::string long_dir(120, 'd');  // Past the inline buffer: the heap.
  for (std::string_view dir : {std::string_view(), std::string_view("db"),
                               std::string_view("/a/b/store"), std::string_view(long_dir)}) {
    for (uint64_t id : ids) {
      EXPECT_EQ(JoinPath(dir, NumberedFileName(id, kDataSuffix)),
                FilePath(dir, id, kDataSuffix).view())
          << dir << " " << id;
      const FilePath tmp(dir, id, kHintSuffix, kTmpSuffix);
      EXPECT_EQ(JoinPath(dir, NumberedFileName(id, kHintSuffix), kTmpSuffix), tmp.view())
          << dir << " " << id;
      EXPECT_EQ(JoinPath(dir, NumberedFileName(id, kHintSuffix)), tmp.without_suffix2())
          << dir << " " << id;
      EXPECT_EQ(JoinPath(dir, NumberedFileName(id, kDataSuffix)),
                FilePath(dir, id, kDataSuffix).without_suffix2())
          << dir << " " << id;
      for (std::string_view suffix : {std::string_view(), kTmpSuffix, kMergingSuffix}) {
        EXPECT_EQ(JoinPath(dir, NumberedFileName(id, suffix)), FilePath(dir, id, suffix).view())
            << dir << " " << id << " " << suffix;
      }
    }
  }
}

}  // namespace
}  // namespace kvlab::bitcask

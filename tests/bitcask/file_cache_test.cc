// FileCache (engine/bitcask/file_cache.h): a miss returns null and does no
// I/O; a handle added after a miss is found again; a second handle added for
// the same file yields the first; the least recently used handle goes past
// capacity; hits and misses are counted.
#include "engine/bitcask/file_cache.h"

#include <memory>
#include <string>

#include "engine/bitcask/format.h"
#include "gtest/gtest.h"
#include "sim/sim_env.h"

namespace kvlab::bitcask {
namespace {

class FileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.env().device->CreateDir("db").ok());
    for (uint64_t id = 1; id <= 3; ++id) {
      OpenOptions create;
      create.create = true;
      auto f = env_.env().device->Open(FilePath("db", id, kDataSuffix), create);
      ASSERT_TRUE(f.ok()) << f.status();
    }
  }
  std::shared_ptr<File> OpenId(uint64_t id) {
    auto f = OpenDataFile(*env_.env().device, "db", id);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : nullptr;
  }

  sim::SimEnv env_{5, sim::FaultProfile::None()};
};

TEST_F(FileCacheTest, MissIsNullThenAddedHandleIsFound) {
  FileCache cache(2);
  const uint64_t ops_before = env_.counters().device_ops;
  EXPECT_EQ(nullptr, cache.Lookup(1));
  EXPECT_EQ(ops_before, env_.counters().device_ops) << "a lookup does no I/O";
  std::shared_ptr<File> one = OpenId(1);
  EXPECT_EQ(one, cache.AddMissed(1, one));
  EXPECT_EQ(one, cache.Lookup(1));
  EXPECT_EQ(1u, cache.hits());
  EXPECT_EQ(1u, cache.misses());
}

TEST_F(FileCacheTest, SecondHandleForTheSameFileYieldsTheFirst) {
  FileCache cache(2);
  std::shared_ptr<File> first = OpenId(1);
  std::shared_ptr<File> second = OpenId(1);
  ASSERT_NE(first, second);
  EXPECT_EQ(first, cache.AddMissed(1, first));
  EXPECT_EQ(first, cache.AddMissed(1, second)) << "two readers missed at once";
  EXPECT_EQ(first, cache.Lookup(1));
  EXPECT_EQ(2u, cache.misses());
}

TEST_F(FileCacheTest, LeastRecentlyUsedGoesPastCapacity) {
  FileCache cache(2);
  cache.AddMissed(1, OpenId(1));
  cache.AddMissed(2, OpenId(2));
  ASSERT_NE(nullptr, cache.Lookup(1));  // 1 is now the most recently used.
  cache.AddMissed(3, OpenId(3));        // Evicts 2.
  EXPECT_NE(nullptr, cache.Lookup(1));
  EXPECT_EQ(nullptr, cache.Lookup(2));
  EXPECT_NE(nullptr, cache.Lookup(3));
  cache.Evict(3);
  EXPECT_EQ(nullptr, cache.Lookup(3));
  cache.Clear();
  EXPECT_EQ(nullptr, cache.Lookup(1));
}

}  // namespace
}  // namespace kvlab::bitcask

// WriteBufferPool (engine/bitcask/buffer_pool.h): a buffer given back is the
// next one taken, empty, with room for what is asked (grown if need be); the
// pool keeps no more than its bounds (count, block size); a store returns its
// buffer when destroyed; a moved-from WriteBuffer is empty.
#include "engine/bitcask/buffer_pool.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "engine/bitcask/bitcask.h"
#include "gtest/gtest.h"
#include "sim/sim_env.h"

namespace kvlab::bitcask {
namespace {

TEST(WriteBufferPool, GivenBufferIsTakenAgainEmptyWithRoom) {
  WriteBufferPool pool(2, 1 << 20);
  WriteBuffer a = pool.Take(1000);
  EXPECT_EQ(0u, a.size());
  const char* block = a.data();
  ASSERT_NE(nullptr, block);
  std::memset(a.Append(1000), 'x', 1000);
  EXPECT_EQ(block, a.data()) << "room for 1000 bytes was reserved";
  pool.Give(std::move(a));
  EXPECT_EQ(1u, pool.size());

  WriteBuffer b = pool.Take(500);  // Smaller: the same block, emptied.
  EXPECT_EQ(0u, pool.size());
  EXPECT_EQ(block, b.data());
  EXPECT_EQ(0u, b.size());
  pool.Give(std::move(b));

  WriteBuffer c = pool.Take(100000);  // Larger: grown to the room asked for.
  const char* grown = c.data();
  std::memset(c.Append(100000), 'y', 100000);
  EXPECT_EQ(grown, c.data());
  EXPECT_EQ(100000u, c.size());
}

TEST(WriteBufferPool, KeepsAtMostItsBound) {
  WriteBufferPool pool(2, 1 << 20);
  for (int i = 0; i < 3; ++i) {
    WriteBuffer b;
    b.Reserve(64);
    pool.Give(std::move(b));
    EXPECT_EQ(std::min(i + 1, 2), static_cast<int>(pool.size())) << i;
  }
}

TEST(WriteBufferPool, FreesBuffersBiggerThanItsBlockBound) {
  WriteBufferPool pool(2, 4096);
  WriteBuffer big;
  big.Reserve(4097);
  pool.Give(std::move(big));
  EXPECT_EQ(0u, pool.size());
  WriteBuffer fits;
  fits.Reserve(4096);
  pool.Give(std::move(fits));
  EXPECT_EQ(1u, pool.size());
}

TEST(WriteBuffer, MovedFromBufferIsEmptyWithoutBlock) {
  WriteBuffer a;
  std::memset(a.Append(10), 'x', 10);
  WriteBuffer b = std::move(a);
  EXPECT_EQ(10u, b.size());
  EXPECT_EQ(0u, a.size());      // NOLINT(bugprone-use-after-move): checked on purpose.
  EXPECT_EQ(0u, a.capacity());  // NOLINT(bugprone-use-after-move)
  std::memset(a.Append(3), 'y', 3);  // Usable again: grows a new block.
  EXPECT_EQ(3u, a.size());
}

TEST(WriteBufferPool, StoreGivesItsBufferBackWhenDestroyed) {
  sim::SimEnv env(11, sim::FaultProfile::None());
  WriteBufferPool& shared = WriteBufferPool::Shared();
  while (shared.size() > 0) shared.Take(0);
  Options options;
  options.max_file_size = 16 << 10;
  {
    auto store = BitcaskStore::Open(env.env(), "db", options);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(0u, shared.size());
    ASSERT_TRUE((*store)->Put(WriteOptions(), "k", "v").ok());
  }
  EXPECT_EQ(1u, shared.size());
  auto store = BitcaskStore::Open(env.env(), "db", options);  // Takes it again.
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(0u, shared.size());
  EXPECT_EQ("v", *(*store)->Get(ReadOptions(), "k"));
}

}  // namespace
}  // namespace kvlab::bitcask

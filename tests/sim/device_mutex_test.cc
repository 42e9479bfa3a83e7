// DeviceMutex (the SimDevice's own lock) excludes under contention, and a
// SimDevice used from several threads at once (as the Env contract allows)
// loses no operation: every append lands and the counters add up.
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sim/device_mutex.h"
#include "sim/sim_device.h"
#include "tests/sim/sim_test_util.h"

namespace kvlab::sim {
namespace {

TEST(DeviceMutex, ExcludesUnderContention) {
  DeviceMutex mu;
  uint64_t counter = 0;  // Unsynchronised but for mu: a lost update shows.
  constexpr int kThreads = 4, kRounds = 200000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        DeviceMutexLock lock(&mu);
        uint64_t seen = counter;
        if (i % 64 == 0) std::this_thread::yield();  // Hold it long enough to contend.
        counter = seen + 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, uint64_t{kThreads} * kRounds);
}

TEST(DeviceMutex, SimDeviceFromManyThreadsLosesNoAppend) {
  SimDevice device(7);
  constexpr int kThreads = 4, kAppends = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&device, t] {
      auto file = testing::MustOpen(device, "f" + std::to_string(t));
      for (int i = 0; i < kAppends; ++i) ASSERT_TRUE(file->Append("0123456789").ok());
      ASSERT_TRUE(file->Sync().ok());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    absl::StatusOr<uint64_t> size = device.FileSize("f" + std::to_string(t));
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, uint64_t{10} * kAppends);
  }
}

}  // namespace
}  // namespace kvlab::sim

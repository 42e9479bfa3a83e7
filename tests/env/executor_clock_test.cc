// ThreadPoolExecutor (Schedule, ScheduleAfter, WaitUntil, Notify, Drain) and
// RealClock. Timing assertions are one-sided (never "finished within X"), so
// a slow machine cannot fail them.
#include <atomic>
#include <thread>

#include "engine/env/real_clock.h"
#include "engine/env/thread_pool_executor.h"
#include "gtest/gtest.h"

namespace kvlab {
namespace {

TEST(RealClock, IsMonotonicAndSleepsAtLeastAsLongAsAsked) {
  RealClock clock;
  int64_t last = clock.NowNanos();
  for (int i = 0; i < 10000; ++i) {
    const int64_t now = clock.NowNanos();
    ASSERT_GE(now, last);
    last = now;
  }
  const int64_t before = clock.NowNanos();
  clock.SleepNanos(2'000'000);
  EXPECT_GE(clock.NowNanos() - before, 2'000'000);
  clock.SleepNanos(-5);  // Returns at once.
}

TEST(ThreadPoolExecutor, RunsEveryScheduledTaskOnWorkers) {
  ThreadPoolExecutor executor(3);
  EXPECT_EQ(executor.threads(), 3);
  std::atomic<int> count{0};
  std::atomic<bool> inline_run{false};
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < 1000; ++i) {
    executor.Schedule([&] {
      if (std::this_thread::get_id() == caller) inline_run = true;
      ++count;
    });
  }
  executor.Drain();
  EXPECT_EQ(count.load(), 1000);
  EXPECT_FALSE(inline_run.load());
  EXPECT_EQ(executor.tasks_run(), 1000u);
}

TEST(ThreadPoolExecutor, TasksMayScheduleTasks) {
  ThreadPoolExecutor executor(2);
  std::atomic<int> depth{0};
  std::function<void()> step = [&] {
    if (++depth < 50) executor.Schedule([&] { step(); });
  };
  executor.Schedule([&] { step(); });
  executor.Drain();
  EXPECT_EQ(depth.load(), 50);
}

TEST(ThreadPoolExecutor, ScheduleAfterWaitsItsDelayAndKeepsDeadlineOrder) {
  ThreadPoolExecutor executor(1);
  RealClock clock;
  const int64_t start = clock.NowNanos();
  std::atomic<int64_t> ran_at{0};
  std::vector<int> order;
  std::mutex order_mu;
  executor.ScheduleAfter(20'000'000, [&] {
    ran_at = clock.NowNanos();
    std::lock_guard<std::mutex> l(order_mu);
    order.push_back(2);
  });
  executor.ScheduleAfter(5'000'000, [&] {
    std::lock_guard<std::mutex> l(order_mu);
    order.push_back(1);
  });
  executor.Drain();  // Includes delayed tasks.
  EXPECT_GE(ran_at.load() - start, 20'000'000);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(ThreadPoolExecutor, WaitUntilRechecksWhenATaskFinishes) {
  ThreadPoolExecutor executor(2);
  // The task cannot finish before the first check has returned false, so the
  // wait can only end through the re-check after the task.
  std::atomic<bool> released{false}, finished{false};
  executor.Schedule([&] {
    while (!released.load()) std::this_thread::yield();
    finished = true;
  });
  int checks = 0;
  ASSERT_TRUE(executor.WaitUntil([&] {
    if (++checks == 1) {
      released = true;
      return false;
    }
    return finished.load();
  }).ok());
  EXPECT_TRUE(finished.load());
  EXPECT_GE(checks, 2);
  // Already true: returns after one check.
  checks = 0;
  ASSERT_TRUE(executor.WaitUntil([&] { return ++checks > 0; }).ok());
  EXPECT_EQ(checks, 1);
}

TEST(ThreadPoolExecutor, WaitUntilSeesDelayedTasks) {
  ThreadPoolExecutor executor(2);
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) executor.ScheduleAfter(1'000'000 * i, [&] { ++done; });
  ASSERT_TRUE(executor.WaitUntil([&] { return done.load() == 10; }).ok());
  EXPECT_EQ(done.load(), 10);
}

TEST(ThreadPoolExecutor, NotifyWakesWaitersForOutsideChanges) {
  ThreadPoolExecutor executor(1);
  std::atomic<bool> flag{false};
  std::thread outside([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    flag = true;
    executor.Notify();  // No task runs: only Notify can wake the waiter.
  });
  ASSERT_TRUE(executor.WaitUntil([&] { return flag.load(); }).ok());
  EXPECT_TRUE(flag.load());
  outside.join();
}

TEST(ThreadPoolExecutor, DestructorDrainsPendingWork) {
  std::atomic<int> count{0};
  {
    ThreadPoolExecutor executor(2);
    for (int i = 0; i < 20; ++i) executor.Schedule([&] { ++count; });
    executor.ScheduleAfter(3'000'000, [&] { ++count; });
  }
  EXPECT_EQ(count.load(), 21);
}

}  // namespace
}  // namespace kvlab

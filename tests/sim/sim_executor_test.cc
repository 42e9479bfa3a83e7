// SimExecutor and SimClock: seeded one-at-a-time scheduling, virtual time,
// waits that run tasks, deadlock detection, crash dropping tasks.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/sim_env.h"
#include "sim/sim_executor.h"

namespace kvlab::sim {
namespace {

std::vector<int> RunOrder(uint64_t seed) {
  SimClock clock;
  TraceHash trace;
  SimExecutor ex(&clock, Random(seed), &trace);
  std::vector<int> order;
  for (int i = 0; i < 20; ++i) ex.Schedule([&order, i] { order.push_back(i); });
  EXPECT_EQ(ex.RunUntilIdle(), 20u);
  return order;
}

TEST(SimExecutor, OrderIsSeeded) {
  EXPECT_EQ(RunOrder(1), RunOrder(1));
  EXPECT_NE(RunOrder(1), RunOrder(2));
  std::vector<int> sorted = RunOrder(3);
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(SimExecutor, NeverRunsInsideSchedule) {
  SimClock clock;
  TraceHash trace;
  SimExecutor ex(&clock, Random(1), &trace);
  bool ran = false;
  ex.Schedule([&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_TRUE(ex.RunOne());
  EXPECT_TRUE(ran);
  EXPECT_FALSE(ex.RunOne());
}

TEST(SimExecutor, DelayedTasksMoveVirtualTime) {
  SimClock clock(1000);
  TraceHash trace;
  SimExecutor ex(&clock, Random(1), &trace);
  std::vector<int64_t> ran_at;
  ex.ScheduleAfter(5000, [&] { ran_at.push_back(clock.NowNanos()); });
  ex.ScheduleAfter(2000, [&] { ran_at.push_back(clock.NowNanos()); });
  ex.Schedule([&] { ran_at.push_back(clock.NowNanos()); });
  ex.Drain();
  EXPECT_EQ(ran_at, (std::vector<int64_t>{1000, 3000, 6000}));
  clock.SleepNanos(500);
  EXPECT_EQ(clock.NowNanos(), 6500);
}

TEST(SimExecutor, WaitUntilRunsTasksAndTasksMaySchedule) {
  SimClock clock;
  TraceHash trace;
  SimExecutor ex(&clock, Random(7), &trace);
  int steps = 0;
  std::function<void()> step = [&] {
    if (++steps < 10) ex.ScheduleAfter(100, [&] { step(); });
  };
  ex.Schedule([&] { step(); });
  ASSERT_TRUE(ex.WaitUntil([&] { return steps == 10; }).ok());
  EXPECT_EQ(clock.NowNanos(), 900);
  EXPECT_EQ(ex.pending(), 0u);
}

TEST(SimExecutor, WaitThatCanNeverFinishIsADeadlock) {
  SimClock clock;
  TraceHash trace;
  SimExecutor ex(&clock, Random(1), &trace);
  int n = 0;
  ex.Schedule([&] { ++n; });
  absl::Status s = ex.WaitUntil([&] { return n == 2; });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("deadlock"), std::string_view::npos) << s;
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(ex.WaitUntil([] { return true; }).ok());
}

TEST(SimExecutor, CrashDropsPendingTasks) {
  SimEnv env(1, FaultProfile::None());
  int ran = 0;
  env.env().executor->Schedule([&] { ++ran; });
  env.env().executor->ScheduleAfter(1000, [&] { ++ran; });
  env.Crash();
  EXPECT_EQ(env.executor().pending(), 0u);
  env.executor().Drain();
  EXPECT_EQ(ran, 0);
  env.env().executor->Schedule([&] { ++ran; });
  env.executor().Drain();
  EXPECT_EQ(ran, 1);
}

TEST(SimExecutor, RunUntilIdleHonoursItsBound) {
  SimClock clock;
  TraceHash trace;
  SimExecutor ex(&clock, Random(1), &trace);
  std::function<void()> forever = [&] { ex.ScheduleAfter(10, [&] { forever(); }); };
  ex.Schedule([&] { forever(); });
  EXPECT_EQ(ex.RunUntilIdle(100), 100u);
  EXPECT_EQ(ex.tasks_run(), 100u);
}

}  // namespace
}  // namespace kvlab::sim

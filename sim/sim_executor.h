// SimExecutor: background tasks run one at a time, on the caller's thread, in
// an order chosen by a seeded generator.
//
// Tasks wait in two places: the ready set (Schedule, or ScheduleAfter whose
// time has come) and the delayed queue, ordered by (ready_at_ns, sequence).
// RunOne() picks a uniformly random ready task; when none is ready it moves
// virtual time to the earliest delayed task. A wait (WaitUntil) runs tasks
// until its condition holds, and reports a deadlock when no task is left.
// Every task run is folded into the trace hash (tag, sequence, time).
//
// Not thread-safe: the simulator runs on one OS thread.
#ifndef KVLAB_SIM_SIM_EXECUTOR_H_
#define KVLAB_SIM_SIM_EXECUTOR_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "engine/env/env.h"
#include "sim/sim_clock.h"
#include "sim/trace_hash.h"

namespace kvlab::sim {

class SimExecutor final : public Executor {
 public:
  // `clock` and `trace` must outlive the executor. `random` is its own stream.
  SimExecutor(SimClock* clock, Random random, TraceHash* trace);
  ~SimExecutor() override;

  void Schedule(Task task) override;
  void ScheduleAfter(int64_t delay_nanos, Task task) override;

  // Runs pending tasks (jumping virtual time to delayed ones) until done()
  // holds; FailedPrecondition("deadlock: ...") when no task is left to run
  // and done() is still false.
  absl::Status WaitUntil(absl::FunctionRef<bool()> done) override;
  // Nothing to wake: conditions are re-checked after every task.
  void Notify() override {}
  // Runs tasks until none is queued, delayed ones included.
  void Drain() override { RunUntilIdle(); }

  // Runs one task: a random ready one, or else the earliest delayed one after
  // moving time to it. False if there was none.
  bool RunOne();
  // Runs tasks until none is left, or `max_tasks` ran; returns how many ran.
  size_t RunUntilIdle(size_t max_tasks = SIZE_MAX);

  // Drops every pending task (ready and delayed) without running it: the
  // engine that scheduled them is gone after a crash.
  void Crash();

  size_t pending() const { return ready_.size() + delayed_.size(); }
  uint64_t tasks_run() const { return tasks_run_; }

 private:
  struct Entry {
    uint64_t sequence;
    Task task;
  };
  // Moves every delayed task whose time has come into the ready set.
  void PromoteDue();

  SimClock* clock_;
  Random random_;
  TraceHash* trace_;
  uint64_t next_sequence_ = 0;
  uint64_t tasks_run_ = 0;
  std::vector<Entry> ready_;
  std::multimap<std::pair<int64_t, uint64_t>, Task> delayed_;
};

}  // namespace kvlab::sim

#endif  // KVLAB_SIM_SIM_EXECUTOR_H_

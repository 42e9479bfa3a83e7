// ThreadPoolExecutor: the real Executor, a fixed pool of worker threads with
// a timer for delayed tasks, and WaitUntil on a condition variable.
//
// Tasks run in FIFO order of becoming ready (a delayed task becomes ready at
// its deadline, on steady_clock, the RealClock's clock). WaitUntil re-checks
// its condition after every task finishes and on every Notify(); between
// checks the caller sleeps. A worker that calls WaitUntil blocks its thread:
// with N workers, at most N-1 tasks may wait on other tasks at once.
//
// Destruction drains: the destructor waits for every queued and delayed task,
// then stops the workers.
#ifndef KVLAB_ENGINE_ENV_THREAD_POOL_EXECUTOR_H_
#define KVLAB_ENGINE_ENV_THREAD_POOL_EXECUTOR_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "engine/env/env.h"

namespace kvlab {

class ThreadPoolExecutor : public Executor {
 public:
  // REQUIRES: threads >= 1.
  explicit ThreadPoolExecutor(int threads);
  ~ThreadPoolExecutor() override;
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  void Schedule(Task task) override;
  void ScheduleAfter(int64_t delay_nanos, Task task) override;
  absl::Status WaitUntil(absl::FunctionRef<bool()> done) override;
  void Notify() override;
  void Drain() override;

  int threads() const { return static_cast<int>(workers_.size()); }
  // Tasks run so far (for tests and reports).
  uint64_t tasks_run() const;

 private:
  struct Delayed {
    int64_t deadline_ns;
    uint64_t sequence;  // FIFO among equal deadlines.
    mutable Task task;
    bool operator>(const Delayed& o) const {
      return deadline_ns != o.deadline_ns ? deadline_ns > o.deadline_ns : sequence > o.sequence;
    }
  };

  void WorkerLoop();
  // Moves due delayed tasks to the ready queue. REQUIRES: mu_ held.
  void PromoteDueLocked(int64_t now_ns);

  mutable std::mutex mu_;
  std::condition_variable work_cv_;      // Workers: a task is ready or a deadline moved.
  std::condition_variable progress_cv_;  // WaitUntil / Drain: a task finished or Notify().
  std::deque<Task> ready_;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<Delayed>> delayed_;
  uint64_t sequence_ = 0;
  uint64_t generation_ = 0;  // Bumped after each task and on Notify().
  uint64_t tasks_run_ = 0;
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENV_THREAD_POOL_EXECUTOR_H_

// ThreadPoolExecutor: worker threads, a deadline heap, and the progress
// generation that WaitUntil and Drain sleep on.
#include "engine/env/thread_pool_executor.h"

#include <chrono>
#include <utility>

#include "engine/common/check.h"

namespace kvlab {
namespace {

int64_t SteadyNowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ThreadPoolExecutor::ThreadPoolExecutor(int threads) {
  KVLAB_CHECK(threads >= 1, "ThreadPoolExecutor needs at least one thread");
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  Drain();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPoolExecutor::Schedule(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    KVLAB_CHECK(!stopping_, "Schedule on a stopped executor");
    ready_.push_back(std::move(task));
  }
  work_cv_.notify_one();
}

void ThreadPoolExecutor::ScheduleAfter(int64_t delay_nanos, Task task) {
  if (delay_nanos <= 0) return Schedule(std::move(task));
  {
    std::lock_guard<std::mutex> lock(mu_);
    KVLAB_CHECK(!stopping_, "ScheduleAfter on a stopped executor");
    delayed_.push(Delayed{SteadyNowNanos() + delay_nanos, sequence_++, std::move(task)});
  }
  // Every worker re-reads the earliest deadline; one of them will time it.
  work_cv_.notify_all();
}

void ThreadPoolExecutor::PromoteDueLocked(int64_t now_ns) {
  while (!delayed_.empty() && delayed_.top().deadline_ns <= now_ns) {
    ready_.push_back(std::move(delayed_.top().task));
    delayed_.pop();
  }
}

void ThreadPoolExecutor::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    PromoteDueLocked(SteadyNowNanos());
    if (!ready_.empty()) {
      Task task = std::move(ready_.front());
      ready_.pop_front();
      ++running_;
      if (!ready_.empty()) work_cv_.notify_one();
      lock.unlock();
      std::move(task)();
      task = nullptr;  // Destroy captures outside the lock, before counting it done.
      lock.lock();
      --running_;
      ++tasks_run_;
      ++generation_;
      progress_cv_.notify_all();
      continue;
    }
    if (stopping_) return;
    if (delayed_.empty()) {
      work_cv_.wait(lock);
    } else {
      const int64_t wait_ns = delayed_.top().deadline_ns - SteadyNowNanos();
      if (wait_ns > 0) work_cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
    }
  }
}

absl::Status ThreadPoolExecutor::WaitUntil(absl::FunctionRef<bool()> done) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    // Take the generation before evaluating done(): a task that finishes (or a
    // Notify) while done() runs bumps it, so the wait below cannot miss it.
    const uint64_t seen = generation_;
    lock.unlock();
    const bool ok = done();
    lock.lock();
    if (ok) return absl::OkStatus();
    progress_cv_.wait(lock, [&] { return generation_ != seen; });
  }
}

void ThreadPoolExecutor::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  progress_cv_.notify_all();
}

void ThreadPoolExecutor::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  progress_cv_.wait(lock, [&] { return ready_.empty() && delayed_.empty() && running_ == 0; });
}

uint64_t ThreadPoolExecutor::tasks_run() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_run_;
}

}  // namespace kvlab

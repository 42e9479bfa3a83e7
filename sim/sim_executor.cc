// SimExecutor: seeded one-at-a-time task scheduling (see sim_executor.h).
#include "sim/sim_executor.h"

#include "absl/strings/str_cat.h"
#include "engine/common/check.h"

namespace kvlab::sim {

SimExecutor::SimExecutor(SimClock* clock, Random random, TraceHash* trace)
    : clock_(clock), random_(random), trace_(trace) {
  KVLAB_CHECK(clock_ != nullptr);
  KVLAB_CHECK(trace_ != nullptr);
}

SimExecutor::~SimExecutor() { Crash(); }

void SimExecutor::Schedule(Task task) {
  ready_.push_back(Entry{next_sequence_++, std::move(task)});
}

void SimExecutor::ScheduleAfter(int64_t delay_nanos, Task task) {
  if (delay_nanos <= 0) {
    Schedule(std::move(task));
    return;
  }
  const int64_t at = clock_->NowNanos() + delay_nanos;
  delayed_.emplace(std::make_pair(at, next_sequence_++), std::move(task));
}

void SimExecutor::PromoteDue() {
  const int64_t now = clock_->NowNanos();
  while (!delayed_.empty() && delayed_.begin()->first.first <= now) {
    auto node = delayed_.extract(delayed_.begin());
    ready_.push_back(Entry{node.key().second, std::move(node.mapped())});
  }
}

bool SimExecutor::RunOne() {
  PromoteDue();
  if (ready_.empty()) {
    if (delayed_.empty()) return false;
    clock_->AdvanceTo(delayed_.begin()->first.first);
    PromoteDue();
  }
  KVLAB_CHECK(!ready_.empty());
  // A seeded pick; swap-remove keeps this O(1) and stays deterministic.
  const size_t i = ready_.size() == 1 ? 0 : random_.Uniform(ready_.size());
  Entry entry = std::move(ready_[i]);
  if (i + 1 != ready_.size()) ready_[i] = std::move(ready_.back());
  ready_.pop_back();
  trace_->Add(TraceEvent(TraceHash::kTaskRun)
                  .Word(entry.sequence)
                  .Word(static_cast<uint64_t>(clock_->NowNanos())));
  ++tasks_run_;
  std::move(entry.task)();
  return true;
}

size_t SimExecutor::RunUntilIdle(size_t max_tasks) {
  size_t n = 0;
  while (n < max_tasks && RunOne()) ++n;
  return n;
}

absl::Status SimExecutor::WaitUntil(absl::FunctionRef<bool()> done) {
  while (!done()) {
    if (!RunOne()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "deadlock: WaitUntil's condition is false and no task is pending that could make it "
          "true (virtual time ", clock_->NowNanos(), " ns, ", tasks_run_, " tasks run)"));
    }
  }
  return absl::OkStatus();
}

void SimExecutor::Crash() {
  // Move the tasks out first: destroying one may schedule nothing, but must
  // not see a half-cleared queue.
  std::vector<Entry> ready = std::move(ready_);
  auto delayed = std::move(delayed_);
  ready_.clear();
  delayed_.clear();
}

}  // namespace kvlab::sim

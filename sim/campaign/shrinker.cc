// Delta debugging of failing schedules (see shrinker.h).
#include "sim/campaign/shrinker.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "engine/common/check.h"

namespace kvlab::sim {
namespace {

class Shrinker {
 public:
  Shrinker(const RunConfig& config, const Schedule& schedule, const ShrinkOptions& options)
      : config_(config), options_(options), start_(std::chrono::steady_clock::now()) {
    config_.stop_at_first_failure = true;
    best_.schedule = schedule;
    best_.profile = config.profile;
    best_.run = RunSchedule(config_, schedule);
    KVLAB_CHECK(best_.run.failed(), "Shrink needs a failing schedule");
    kind_ = best_.run.failures[0].kind;
    // Ops after the failing one never ran: cut them first, for free.
    size_t keep = std::min(schedule.ops.size(), best_.run.failures[0].op_index + 1);
    Schedule cut = schedule;
    cut.ops.resize(keep);
    TryOps(cut.ops);
  }

  ShrinkResult Run() {
    DeltaDebug();
    RemoveOneByOne();
    SimplifyOps();
    RemoveOneByOne();
    SwitchOffFaults();
    best_.runs = runs_;
    return std::move(best_);
  }

 private:
  bool OutOfBudget() const {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
                         .count();
    return runs_ >= options_.max_runs || seconds >= options_.max_seconds;
  }

  // Runs a candidate; keeps it if it still fails the same way.
  bool Try(const Schedule& candidate, const FaultProfile& profile) {
    if (OutOfBudget()) return false;
    ++runs_;
    RunConfig config = config_;
    config.profile = profile;
    RunResult run = RunSchedule(config, candidate);
    if (!run.failed() || run.failures[0].kind != kind_) return false;
    best_.schedule = candidate;
    best_.profile = profile;
    best_.run = std::move(run);
    return true;
  }
  bool TryOps(const std::vector<Op>& ops) {
    Schedule candidate{best_.schedule.seed, ops};
    return Try(candidate, best_.profile);
  }

  void DeltaDebug() {
    size_t n = 2;
    while (best_.schedule.ops.size() >= 2 && !OutOfBudget()) {
      const std::vector<Op>& ops = best_.schedule.ops;
      size_t size = ops.size();
      size_t chunk = (size + n - 1) / n;
      bool reduced = false;
      for (size_t start = 0; start < size && !reduced; start += chunk) {
        std::vector<Op> complement(ops.begin(), ops.begin() + static_cast<ptrdiff_t>(start));
        complement.insert(complement.end(),
                          ops.begin() + static_cast<ptrdiff_t>(std::min(size, start + chunk)),
                          ops.end());
        reduced = TryOps(complement);
      }
      if (reduced) {
        n = std::max<size_t>(n - 1, 2);
      } else if (n >= size) {
        break;
      } else {
        n = std::min(size, n * 2);
      }
    }
  }

  void RemoveOneByOne() {
    for (size_t i = best_.schedule.ops.size(); i-- > 0 && !OutOfBudget();) {
      if (i >= best_.schedule.ops.size()) continue;
      std::vector<Op> ops = best_.schedule.ops;
      ops.erase(ops.begin() + static_cast<ptrdiff_t>(i));
      TryOps(ops);
    }
  }

  // Tries `edit` on op i; keeps it if the failure stays.
  void TryEdit(size_t i, const std::function<bool(Op&)>& edit) {
    std::vector<Op> ops = best_.schedule.ops;
    if (i >= ops.size() || !edit(ops[i])) return;
    TryOps(ops);
  }

  void SimplifyOps() {
    for (size_t i = 0; i < best_.schedule.ops.size() && !OutOfBudget(); ++i) {
      TryEdit(i, [](Op& op) {
        if (op.kind != OpKind::kCrash || op.crash_after_ops == 0) return false;
        op.crash_after_ops = 0;
        return true;
      });
      for (int step = 0; step < 8; ++step) {
        TryEdit(i, [](Op& op) {
          if (op.kind != OpKind::kCrash || op.crash_after_ops <= 1) return false;
          op.crash_after_ops /= 2;
          return true;
        });
      }
      for (size_t b = 0; b < 8; ++b) {
        TryEdit(i, [](Op& op) {
          if (op.kind != OpKind::kBatch || op.batch.size() <= 1) return false;
          op.batch.mutable_ops().pop_back();
          return true;
        });
        TryEdit(i, [](Op& op) {
          if (op.kind != OpKind::kBatch || op.batch.size() <= 1) return false;
          op.batch.mutable_ops().erase(op.batch.mutable_ops().begin());
          return true;
        });
      }
      TryEdit(i, [](Op& op) {
        bool changed = false;
        if (op.kind == OpKind::kPut && op.value.size() > 1) {
          op.value = op.value.substr(0, 1);
          changed = true;
        }
        for (WriteBatch::Op& b : op.batch.mutable_ops()) {
          if (b.value.size() > 1) {
            b.value = b.value.substr(0, 1);
            changed = true;
          }
        }
        return changed;
      });
      TryEdit(i, [](Op& op) {
        if (!op.sync) return false;
        op.sync = false;
        return true;
      });
    }
  }

  void SwitchOffFaults() {
    struct Knob {
      const char* name;
      std::function<bool(FaultProfile&)> off;
    };
    auto zero = [](double FaultProfile::*field) {
      return [field](FaultProfile& p) {
        if (p.*field == 0) return false;
        p.*field = 0;
        return true;
      };
    };
    const Knob knobs[] = {
        {"crash", zero(&FaultProfile::crash)},
        {"torn_write", zero(&FaultProfile::torn_write)},
        {"unsynced_keep", zero(&FaultProfile::unsynced_keep)},
        {"misdirected_write", zero(&FaultProfile::misdirected_write)},
        {"read_error", zero(&FaultProfile::read_error)},
        {"write_error", zero(&FaultProfile::write_error)},
        {"sync_error", zero(&FaultProfile::sync_error)},
        {"bit_flip", zero(&FaultProfile::bit_flip)},
        {"latency_spike", zero(&FaultProfile::latency_spike)},
        {"capacity_bytes/free_space_bytes",
         [](FaultProfile& p) {
           if (p.capacity_bytes == 0 && p.free_space_bytes == 0) return false;
           p.capacity_bytes = p.free_space_bytes = 0;
           return true;
         }},
        {"lose_unsynced_dir_ops",
         [](FaultProfile& p) {
           if (p.lose_unsynced_dir_ops == 1) return false;
           p.lose_unsynced_dir_ops = 1;
           return true;
         }},
    };
    for (const Knob& knob : knobs) {
      FaultProfile profile = best_.profile;
      if (!knob.off(profile)) continue;
      if (Try(best_.schedule, profile)) best_.faults_switched_off.push_back(knob.name);
    }
  }

  RunConfig config_;
  ShrinkOptions options_;
  std::chrono::steady_clock::time_point start_;
  FailureKind kind_;
  ShrinkResult best_;
  uint64_t runs_ = 0;
};

}  // namespace

ShrinkResult Shrink(const RunConfig& config, const Schedule& schedule,
                    const ShrinkOptions& options) {
  Shrinker shrinker(config, schedule, options);
  return shrinker.Run();
}

}  // namespace kvlab::sim

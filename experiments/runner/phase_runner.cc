// RunPhase: client loops (threads or simulated tasks), per-interval
// histograms, and the collector that turns them into timeline records.
#include "experiments/runner/phase_runner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab::runner {
namespace {

using workloads::OpType;
using workloads::Operation;
using workloads::OperationGenerator;
using workloads::WorkloadSpec;

// What one client measured in one interval.
struct Snapshot {
  int64_t index = 0;
  HistogramSet hist;
  uint64_t ops = 0, errors = 0, user_written = 0, user_read = 0;
};

struct Client {
  Client(const WorkloadSpec& spec, workloads::KeySpace* keys, uint64_t seed, uint32_t id,
         uint32_t clients)
      : gen(spec, keys, seed, id, clients) {}

  OperationGenerator gen;
  Operation op;                  // simulated clients: the pending operation
  std::vector<Operation> batch;  // real threads: operations generated ahead (Driver::Fill)
  uint64_t quota = 0;  // operations to run (UINT64_MAX: until the deadline)
  uint64_t done = 0;
  int64_t next_intended_ns = 0;
  int64_t origin_ns = 0;  // simulated clients: the pending operation's start
  int64_t last_end_ns = 0;  // completion time of the last operation
  Snapshot current;
  std::string first_error;
  // Handed to the collector.
  absl::Mutex mu;
  std::vector<Snapshot> published;        // guarded by mu
  std::atomic<int64_t> through{-1};       // every interval <= through is published
  std::atomic<bool> finished{false};
  std::atomic<uint64_t> progress{0};
};

// Executes one operation. Returns false on an error (NotFound reads are fine).
bool Execute(KvStore& store, Client& c, Operation& op, const WorkloadSpec& spec, bool run_phase) {
  static const ReadOptions kRead;
  static const WriteOptions kWrite;
  Snapshot& s = c.current;
  absl::Status status;
  switch (op.type) {
    case OpType::kRead: {
      absl::StatusOr<std::string> v = store.Get(kRead, op.key);
      if (v.ok()) s.user_read += op.key.size() + v->size();
      else if (!absl::IsNotFound(v.status())) status = v.status();
      break;
    }
    case OpType::kUpdate: {
      if (spec.update_mode == workloads::UpdateMode::kReadMergePut) {
        absl::StatusOr<std::string> v = store.Get(kRead, op.key);
        if (v.ok()) s.user_read += op.key.size() + v->size();
        else if (!absl::IsNotFound(v.status())) status = v.status();
      }
      if (status.ok()) status = store.Put(kWrite, op.key, op.value);
      if (status.ok()) s.user_written += op.key.size() + op.value.size();
      break;
    }
    case OpType::kInsert:
      status = store.Put(kWrite, op.key, op.value);
      if (status.ok()) s.user_written += op.key.size() + op.value.size();
      if (run_phase) c.gen.AcknowledgeInsert(op.keynum);
      break;
    case OpType::kScan: {
      auto rows = store.Scan(kRead, op.key, "", op.scan_length);
      if (rows.ok()) {
        for (const auto& [k, v] : *rows) s.user_read += k.size() + v.size();
      } else {
        status = rows.status();
      }
      break;
    }
    case OpType::kReadModifyWrite: {
      uint64_t old_bytes = 0;
      auto v = store.ReadModifyWrite(kWrite, op.key, [&](std::optional<std::string_view> old) {
        if (old.has_value()) old_bytes = op.key.size() + old->size();
        return op.value;
      });
      if (v.ok()) {
        s.user_read += old_bytes;
        s.user_written += op.key.size() + op.value.size();
      } else {
        status = v.status();
      }
      break;
    }
    case OpType::kDelete:
      status = store.Delete(kWrite, op.key);
      break;
  }
  if (status.ok()) return true;
  if (c.first_error.empty()) {
    c.first_error = absl::StrCat(AV(SlotName(static_cast<size_t>(op.type))), " of key '", op.key,
                                 "': ", status.ToString());
  }
  return false;
}

void MergeInto(HistogramSet& into, HistogramSet& from) {
  for (size_t i = 0; i < kSlotCount; ++i) {
    if (!from[i]) continue;
    if (!into[i]) into[i] = std::move(from[i]);
    else into[i]->Add(*from[i]);
  }
}

// Collects published snapshots, emits finished intervals in order.
class Collector {
 public:
  Collector(KvStore& store, const Env& env, const PhaseOptions& options,
            std::vector<std::unique_ptr<Client>>& clients, int64_t start_ns)
      : store_(store), env_(env), options_(options), clients_(clients), start_ns_(start_ns) {
    if (const IoCounters* c = env.device->counters()) device_start_ = *c;
  }

  // Emits every interval all clients are done with; with `final`, all of them,
  // the last ending at `end_ns` (since the phase start).
  void Poll(bool final, int64_t end_ns) {
    int64_t through = INT64_MAX;
    for (auto& c : clients_) {
      {
        absl::MutexLock lock(&c->mu);
        for (Snapshot& s : c->published) {
          Snapshot& p = pending_[s.index];
          p.index = s.index;
          MergeInto(p.hist, s.hist);
          p.ops += s.ops;
          p.errors += s.errors;
          p.user_written += s.user_written;
          p.user_read += s.user_read;
          last_index_ = std::max(last_index_, s.index);
        }
        c->published.clear();
      }
      if (!c->finished.load(std::memory_order_acquire)) {
        through = std::min(through, c->through.load(std::memory_order_acquire));
      }
    }
    if (final) through = last_index_;
    // Every client finished: the last interval waits for the final poll (its end time).
    if (through == INT64_MAX) through = last_index_ - 1;
    while (next_ <= through) {
      int64_t index = next_++;
      Emit(index, final && index == last_index_, end_ns);
    }
  }

  PhaseResult& result() { return result_; }

 private:
  void Emit(int64_t index, bool last, int64_t end_ns) {
    Snapshot s;
    auto it = pending_.find(index);
    if (it != pending_.end()) {
      s = std::move(it->second);
      pending_.erase(it);
    }
    for (size_t i = 0; i < kAllSlot; ++i) {
      if (!s.hist[i]) continue;
      if (!s.hist[kAllSlot]) s.hist[kAllSlot] = std::make_unique<LatencyHistogram>();
      s.hist[kAllSlot]->Add(*s.hist[i]);
    }
    result_.ops += s.ops;
    result_.errors += s.errors;
    result_.user_bytes_written += s.user_written;
    result_.user_bytes_read += s.user_read;
    IntervalRecord r;
    r.index = index;
    r.t_start_ns = index * options_.interval_ns;
    r.t_end_ns = last ? std::max(end_ns, r.t_start_ns) : (index + 1) * options_.interval_ns;
    r.ops = s.ops;
    r.errors = s.errors;
    r.hist = &s.hist;
    r.user_bytes_written = result_.user_bytes_written;
    r.user_bytes_read = result_.user_bytes_read;
    if (const IoCounters* c = env_.device->counters()) r.device = (*c - device_start_).Total();
    result_.device = r.device;
    Stats stats = store_.GetStats();
    r.space_bytes = stats.space_used_bytes;
    r.live_bytes = stats.live_data_bytes;
    if (options_.on_interval) options_.on_interval(r);
    for (size_t i = 0; i < kSlotCount; ++i) {
      if (!s.hist[i]) continue;
      if (!result_.hist[i]) result_.hist[i] = std::make_unique<LatencyHistogram>();
      result_.hist[i]->Add(*s.hist[i]);
    }
  }

  KvStore& store_;
  const Env& env_;
  const PhaseOptions& options_;
  std::vector<std::unique_ptr<Client>>& clients_;
  const int64_t start_ns_;
  IoCounters device_start_;
  std::map<int64_t, Snapshot> pending_;
  int64_t next_ = 0;
  int64_t last_index_ = 0;
  PhaseResult result_;
};

// Operations generated ahead per batch (real threads, unthrottled, when the stream does not
// depend on completions): at most this many, and at most kBatchBytes of keys and values.
constexpr size_t kMaxBatch = 64;
constexpr uint64_t kBatchBytes = 512 * 1024;

// The per-operation step shared by threads and tasks.
class Driver {
 public:
  Driver(KvStore& store, const Env& env, const PhaseOptions& options, int64_t start_ns)
      : store_(store), clock_(*env.clock), options_(options), start_ns_(start_ns),
        run_phase_(options.phase == Phase::kRun) {
    const WorkloadSpec& spec = *options.spec;
    if (run_phase_ && spec.duration_seconds > 0) {
      deadline_ns_ = start_ns + static_cast<int64_t>(spec.duration_seconds * 1e9);
    }
    double rate = options.target_ops_per_sec;
    if (rate > 0) tick_ns_ = static_cast<int64_t>(1e9 * options.clients / rate);
    // Generating ahead gives the same operations only when no draw depends on an earlier
    // operation's completion: run-phase key choices read the acknowledged-insert limit, which
    // only inserts move. (The load phase never acknowledges.)
    const bool independent = !run_phase_ || spec.mix[static_cast<size_t>(OpType::kInsert)] <= 0;
    if (independent && !throttled() && !options.simulated) {
      batch_ = std::clamp<uint64_t>(kBatchBytes / (spec.MaxValueSize() + 64), 1, kMaxBatch);
    }
  }

  bool throttled() const { return tick_ns_ > 0; }
  size_t batch() const { return batch_; }

  bool stopped() const {
    return options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed);
  }

  // Generates the client's next operation into *op. False when it has nothing left to do.
  bool Generate(Client& c, Operation* op, uint64_t ahead = 0) {
    if (c.done + ahead >= c.quota) return false;
    if (stopped()) return false;
    if (run_phase_) {
      c.gen.NextRun(op);
    } else if (!c.gen.NextLoad(op)) {
      return false;
    }
    return true;
  }
  bool Generate(Client& c) { return Generate(c, &c.op); }

  // Generates up to batch() operations into c.batch; returns how many.
  size_t Fill(Client& c) {
    if (c.batch.size() < batch_) c.batch.resize(batch_);
    size_t n = 0;
    while (n < batch_ && Generate(c, &c.batch[n], n)) ++n;
    return n;
  }

  // The intended start of the operation just generated (throttled only).
  int64_t TakeIntended(Client& c) {
    int64_t t = c.next_intended_ns;
    c.next_intended_ns += tick_ns_;
    return t;
  }

  // Runs the generated operation `op` that (intentionally) started at `origin_ns`;
  // sets c.last_end_ns to its completion; returns false once the deadline has passed.
  bool Run(Client& c, Operation& op, int64_t origin_ns) {
    if (options_.op_cost_ns > 0) clock_.SleepNanos(options_.op_cost_ns);
    bool ok = Execute(store_, c, op, *options_.spec, run_phase_);
    int64_t end = clock_.NowNanos();
    c.last_end_ns = end;
    int64_t index = (end - start_ns_) / options_.interval_ns;
    if (index != c.current.index) Publish(c, index);
    Snapshot& s = c.current;
    size_t slot = static_cast<size_t>(op.type);
    if (!s.hist[slot]) s.hist[slot] = std::make_unique<LatencyHistogram>();
    s.hist[slot]->Record(end - origin_ns);
    ++s.ops;
    if (!ok) ++s.errors;
    ++c.done;
    if ((c.done & 1023) == 0) c.progress.store(c.done, std::memory_order_relaxed);
    return deadline_ns_ == 0 || end < deadline_ns_;
  }

  // Hands the current interval to the collector and starts interval `index`.
  void Publish(Client& c, int64_t index) {
    absl::MutexLock lock(&c.mu);
    c.published.push_back(std::move(c.current));
    c.current = Snapshot();
    c.current.index = index;
    c.through.store(index - 1, std::memory_order_release);
  }

  void Finish(Client& c) {
    {
      absl::MutexLock lock(&c.mu);
      c.published.push_back(std::move(c.current));
      c.current = Snapshot();
    }
    c.progress.store(c.done, std::memory_order_relaxed);
    c.finished.store(true, std::memory_order_release);
  }

 private:
  KvStore& store_;
  Clock& clock_;
  const PhaseOptions& options_;
  const int64_t start_ns_;
  const bool run_phase_;
  int64_t deadline_ns_ = 0;
  int64_t tick_ns_ = 0;
  size_t batch_ = 0;  // 0: one operation at a time (generated between the clock reads)
};

void ThreadLoop(Driver& driver, Client& c, Clock& clock) {
  if (driver.batch() > 0) {
    // Generate a batch, then run it with one clock read per operation: an operation's
    // completion time is the next one's start. So each sample is the call plus the recording
    // of the previous sample (a histogram increment), never the generator's work.
    for (bool more = true; more;) {
      const size_t n = driver.Fill(c);
      if (n == 0) break;
      int64_t origin = clock.NowNanos();
      for (size_t i = 0; i < n && more; ++i) {
        if (i > 0 && driver.stopped()) {
          more = false;
          break;
        }
        more = driver.Run(c, c.batch[i], origin);
        origin = c.last_end_ns;
      }
    }
    driver.Finish(c);
    return;
  }
  while (driver.Generate(c)) {
    int64_t origin;
    if (driver.throttled()) {
      origin = driver.TakeIntended(c);
      int64_t now = clock.NowNanos();
      if (origin > now) clock.SleepNanos(origin - now);
    } else {
      origin = clock.NowNanos();
    }
    if (!driver.Run(c, c.op, origin)) break;
  }
  driver.Finish(c);
}

uint64_t TotalProgress(const std::vector<std::unique_ptr<Client>>& clients) {
  uint64_t n = 0;
  for (const auto& c : clients) n += c->progress.load(std::memory_order_relaxed);
  return n;
}

}  // namespace

std::string_view SlotName(size_t slot) {
  if (slot == kAllSlot) return "all";
  return workloads::OpTypeName(static_cast<OpType>(slot));
}

uint64_t PlannedOps(Phase phase, const WorkloadSpec& spec) {
  if (phase == Phase::kLoad) return spec.record_count - spec.insert_start;
  return spec.operation_count;
}

absl::StatusOr<PhaseResult> RunPhase(KvStore& store, const Env& env,
                                     const PhaseOptions& options) {
  KVLAB_CHECK(options.spec != nullptr);
  KVLAB_CHECK(options.clients >= 1);
  KVLAB_CHECK(options.interval_ns > 0);
  const WorkloadSpec& spec = *options.spec;
  Clock& clock = *env.clock;
  workloads::KeySpace keyspace(spec, options.seed);
  std::vector<std::unique_ptr<Client>> clients;
  const uint64_t ops = spec.operation_count;
  for (uint32_t i = 0; i < options.clients; ++i) {
    clients.push_back(std::make_unique<Client>(spec, &keyspace, options.seed, i, options.clients));
    Client& c = *clients.back();
    if (options.phase == Phase::kLoad) {
      c.quota = c.gen.load_count();
    } else {
      c.quota = ops == 0 ? UINT64_MAX : ops / options.clients + (i < ops % options.clients ? 1 : 0);
    }
  }
  const int64_t start_ns = clock.NowNanos();
  Driver driver(store, env, options, start_ns);
  for (auto& c : clients) c->next_intended_ns = start_ns;
  Collector collector(store, env, options, clients, start_ns);
  int64_t end_ns;
  if (!options.simulated) {
    std::vector<std::thread> threads;
    for (auto& c : clients) {
      threads.emplace_back([&driver, &clock, client = c.get()] { ThreadLoop(driver, *client, clock); });
    }
    for (;;) {
      bool all_done = true;
      for (auto& c : clients) all_done = all_done && c->finished.load(std::memory_order_acquire);
      if (all_done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      collector.Poll(false, 0);
      if (options.on_progress) options.on_progress(TotalProgress(clients));
    }
    for (std::thread& t : threads) t.join();
  } else {
    // One task per client and operation; the executor picks the order.
    size_t finished = 0;
    uint64_t steps = 0;
    int depth = 0;
    std::function<void(Client*, bool)> step = [&](Client* c, bool waited) {
      if (!waited) {
        if (!driver.Generate(*c)) {
          driver.Finish(*c);
          ++finished;
          if (depth == 0) collector.Poll(false, 0);
          return;
        }
        c->origin_ns = clock.NowNanos();
        if (driver.throttled()) {
          c->origin_ns = driver.TakeIntended(*c);
          int64_t now = clock.NowNanos();
          if (c->origin_ns > now) {
            env.executor->ScheduleAfter(c->origin_ns - now, [&step, c] { step(c, true); });
            return;
          }
        }
      }
      // A client task may run inside another client's operation (at one of
      // its waits): never call into the store (GetStats) from there.
      ++depth;
      bool more = driver.Run(*c, c->op, c->origin_ns);
      --depth;
      if ((++steps & 4095) == 0 && options.on_progress) options.on_progress(TotalProgress(clients));
      if (depth == 0) collector.Poll(false, 0);
      if (!more) {
        driver.Finish(*c);
        ++finished;
        if (depth == 0) collector.Poll(false, 0);
        return;
      }
      env.executor->Schedule([&step, c] { step(c, false); });
    };
    for (auto& c : clients) {
      Client* p = c.get();
      env.executor->Schedule([&step, p] { step(p, false); });
    }
    absl::Status s = env.executor->WaitUntil([&] { return finished == clients.size(); });
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("simulated clients could not finish: ",
                                                 s.message()));
    }
  }
  // The phase ends with its last completion, not when the collector noticed.
  end_ns = start_ns;
  for (auto& c : clients) end_ns = std::max(end_ns, c->last_end_ns);
  collector.Poll(true, end_ns - start_ns);
  PhaseResult result = std::move(collector.result());
  result.duration_ns = end_ns - start_ns;
  for (auto& c : clients) {
    if (result.first_error.empty()) result.first_error = c->first_error;
    if (c->done < c->quota && c->quota != UINT64_MAX && options.phase == Phase::kRun &&
        spec.duration_seconds == 0) {
      result.complete = false;
    }
  }
  if (options.phase == Phase::kLoad) {
    for (auto& c : clients) result.complete = result.complete && c->done == c->gen.load_count();
  }
  if (options.stop != nullptr && options.stop->load()) result.complete = false;
  result.stats = store.GetStats();
  return result;
}

}  // namespace kvlab::runner

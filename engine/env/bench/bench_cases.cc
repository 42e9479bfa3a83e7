// The device-bench cases. Timing uses steady_clock directly: the bench lives
// in engine/env/, the one place allowed to.
#include "engine/env/bench/bench_cases.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/uring_device.h"

namespace kvlab::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// User + system CPU seconds of the whole process so far.
double ProcessCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
using AlignedBytes = std::unique_ptr<char, FreeDeleter>;
AlignedBytes AllocAligned(size_t bytes) {
  return AlignedBytes(static_cast<char*>(std::aligned_alloc(kBlockBytes, bytes)));
}

uint64_t RandomOffset(Random& random, uint64_t file_bytes) {
  return random.Uniform(file_bytes / kBlockBytes) * kBlockBytes;
}

CaseResult Finish(std::string name, std::string how, int qd, double seconds, double cpu_start,
                  std::vector<int64_t>& latencies) {
  CaseResult r;
  r.cpu_seconds = ProcessCpuSeconds() - cpu_start;
  r.name = std::move(name);
  r.how = std::move(how);
  r.queue_depth = qd;
  r.ios = latencies.size();
  r.seconds = seconds;
  r.p50_us = PercentileUs(latencies, 50);
  r.p99_us = PercentileUs(latencies, 99);
  return r;
}

}  // namespace

double PercentileUs(std::vector<int64_t>& latencies_ns, double p) {
  if (latencies_ns.empty()) return 0;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  const size_t index =
      std::min(latencies_ns.size() - 1, static_cast<size_t>(p / 100.0 * latencies_ns.size()));
  return latencies_ns[index] / 1000.0;
}

absl::StatusOr<CaseResult> RunThreadsCase(const std::string& name, const CaseConfig& config) {
  const int threads = config.queue_depth;
  std::vector<std::vector<int64_t>> latencies(threads);
  std::vector<absl::Status> errors(threads);
  const double cpu_start = ProcessCpuSeconds();
  const int64_t start = NowNs();
  const int64_t stop = start + static_cast<int64_t>(config.seconds * 1e9);
  auto worker = [&](int t) {
    Random random(config.seed + t);
    AlignedBytes buffer = AllocAligned(kBlockBytes);
    latencies[t].reserve(1 << 16);
    for (int64_t now = NowNs(); now < stop;) {
      absl::StatusOr<size_t> n =
          config.file->Read(RandomOffset(random, config.file_bytes),
                            absl::MakeSpan(buffer.get(), kBlockBytes));
      if (!n.ok()) {
        errors[t] = n.status();
        return;
      }
      const int64_t end = NowNs();
      latencies[t].push_back(end - now);
      now = end;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (std::thread& t : pool) t.join();
  const double seconds = (NowNs() - start) / 1e9;
  std::vector<int64_t> all;
  for (int t = 0; t < threads; ++t) {
    RETURN_IF_ERROR(errors[t]);
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
  }
  return Finish(name, threads == 1 ? "1 thread, File::Read"
                                   : absl::StrCat(threads, " threads, File::Read each"),
                config.queue_depth, seconds, cpu_start, all);
}

absl::StatusOr<CaseResult> RunUringWindowCase(const CaseConfig& config) {
  auto* uring = dynamic_cast<UringDevice*>(config.device);
  if (uring == nullptr) return absl::InvalidArgumentError("window case needs a UringDevice");
  const int qd = config.queue_depth;
  AlignedBytes buffers = AllocAligned(qd * kBlockBytes);
  std::vector<IoRequest> slots(qd);
  std::vector<int64_t> issued_at(qd, 0);
  std::vector<int> free_slots;
  for (int s = qd - 1; s >= 0; --s) free_slots.push_back(s);
  std::vector<int64_t> latencies;
  latencies.reserve(1 << 20);
  Random random(config.seed);
  absl::Status error;
  const double cpu_start = ProcessCpuSeconds();
  const int64_t start = NowNs();
  const int64_t stop = start + static_cast<int64_t>(config.seconds * 1e9);
  int64_t now = start;
  RETURN_IF_ERROR(uring->RunQueue(
      qd,
      [&]() -> IoRequest* {
        if (now >= stop || !error.ok() || free_slots.empty()) return nullptr;
        const int s = free_slots.back();
        free_slots.pop_back();
        slots[s] = IoRequest{IoRequest::Op::kRead, config.file,
                             RandomOffset(random, config.file_bytes),
                             buffers.get() + s * kBlockBytes, kBlockBytes, {}, 0};
        issued_at[s] = now;
        return &slots[s];
      },
      [&](IoRequest& r) {
        now = NowNs();
        const int s = static_cast<int>(&r - slots.data());
        if (!r.status.ok() && error.ok()) error = r.status;
        latencies.push_back(now - issued_at[s]);
        free_slots.push_back(s);
      }));
  RETURN_IF_ERROR(error);
  const double seconds = (NowNs() - start) / 1e9;
  return Finish("uring (window)", absl::StrCat("RunQueue keeps ", qd, " in flight"), qd, seconds,
                cpu_start, latencies);
}

absl::StatusOr<CaseResult> RunBatchCase(const std::string& name, const CaseConfig& config) {
  const int qd = config.queue_depth;
  AlignedBytes buffers = AllocAligned(qd * kBlockBytes);
  std::vector<IoRequest> batch(qd);
  std::vector<int64_t> latencies;
  latencies.reserve(1 << 20);
  Random random(config.seed);
  const double cpu_start = ProcessCpuSeconds();
  const int64_t start = NowNs();
  const int64_t stop = start + static_cast<int64_t>(config.seconds * 1e9);
  for (int64_t now = start; now < stop;) {
    for (int i = 0; i < qd; ++i) {
      batch[i] = IoRequest{IoRequest::Op::kRead, config.file,
                           RandomOffset(random, config.file_bytes),
                           buffers.get() + i * kBlockBytes, kBlockBytes, {}, 0};
    }
    RETURN_IF_ERROR(config.device->SubmitBatch(absl::MakeSpan(batch)));
    const int64_t end = NowNs();
    for (int i = 0; i < qd; ++i) latencies.push_back(end - now);
    now = end;
  }
  const double seconds = (NowNs() - start) / 1e9;
  return Finish(name, absl::StrCat("SubmitBatch of ", qd, ", repeated"), qd, seconds,
                cpu_start, latencies);
}

}  // namespace kvlab::bench

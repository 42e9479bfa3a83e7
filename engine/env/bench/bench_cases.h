// The measured cases of `kvlab device-bench`: random 4 KiB reads over one
// file through PosixDevice, UringDevice and fio, with latency percentiles.
#ifndef KVLAB_ENGINE_ENV_BENCH_BENCH_CASES_H_
#define KVLAB_ENGINE_ENV_BENCH_BENCH_CASES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/env/env.h"

namespace kvlab::bench {

inline constexpr size_t kBlockBytes = 4096;

struct CaseConfig {
  File* file = nullptr;     // Opened on the device under test.
  Device* device = nullptr;
  uint64_t file_bytes = 0;  // Reads land uniformly in [0, file_bytes).
  int queue_depth = 1;
  double seconds = 5;
  uint64_t seed = 1;
};

struct CaseResult {
  std::string name;  // e.g. "uring (window)".
  std::string how;   // How the queue depth is achieved, for the table's notes.
  int queue_depth = 0;
  uint64_t ios = 0;
  double seconds = 0;
  double p50_us = 0;
  double p99_us = 0;
  double cpu_seconds = 0;  // User + system CPU of the process (or fio job) in the case.
  double cpu_us_per_io() const { return ios > 0 ? cpu_seconds * 1e6 / ios : 0; }
  double iops() const { return seconds > 0 ? ios / seconds : 0; }
  double mib_per_s() const { return iops() * kBlockBytes / (1024.0 * 1024.0); }
};

// QD 1: one thread, File::Read one at a time. QD n: n threads, each with its
// own synchronous File::Read loop (POSIX has no queue: n threads is how a
// POSIX program keeps n reads in flight).
absl::StatusOr<CaseResult> RunThreadsCase(const std::string& name, const CaseConfig& config);

// UringDevice::RunQueue: a sliding window that keeps queue_depth reads in
// flight, submitting a new one as each completes (what fio does).
// REQUIRES: config.device is a UringDevice.
absl::StatusOr<CaseResult> RunUringWindowCase(const CaseConfig& config);

// Device::SubmitBatch of queue_depth reads, again and again: the whole batch
// waits for its slowest read, so the mean depth is below queue_depth. Every
// read of a batch gets the batch's latency.
absl::StatusOr<CaseResult> RunBatchCase(const std::string& name, const CaseConfig& config);

// fio --ioengine=io_uring --rw=randread --bs=4k on the same file.
absl::StatusOr<CaseResult> RunFioCase(const std::string& path, uint64_t file_bytes,
                                      int queue_depth, double seconds, bool direct);

// Whether `fio` is on PATH.
bool FioAvailable();

// Percentile `p` (0..100) of `values` (sorted in place), in microseconds.
double PercentileUs(std::vector<int64_t>& latencies_ns, double p);

}  // namespace kvlab::bench

#endif  // KVLAB_ENGINE_ENV_BENCH_BENCH_CASES_H_

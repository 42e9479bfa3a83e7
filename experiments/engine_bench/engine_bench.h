// `kvlab engine-bench`: any registered engine on a real device against fio on the
// same filesystem in the same run. Three phases:
//   1. sequential writes: Put of fixed-size values under ordered keys until
//      `user_bytes` key+value bytes, then Sync (or a Sync every N puts);
//      MiB/s of user bytes and of device bytes (from the device counters);
//   2. fio --rw=write --end_fsync=1 of the same number of bytes, at each block
//      size asked for, with the ioengine matching the device (psync / io_uring);
//   3. random Gets of keys written in phase 1: ops/s, latency p50/p99, and the
//      device reads per Get taken from the counters (Bitcask's target: 1.0).
// RunEngineBench does the work and returns a report; FormatReport prints it.
#ifndef KVLAB_EXPERIMENTS_ENGINE_BENCH_ENGINE_BENCH_H_
#define KVLAB_EXPERIMENTS_ENGINE_BENCH_ENGINE_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine_config.h"
#include "engine/env/env.h"

namespace kvlab::engine_bench {

struct Config {
  EngineConfig engine;               // Name and options (--engine, --set k=v).
  std::string device = "posix";      // "posix" or "uring".
  std::string dir = "results/engine-bench";  // Host directory; created if missing.
  uint64_t user_bytes = 1ull << 30;  // Key+value bytes written in phase 1.
  uint64_t value_bytes = 4096;
  uint64_t key_bytes = 16;
  uint64_t sync_every = 0;           // Sync after every N puts; 0 = one Sync at the end.
  // Puts per Write(batch); 1 = plain Put calls (the default and the target's
  // workload). Larger batches show what the engine does with large writes.
  uint64_t batch = 1;
  uint64_t reads = 100000;           // Gets in phase 3 (0 = skip the phase).
  bool run_fio = true;               // Phase 2 (skipped with a note when fio is missing).
  std::vector<uint64_t> fio_block_bytes = {4096, 1 << 20};  // --bs of each fio job.
  // One more fio job whose --bs is the engine's mean data-file write (e.g. a
  // 4156-byte Bitcask record): the kernel's cost of the engine's own write
  // pattern, to tell engine overhead from write-size overhead. Not a target.
  bool fio_engine_block = true;
  double target_ratio = 0.85;        // PASS when engine/fio >= this (the compared bs).
  int repeat = 1;                    // Phases 1 and 2 run this many times, interleaved.
  bool keep = false;                 // Keep the store and fio files.
  uint64_t seed = 1;                 // Values and the read key order.
};

// One run of the write phase.
struct WriteRun {
  uint64_t puts = 0;
  uint64_t syncs = 0;
  uint64_t user_bytes = 0;    // Key + value bytes passed to Put.
  double seconds = 0;         // First Put to the end of the last Sync.
  double sync_seconds = 0;    // Of which inside Sync() calls.
  // Mean bytes per write to data files (all files if none is tagged kData).
  uint64_t mean_data_write_bytes() const;
  double cpu_seconds = 0;     // User + system CPU of this process in the phase.
  IoCounters::PerKind device; // Device I/O of the phase, all file kinds.
  IoCounters by_kind;         // The same, split by file kind.
  double put_p50_us = 0, put_p99_us = 0, put_max_us = 0;  // Per Put (or Write(batch)) call.
  double user_mib_per_s() const { return seconds > 0 ? user_bytes / seconds / 1048576.0 : 0; }
  double device_mib_per_s() const {
    return seconds > 0 ? device.bytes_written / seconds / 1048576.0 : 0;
  }
};

// One fio job (phase 2).
struct FioRun {
  uint64_t block_bytes = 0;
  bool engine_block = false;  // The job at the engine's write size (not a target).
  std::string command;
  uint64_t bytes = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // fio's usr_cpu + sys_cpu over its runtime.
  double mib_per_s() const { return seconds > 0 ? bytes / seconds / 1048576.0 : 0; }
};

struct ReadPhase {
  uint64_t gets = 0;
  uint64_t wrong_values = 0;  // Gets whose value was not the one written.
  uint64_t device_reads = 0;  // Read operations the device counted in the phase.
  uint64_t device_bytes_read = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0;
  // Device reads / gets, from the counters; -1 when the device keeps none.
  double reads_per_get = -1;
  double ops_per_s() const { return seconds > 0 ? gets / seconds : 0; }
};

struct Report {
  Config config;
  std::string device_name;             // e.g. "counting(posix)".
  std::vector<WriteRun> write_runs;    // One per repeat.
  std::vector<std::vector<FioRun>> fio_runs;  // [repeat][block size]; empty if skipped.
  std::string fio_note;                // Why fio did not run, if it did not.
  ReadPhase read;
  // Medians over the repeats (by MiB/s), the figures of the table.
  WriteRun write;
  std::vector<FioRun> fio;             // One per block size.
  // The fio job the target is checked against (index into `fio`), -1 if none:
  // of the --fio-bs jobs, the one whose block size is nearest (log scale) the
  // engine's mean data write; the engine-size job is never the target.
  int compared_fio = -1;
  // Engine user MiB/s over the compared fio job's MiB/s, per repeat (each engine
  // run against the fio run that followed it), median over the repeats.
  double ratio = 0;
  bool pass = false;
};

// InvalidArgument for a bad config (naming the field); the registry's error for
// an unknown engine or option; otherwise the errors of the engine, the device
// and fio, each naming what failed.
absl::StatusOr<Report> RunEngineBench(const Config& config);

// The side-by-side table, ready to print.
std::string FormatReport(const Report& report);

// The key of the i-th put: decimal i, zero-padded to `key_bytes` (so the keys
// sort in the order they were written). REQUIRES: key_bytes >= 8.
std::string KeyOf(uint64_t i, uint64_t key_bytes);

}  // namespace kvlab::engine_bench

#endif  // KVLAB_EXPERIMENTS_ENGINE_BENCH_ENGINE_BENCH_H_

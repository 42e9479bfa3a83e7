// Running fio beside our own benchmarks: finding it, running one job, and
// reading figures out of its JSON output with a few targeted lookups (no JSON
// library: fio's layout is stable across 3.x). Shared by the benchmarks that
// compare an engine or a device with fio on the same filesystem in the same
// run (`kvlab engine-bench`; `kvlab device-bench`'s fio_runner.cc).
#ifndef KVLAB_ENGINE_ENV_BENCH_FIO_H_
#define KVLAB_ENGINE_ENV_BENCH_FIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kvlab::fio {

// Whether `fio` is on PATH.
bool OnPath();

// `s` quoted for /bin/sh.
std::string ShellQuote(const std::string& s);

// Runs `fio <args...> --output-format=json` and returns its JSON text (from the
// first '{'). Unavailable, quoting the command and fio's output, when fio
// fails or prints no JSON. `wall_seconds`, if given, gets the wall time of the
// whole fio process (layout and setup included).
absl::StatusOr<std::string> RunJson(const std::vector<std::string>& args,
                                    double* wall_seconds = nullptr);

// The number after `"key" :` at or after `from`; -1 if absent. `end`, if given,
// gets the position just after the number.
double NumberAfter(const std::string& json, size_t from, const std::string& key,
                   size_t* end = nullptr);

// One sequential write job: `fio --rw=write --bs=<block_bytes> --size=<bytes>
// --ioengine=<ioengine> --direct=<0|1> --end_fsync=1` on `path`.
struct SeqWriteJob {
  std::string path;              // Host path of the file; created, overwritten.
  uint64_t bytes = 0;            // --size.
  uint64_t block_bytes = 4096;   // --bs.
  std::string ioengine = "psync";  // "psync" or "io_uring".
  bool direct = false;
};

struct SeqWriteResult {
  std::string command;      // The exact fio command line that ran.
  uint64_t bytes = 0;       // io_bytes of the write side.
  double seconds = 0;       // fio's write runtime: includes the final fsync.
  double wall_seconds = 0;  // The whole fio process, for a sanity check.
  double cpu_seconds = 0;   // usr_cpu + sys_cpu (percent of runtime) x runtime.
  double mib_per_s() const { return seconds > 0 ? bytes / seconds / (1024.0 * 1024.0) : 0; }
};

absl::StatusOr<SeqWriteResult> RunSeqWrite(const SeqWriteJob& job);

}  // namespace kvlab::fio

#endif  // KVLAB_ENGINE_ENV_BENCH_FIO_H_

// The phases of `kvlab engine-bench` (see engine_bench.h) and the table.
// Timing uses std::chrono: this is experiment code, outside engine/.
#include "experiments/engine_bench/engine_bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/status_macros.h"
#include "engine/env/bench/fio.h"
#include "engine/env/real_env.h"
#include "experiments/histogram/histogram.h"

namespace kvlab::engine_bench {
namespace {

constexpr const char* kStoreDir = "store";
constexpr const char* kFioFile = "fio-seqwrite.dat";

// User + system CPU seconds of the whole process so far.
double ProcessCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The value of the i-th put: a seeded random block with i in its first 8 bytes,
// so that every value differs and a Get can tell whose value it got.
void StampValue(uint64_t i, std::string* value) {
  std::memcpy(value->data(), &i, std::min<size_t>(sizeof(i), value->size()));
}

bool ValueMatches(uint64_t i, const std::string& expected_tail, const std::string& got) {
  if (got.size() != expected_tail.size()) return false;
  const size_t stamp = std::min<size_t>(sizeof(i), got.size());
  if (std::memcmp(got.data(), &i, stamp) != 0) return false;
  return std::memcmp(got.data() + stamp, expected_tail.data() + stamp, got.size() - stamp) == 0;
}

absl::Status CheckConfig(const Config& c) {
  if (c.device != "posix" && c.device != "uring") {
    return absl::InvalidArgumentError(
        absl::StrCat("device '", c.device, "' is not one of: posix, uring"));
  }
  if (c.key_bytes < 8 || c.key_bytes > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("key size ", c.key_bytes, " is outside [8, 1024]"));
  }
  if (c.value_bytes < 1 || c.value_bytes > (64u << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat("value size ", c.value_bytes, " is outside [1, 64MiB]"));
  }
  if (c.user_bytes < c.key_bytes + c.value_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "size ", c.user_bytes, " is less than one key+value (", c.key_bytes + c.value_bytes, ")"));
  }
  if (c.batch < 1 || c.batch > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat("batch ", c.batch, " is outside [1, 1e6]"));
  }
  if (c.repeat < 1 || c.repeat > 20) {
    return absl::InvalidArgumentError(absl::StrCat("repeat ", c.repeat, " is outside [1, 20]"));
  }
  for (uint64_t bs : c.fio_block_bytes) {
    if (bs < 512 || bs > (64u << 20)) {
      return absl::InvalidArgumentError(absl::StrCat("fio block size ", bs,
                                                     " is outside [512, 64MiB]"));
    }
  }
  if (c.dir.empty()) return absl::InvalidArgumentError("dir is empty");
  return absl::OkStatus();
}

double PercentileUs(const LatencyHistogram& h, double p) {
  return h.empty() ? 0 : h.ValueAtPercentile(p) / 1000.0;
}

// Phase 1 on a fresh store at `store_path`; leaves the store open in *store.
absl::StatusOr<WriteRun> WritePhase(const Config& c, RealEnv& real,
                                    std::unique_ptr<KvStore>* store) {
  std::error_code ignored;  // Missing is fine: a fresh store either way.
  std::filesystem::remove_all(std::filesystem::path(c.dir) / kStoreDir, ignored);
  ASSIGN_OR_RETURN(*store, EngineRegistry::Default().Open(c.engine, real.env(), kStoreDir));
  const uint64_t entry_bytes = c.key_bytes + c.value_bytes;
  const uint64_t puts = (c.user_bytes + entry_bytes - 1) / entry_bytes;
  std::string value(c.value_bytes, '\0');
  Random random(c.seed);
  for (char& ch : value) ch = static_cast<char>(random.Next());
  LatencyHistogram latency;
  WriteRun run;
  const IoCounters before = real.device().Snapshot();
  const double cpu_start = ProcessCpuSeconds();
  const int64_t start = NowNs();
  WriteBatch batch;
  for (uint64_t i = 0; i < puts; ++i) {
    StampValue(i, &value);
    const std::string key = KeyOf(i, c.key_bytes);
    const bool last = i + 1 == puts;
    absl::Status s;
    const int64_t put_start = NowNs();
    if (c.batch <= 1) {
      s = (*store)->Put(WriteOptions{}, key, value);
      latency.Record(NowNs() - put_start);
    } else {
      batch.Put(key, value);
      if (batch.size() == c.batch || last ||
          (c.sync_every > 0 && (i + 1) % c.sync_every == 0)) {
        s = (*store)->Write(WriteOptions{}, batch);
        batch.Clear();
        latency.Record(NowNs() - put_start);  // Encoding the batch is not timed.
      }
    }
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("put #", i, ": ", s.message()));
    if ((c.sync_every > 0 && (i + 1) % c.sync_every == 0) || last) {
      const int64_t sync_start = NowNs();
      RETURN_IF_ERROR((*store)->Sync());
      run.sync_seconds += (NowNs() - sync_start) / 1e9;
      ++run.syncs;
    }
  }
  run.seconds = (NowNs() - start) / 1e9;
  run.cpu_seconds = ProcessCpuSeconds() - cpu_start;
  run.by_kind = real.device().Snapshot() - before;
  run.device = run.by_kind.Total();
  run.puts = puts;
  run.user_bytes = puts * entry_bytes;
  run.put_p50_us = PercentileUs(latency, 50);
  run.put_p99_us = PercentileUs(latency, 99);
  run.put_max_us = latency.empty() ? 0 : latency.Max() / 1000.0;
  return run;
}

// Phase 3 on the store phase 1 left open.
absl::StatusOr<ReadPhase> ReadPhaseRun(const Config& c, RealEnv& real, KvStore& store,
                                       uint64_t puts) {
  std::string expected(c.value_bytes, '\0');
  Random value_random(c.seed);
  for (char& ch : expected) ch = static_cast<char>(value_random.Next());
  Random random(c.seed ^ 0x9e3779b97f4a7c15ull);
  LatencyHistogram latency;
  ReadPhase r;
  const IoCounters before = real.device().Snapshot();
  const int64_t start = NowNs();
  for (uint64_t n = 0; n < c.reads; ++n) {
    const uint64_t i = random.Uniform(puts);
    const std::string key = KeyOf(i, c.key_bytes);
    const int64_t get_start = NowNs();
    absl::StatusOr<std::string> got = store.Get(ReadOptions{}, key);
    latency.Record(NowNs() - get_start);
    if (!got.ok()) {
      return absl::Status(got.status().code(),
                          absl::StrCat("get of key '", key, "': ", got.status().message()));
    }
    if (!ValueMatches(i, expected, *got)) ++r.wrong_values;
  }
  r.seconds = (NowNs() - start) / 1e9;
  const IoCounters::PerKind delta = (real.device().Snapshot() - before).Total();
  r.gets = c.reads;
  r.device_reads = delta.reads;
  r.device_bytes_read = delta.bytes_read;
  if (real.device().counters() != nullptr && r.gets > 0) {
    r.reads_per_get = static_cast<double>(r.device_reads) / r.gets;
  }
  r.p50_us = PercentileUs(latency, 50);
  r.p99_us = PercentileUs(latency, 99);
  return r;
}

absl::StatusOr<std::vector<FioRun>> FioPhase(const Config& c, const WriteRun& engine) {
  std::vector<FioRun> runs;
  const std::string path = (std::filesystem::path(c.dir) / kFioFile).string();
  std::vector<uint64_t> sizes = c.fio_block_bytes;
  const uint64_t engine_bs = engine.mean_data_write_bytes();
  const bool engine_job = c.fio_engine_block && engine_bs > 0 &&
                          std::find(sizes.begin(), sizes.end(), engine_bs) == sizes.end();
  if (engine_job) sizes.push_back(engine_bs);
  for (uint64_t bs : sizes) {
    fio::SeqWriteJob job;
    job.path = path;
    job.bytes = engine.user_bytes;
    job.block_bytes = bs;
    job.ioengine = c.device == "uring" ? "io_uring" : "psync";
    std::error_code ignored;  // A fresh file for every job, like the fresh store.
    std::filesystem::remove(path, ignored);
    ASSIGN_OR_RETURN(fio::SeqWriteResult r, fio::RunSeqWrite(job));
    runs.push_back(FioRun{bs, engine_job && bs == engine_bs, r.command, r.bytes, r.seconds,
                          r.cpu_seconds});
  }
  if (!c.keep) {
    std::error_code ignored;  // Best effort: the report matters more.
    std::filesystem::remove(path, ignored);
  }
  return runs;
}

// The index of the run with the median `key` (the lower middle for even counts).
template <typename T, typename Key>
size_t MedianIndex(const std::vector<T>& runs, Key key) {
  std::vector<size_t> order(runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return key(runs[a]) < key(runs[b]); });
  return order[(order.size() - 1) / 2];
}

void Summarise(Report& report) {
  report.write = report.write_runs[MedianIndex(
      report.write_runs, [](const WriteRun& w) { return w.user_mib_per_s(); })];
  if (report.fio_runs.empty()) return;
  const size_t jobs = report.fio_runs[0].size();
  for (size_t j = 0; j < jobs; ++j) {
    std::vector<FioRun> same_bs;
    for (const auto& rep : report.fio_runs) same_bs.push_back(rep[j]);
    report.fio.push_back(
        same_bs[MedianIndex(same_bs, [](const FioRun& f) { return f.mib_per_s(); })]);
  }
  // Compare with the fio job whose block size is nearest (in log scale) to the
  // engine's mean device write: the same I/O pattern, sequential, synced at the end.
  const double mean_write = std::max<double>(1, report.write.mean_data_write_bytes());
  double best = 1e300;
  for (size_t j = 0; j < report.fio.size(); ++j) {
    if (report.fio[j].engine_block) continue;
    const double d = std::fabs(std::log(report.fio[j].block_bytes / mean_write));
    if (d < best) best = d, report.compared_fio = static_cast<int>(j);
  }
  // The ratio of each repeat's engine run to the fio run right after it, then
  // the median: neighbours in time share the disk's mood (cloud disks drift).
  std::vector<double> ratios;
  for (size_t i = 0; i < report.fio_runs.size(); ++i) {
    const double fio_mib = report.fio_runs[i][report.compared_fio].mib_per_s();
    ratios.push_back(fio_mib > 0 ? report.write_runs[i].user_mib_per_s() / fio_mib : 0);
  }
  report.ratio = ratios[MedianIndex(ratios, [](double r) { return r; })];
  report.pass = report.ratio >= report.config.target_ratio;
}

}  // namespace

uint64_t WriteRun::mean_data_write_bytes() const {
  const IoCounters::PerKind& data = by_kind.by_kind[static_cast<size_t>(FileKind::kData)];
  if (data.writes > 0) return (data.bytes_written + data.writes / 2) / data.writes;
  return device.writes > 0 ? (device.bytes_written + device.writes / 2) / device.writes : 0;
}

std::string KeyOf(uint64_t i, uint64_t key_bytes) {
  std::string digits = absl::StrCat(i);
  if (digits.size() >= key_bytes) return digits;
  return std::string(key_bytes - digits.size(), '0') + digits;
}

namespace {

absl::StatusOr<Report> RunPhases(const Config& config) {
  if (EngineRegistry::Default().Find(config.engine.name) == nullptr) {
    std::string names;
    for (const std::string& n : EngineRegistry::Default().Names()) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", n);
    }
    return absl::NotFoundError(
        absl::StrCat("unknown engine '", config.engine.name, "'; registered: ", names));
  }
  RETURN_IF_ERROR(EngineRegistry::Default().Validate(config.engine).status());
  Report report;
  report.config = config;
  const bool run_fio = config.run_fio && !config.fio_block_bytes.empty() && fio::OnPath();
  if (config.run_fio && !run_fio) report.fio_note = "fio is not on PATH: phase 2 skipped";
  if (!config.run_fio) report.fio_note = "fio not asked for (--fio=false)";
  ASSIGN_OR_RETURN(std::unique_ptr<RealEnv> real, RealEnv::Open(config.device, config.dir));
  report.device_name = real->device().name();
  std::unique_ptr<KvStore> store;
  for (int rep = 0; rep < config.repeat; ++rep) {
    if (store != nullptr) RETURN_IF_ERROR(store->Close());
    store.reset();
    ASSIGN_OR_RETURN(WriteRun run, WritePhase(config, *real, &store));
    report.write_runs.push_back(run);
    if (run_fio) {
      ASSIGN_OR_RETURN(std::vector<FioRun> fio_runs, FioPhase(config, run));
      report.fio_runs.push_back(std::move(fio_runs));
    }
  }
  if (config.reads > 0) {
    ASSIGN_OR_RETURN(report.read,
                     ReadPhaseRun(config, *real, *store, report.write_runs.back().puts));
  }
  RETURN_IF_ERROR(store->Close());
  Summarise(report);
  return report;
}

}  // namespace

absl::StatusOr<Report> RunEngineBench(const Config& config) {
  RETURN_IF_ERROR(CheckConfig(config));
  absl::StatusOr<Report> report = RunPhases(config);
  if (!config.keep) {  // Also after a failure: the files are ours either way.
    std::error_code ignored;  // Best effort; a leftover file is harmless.
    std::filesystem::remove_all(std::filesystem::path(config.dir) / kStoreDir, ignored);
    std::filesystem::remove(std::filesystem::path(config.dir) / kFioFile, ignored);
  }
  return report;
}

}  // namespace kvlab::engine_bench

// harness_bench: the cost of the runner's hot path (generator + clock +
// histogram) with no engine work, and with the `memory` engine, on YCSB-C,
// 1 client thread. A benchmark, not a test: prints ops/s.
//
//   bazel build -c opt //experiments/runner:harness_bench
//   bazel-bin/experiments/runner/harness_bench [ops] [records] [null|hash|btree|all]
//
// Besides wall-clock ops/s it prints the CPU time per operation of the run
// phase (getrusage), which other processes on a busy machine disturb less.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/synchronization/mutex.h"
#include "engine/engine_config.h"
#include "engine/env/real_env.h"
#include "experiments/runner/phase_runner.h"
#include "workloads/workload.h"

namespace kvlab::runner {
namespace {

// Answers every call at once: Get finds a fixed small value, writes succeed.
class NullStore : public KvStore {
 public:
  absl::Status Put(const WriteOptions&, std::string_view, std::string_view) override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Get(const ReadOptions&, std::string_view) override {
    return std::string("v");
  }
  absl::Status Delete(const WriteOptions&, std::string_view) override { return absl::OkStatus(); }
  absl::Status Write(const WriteOptions&, const WriteBatch&) override { return absl::OkStatus(); }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Maintain(MaintenanceKind) override { return absl::OkStatus(); }
  Stats GetStats() override { return Stats(); }
  Capabilities GetCapabilities() const override { return Capabilities(); }
  absl::Status Close() override { return absl::OkStatus(); }
};

int64_t CpuNanos() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  auto ns = [](const timeval& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_usec * 1000; };
  return ns(u.ru_utime) + ns(u.ru_stime);
}

// Loads, then runs the workload; prints wall ops/s and CPU ns per operation.
void Measure(const char* label, KvStore& store, const Env& env,
             const workloads::WorkloadSpec& spec) {
  PhaseOptions load;
  load.phase = Phase::kLoad;
  load.spec = &spec;
  if (!RunPhase(store, env, load).ok()) {
    std::printf("  %-32s load failed\n", label);
    return;
  }
  PhaseOptions run = load;
  run.phase = Phase::kRun;
  const int64_t cpu_start = CpuNanos();
  auto r = RunPhase(store, env, run);
  const int64_t cpu = CpuNanos() - cpu_start;
  if (!r.ok() || r->ops == 0) {
    std::printf("  %-32s run failed\n", label);
    return;
  }
  std::printf("  %-32s %12.0f ops/s  %7.1f CPU ns/op\n", label,
              static_cast<double>(r->ops) * 1e9 / static_cast<double>(r->duration_ns),
              static_cast<double>(cpu) / static_cast<double>(r->ops));
}

int Main(int argc, char** argv) {
  // As `kvlab run` (run_main.cc): no absl deadlock detection (Debian's absl is a debug build).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  uint64_t ops = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  uint64_t records = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  const std::string which = argc > 3 ? argv[3] : "all";
  if (which != "all" && which != "null" && which != "hash" && which != "btree") {
    std::fprintf(stderr, "harness_bench: unknown store '%s' (null, hash, btree or all)\n",
                 which.c_str());
    return 2;
  }
  auto spec = workloads::LoadWorkload("workloads/ycsb/workloadc.yaml");
  if (!spec.ok()) {
    std::fprintf(stderr, "%s (run from the repository root)\n", spec.status().ToString().c_str());
    return 2;
  }
  spec->operation_count = ops;
  spec->record_count = records;
  std::string root = (std::filesystem::temp_directory_path() / "kvlab_harness_bench").string();
  auto env = RealEnv::Open("posix", root);
  if (!env.ok()) return 1;
  NullStore null_store;
  std::printf("YCSB-C, %llu records, %llu ops, 1 thread\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(ops));
  if (which == "all" || which == "null") {
    Measure("harness only (null store):", null_store, (*env)->env(), *spec);
  }
  for (const char* ordered : {"false", "true"}) {
    if (which != "all" && which != (std::strcmp(ordered, "true") == 0 ? "btree" : "hash")) continue;
    auto store =
        EngineRegistry::Default().Open({"memory", {{"ordered", ordered}}}, (*env)->env(), "m");
    if (!store.ok()) return 1;
    std::string label = std::string("memory engine (ordered: ") + ordered + "):";
    Measure(label.c_str(), **store, (*env)->env(), *spec);
    (void)(*store)->Close();
  }
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace kvlab::runner

int main(int argc, char** argv) { return kvlab::runner::Main(argc, argv); }

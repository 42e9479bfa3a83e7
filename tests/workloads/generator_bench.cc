// Benchmark (not a test): operations per second of OperationGenerator::NextRun, the generator
// share of the harness budget (the target is >= 5 M ops/s end to end for YCSB-C on one thread).
#include "benchmark/benchmark.h"
#include "workloads/workload.h"

namespace kvlab::workloads {
namespace {

void RunWorkload(benchmark::State& state, const char* path) {
  auto spec = LoadWorkload(path);
  if (!spec.ok()) {
    state.SkipWithError(std::string(spec.status().message()).c_str());
    return;
  }
  spec->record_count = 1000000;
  spec->operation_count = 1000000;
  KeySpace keys(*spec, 1);
  OperationGenerator gen(*spec, &keys, 1, 0, 1);
  Operation op;
  for (auto _ : state) {
    gen.NextRun(&op);
    if (op.type == OpType::kInsert) gen.AcknowledgeInsert(op.keynum);
    benchmark::DoNotOptimize(op.key.data());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(RunWorkload, ycsb_a, "workloads/ycsb/workloada.yaml");
BENCHMARK_CAPTURE(RunWorkload, ycsb_c, "workloads/ycsb/workloadc.yaml");
BENCHMARK_CAPTURE(RunWorkload, ycsb_d, "workloads/ycsb/workloadd.yaml");
BENCHMARK_CAPTURE(RunWorkload, ycsb_e, "workloads/ycsb/workloade.yaml");
BENCHMARK_CAPTURE(RunWorkload, dbbench_readrandom, "workloads/dbbench/readrandom.yaml");

}  // namespace
}  // namespace kvlab::workloads

BENCHMARK_MAIN();

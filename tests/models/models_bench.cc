// Benchmarks (not tests): memory-engine point ops, the harness baseline, and
// the crash oracle's recording and checking costs.
//   bazel build -c opt //tests/models:models_bench && bazel-bin/tests/models/models_bench
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "benchmark/benchmark.h"
#include "engine/memory/memory_store.h"
#include "models/crash_oracle.h"

namespace kvlab {
namespace {

std::vector<std::string> Keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back("user" + std::to_string(i * 7919 % 1000003));
  return keys;
}

void BM_MemoryPut(benchmark::State& state) {
  memory::MemoryOptions options;
  options.ordered = state.range(0) != 0;
  auto db = memory::NewMemoryStore(options);
  const auto keys = Keys(100000);
  const std::string value(100, 'v');
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(db->Put(WriteOptions(), keys[i++ % keys.size()], value));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryPut)->Arg(0)->Arg(1)->ArgName("ordered");

void BM_MemoryGet(benchmark::State& state) {
  memory::MemoryOptions options;
  options.ordered = state.range(0) != 0;
  auto db = memory::NewMemoryStore(options);
  const auto keys = Keys(100000);
  for (const auto& k : keys) (void)db->Put(WriteOptions(), k, std::string(100, 'v'));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(db->Get(ReadOptions(), keys[i++ % keys.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryGet)->Arg(0)->Arg(1)->ArgName("ordered");

// Recording one acknowledged put (the per-op cost a simulation pays).
void BM_OracleAcknowledged(benchmark::State& state) {
  models::CrashOracle oracle(Durability::kSyncPoint);
  const auto keys = Keys(10000);
  size_t i = 0;
  WriteBatch b;
  for (auto _ : state) {
    b.Clear();
    b.Put(keys[i % keys.size()], "value");
    oracle.Acknowledged(b);
    if (++i % 1000 == 0) oracle.Synced();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OracleAcknowledged);

// One check: universe of 10k keys, window of range(0) unsynced ops, range(1)
// uncertain ops among them; the recovered state is the middle prefix.
void BM_OracleCheck(benchmark::State& state) {
  const auto keys = Keys(10000);
  const int window = static_cast<int>(state.range(0));
  const int uncertain = static_cast<int>(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    models::CrashOracle oracle(Durability::kSyncPoint);
    WriteBatch b;
    for (const auto& k : keys) {
      b.Clear();
      b.Put(k, "base");
      oracle.Acknowledged(b);
    }
    oracle.Synced();
    absl::flat_hash_map<std::string, std::string> found;
    for (int i = 0; i < window; ++i) {
      b.Clear();
      b.Put(keys[i % keys.size()], "w" + std::to_string(i));
      if (i < uncertain) {
        oracle.Uncertain(b);
      } else {
        oracle.Acknowledged(b);
      }
      if (i == window / 2) found = oracle.model().Values();
    }
    if (window == 0) found = oracle.model().Values();
    state.ResumeTiming();
    if (!oracle.CheckRecoveredState(found).ok()) state.SkipWithError("check failed");
  }
}
BENCHMARK(BM_OracleCheck)->Args({0, 0})->Args({10000, 0})->Args({10000, 4})->Args({10000, 10})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kvlab

BENCHMARK_MAIN();

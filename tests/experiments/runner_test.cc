// The runner end to end: a simulated run is bit-for-bit reproducible, a real
// run with the memory engine writes every output file with sane values, runs
// never overwrite each other, and a target rate measures from the intended
// start (a stalled operation makes later latencies large).
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine_config.h"
#include "engine/env/real_env.h"
#include "experiments/runner/experiment_config.h"
#include "experiments/runner/experiment_runner.h"
#include "experiments/runner/phase_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/sim_env.h"

namespace kvlab::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  fs::path dir = fs::path(base != nullptr ? base : "/tmp") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

absl::StatusOr<RunOutcome> RunText(const std::string& text, const std::string& out,
                               std::vector<std::string> sets = {}) {
  auto config = ParseExperiment(text, "exp.yaml", sets);
  if (!config.ok()) return config.status();
  RunOptions options;
  options.out_parent = out;
  options.log = nullptr;
  return RunExperiment(*config, options);
}

constexpr char kSim[] =
    "kvlab: experiment/v1\n"
    "name: simtiny\n"
    "engines: [{engine: bitcask, options: {write_buffer_size: 0}}, {engine: memory, id: mem}]\n"
    "workloads: [ycsb/workloada.yaml, ycsb/workloadd.yaml]\n"
    "set: {records.count: 200, run.ops: 600}\n"
    "device: {kind: sim, op_cost_ns: 500}\n"
    "matrix: {threads: [1, 3]}\n"
    "measure: {interval_ms: 1}\n"
    "repetitions: 2\n";

TEST(RunnerTest, SimulatedRunIsBitForBitReproducible) {
  std::string out = TempDir("sim");
  auto a = RunText(kSim, out);
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = RunText(kSim, out);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_NE(a->run_dir, b->run_dir);
  EXPECT_TRUE(a->complete);
  std::string summary = Read(fs::path(a->run_dir) / "summary.csv");
  EXPECT_EQ(summary, Read(fs::path(b->run_dir) / "summary.csv"));
  EXPECT_EQ(Read(fs::path(a->run_dir) / "timeline.jsonl"),
            Read(fs::path(b->run_dir) / "timeline.jsonl"));
  // 2 engines x 2 thread counts x 2 reps x (load, A, D) cells.
  ASSERT_EQ(a->cells.size(), 24u);
  for (const CellResult& c : a->cells) {
    EXPECT_TRUE(c.result.complete) << c.id.cell;
    EXPECT_EQ(c.result.errors, 0u) << c.id.cell << " " << c.result.first_error;
    EXPECT_EQ(c.result.ops, c.id.phase == "load" ? 200u : 600u) << c.id.cell;
    EXPECT_GT(c.result.duration_ns, 0) << c.id.cell;
    // Unbuffered bitcask (write_buffer_size: 0): its load reaches the device within the phase.
    if (c.id.engine == "bitcask" && c.id.phase == "load") {
      EXPECT_GT(c.result.device.bytes_written, c.result.user_bytes_written) << c.id.cell;
    }
  }
  // A different seed gives different numbers.
  auto other = RunText(kSim, out, {"seed=7"});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(summary, Read(fs::path(other->run_dir) / "summary.csv"));
}

constexpr char kReal[] =
    "kvlab: experiment/v1\n"
    "name: realtiny\n"
    "engines: [{engine: memory}]\n"
    "workloads: [ycsb/workloada.yaml, reload, ycsb/workloade.yaml]\n"
    "set: {records.count: 300, run.ops: 2000}\n"
    "device: {kind: posix}\n"
    "repetitions: 2\n"
    "measure: {interval_ms: 5}\n";

TEST(RunnerTest, RealRunWritesEveryFileWithSaneValues) {
  std::string out = TempDir("real");
  auto r = RunText(kReal, out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->complete);
  fs::path dir = r->run_dir;
  EXPECT_EQ(dir.parent_path(), fs::path(out) / "realtiny");
  for (const char* f : {"config.resolved.yaml", "meta.json", "timeline.jsonl", "summary.csv"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir / "data")) << "store folders are removed unless keep_data";
  std::string meta = Read(dir / "meta.json");
  EXPECT_THAT(meta, HasSubstr("\"complete\": true"));
  EXPECT_THAT(meta, HasSubstr("\"cells_done\": 8"));
  EXPECT_THAT(meta, HasSubstr("\"kernel\": \"Linux"));
  EXPECT_THAT(Read(dir / "config.resolved.yaml"), HasSubstr("ycsb-e"));
  // load A, run A, reload E, run E per repetition.
  ASSERT_EQ(r->cells.size(), 8u);
  for (const CellResult& c : r->cells) {
    EXPECT_EQ(c.result.errors, 0u) << c.id.cell << c.result.first_error;
    const LatencyHistogram* all = c.result.hist[kAllSlot].get();
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->total_count(), c.result.ops);
    EXPECT_LE(all->ValueAtPercentile(50), all->ValueAtPercentile(99));
    EXPECT_GT(all->ValueAtPercentile(50), 0);
    EXPECT_LT(all->ValueAtPercentile(50), 100'000'000) << "p50 under 100 ms";
    EXPECT_TRUE(fs::exists(dir / "hgrm" / (c.id.cell + ".all.hgrm"))) << c.id.cell;
    if (c.id.workload == "ycsb-e" && c.id.phase == "run") {
      EXPECT_GT(c.result.hist[3]->total_count(), 1000u) << "scans";
      EXPECT_GT(c.result.user_bytes_read, 0u);
    }
  }
  // summary.csv: header + 8 rep rows + (4 groups x mean, ci95).
  std::string summary = Read(dir / "summary.csv");
  std::vector<std::string> lines;
  std::stringstream ss(summary);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 1u + 8u + 8u);
  EXPECT_THAT(lines[0], HasSubstr("row,cell,engine,engine_name,workload,phase,device,threads"));
  EXPECT_THAT(lines[0], HasSubstr("all_p99_us"));
  EXPECT_EQ(lines[9].rfind("mean,,memory,memory,ycsb-a,load,posix,1,", 0), 0u) << lines[9];
  EXPECT_EQ(lines[10].rfind("ci95,,memory", 0), 0u) << lines[10];
  // Timeline lines are JSON objects with the documented keys.
  std::stringstream tl(Read(dir / "timeline.jsonl"));
  int n = 0;
  for (std::string l; std::getline(tl, l); ++n) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.back(), '}');
    EXPECT_THAT(l, HasSubstr("\"throughput_ops_s\":"));
    EXPECT_THAT(l, HasSubstr("\"latency_us\":{"));
  }
  EXPECT_GE(n, 8);
  // The .hgrm of a cell ends with HdrHistogram's footer.
  EXPECT_THAT(Read(dir / "hgrm" / (r->cells[1].id.cell + ".all.hgrm")),
              HasSubstr("#[Buckets =           37, SubBuckets     =         2048]"));
}

// A load-only workload (db_bench fillrandom: run.ops 0, no duration) runs its load and stops.
TEST(RunnerTest, LoadOnlyWorkloadHasNoRunCell) {
  std::string out = TempDir("loadonly");
  auto r = RunText(
      "kvlab: experiment/v1\nname: loadonly\nengines: [{engine: memory}]\n"
      "workloads: [dbbench/fillrandom.yaml, ycsb/workloadc.yaml]\n"
      "set: {records.count: 300}\ndevice: {kind: sim}\n",
      out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->complete);
  std::vector<std::string> phases;
  for (const CellResult& c : r->cells) phases.push_back(c.id.workload + ":" + c.id.phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"dbbench-fillrandom:load", "ycsb-c:run"}));
}

TEST(RunnerTest, NeverOverwritesAnEarlierRun) {
  std::string out = TempDir("twice");
  auto a = RunText(kReal, out, {"repetitions=1", "workloads.0.run.ops=100", "workloads.2.run.ops=100"});
  ASSERT_TRUE(a.ok()) << a.status();
  std::string before = Read(fs::path(a->run_dir) / "summary.csv");
  auto b = RunText(kReal, out, {"repetitions=1"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->run_dir, b->run_dir);
  EXPECT_EQ(Read(fs::path(a->run_dir) / "summary.csv"), before);
  EXPECT_NE(Read(fs::path(b->run_dir) / "summary.csv"), before);
}

TEST(RunnerTest, StopMarksTheRunIncomplete) {
  std::string out = TempDir("stop");
  auto config = ParseExperiment(kReal, "exp.yaml", {});
  ASSERT_TRUE(config.ok());
  std::atomic<bool> stop{true};
  RunOptions options;
  options.out_parent = out;
  options.log = nullptr;
  options.stop = &stop;
  auto r = RunExperiment(*config, options);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->complete);
  EXPECT_TRUE(r->interrupted);
  std::string meta = Read(fs::path(r->run_dir) / "meta.json");
  EXPECT_THAT(meta, HasSubstr("\"complete\": false"));
  EXPECT_THAT(meta, HasSubstr("\"interrupted\": true"));
}

uint64_t SamplesAbove(const LatencyHistogram& h, int64_t ns) {
  // Count by percentile walk: the fraction of samples <= ns.
  uint64_t below = 0;
  for (uint64_t i = 1; i <= h.total_count(); ++i) {
    double p = 100.0 * static_cast<double>(i) / static_cast<double>(h.total_count());
    if (h.ValueAtPercentile(p) <= ns) below = i;
  }
  return h.total_count() - below;
}

// Records every key it is asked for; the `stall_at`-th call sleeps `stall_ns` on the clock.
class RecordingStore : public KvStore {
 public:
  RecordingStore(std::unique_ptr<KvStore> inner, Clock* clock, int stall_at, int64_t stall_ns)
      : inner_(std::move(inner)), clock_(clock), stall_at_(stall_at), stall_ns_(stall_ns) {}
  absl::Status Put(const WriteOptions& o, std::string_view k, std::string_view v) override {
    Record(k);
    return inner_->Put(o, k, v);
  }
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view k) override {
    Record(k);
    return inner_->Get(o, k);
  }
  absl::Status Delete(const WriteOptions& o, std::string_view k) override {
    Record(k);
    return inner_->Delete(o, k);
  }
  absl::Status Write(const WriteOptions& o, const WriteBatch& b) override {
    return inner_->Write(o, b);
  }
  absl::Status Sync() override { return inner_->Sync(); }
  absl::Status Maintain(MaintenanceKind k) override { return inner_->Maintain(k); }
  Stats GetStats() override { return inner_->GetStats(); }
  Capabilities GetCapabilities() const override { return inner_->GetCapabilities(); }
  absl::Status Close() override { return inner_->Close(); }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  void Record(std::string_view k) {
    keys_.emplace_back(k);
    if (static_cast<int>(keys_.size()) == stall_at_) clock_->SleepNanos(stall_ns_);
  }
  std::unique_ptr<KvStore> inner_;
  Clock* clock_;
  const int stall_at_;
  const int64_t stall_ns_;
  std::vector<std::string> keys_;  // only the client thread calls Put/Get/Delete
};

// Real threads, unthrottled: read-only workloads are generated ahead in batches and timed with
// one clock read per operation; workloads with inserts one by one. Either way the store sees
// exactly the generator's stream, every operation is one sample, and a slow call shows in its
// own sample only.
TEST(RunnerTest, RealThreadsRunTheGeneratedStreamOneSamplePerOperation) {
  for (const char* workload : {"ycsb/workloadc.yaml", "ycsb/workloadb.yaml",
                               "ycsb/workloadd.yaml"}) {
    SCOPED_TRACE(workload);
    auto config = ParseExperiment(
        absl::StrCat("kvlab: experiment/v1\nname: t\nengines: [{engine: memory}]\n",
                     "workloads: [", workload, "]\nset: {records.count: 100, run.ops: 3000}\n"),
        "exp.yaml", {});
    ASSERT_TRUE(config.ok()) << config.status();
    const workloads::WorkloadSpec& spec = config->workloads[0].spec;
    auto env = RealEnv::Open("posix", TempDir("real_stream"));
    ASSERT_TRUE(env.ok()) << env.status();
    auto inner = EngineRegistry::Default().Open({"memory", {}}, (*env)->env(), "db");
    ASSERT_TRUE(inner.ok());
    constexpr int kStallAt = 100 + 1000;  // the 1000th run-phase call (after 100 loads)
    RecordingStore store(*std::move(inner), (*env)->env().clock, kStallAt, 30'000'000);
    PhaseOptions load;
    load.phase = Phase::kLoad;
    load.spec = &spec;
    load.seed = 9;
    ASSERT_TRUE(RunPhase(store, (*env)->env(), load).ok());
    PhaseOptions run = load;
    run.phase = Phase::kRun;
    auto r = RunPhase(store, (*env)->env(), run);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->ops, 3000u);
    EXPECT_EQ(r->errors, 0u);
    ASSERT_NE(r->hist[kAllSlot], nullptr);
    EXPECT_EQ(r->hist[kAllSlot]->total_count(), 3000u);
    EXPECT_EQ(SamplesAbove(*r->hist[kAllSlot], 20'000'000), 1u);
    EXPECT_GE(r->duration_ns, 30'000'000);

    // The same stream straight from the generators (one client, seed 9).
    std::vector<std::string> expected;
    workloads::KeySpace keys(spec, 9);
    workloads::OperationGenerator gen(spec, &keys, 9, 0, 1);
    workloads::Operation op;
    while (gen.NextLoad(&op)) expected.push_back(op.key);
    workloads::KeySpace run_keys(spec, 9);
    workloads::OperationGenerator run_gen(spec, &run_keys, 9, 0, 1);
    for (int i = 0; i < 3000; ++i) {
      run_gen.NextRun(&op);
      expected.push_back(op.key);
      if (op.type == workloads::OpType::kUpdate) expected.push_back(op.key);  // Get, then Put
      if (op.type == workloads::OpType::kInsert) run_gen.AcknowledgeInsert(op.keynum);
    }
    EXPECT_EQ(store.keys(), expected);
  }
}

// A store whose 300th call stalls 50 ms (virtual time), for coordinated omission.
class StallingStore : public KvStore {
 public:
  StallingStore(std::unique_ptr<KvStore> inner, Clock* clock)
      : inner_(std::move(inner)), clock_(clock) {}
  absl::Status Put(const WriteOptions& o, std::string_view k, std::string_view v) override {
    Tick();
    return inner_->Put(o, k, v);
  }
  absl::StatusOr<std::string> Get(const ReadOptions& o, std::string_view k) override {
    Tick();
    return inner_->Get(o, k);
  }
  absl::Status Delete(const WriteOptions& o, std::string_view k) override { return inner_->Delete(o, k); }
  absl::Status Write(const WriteOptions& o, const WriteBatch& b) override { return inner_->Write(o, b); }
  absl::Status Sync() override { return inner_->Sync(); }
  absl::Status Maintain(MaintenanceKind k) override { return inner_->Maintain(k); }
  Stats GetStats() override { return inner_->GetStats(); }
  Capabilities GetCapabilities() const override { return inner_->GetCapabilities(); }
  absl::Status Close() override { return inner_->Close(); }

 private:
  void Tick() {
    if (++calls_ == 300) clock_->SleepNanos(50'000'000);
  }
  std::unique_ptr<KvStore> inner_;
  Clock* clock_;
  int calls_ = 0;
};

TEST(RunnerTest, TargetRateMeasuresFromTheIntendedStart) {
  auto config = ParseExperiment(
      "kvlab: experiment/v1\nname: co\nengines: [{engine: memory}]\n"
      "workloads: [ycsb/workloadc.yaml]\nset: {records.count: 100, run.ops: 1000}\n",
      "exp.yaml", {});
  ASSERT_TRUE(config.ok()) << config.status();
  const workloads::WorkloadSpec& spec = config->workloads[0].spec;
  auto measure = [&](double rate) {
    sim::SimEnv env(1, sim::FaultProfile::None());
    auto inner = EngineRegistry::Default().Open({"memory", {}}, env.env(), "db");
    EXPECT_TRUE(inner.ok());
    StallingStore store(*std::move(inner), env.env().clock);
    PhaseOptions load;
    load.phase = Phase::kLoad;
    load.spec = &spec;
    load.simulated = true;
    EXPECT_TRUE(RunPhase(store, env.env(), load).ok());  // 100 puts: the stall comes later
    PhaseOptions run = load;
    run.phase = Phase::kRun;
    run.target_ops_per_sec = rate;
    run.op_cost_ns = 1000;
    auto r = RunPhase(store, env.env(), run);
    EXPECT_TRUE(r.ok());
    return std::move(r->hist[kAllSlot]);
  };
  // Service time: only the stalled call is slow.
  auto service = measure(0);
  EXPECT_EQ(SamplesAbove(*service, 1'000'000), 1u);
  EXPECT_GE(service->Max(), 50'000'000);
  // 10k ops/s: every operation intended during the 50 ms stall is late by up
  // to 50 ms: about 500 of them are above 1 ms.
  auto intended = measure(10'000);
  EXPECT_GE(intended->Max(), 50'000'000);
  EXPECT_GT(SamplesAbove(*intended, 1'000'000), 400u);
  EXPECT_LT(SamplesAbove(*intended, 1'000'000), 600u);
}

}  // namespace
}  // namespace kvlab::runner

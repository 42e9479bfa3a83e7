// RunExperiment: cells, devices, phases and the run folder (see experiment_runner.h).
#include "experiments/runner/experiment_runner.h"

#include <filesystem>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/common/hash.h"
#include "engine/common/status_macros.h"
#include "engine/env/real_env.h"
#include "experiments/runner/progress.h"
#include "sim/sim_env.h"

namespace kvlab::runner {
namespace {

namespace fs = std::filesystem;
using workloads::WorkloadSpec;

uint64_t Mix(uint64_t a, uint64_t b) { return Mix64(a + kGoldenGamma * (b + 1)); }

struct Step {
  bool wipe = false;  // close the store and start a new, empty one first
  Phase phase = Phase::kRun;
  size_t workload = 0;  // index into config.workloads
};

std::vector<Step> PlanSteps(const ExperimentConfig& config) {
  std::vector<Step> steps;
  const auto& w = config.workloads;
  bool first = true;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i].reload) {
      if (!config.fresh_schedule) steps.push_back({true, Phase::kLoad, i + 1});
      continue;
    }
    if (config.fresh_schedule || first) steps.push_back({!first, Phase::kLoad, i});
    first = false;
    steps.push_back({false, Phase::kRun, i});
  }
  return steps;
}

// One point of the matrix: (key, value) per axis.
using Point = std::vector<std::pair<std::string, std::string>>;

std::vector<Point> MatrixPoints(const ExperimentConfig& config) {
  std::vector<Point> points = {{}};
  for (const MatrixAxis& axis : config.matrix) {
    std::vector<Point> next;
    for (const Point& p : points) {
      for (const std::string& v : axis.values) {
        Point q = p;
        q.emplace_back(axis.key, v);
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

// A series: one engine at one matrix point and repetition; its own device.
struct Series {
  const EngineEntry* engine;
  EngineConfig engine_config;
  std::vector<WorkloadSpec> specs;  // per config.workloads index (matrix overrides applied)
  uint32_t threads;
  double target;
  Point extra;  // matrix keys other than threads / target_ops_per_sec
  uint32_t repetition;
  uint64_t seed;
  std::string label;  // folder name on real devices
};

absl::StatusOr<Series> MakeSeries(const ExperimentConfig& config, const EngineEntry& engine,
                                  const Point& point, uint32_t rep, uint64_t seed) {
  Series s{&engine, engine.config, {}, config.threads, config.target_ops_per_sec, {}, rep, seed, ""};
  for (const WorkloadEntry& w : config.workloads) s.specs.push_back(w.spec);
  for (const auto& [key, value] : point) {
    if (key == "threads") {
      s.threads = static_cast<uint32_t>(std::stoul(value));
    } else if (key == "target_ops_per_sec") {
      s.target = std::stod(value);
    } else {
      s.extra.emplace_back(key, value);
      if (key.rfind("workload.", 0) == 0) {
        for (size_t i = 0; i < s.specs.size(); ++i) {
          if (config.workloads[i].reload) continue;
          RETURN_IF_ERROR(workloads::ApplyOverride(s.specs[i], key.substr(9), value));
          RETURN_IF_ERROR(workloads::Validate(s.specs[i]));
        }
      } else if (key.rfind("engine.", 0) == 0) {
        s.engine_config.options[key.substr(7)] = value;
      }
    }
  }
  // The series label: the cell id without workload and phase.
  CellIdentity id;
  id.engine = engine.id;
  id.threads = s.threads;
  id.target_ops_per_sec = s.target;
  id.matrix = s.extra;
  id.repetition = rep;
  std::string cell = MakeCellId(id);  // "<engine>______<matrix>__r<rep>"
  size_t gap = cell.find("______");
  s.label = gap == std::string::npos ? cell : cell.substr(0, gap) + "__" + cell.substr(gap + 6);
  return s;
}

// The Env of one series: real (RealEnv) or simulated (SimEnv).
struct SeriesEnv {
  std::unique_ptr<RealEnv> real;
  std::unique_ptr<sim::SimEnv> simulated;
  std::string root;  // real: host folder of the series
  const Env& env() const { return real ? real->env() : simulated->env(); }
};

absl::StatusOr<SeriesEnv> MakeEnv(const ExperimentConfig& config, const sim::FaultProfile& profile,
                                  const std::string& data_root, const Series& series) {
  SeriesEnv e;
  if (config.device.kind == DeviceKind::kSim) {
    e.simulated = std::make_unique<sim::SimEnv>(series.seed, profile);
    return e;
  }
  e.root = (fs::path(data_root) / series.label).string();
  RealEnvOptions options;
  options.seed = series.seed;
  ASSIGN_OR_RETURN(e.real, RealEnv::Open(DeviceKindName(config.device.kind), e.root, options));
  return e;
}

// A load-only workload (run.ops and run.duration both 0, e.g. db_bench fillrandom) has no run
// cell: run.ops 0 alone means "no op limit", so running it would never end.
bool NoRunPhase(const Series& series, const Step& step) {
  return step.phase == Phase::kRun && !series.specs[step.workload].has_run_phase();
}

class Runner {
 public:
  Runner(const ExperimentConfig& config, const RunOptions& options, const sim::FaultProfile& profile,
         ResultsWriter& writer, RunMeta& meta, Progress& progress)
      : config_(config), options_(options), profile_(profile), writer_(writer), meta_(meta),
        progress_(progress) {}

  bool stopped() const { return options_.stop != nullptr && options_.stop->load(); }

  // Runs every step of one series; failures are recorded in meta.
  void RunSeries(const Series& series, const std::string& data_root) {
    absl::StatusOr<SeriesEnv> env = MakeEnv(config_, profile_, data_root, series);
    if (!env.ok()) return Fail(series.label, env.status());
    const EngineRegistry& registry = EngineRegistry::Default();
    std::unique_ptr<KvStore> store;
    int generation = 0;
    std::vector<Step> steps = PlanSteps(config_);
    for (size_t k = 0; k < steps.size() && !stopped(); ++k) {
      const Step& step = steps[k];
      if (NoRunPhase(series, step)) continue;
      if (step.wipe || store == nullptr) {
        if (store != nullptr) {
          absl::Status closed = store->Close();
          store.reset();
          if (!closed.ok()) return Fail(series.label, closed);
          if (env->real && !config_.device.keep_data) {
            std::error_code ec;
            fs::remove_all(fs::path(env->root) / absl::StrCat("db-", generation), ec);
          }
          ++generation;
        }
        auto opened = registry.Open(series.engine_config, env->env(), absl::StrCat("db-", generation));
        if (!opened.ok()) return Fail(series.label, opened.status());
        store = *std::move(opened);
      }
      bool ok = RunCell(series, step, k, *store, env->env());
      if (env->simulated && env->simulated->crash_pending()) {
        // A crash point of the fault profile: crash the device, drop the engine
        // object (its files are dead) and recover by reopening the same store.
        env->simulated->Crash();
        store.reset();
        if (options_.log != nullptr) {
          std::fprintf(options_.log, "kvlab run: %s: simulated crash; reopening the store\n",
                       series.label.c_str());
        }
        auto reopened = registry.Open(series.engine_config, env->env(), absl::StrCat("db-", generation));
        if (!reopened.ok()) return Fail(series.label, reopened.status());
        store = *std::move(reopened);
      }
      if (!ok) break;
    }
    if (store != nullptr) {
      absl::Status closed = store->Close();
      if (!closed.ok()) Fail(series.label, closed);
    }
    store.reset();
    std::string root = env->root;
    *env = SeriesEnv();
    if (!root.empty() && !config_.device.keep_data) {
      std::error_code ec;
      fs::remove_all(root, ec);
    }
  }

 private:
  void Fail(const std::string& what, const absl::Status& status) {
    ++meta_.cells_failed;
    meta_.errors.push_back(absl::StrCat(what, ": ", status.ToString()));
    if (options_.log != nullptr) {
      std::fprintf(options_.log, "kvlab run: %s failed: %s\n", what.c_str(),
                   status.ToString().c_str());
    }
  }

  bool RunCell(const Series& series, const Step& step, size_t index, KvStore& store, const Env& env) {
    const WorkloadSpec& spec = series.specs[step.workload];
    CellIdentity id;
    id.engine = series.engine->id;
    id.engine_name = series.engine_config.name;
    id.workload = spec.name;
    id.phase = step.phase == Phase::kLoad ? "load" : "run";
    id.device = std::string(DeviceKindName(config_.device.kind));
    id.threads = series.threads;
    id.target_ops_per_sec = step.phase == Phase::kLoad ? 0 : series.target;
    id.matrix = series.extra;
    id.repetition = series.repetition;
    id.seed = Mix(series.seed, index);
    id.cell = MakeCellId(id);
    PhaseOptions po;
    po.phase = step.phase;
    po.spec = &spec;
    po.clients = series.threads;
    po.target_ops_per_sec = id.target_ops_per_sec;
    if (step.phase == Phase::kRun && po.target_ops_per_sec == 0) {
      po.target_ops_per_sec = spec.target_ops_per_second;
    }
    if (po.target_ops_per_sec > 0) meta_.any_target_rate = true;
    po.seed = id.seed;
    po.interval_ns = config_.interval_ns;
    po.simulated = config_.device.kind == DeviceKind::kSim;
    po.op_cost_ns = config_.device.op_cost_ns;
    po.stop = options_.stop;
    bool write_failed = false;
    po.on_interval = [&](const IntervalRecord& r) {
      absl::Status s = writer_.AppendTimeline(id, r);
      if (!s.ok() && !write_failed) {
        write_failed = true;
        Fail(id.cell, s);
      }
    };
    po.on_progress = [&](uint64_t ops) { progress_.Update(ops); };
    progress_.StartCell(id.cell);
    absl::StatusOr<PhaseResult> result = RunPhase(store, env, po);
    if (!result.ok()) {
      progress_.FinishCell(0, 0, false);
      Fail(id.cell, result.status());
      return false;
    }
    double seconds = static_cast<double>(result->duration_ns) / 1e9;
    progress_.FinishCell(result->ops, seconds > 0 ? static_cast<double>(result->ops) / seconds : 0,
                         result->complete);
    if (result->errors > 0 && options_.log != nullptr) {
      std::fprintf(options_.log, "kvlab run: %s: %llu operations failed; the first: %s\n",
                   id.cell.c_str(), static_cast<unsigned long long>(result->errors),
                   result->first_error.c_str());
    }
    bool complete = result->complete;
    absl::Status added = writer_.AddCell(CellResult{id, *std::move(result)});
    if (!added.ok()) Fail(id.cell, added);
    if (complete) ++meta_.cells_done;
    return complete;
  }

  const ExperimentConfig& config_;
  const RunOptions& options_;
  const sim::FaultProfile& profile_;
  ResultsWriter& writer_;
  RunMeta& meta_;
  Progress& progress_;
};

}  // namespace

absl::StatusOr<RunOutcome> RunExperiment(const ExperimentConfig& config, const RunOptions& options) {
  sim::FaultProfile profile = sim::FaultProfile::None();
  if (config.device.kind == DeviceKind::kSim && !config.device.fault_profile.empty()) {
    ASSIGN_OR_RETURN(profile, sim::FaultProfile::Load(config.device.fault_profile));
  }
  std::vector<std::string> matrix_keys;
  for (const MatrixAxis& a : config.matrix) {
    if (a.key != "threads" && a.key != "target_ops_per_sec") matrix_keys.push_back(a.key);
  }
  std::string parent = options.out_parent.empty() ? config.output_dir : options.out_parent;
  ASSIGN_OR_RETURN(std::unique_ptr<ResultsWriter> writer,
                   ResultsWriter::Create(parent, config.name, matrix_keys));
  RETURN_IF_ERROR(writer->WriteConfig(config.resolved_yaml));
  std::string data_root = config.device.dir.empty()
                              ? (fs::path(writer->dir()) / "data").string()
                              : (fs::path(config.device.dir) /
                                 absl::StrCat(config.name, "-", fs::path(writer->dir()).filename().string()))
                                    .string();
  // Plan every series.
  std::vector<Series> plan;
  std::vector<Point> points = MatrixPoints(config);
  for (size_t e = 0; e < config.engines.size(); ++e) {
    for (size_t p = 0; p < points.size(); ++p) {
      for (uint32_t rep = 0; rep < config.repetitions; ++rep) {
        uint64_t seed = Mix(Mix(Mix(config.seed, e), p), rep);
        ASSIGN_OR_RETURN(Series s, MakeSeries(config, config.engines[e], points[p], rep, seed));
        plan.push_back(std::move(s));
      }
    }
  }
  std::vector<Step> steps = PlanSteps(config);
  uint64_t planned_ops = 0;
  for (const Series& s : plan) {
    for (const Step& st : steps) planned_ops += PlannedOps(st.phase, s.specs[st.workload]);
  }
  RunMeta meta;
  meta.name = config.name;
  std::error_code ec;
  meta.experiment_file = fs::absolute(config.source_path, ec).string();
  meta.command_line = options.command_line;
  meta.seed = config.seed;
  meta.device_kind = std::string(DeviceKindName(config.device.kind));
  meta.device_dir = config.device.kind == DeviceKind::kSim ? "" : data_root;
  meta.fault_profile = config.device.fault_profile.empty() ? "none" : config.device.fault_profile;
  meta.op_cost_ns = config.device.op_cost_ns;
  meta.start_utc = UtcNow();
  meta.cells_planned = 0;
  for (const Series& s : plan) {
    for (const Step& st : steps) meta.cells_planned += NoRunPhase(s, st) ? 0 : 1;
  }
  if (config.device.kind != DeviceKind::kSim) fs::create_directories(data_root, ec);
  RETURN_IF_ERROR(writer->WriteMeta(meta));
  Progress progress(options.log, options.terminal, planned_ops, meta.cells_planned);
  Runner runner(config, options, profile, *writer, meta, progress);
  for (const Series& s : plan) {
    if (runner.stopped()) break;
    runner.RunSeries(s, data_root);
  }
  progress.Done();
  if (config.device.kind != DeviceKind::kSim && config.device.dir.empty() &&
      !config.device.keep_data) {
    fs::remove(data_root, ec);  // only if empty
  }
  RunOutcome outcome;
  outcome.run_dir = writer->dir();
  outcome.interrupted = runner.stopped();
  meta.interrupted = outcome.interrupted;
  meta.end_utc = UtcNow();
  meta.complete = !outcome.interrupted && meta.cells_failed == 0 &&
                  meta.cells_done == meta.cells_planned;
  RETURN_IF_ERROR(writer->WriteMeta(meta));
  outcome.complete = meta.complete;
  outcome.cells_failed = meta.cells_failed;
  outcome.cells = writer->TakeCells();
  return outcome;
}

std::string SummaryTable(const std::vector<CellResult>& cells) {
  struct Row {
    std::string engine, workload, matrix;
    double ops_s = 0, p50 = 0, p99 = 0, wamp = 0;
    int n = 0, wamp_n = 0;
  };
  std::vector<Row> rows;
  for (const CellResult& c : cells) {
    std::string matrix = absl::StrCat("threads=", c.id.threads);
    if (c.id.target_ops_per_sec > 0) absl::StrAppend(&matrix, " rate=", c.id.target_ops_per_sec);
    for (const auto& [k, v] : c.id.matrix) absl::StrAppend(&matrix, " ", k, "=", v);
    std::string workload = c.id.phase == "load" ? "load " + c.id.workload : c.id.workload;
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) {
      return r.engine == c.id.engine && r.workload == workload && r.matrix == matrix;
    });
    if (it == rows.end()) {
      rows.push_back({c.id.engine, workload, matrix});
      it = rows.end() - 1;
    }
    const PhaseResult& r = c.result;
    double seconds = static_cast<double>(r.duration_ns) / 1e9;
    it->ops_s += seconds > 0 ? static_cast<double>(r.ops) / seconds : 0;
    if (const LatencyHistogram* h = r.hist[kAllSlot].get()) {
      it->p50 += static_cast<double>(h->ValueAtPercentile(50)) / 1000;
      it->p99 += static_cast<double>(h->ValueAtPercentile(99)) / 1000;
    }
    if (r.user_bytes_written > 0) {
      it->wamp += static_cast<double>(r.device.bytes_written) / static_cast<double>(r.user_bytes_written);
      ++it->wamp_n;
    }
    ++it->n;
  }
  int we = 6, ww = 8, wm = 6;
  for (const Row& r : rows) {
    we = std::max(we, static_cast<int>(r.engine.size()));
    ww = std::max(ww, static_cast<int>(r.workload.size()));
    wm = std::max(wm, static_cast<int>(r.matrix.size()));
  }
  std::string out = absl::StrFormat("%-*s  %-*s  %-*s %12s %10s %10s %9s\n", we, "engine", ww,
                                    "workload", wm, "matrix", "ops/s", "p50 us", "p99 us",
                                    "write amp");
  for (const Row& r : rows) {
    std::string wamp = r.wamp_n > 0 ? absl::StrFormat("%.2f", r.wamp / r.wamp_n) : "-";
    absl::StrAppend(&out, absl::StrFormat("%-*s  %-*s  %-*s %12.0f %10.2f %10.2f %9s\n", we,
                                          r.engine, ww, r.workload, wm, r.matrix, r.ops_s / r.n,
                                          r.p50 / r.n, r.p99 / r.n, wamp));
  }
  return out;
}

}  // namespace kvlab::runner

// ResultsWriter: the run folder and its files (formats in RESULTS.md §3-4):
// config.resolved.yaml, meta.json, timeline.jsonl, summary.csv, hgrm/.
//
// A run folder is always new (mkdir, never reused), so earlier results are
// never overwritten. summary.csv is rewritten after every cell and the
// timeline is flushed after every line, so an interrupted run keeps all it
// finished.
#ifndef KVLAB_EXPERIMENTS_RUNNER_RESULTS_H_
#define KVLAB_EXPERIMENTS_RUNNER_RESULTS_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "experiments/runner/phase_runner.h"

namespace kvlab::runner {

struct CellIdentity {
  std::string cell;  // the id (RESULTS.md §3)
  std::string engine, engine_name, workload, phase, device;
  uint32_t threads = 1;
  double target_ops_per_sec = 0;
  std::vector<std::pair<std::string, std::string>> matrix;  // other matrix keys, in axis order
  uint32_t repetition = 0;
  uint64_t seed = 0;
  std::string MatrixJson() const;  // {"threads": 1, ...}
};

// Builds the cell id from its parts (characters outside [A-Za-z0-9_.=-] become '-').
std::string MakeCellId(const CellIdentity& id);

struct CellResult {
  CellIdentity id;
  PhaseResult result;
};

// Facts about the run for meta.json.
struct RunMeta {
  std::string name, experiment_file, command_line;
  uint64_t seed = 0;
  std::string device_kind, device_dir, fault_profile;
  int64_t op_cost_ns = 0;
  std::string start_utc, end_utc;  // end "" while running
  bool complete = false, interrupted = false, any_target_rate = false;
  uint64_t cells_planned = 0, cells_done = 0, cells_failed = 0;
  std::vector<std::string> errors;
};

// The current UTC time as ISO 8601 ("2024-05-01T12:00:00Z").
std::string UtcNow();

// Student-t 0.975 quantile for `df` degrees of freedom (df >= 1).
double StudentT975(uint64_t df);

class ResultsWriter {
 public:
  // Creates <parent>/<name>/<YYYYmmdd-HHMMSS>[-N]. `matrix_keys` are the other
  // matrix axes (summary.csv columns m.<key>).
  static absl::StatusOr<std::unique_ptr<ResultsWriter>> Create(
      const std::string& parent, const std::string& name, std::vector<std::string> matrix_keys);
  ~ResultsWriter();

  const std::string& dir() const { return dir_; }
  absl::Status WriteConfig(const std::string& resolved_yaml);
  absl::Status WriteMeta(const RunMeta& meta);
  absl::Status AppendTimeline(const CellIdentity& id, const IntervalRecord& record);
  // Writes the cell's .hgrm files and rewrites summary.csv.
  absl::Status AddCell(CellResult cell);
  const std::vector<CellResult>& cells() const { return cells_; }
  std::vector<CellResult> TakeCells() { return std::move(cells_); }

 private:
  ResultsWriter(std::string dir, std::vector<std::string> matrix_keys);
  absl::Status WriteSummary();

  std::string dir_;
  std::vector<std::string> matrix_keys_;
  std::FILE* timeline_ = nullptr;
  std::vector<CellResult> cells_;
};

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_RESULTS_H_

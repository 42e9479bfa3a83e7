// RunExperiment: the whole of `kvlab run` after parsing: plans the cells
// (engine x matrix point x repetition, each a series of load and run phases),
// makes the device of each series, runs the phases and writes the run folder.
#ifndef KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_RUNNER_H_
#define KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_RUNNER_H_

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "experiments/runner/experiment_config.h"
#include "experiments/runner/results.h"

namespace kvlab::runner {

struct RunOptions {
  std::string out_parent;    // parent of <name>/<stamp>; "" = config.output_dir
  std::string command_line;  // for meta.json
  std::FILE* log = stderr;   // progress; nullptr = silent
  bool terminal = false;     // draw a progress bar instead of lines
  const std::atomic<bool>* stop = nullptr;  // Ctrl-C
};

struct RunOutcome {
  std::string run_dir;
  bool complete = false;
  bool interrupted = false;
  uint64_t cells_failed = 0;
  std::vector<CellResult> cells;  // as in summary.csv
};

// Errors: the run folder could not be made, or the fault profile is bad. A
// failing cell is recorded (meta.json errors) and the run goes on.
absl::StatusOr<RunOutcome> RunExperiment(const ExperimentConfig& config,
                                         const RunOptions& options);

// The end-of-run table: engine x workload (run phases, mean over
// repetitions): ops/s, p50, p99 (µs), write amp.
std::string SummaryTable(const std::vector<CellResult>& cells);

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_RUNNER_H_

// Progress: a progress bar with rate and ETA on a terminal, plain lines
// (at most one every 5 s, plus one per finished cell) otherwise. Reads the
// wall clock only to pace its own output; never affects results.
#ifndef KVLAB_EXPERIMENTS_RUNNER_PROGRESS_H_
#define KVLAB_EXPERIMENTS_RUNNER_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace kvlab::runner {

class Progress {
 public:
  // `planned_ops`: every operation of every cell (0 if unknown).
  Progress(std::FILE* out, bool terminal, uint64_t planned_ops, uint64_t planned_cells);

  // A new cell starts; its ops count from `done` of earlier cells.
  void StartCell(const std::string& cell);
  // `cell_ops`: operations done so far in the current cell.
  void Update(uint64_t cell_ops);
  // The cell is done; prints one line about it.
  void FinishCell(uint64_t cell_ops, double ops_per_sec, bool ok);
  void Done();

 private:
  void Draw(bool force);

  std::FILE* out_;
  bool terminal_;
  uint64_t planned_ops_;
  uint64_t planned_cells_;
  uint64_t cells_done_ = 0;
  uint64_t ops_before_cell_ = 0;
  uint64_t ops_now_ = 0;
  std::string cell_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_PROGRESS_H_

// Progress bar / progress lines of `kvlab run`.
#include "experiments/runner/progress.h"

#include <algorithm>

namespace kvlab::runner {
namespace {

std::string Duration(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  int s = static_cast<int>(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof(buf), "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof(buf), "%d:%02d", s / 60, s % 60);
  return buf;
}

std::string Rate(double ops_per_sec) {
  char buf[32];
  if (ops_per_sec >= 1e6) std::snprintf(buf, sizeof(buf), "%.2fM", ops_per_sec / 1e6);
  else if (ops_per_sec >= 1e3) std::snprintf(buf, sizeof(buf), "%.1fk", ops_per_sec / 1e3);
  else std::snprintf(buf, sizeof(buf), "%.0f", ops_per_sec);
  return buf;
}

}  // namespace

Progress::Progress(std::FILE* out, bool terminal, uint64_t planned_ops, uint64_t planned_cells)
    : out_(out), terminal_(terminal), planned_ops_(planned_ops), planned_cells_(planned_cells),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::StartCell(const std::string& cell) {
  cell_ = cell;
  if (!terminal_ && out_ != nullptr) {
    std::fprintf(out_, "kvlab run: cell %llu/%llu %s\n",
                 static_cast<unsigned long long>(cells_done_ + 1),
                 static_cast<unsigned long long>(planned_cells_), cell.c_str());
    std::fflush(out_);
  }
  Draw(true);
}

void Progress::Update(uint64_t cell_ops) {
  ops_now_ = ops_before_cell_ + cell_ops;
  Draw(false);
}

void Progress::FinishCell(uint64_t cell_ops, double ops_per_sec, bool ok) {
  ops_before_cell_ += cell_ops;
  ops_now_ = ops_before_cell_;
  ++cells_done_;
  if (out_ == nullptr) return;
  if (terminal_ && drawn_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "kvlab run: %s %s: %llu ops, %s ops/s\n", ok ? "done" : "INCOMPLETE",
               cell_.c_str(), static_cast<unsigned long long>(cell_ops), Rate(ops_per_sec).c_str());
  std::fflush(out_);
  drawn_ = false;
}

void Progress::Done() {
  if (out_ != nullptr && terminal_ && drawn_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
  }
}

void Progress::Draw(bool force) {
  if (out_ == nullptr) return;
  auto now = std::chrono::steady_clock::now();
  double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  if (!force && since_draw < (terminal_ ? 0.2 : 5.0)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(ops_now_) / elapsed : 0;
  double fraction = planned_ops_ > 0
                        ? std::min(1.0, static_cast<double>(ops_now_) / static_cast<double>(planned_ops_))
                        : 0;
  double eta = rate > 0 && planned_ops_ > 0
                   ? static_cast<double>(planned_ops_ - std::min(planned_ops_, ops_now_)) / rate
                   : -1;
  if (terminal_) {
    constexpr int kWidth = 28;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::fprintf(out_, "\r\033[K[%s] %3.0f%% %s ops/s ETA %s  cell %llu/%llu %s", bar.c_str(),
                 fraction * 100, Rate(rate).c_str(), Duration(eta).c_str(),
                 static_cast<unsigned long long>(cells_done_ + 1),
                 static_cast<unsigned long long>(planned_cells_), cell_.c_str());
    drawn_ = true;
  } else if (!force) {
    std::fprintf(out_, "kvlab run: %.0f%% of planned ops, %s ops/s, ETA %s\n", fraction * 100,
                 Rate(rate).c_str(), Duration(eta).c_str());
  }
  std::fflush(out_);
}

}  // namespace kvlab::runner

// `kvlab run EXPERIMENT.yaml [--out DIR] [--set key=value ...]`: the command
// line of the experiment runner (RESULTS.md §1). Parses flags, installs the
// Ctrl-C handler, runs, prints the summary table and calls the report script.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "experiments/cli/commands.h"
#include "experiments/runner/experiment_config.h"
#include "experiments/runner/experiment_runner.h"

namespace kvlab {
namespace {

std::atomic<bool> g_stop{false};

void OnSigint(int) { g_stop.store(true); }

constexpr char kUsage[] =
    "usage: kvlab run EXPERIMENT.yaml [--out DIR] [--set key=value ...] [--quiet]\n"
    "\n"
    "Runs every engine x workload x matrix point x repetition of the experiment and writes\n"
    "a new run folder <out>/<name>/<timestamp>/ with config.resolved.yaml, meta.json,\n"
    "timeline.jsonl, summary.csv and hgrm/ (see experiments/runner/RESULTS.md).\n"
    "\n"
    "  --out DIR          parent folder of the run folder (default: output.dir, else results/)\n"
    "  --set key=value    override a dotted key of the experiment, e.g. --set repetitions=1,\n"
    "                     --set device.kind=sim, --set set.records.count=1000,\n"
    "                     --set workloads.0.run.ops=500 (repeatable)\n"
    "  --quiet            no progress output\n"
    "\n"
    "Ctrl-C stops cleanly: finished cells are kept and meta.json says complete: false.\n";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

int RunMain(int argc, char** argv) {
  // Debian's libabsl is built without NDEBUG, so every absl::Mutex Lock/Unlock in the process
  // (engines, runner) runs the lock-order deadlock detector, a debug aid that costs ~20 ns per
  // critical section. A benchmark measures the engines, not that; the tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::string experiment, out;
  std::vector<std::string> sets;
  bool quiet = false;
  std::string command_line = "kvlab";
  for (int i = 0; i < argc; ++i) command_line += std::string(" ") + argv[i];
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kvlab run: %s needs a value\n%s", flag, kUsage);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (a == "--out") {
      const char* v = value("--out");
      if (v == nullptr) return 2;
      out = v;
    } else if (a.rfind("--out=", 0) == 0) {
      out = a.substr(6);
    } else if (a == "--set") {
      const char* v = value("--set");
      if (v == nullptr) return 2;
      sets.push_back(v);
    } else if (a.rfind("--set=", 0) == 0) {
      sets.push_back(a.substr(6));
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "kvlab run: unknown flag '%s'\n\n%s", a.c_str(), kUsage);
      return 2;
    } else if (experiment.empty()) {
      experiment = a;
    } else {
      std::fprintf(stderr, "kvlab run: one experiment file at a time (got '%s' and '%s')\n",
                   experiment.c_str(), a.c_str());
      return 2;
    }
  }
  if (experiment.empty()) {
    std::fprintf(stderr, "kvlab run: which experiment? e.g. kvlab run experiments/quickstart.yaml\n\n%s",
                 kUsage);
    return 2;
  }
  absl::StatusOr<runner::ExperimentConfig> config = runner::LoadExperiment(experiment, sets);
  if (!config.ok()) {
    std::fprintf(stderr, "kvlab run: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = OnSigint;
  action.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
  sigaction(SIGINT, &action, nullptr);
  runner::RunOptions options;
  options.out_parent = out;
  options.command_line = command_line;
  options.log = quiet ? nullptr : stderr;
  options.terminal = isatty(STDERR_FILENO) != 0;
  options.stop = &g_stop;
  absl::StatusOr<runner::RunOutcome> outcome = runner::RunExperiment(*config, options);
  signal(SIGINT, SIG_DFL);
  if (!outcome.ok()) {
    std::fprintf(stderr, "kvlab run: %s\n", std::string(outcome.status().message()).c_str());
    return outcome.status().code() == absl::StatusCode::kInvalidArgument ||
                   outcome.status().code() == absl::StatusCode::kNotFound
               ? 2
               : 1;
  }
  std::printf("\n%s\n", runner::SummaryTable(outcome->cells).c_str());
  std::printf("results: %s\n", outcome->run_dir.c_str());
  const char* script = "experiments/report/make_report.py";
  if (outcome->interrupted) {
    std::printf("interrupted: the run is incomplete (meta.json: complete: false); no report\n");
  } else if (!std::filesystem::exists(script)) {
    std::printf("report: not made (%s not found in %s)\n", script,
                std::filesystem::current_path().c_str());
  } else {
    std::string command = "/usr/bin/python3 " + std::string(script) + " " +
                          ShellQuote(outcome->run_dir);
    std::fflush(stdout);
    int rc = std::system(command.c_str());
    if (rc == 0) {
      std::printf("report: %s/report.md\n", outcome->run_dir.c_str());
    } else {
      std::printf("report: %s failed (exit status %d); the results above are complete\n",
                  command.c_str(), rc);
    }
  }
  if (outcome->cells_failed > 0) {
    std::printf("%llu cell(s) failed: see meta.json errors\n",
                static_cast<unsigned long long>(outcome->cells_failed));
  }
  return outcome->complete ? 0 : 1;
}

}  // namespace kvlab

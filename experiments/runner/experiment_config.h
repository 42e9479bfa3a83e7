// The experiment file (`kvlab: experiment/v1`, RESULTS.md §2): parsing,
// `--set` overrides, validation, and the fully resolved form.
//
// Every error names the file, line and column (1-based) and the dotted key,
// e.g. "exp.yaml:7:3: key 'repetitions': must be >= 1 (got 0)". A value that
// came from `--set` says so instead of a position. Unknown keys are rejected
// with the nearest valid one suggested.
#ifndef KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_CONFIG_H_
#define KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine_config.h"
#include "workloads/workload.h"

namespace kvlab::runner {

struct EngineEntry {
  std::string id;       // unique; names rows and store folders
  EngineConfig config;  // registry name + options (validated)
};

// One item of `workloads:`: a workload, or the `reload` marker.
struct WorkloadEntry {
  bool reload = false;
  std::string path;  // the file that was loaded ("" for inline)
  workloads::WorkloadSpec spec;
  // Dotted workload overrides (global `set:` then the entry's own), in order,
  // with where each was written; matrix `workload.*` keys are applied later.
  std::vector<std::pair<std::string, std::string>> overrides;
};

enum class DeviceKind { kPosix, kUring, kSim };
std::string_view DeviceKindName(DeviceKind kind);

struct DeviceConfig {
  DeviceKind kind = DeviceKind::kPosix;
  std::string dir;            // real devices; "" = <run dir>/data
  bool keep_data = false;     // real devices
  std::string fault_profile;  // sim: resolved path, or "" for FaultProfile::None()
  int64_t op_cost_ns = 0;     // sim: virtual CPU time per client operation
};

// One matrix dimension: `threads`, `target_ops_per_sec`, `workload.<key>`
// (a workload override) or `engine.<option>` (an option of every engine).
struct MatrixAxis {
  std::string key;
  std::vector<std::string> values;  // as written (scalars, or flow YAML)
};

struct ExperimentConfig {
  std::string source_path;  // the experiment file as given
  std::string name;
  std::string description;
  std::vector<EngineEntry> engines;
  std::vector<WorkloadEntry> workloads;
  bool fresh_schedule = false;  // schedule: fresh (else ycsb)
  DeviceConfig device;
  std::vector<MatrixAxis> matrix;
  uint32_t threads = 1;
  double target_ops_per_sec = 0;
  uint32_t repetitions = 1;
  uint64_t seed = 42;
  int64_t interval_ns = 1'000'000'000;
  std::string output_dir = "results";
  // The experiment after --set with every default filled in and every
  // workload fully resolved, as YAML (config.resolved.yaml).
  std::string resolved_yaml;
};

// Reads and validates `path`, applying each `--set key=value` first.
// InvalidArgument (bad input) or NotFound (missing experiment/workload file).
absl::StatusOr<ExperimentConfig> LoadExperiment(std::string_view path,
                                                const std::vector<std::string>& sets);

// The same from text (tests); `source_path` names it and anchors relative paths.
absl::StatusOr<ExperimentConfig> ParseExperiment(std::string_view yaml_text,
                                                 std::string_view source_path,
                                                 const std::vector<std::string>& sets);

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_EXPERIMENT_CONFIG_H_

// Small helpers over yaml-cpp for experiment files: positions in errors,
// unknown-key checks with suggestions, typed scalars, and `--set` overrides on
// the tree. Every error reads "<file>:<line>:<col>: key '<dotted key>': ...".
#ifndef KVLAB_EXPERIMENTS_RUNNER_YAML_UTIL_H_
#define KVLAB_EXPERIMENTS_RUNNER_YAML_UTIL_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace kvlab::runner {

// Positions and the keys that came from --set, for error messages.
class YamlContext {
 public:
  explicit YamlContext(std::string file) : file_(std::move(file)) {}

  // "file:line:col" for a node from the file, "--set <key>" for one from a flag.
  std::string Where(const YAML::Node& node, std::string_view key) const;
  // InvalidArgument("<where>: key '<key>': <message>").
  absl::Status Error(const YAML::Node& node, std::string_view key,
                     std::string_view message) const;

  // Every key of the map `node` must be one of `valid`; otherwise an error at
  // the unknown key naming the nearest valid one and listing them all.
  absl::Status CheckKeys(const YAML::Node& node, std::string_view key,
                         const std::vector<std::string>& valid) const;
  // REQUIRES-style checks that return errors: the node is a map / a list.
  absl::Status ExpectMap(const YAML::Node& node, std::string_view key) const;

  absl::StatusOr<std::string> String(const YAML::Node& node, std::string_view key) const;
  absl::StatusOr<int64_t> Int(const YAML::Node& node, std::string_view key, int64_t min,
                              int64_t max) const;
  absl::StatusOr<double> Double(const YAML::Node& node, std::string_view key, double min,
                                double max) const;
  absl::StatusOr<bool> Bool(const YAML::Node& node, std::string_view key) const;

  // Applies "key=value" to `root`: the value is parsed as YAML; dotted keys
  // walk maps (created as needed) and lists (by index, which must exist).
  // Special forms: `set.<workload key>` and `workloads.<i>.<workload key>`
  // add a workload override (a scalar workload entry becomes {ref: ...}).
  absl::Status ApplySet(YAML::Node& root, std::string_view assignment);

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::set<std::string> from_flags_;  // dotted keys written by --set
};

// The flow-style YAML text of a node (scalars plain), for workload overrides.
std::string FlowYaml(const YAML::Node& node);

}  // namespace kvlab::runner

#endif  // KVLAB_EXPERIMENTS_RUNNER_YAML_UTIL_H_

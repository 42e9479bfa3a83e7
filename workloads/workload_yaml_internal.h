// Internal to workloads/: the value parsers of the workload YAML schema (scalars, durations,
// distributions, mix, rate), their inverse (UnitNode, used by ToYaml and --set) and error
// formatting. Not part of the public API.
#ifndef KVLAB_WORKLOADS_WORKLOAD_YAML_INTERNAL_H_
#define KVLAB_WORKLOADS_WORKLOAD_YAML_INTERNAL_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "workloads/workload.h"
#include "yaml-cpp/yaml.h"

namespace kvlab::workloads::internal {

// Where a node comes from: a file (nodes carry line/column marks) or a --set flag (they do not).
struct Src {
  std::string file;
  bool has_marks = true;
};

// "file:line:col" (1-based) or just the file / flag.
std::string Where(const Src& src, const YAML::Node& node);
// InvalidArgument "<where>: key '<path>': <message>".
absl::Status Error(const Src& src, const YAML::Node& node, std::string_view path,
                   std::string_view message);

absl::StatusOr<std::string> ParseString(const YAML::Node& n, const Src& src,
                                        const std::string& path);
// A non-negative integer in [min, max].
absl::StatusOr<uint64_t> ParseCount(const YAML::Node& n, const Src& src, const std::string& path,
                                    uint64_t min, uint64_t max = UINT64_MAX);
// A byte size: an integer, optionally with B, KiB, MiB or GiB.
absl::StatusOr<uint64_t> ParseBytes(const YAML::Node& n, const Src& src, const std::string& path);
absl::StatusOr<double> ParseDouble(const YAML::Node& n, const Src& src, const std::string& path);
// Seconds: a number, or a number with ms, s, m or h.
absl::StatusOr<double> ParseDuration(const YAML::Node& n, const Src& src,
                                     const std::string& path);
// The index of the scalar among `names`; unknown names get the nearest suggested.
absl::StatusOr<int> ParseEnum(const YAML::Node& n, const Src& src, const std::string& path,
                              std::initializer_list<const char*> names);

absl::StatusOr<std::array<double, kOpTypeCount>> ParseMix(const YAML::Node& n, const Src& src,
                                                          const std::string& path);
absl::StatusOr<KeyDistSpec> ParseKeyDist(const YAML::Node& n, const Src& src,
                                         const std::string& path);
absl::StatusOr<SizeDistSpec> ParseSizeDist(const YAML::Node& n, const Src& src,
                                           const std::string& path);
absl::StatusOr<double> ParseRate(const YAML::Node& n, const Src& src, const std::string& path);

// The YAML map of a unit key ("run.mix", "run.keys", "run.scan_len", "value.field_len",
// "run.rate") as the spec holds it now; parsing it gives the same value back.
YAML::Node UnitNode(const WorkloadSpec& spec, std::string_view unit);

// Shortest decimal text that parses back to the same double / integer.
std::string Num(double v);
std::string Num(uint64_t v);

}  // namespace kvlab::workloads::internal

#endif  // KVLAB_WORKLOADS_WORKLOAD_YAML_INTERNAL_H_

// Stub (being implemented): the YAML schema.
#include "workloads/workload.h"

namespace kvlab::workloads {
absl::StatusOr<WorkloadSpec> LoadWorkload(std::string_view path) {
  return absl::UnimplementedError("LoadWorkload: not implemented yet");
}
absl::StatusOr<WorkloadSpec> ParseWorkload(std::string_view, std::string_view) {
  return absl::UnimplementedError("ParseWorkload: not implemented yet");
}
absl::Status ApplyOverride(WorkloadSpec&, std::string_view, std::string_view) {
  return absl::UnimplementedError("ApplyOverride: not implemented yet");
}
absl::Status Validate(const WorkloadSpec&) { return absl::OkStatus(); }
}  // namespace kvlab::workloads

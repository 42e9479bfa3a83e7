// Runs fio with io_uring on the bench file and reads IOPS and completion
// latency percentiles from its JSON output (a few targeted lookups, no JSON
// library: fio's layout is stable across 3.x).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/common/status_macros.h"
#include "engine/env/bench/bench_cases.h"

namespace kvlab::bench {
namespace {

// The number after `"key" :` at or after `from`; -1 if absent.
double NumberAfter(const std::string& json, size_t from, const std::string& key,
                   size_t* end = nullptr) {
  const size_t at = json.find("\"" + key + "\"", from);
  if (at == std::string::npos) return -1;
  const size_t colon = json.find(':', at);
  if (colon == std::string::npos) return -1;
  char* stop = nullptr;
  const double value = std::strtod(json.c_str() + colon + 1, &stop);
  if (end != nullptr) *end = stop - json.c_str();
  return value;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool FioAvailable() { return std::system("command -v fio >/dev/null 2>&1") == 0; }

absl::StatusOr<CaseResult> RunFioCase(const std::string& path, uint64_t file_bytes,
                                      int queue_depth, double seconds, bool direct) {
  const std::string command = absl::StrCat(
      "fio --name=kvlab-device-bench --filename=", ShellQuote(path),
      " --ioengine=io_uring --direct=", direct ? 1 : 0,
      " --rw=randread --bs=4k --iodepth=", queue_depth, " --size=", file_bytes,
      " --runtime=", std::max(1, static_cast<int>(seconds + 0.5)),
      " --time_based --output-format=json 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError(absl::StrCat("cannot run: ", command));
  std::string output;
  char chunk[4096];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), pipe)) > 0) output.append(chunk, n);
  const int status = ::pclose(pipe);
  const size_t json = output.find('{');
  const size_t read = output.find("\"read\"", json == std::string::npos ? 0 : json);
  if (status != 0 || json == std::string::npos || read == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("fio failed (status ", status, "): ", command,
                                               "\n", output.substr(0, 2000)));
  }
  CaseResult r;
  r.name = "fio io_uring";
  r.how = absl::StrCat("fio --ioengine=io_uring --iodepth=", queue_depth);
  r.queue_depth = queue_depth;
  const double iops = NumberAfter(output, read, "iops");
  const double runtime_ms = NumberAfter(output, read, "runtime");
  const size_t clat = output.find("\"clat_ns\"", read);
  const size_t percentile = clat == std::string::npos ? clat : output.find("\"percentile\"", clat);
  if (iops < 0 || runtime_ms <= 0 || percentile == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("cannot read fio's JSON output:\n",
                                               output.substr(json, 2000)));
  }
  r.seconds = runtime_ms / 1000.0;
  r.ios = static_cast<uint64_t>(iops * r.seconds + 0.5);
  const double usr = NumberAfter(output, read, "usr_cpu");  // Job level, after "read".
  const double sys = NumberAfter(output, read, "sys_cpu");
  if (usr >= 0 && sys >= 0) r.cpu_seconds = (usr + sys) / 100.0 * r.seconds;
  r.p50_us = NumberAfter(output, percentile, "50.000000") / 1000.0;
  r.p99_us = NumberAfter(output, percentile, "99.000000") / 1000.0;
  return r;
}

}  // namespace kvlab::bench

// The fio case of device-bench: fio --ioengine=io_uring --rw=randread --bs=4k
// on the bench file, read through the shared fio helper (fio.h).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/env/bench/bench_cases.h"
#include "engine/env/bench/fio.h"

namespace kvlab::bench {

bool FioAvailable() { return fio::OnPath(); }

absl::StatusOr<CaseResult> RunFioCase(const std::string& path, uint64_t file_bytes,
                                      int queue_depth, double seconds, bool direct) {
  const std::vector<std::string> args = {
      "--name=kvlab-device-bench",
      absl::StrCat("--filename=", path),
      "--ioengine=io_uring",
      absl::StrCat("--direct=", direct ? 1 : 0),
      "--rw=randread",
      "--bs=4k",
      absl::StrCat("--iodepth=", queue_depth),
      absl::StrCat("--size=", file_bytes),
      absl::StrCat("--runtime=", std::max(1, static_cast<int>(seconds + 0.5))),
      "--time_based",
  };
  absl::StatusOr<std::string> json = fio::RunJson(args);
  if (!json.ok()) return json.status();
  const std::string& out = *json;
  const size_t read = out.find("\"read\" : {");
  const double iops = read == std::string::npos ? -1 : fio::NumberAfter(out, read, "iops");
  const double runtime_ms = read == std::string::npos ? -1 : fio::NumberAfter(out, read, "runtime");
  const size_t clat = read == std::string::npos ? read : out.find("\"clat_ns\"", read);
  const size_t percentile = clat == std::string::npos ? clat : out.find("\"percentile\"", clat);
  if (iops < 0 || runtime_ms <= 0 || percentile == std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat("cannot read fio's JSON output:\n", out.substr(0, 2000)));
  }
  CaseResult r;
  r.name = "fio io_uring";
  r.how = absl::StrCat("fio --ioengine=io_uring --iodepth=", queue_depth);
  r.queue_depth = queue_depth;
  r.seconds = runtime_ms / 1000.0;
  r.ios = static_cast<uint64_t>(iops * r.seconds + 0.5);
  const double usr = fio::NumberAfter(out, read, "usr_cpu");  // Job level, after "read".
  const double sys = fio::NumberAfter(out, read, "sys_cpu");
  if (usr >= 0 && sys >= 0) r.cpu_seconds = (usr + sys) / 100.0 * r.seconds;
  r.p50_us = fio::NumberAfter(out, percentile, "50.000000") / 1000.0;
  r.p99_us = fio::NumberAfter(out, percentile, "99.000000") / 1000.0;
  return r;
}

}  // namespace kvlab::bench

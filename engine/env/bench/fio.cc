// Runs fio and reads its JSON output (see fio.h). Wall time uses the host
// clock: this file is bench code beside engine/env/, not engine code.
#include "engine/env/bench/fio.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kvlab::fio {

bool OnPath() { return std::system("command -v fio >/dev/null 2>&1") == 0; }

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

double NumberAfter(const std::string& json, size_t from, const std::string& key, size_t* end) {
  const size_t at = json.find("\"" + key + "\"", from);
  if (at == std::string::npos) return -1;
  const size_t colon = json.find(':', at);
  if (colon == std::string::npos) return -1;
  char* stop = nullptr;
  const double value = std::strtod(json.c_str() + colon + 1, &stop);
  if (end != nullptr) *end = stop - json.c_str();
  return value;
}

absl::StatusOr<std::string> RunJson(const std::vector<std::string>& args, double* wall_seconds) {
  std::vector<std::string> quoted;
  quoted.reserve(args.size());
  for (const std::string& a : args) quoted.push_back(ShellQuote(a));
  const std::string command =
      absl::StrCat("fio ", absl::StrJoin(quoted, " "), " --output-format=json 2>&1");
  const auto start = std::chrono::steady_clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError(absl::StrCat("cannot run: ", command));
  std::string output;
  char chunk[4096];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), pipe)) > 0) output.append(chunk, n);
  const int status = ::pclose(pipe);
  if (wall_seconds != nullptr) {
    *wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const size_t json = output.find('{');
  if (status != 0 || json == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("fio failed (status ", status, "): ", command,
                                               "\n", output.substr(0, 2000)));
  }
  return output.substr(json);
}

absl::StatusOr<SeqWriteResult> RunSeqWrite(const SeqWriteJob& job) {
  const std::vector<std::string> args = {
      "--name=kvlab-seqwrite",
      absl::StrCat("--filename=", job.path),
      "--rw=write",
      absl::StrCat("--bs=", job.block_bytes),
      absl::StrCat("--size=", job.bytes),
      absl::StrCat("--ioengine=", job.ioengine),
      absl::StrCat("--direct=", job.direct ? 1 : 0),
      "--end_fsync=1",
  };
  SeqWriteResult r;
  r.command = "fio";
  for (const std::string& a : args) absl::StrAppend(&r.command, " ", a);
  absl::StatusOr<std::string> json = RunJson(args, &r.wall_seconds);
  if (!json.ok()) return json.status();
  // The job's "write" object ("read" comes first and is all zeros; "rw" :
  // "write" in "job options" is a value, hence the ": {").
  const size_t write = json->find("\"write\" : {");
  const double io_bytes = write == std::string::npos ? -1 : NumberAfter(*json, write, "io_bytes");
  const double runtime_ms = write == std::string::npos ? -1 : NumberAfter(*json, write, "runtime");
  if (io_bytes <= 0 || runtime_ms <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot read fio's JSON output of: ", r.command,
                                               "\n", json->substr(0, 2000)));
  }
  r.bytes = static_cast<uint64_t>(io_bytes);
  r.seconds = runtime_ms / 1000.0;
  const double usr = NumberAfter(*json, write, "usr_cpu");  // Job level, after "write".
  const double sys = NumberAfter(*json, write, "sys_cpu");
  if (usr >= 0 && sys >= 0) r.cpu_seconds = (usr + sys) / 100.0 * r.seconds;
  return r;
}

}  // namespace kvlab::fio

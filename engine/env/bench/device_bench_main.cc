// `kvlab device-bench`: random 4 KiB reads on one file at each queue depth,
// through PosixDevice and UringDevice, and fio's io_uring figures on the same
// file in the same run when fio is on PATH; a side-by-side table with the
// ratio to fio, also written to <dir>/results.csv.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/common/status_macros.h"
#include "engine/env/bench/bench_cases.h"
#include "engine/env/real_env.h"
#include "experiments/cli/commands.h"

namespace kvlab {
namespace {

using bench::CaseResult;

constexpr const char* kUsage =
    "usage: kvlab device-bench [options]\n"
    "\n"
    "Random 4 KiB reads on one file at each queue depth, through PosixDevice\n"
    "(QD n = n threads, each one read at a time) and UringDevice (QD n = a window\n"
    "of n reads in flight via RunQueue, and SubmitBatch of n repeated), and, when\n"
    "fio is on PATH, fio --ioengine=io_uring on the same file, side by side.\n"
    "\n"
    "options:\n"
    "  --size=BYTES      file size, with K/M/G suffix (default 1G); created or reused\n"
    "  --dir=PATH        where the file and results.csv go (default results/device-bench)\n"
    "  --seconds=S       seconds per case (default 5)\n"
    "  --qd=LIST         queue depths, comma-separated (default 1,32)\n"
    "  --direct=BOOL     O_DIRECT for every case (default true)\n"
    "  --fio=BOOL        run fio when it is installed (default true)\n"
    "  --repeat=N        run every case N times, interleaved, and report the median\n"
    "                    by IOPS (default 1; shared or cloud disks are noisy)\n"
    "  --help            this text\n";

struct Flags {
  uint64_t size = 1ull << 30;
  std::string dir = "results/device-bench";
  double seconds = 5;
  std::vector<int> qds = {1, 32};
  bool direct = true;
  bool fio = true;
  int repeat = 1;
};

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes" || v.empty()) return *out = true, true;
  if (v == "false" || v == "0" || v == "no") return *out = false, true;
  return false;
}

bool ParseSize(std::string_view v, uint64_t* out) {
  uint64_t unit = 1;
  if (!v.empty()) {
    switch (v.back()) {
      case 'K': case 'k': unit = 1ull << 10; break;
      case 'M': case 'm': unit = 1ull << 20; break;
      case 'G': case 'g': unit = 1ull << 30; break;
      default: break;
    }
    if (unit != 1) v.remove_suffix(1);
  }
  uint64_t n;
  if (!absl::SimpleAtoi(AV(v), &n) || n == 0) return false;
  *out = n * unit;
  return true;
}

// Returns "" on success, else the message for the bad flag.
std::string ParseFlags(int argc, char** argv, Flags* flags, bool* help) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
    bool ok = eq != std::string_view::npos || name == "--direct" || name == "--fio";
    if (name == "--size") {
      ok = ok && ParseSize(value, &flags->size) && flags->size >= (1u << 20);
      flags->size -= flags->size % bench::kBlockBytes;
    } else if (name == "--dir") {
      ok = ok && !value.empty();
      flags->dir = std::string(value);
    } else if (name == "--seconds") {
      ok = ok && absl::SimpleAtod(AV(value), &flags->seconds) && flags->seconds > 0 &&
           flags->seconds <= 3600;
    } else if (name == "--qd") {
      flags->qds.clear();
      for (absl::string_view part : absl::StrSplit(AV(value), ',')) {
        int qd;
        ok = ok && absl::SimpleAtoi(part, &qd) && qd >= 1 && qd <= 1024;
        if (ok) flags->qds.push_back(qd);
      }
    } else if (name == "--repeat") {
      ok = ok && absl::SimpleAtoi(AV(value), &flags->repeat) && flags->repeat >= 1 &&
           flags->repeat <= 100;
    } else if (name == "--direct") {
      ok = ParseBool(value, &flags->direct);
    } else if (name == "--no-direct") {
      flags->direct = false;
      ok = true;
    } else if (name == "--fio") {
      ok = ParseBool(value, &flags->fio);
    } else {
      return absl::StrCat("unknown flag '", AV(arg), "'");
    }
    if (!ok) return absl::StrCat("bad value in '", AV(arg), "'");
  }
  return "";
}

// Creates the bench file with pseudo-random bytes, or reuses it at that size.
absl::Status PrepareFile(Device& device, uint64_t size, bool direct) {
  absl::StatusOr<uint64_t> existing = device.FileSize("bench.dat");
  if (existing.ok() && *existing == size) return absl::OkStatus();
  std::fprintf(stderr, "device-bench: writing %.1f MiB test file...\n", size / 1048576.0);
  OpenOptions o;
  o.create = true;
  o.truncate = true;
  o.direct = direct;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, device.Open("bench.dat", o));
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<char, void (*)(void*)> buffer(
      static_cast<char*>(std::aligned_alloc(bench::kBlockBytes, kChunk)), std::free);
  Random random(42);
  for (uint64_t off = 0; off < size; off += kChunk) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, size - off));
    for (size_t i = 0; i + 8 <= n; i += 8) {
      const uint64_t word = random.Next();
      std::memcpy(buffer.get() + i, &word, 8);
    }
    RETURN_IF_ERROR(file->Write(off, std::string_view(buffer.get(), n)));
  }
  RETURN_IF_ERROR(file->Sync());
  return device.SyncDir("");
}

void PrintRow(const CaseResult& r, const CaseResult* fio) {
  std::string ratio = "";
  if (fio != nullptr && fio->iops() > 0 && r.name != fio->name) {
    ratio = absl::StrCat(static_cast<int>(100.0 * r.iops() / fio->iops() + 0.5), "%");
  }
  std::printf("%-16s %4d %10.0f %9.1f %9.1f %9.1f %7.1f %7s   %s\n", r.name.c_str(),
              r.queue_depth, r.iops(), r.mib_per_s(), r.p50_us, r.p99_us, r.cpu_us_per_io(),
              ratio.c_str(), r.how.c_str());
  std::fflush(stdout);
}

// One repetition of every case at queue depth `qd`; fio (if any) comes last.
absl::StatusOr<std::vector<CaseResult>> RunRow(const Flags& flags, int qd, bool with_fio,
                                               Device& posix, File& posix_file, Device& uring,
                                               File& uring_file, const std::string& host_path,
                                               uint64_t seed) {
  bench::CaseConfig c{&posix_file, &posix, flags.size, qd, flags.seconds, seed};
  std::vector<CaseResult> row;
  ASSIGN_OR_RETURN(CaseResult p, bench::RunThreadsCase("posix", c));
  row.push_back(p);
  c.file = &uring_file;
  c.device = &uring;
  if (qd == 1) {
    ASSIGN_OR_RETURN(CaseResult u, bench::RunThreadsCase("uring", c));
    row.push_back(u);
  } else {
    ASSIGN_OR_RETURN(CaseResult w, bench::RunUringWindowCase(c));
    row.push_back(w);
    ASSIGN_OR_RETURN(CaseResult b, bench::RunBatchCase("uring (batch)", c));
    row.push_back(b);
  }
  if (with_fio) {
    ASSIGN_OR_RETURN(CaseResult f,
                     bench::RunFioCase(host_path, flags.size, qd, flags.seconds, flags.direct));
    row.push_back(f);
  }
  return row;
}

// The repetition with the median IOPS; notes the range when there are several.
CaseResult Median(std::vector<CaseResult>& reps) {
  std::sort(reps.begin(), reps.end(),
            [](const CaseResult& a, const CaseResult& b) { return a.iops() < b.iops(); });
  CaseResult median = reps[reps.size() / 2];
  if (reps.size() > 1) {
    median.how += absl::StrFormat(" [median of %d: %.0f..%.0f IOPS]", reps.size(),
                                  reps.front().iops(), reps.back().iops());
  }
  return median;
}

absl::StatusOr<std::vector<CaseResult>> RunAll(const Flags& flags, bool with_fio) {
  int max_qd = 1;
  for (int qd : flags.qds) max_qd = std::max(max_qd, qd);
  DeviceOptions options;
  options.ring_entries = static_cast<unsigned>(std::max(max_qd, 8));
  ASSIGN_OR_RETURN(std::unique_ptr<Device> posix, MakeDevice("posix", flags.dir, options));
  ASSIGN_OR_RETURN(std::unique_ptr<Device> uring, MakeDevice("uring", flags.dir, options));
  RETURN_IF_ERROR(PrepareFile(*posix, flags.size, flags.direct));
  OpenOptions o;
  o.read_only = true;
  o.direct = flags.direct;
  ASSIGN_OR_RETURN(std::unique_ptr<File> posix_file, posix->Open("bench.dat", o));
  ASSIGN_OR_RETURN(std::unique_ptr<File> uring_file, uring->Open("bench.dat", o));
  const std::string host_path = absl::StrCat(flags.dir, "/bench.dat");

  std::printf("device-bench: %s, %.2f GiB, %s, random 4 KiB reads, %.1f s per case\n\n",
              host_path.c_str(), flags.size / 1073741824.0,
              flags.direct ? "O_DIRECT" : "buffered (page cache)", flags.seconds);
  std::printf("%-16s %4s %10s %9s %9s %9s %7s %7s   %s\n", "case", "qd", "IOPS", "MiB/s",
              "p50 us", "p99 us", "CPU us", "vs fio", "how");
  std::printf("(latency: ours from handing the read to the device to its completion; fio's is\n"
              " clat. CPU us: user+system CPU per I/O.)\n");
  std::vector<CaseResult> results;
  for (int qd : flags.qds) {
    // runs[i] holds every repetition of case i; repetitions interleave so that
    // a slow phase of a shared disk hits every case alike.
    std::vector<std::vector<CaseResult>> runs;
    for (int rep = 0; rep < flags.repeat; ++rep) {
      ASSIGN_OR_RETURN(std::vector<CaseResult> row,
                       RunRow(flags, qd, with_fio, *posix, *posix_file, *uring, *uring_file,
                              host_path, 7 + rep));
      runs.resize(row.size());
      for (size_t i = 0; i < row.size(); ++i) runs[i].push_back(row[i]);
    }
    std::vector<CaseResult> row;
    for (std::vector<CaseResult>& reps : runs) row.push_back(Median(reps));
    const CaseResult* fio = with_fio ? &row.back() : nullptr;
    for (const CaseResult& r : row) PrintRow(r, fio);
    results.insert(results.end(), row.begin(), row.end());
  }
  return results;
}

absl::Status WriteCsv(const std::string& path, const std::vector<CaseResult>& results) {
  std::ofstream out(path);
  out << "case,qd,iops,mib_per_s,p50_us,p99_us,cpu_us_per_io,ios,seconds\n";
  for (const CaseResult& r : results) {
    out << r.name << "," << r.queue_depth << "," << r.iops() << "," << r.mib_per_s() << ","
        << r.p50_us << "," << r.p99_us << "," << r.cpu_us_per_io() << "," << r.ios << ","
        << r.seconds << "\n";
  }
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

int DeviceBenchMain(int argc, char** argv) {
  Flags flags;
  bool help = false;
  const std::string error = ParseFlags(argc, argv, &flags, &help);
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!error.empty()) {
    std::fprintf(stderr, "kvlab device-bench: %s\n\n%s", error.c_str(), kUsage);
    return 2;
  }
  const bool with_fio = flags.fio && bench::FioAvailable();
  if (flags.fio && !with_fio) {
    std::fprintf(stderr, "device-bench: fio is not on PATH; running without it "
                         "(apt-get install fio for the comparison)\n");
  }
  absl::StatusOr<std::vector<CaseResult>> results = RunAll(flags, with_fio);
  if (!results.ok()) {
    std::fprintf(stderr, "kvlab device-bench: %s\n", results.status().ToString().c_str());
    return 1;
  }
  const std::string csv = flags.dir + "/results.csv";
  const absl::Status written = WriteCsv(csv, *results);
  if (!written.ok()) {
    std::fprintf(stderr, "kvlab device-bench: %s\n", written.ToString().c_str());
    return 1;
  }
  std::printf("\nresults: %s\n", csv.c_str());
  return 0;
}

}  // namespace kvlab

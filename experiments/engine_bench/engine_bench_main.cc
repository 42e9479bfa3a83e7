// `kvlab engine-bench`: flags, then RunEngineBench and the table (engine_bench.h).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "experiments/cli/commands.h"
#include "experiments/engine_bench/engine_bench.h"

namespace kvlab {
namespace {

constexpr const char* kUsage =
    "usage: kvlab engine-bench --engine NAME [options]\n"
    "\n"
    "Any registered engine on a real disk against fio on the same filesystem, in the\n"
    "same run: (1) Puts of fixed-size values under ordered keys until --size user\n"
    "bytes, then Sync: MiB/s of user and device bytes; (2) fio --rw=write\n"
    "--end_fsync=1 of the same bytes at each --fio-bs, with --ioengine=psync (posix)\n"
    "or io_uring (uring); (3) random Gets of the keys just written: ops/s, p50/p99,\n"
    "and device reads per Get from the device counters. The write target compares\n"
    "the engine's user MiB/s with the --fio-bs job nearest its mean data write.\n"
    "\n"
    "options (--flag VALUE or --flag=VALUE):\n"
    "  --engine NAME        a registered engine (`kvlab engines` lists them)\n"
    "  --set K=V            an engine option; repeat for more\n"
    "  --device posix|uring the device under the engine (default posix)\n"
    "  --dir PATH           where the store and fio's file go (default results/engine-bench)\n"
    "  --size BYTES         user (key+value) bytes to write, e.g. 1GiB (default 1GiB)\n"
    "  --value-size BYTES   value size (default 4096)\n"
    "  --key-size N         key size, 8..1024 (default 16)\n"
    "  --sync-every N       Sync after every N puts (default: only --final-sync)\n"
    "  --final-sync         one Sync after the last put (the default)\n"
    "  --batch N            N puts per Write(batch) instead of Put calls (default 1)\n"
    "  --reads N            random Gets in phase 3 (default 100000; 0 skips it)\n"
    "  --fio BOOL           run fio when it is on PATH (default true)\n"
    "  --fio-bs LIST        fio block sizes, comma-separated (default 4k,1m)\n"
    "  --fio-engine-bs BOOL also run fio at the engine's mean data write size, to tell\n"
    "                       engine overhead from write-size overhead (default true)\n"
    "  --target PERCENT     the write target, engine/fio in percent (default 85)\n"
    "  --repeat N           phases 1 and 2 N times, interleaved; medians (default 1)\n"
    "  --seed N             values and read order (default 1)\n"
    "  --keep               keep the store and fio's file (default: removed)\n"
    "  --help               this text\n"
    "\n"
    "exit status: 0 every target met, 1 a target missed or a run failed, 2 bad usage.\n";

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes") return *out = true, true;
  if (v == "false" || v == "0" || v == "no") return *out = false, true;
  return false;
}

bool ParseSize(std::string_view v, uint64_t* out) {
  absl::StatusOr<int64_t> n = ParseBytes(v);
  if (!n.ok() || *n <= 0) return false;
  *out = static_cast<uint64_t>(*n);
  return true;
}

// Returns "" on success, else the message naming the bad flag.
std::string ParseFlags(int argc, char** argv, engine_bench::Config* c, bool* help) {
  bool engine_given = false;
  c->engine.name.clear();
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return *help = true, "";
    if (arg == "--keep") { c->keep = true; continue; }
    if (arg == "--final-sync") { c->sync_every = 0; continue; }
    if (arg.substr(0, 2) != "--") return absl::StrCat("unexpected argument '", AV(arg), "'");
    std::string name(arg), value;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("flag ", name, " needs a value");
    }
    bool ok = true;
    if (name == "--engine") {
      c->engine.name = value;
      engine_given = !value.empty();
    } else if (name == "--set") {
      const size_t eq = value.find('=');
      ok = eq != std::string::npos && eq > 0;
      if (ok) c->engine.options[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (name == "--device") {
      c->device = value;
      ok = value == "posix" || value == "uring";
    } else if (name == "--dir") {
      c->dir = value;
      ok = !value.empty();
    } else if (name == "--size") {
      ok = ParseSize(value, &c->user_bytes);
    } else if (name == "--value-size") {
      ok = ParseSize(value, &c->value_bytes);
    } else if (name == "--key-size") {
      ok = absl::SimpleAtoi(value, &c->key_bytes) && c->key_bytes >= 8 && c->key_bytes <= 1024;
    } else if (name == "--sync-every") {
      ok = absl::SimpleAtoi(value, &c->sync_every) && c->sync_every >= 1;
    } else if (name == "--batch") {
      ok = absl::SimpleAtoi(value, &c->batch) && c->batch >= 1 && c->batch <= 1000000;
    } else if (name == "--reads") {
      ok = absl::SimpleAtoi(value, &c->reads);
    } else if (name == "--fio") {
      ok = ParseBool(value, &c->run_fio);
    } else if (name == "--fio-bs") {
      c->fio_block_bytes.clear();
      for (const std::string& part : std::vector<std::string>(absl::StrSplit(value, ','))) {
        uint64_t bs = 0;
        ok = ok && ParseSize(part, &bs) && bs >= 512 && bs <= (64u << 20);
        c->fio_block_bytes.push_back(bs);
      }
    } else if (name == "--fio-engine-bs") {
      ok = ParseBool(value, &c->fio_engine_block);
    } else if (name == "--target") {
      double percent = 0;
      ok = absl::SimpleAtod(value, &percent) && percent > 0 && percent <= 1000;
      c->target_ratio = percent / 100;
    } else if (name == "--repeat") {
      ok = absl::SimpleAtoi(value, &c->repeat) && c->repeat >= 1 && c->repeat <= 20;
    } else if (name == "--seed") {
      ok = absl::SimpleAtoi(value, &c->seed);
    } else {
      return absl::StrCat("unknown flag ", name);
    }
    if (!ok && name == "--device") {
      return absl::StrCat("--device '", value, "' is not one of: posix, uring");
    }
    if (!ok) return absl::StrCat("bad value '", value, "' for ", name);
  }
  if (!engine_given) return "--engine NAME is required (`kvlab engines` lists them)";
  return "";
}

}  // namespace

int EngineBenchMain(int argc, char** argv) {
  engine_bench::Config config;
  bool help = false;
  const std::string error = ParseFlags(argc, argv, &config, &help);
  if (help) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (!error.empty()) {
    std::fprintf(stderr, "kvlab engine-bench: %s\n\n%s", error.c_str(), kUsage);
    return 2;
  }
  absl::StatusOr<engine_bench::Report> report = engine_bench::RunEngineBench(config);
  if (!report.ok()) {
    std::fprintf(stderr, "kvlab engine-bench: %s\n", report.status().ToString().c_str());
    // Bad input (unknown engine or option, bad sizes) is a usage error.
    const absl::StatusCode code = report.status().code();
    return code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kNotFound
               ? 2
               : 1;
  }
  std::printf("%s", engine_bench::FormatReport(*report).c_str());
  const bool reads_ok = report->read.gets == 0 ||
                        (report->read.wrong_values == 0 && report->read.reads_per_get == 1.0);
  const bool writes_ok = report->compared_fio < 0 || report->pass;
  std::printf("result: %s\n", reads_ok && writes_ok ? "every target met" : "a target missed");
  return reads_ok && writes_ok ? 0 : 1;
}

}  // namespace kvlab

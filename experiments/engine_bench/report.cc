// The side-by-side table of `kvlab engine-bench` (FormatReport, engine_bench.h).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/engine_bench/engine_bench.h"

namespace kvlab::engine_bench {
namespace {

std::string Bytes(double b) {
  if (b >= (1 << 30)) return absl::StrFormat("%.2f GiB", b / (1 << 30));
  if (b >= (1 << 20)) return absl::StrFormat("%.1f MiB", b / (1 << 20));
  if (b >= (1 << 10)) return absl::StrFormat("%.1f KiB", b / (1 << 10));
  return absl::StrFormat("%.0f B", b);
}

std::string BlockName(uint64_t bs) {
  if (bs % (1 << 20) == 0) return absl::StrCat(bs >> 20, "m");
  if (bs % (1 << 10) == 0) return absl::StrCat(bs >> 10, "k");
  return absl::StrCat(bs);
}

std::string Options(const EngineConfig& engine) {
  std::string out;
  for (const auto& [k, v] : engine.options) absl::StrAppend(&out, " ", k, "=", v);
  return out.empty() ? " (default options)" : out;
}

void WriteLines(const Report& r, std::string* out) {
  const WriteRun& w = r.write;
  const double mean_write = static_cast<double>(w.mean_data_write_bytes());
  absl::StrAppendFormat(out, "%-46s %9s %9s %9s %12s\n", "phase 1+2: sequential writes, then sync",
                        "MiB/s", "seconds", "CPU s", "engine/this");
  absl::StrAppendFormat(out, "  %-44s %9.1f %9.2f %9.2f\n",
                        absl::StrCat(r.config.engine.name, ", user bytes"), w.user_mib_per_s(),
                        w.seconds, w.cpu_seconds);
  absl::StrAppendFormat(
      out, "  %-44s %9.1f %9.2f\n",
      absl::StrFormat("%s, device bytes (WA %.3f)", r.config.engine.name,
                      w.user_bytes > 0 ? static_cast<double>(w.device.bytes_written) /
                                             w.user_bytes
                                       : 0),
      w.device_mib_per_s(), w.seconds);
  for (size_t j = 0; j < r.fio.size(); ++j) {
    const FioRun& f = r.fio[j];
    const double ratio = f.mib_per_s() > 0 ? w.user_mib_per_s() / f.mib_per_s() : 0;
    absl::StrAppendFormat(out, "  %-44s %9.1f %9.2f %9.2f %11.1f%%%s\n",
                          absl::StrCat("fio --bs=", BlockName(f.block_bytes), " --ioengine=",
                                       r.config.device == "uring" ? "io_uring" : "psync"),
                          f.mib_per_s(), f.seconds, f.cpu_seconds, 100 * ratio,
                          static_cast<int>(j) == r.compared_fio ? "  <- target"
                          : f.engine_block ? "  (engine's write size)" : "");
  }
  absl::StrAppendFormat(out,
                        "  the engine made %llu device writes (data files: %s each on average), %llu file "
                        "syncs, %llu dir syncs; %.2f s inside Sync();\n  %s p50 %.1f us, "
                        "p99 %.1f us, max %.0f us\n",
                        static_cast<unsigned long long>(w.device.writes), Bytes(mean_write),
                        static_cast<unsigned long long>(w.device.syncs),
                        static_cast<unsigned long long>(w.by_kind.dir_syncs), w.sync_seconds,
                        r.config.batch > 1 ? "Write(batch)" : "Put", w.put_p50_us,
                        w.put_p99_us, w.put_max_us);
  if (r.write_runs.size() > 1) {
    absl::StrAppend(out, "  every repeat (engine MiB/s | fio MiB/s per bs):");
    for (size_t i = 0; i < r.write_runs.size(); ++i) {
      absl::StrAppendFormat(out, "%s %.1f |", i == 0 ? "" : ";", r.write_runs[i].user_mib_per_s());
      if (i < r.fio_runs.size()) {
        for (const FioRun& f : r.fio_runs[i]) absl::StrAppendFormat(out, " %.1f", f.mib_per_s());
      }
    }
    absl::StrAppend(out, "\n");
  }
  if (!r.fio_note.empty()) absl::StrAppend(out, "  ", r.fio_note, "\n");
  if (r.compared_fio >= 0) {
    const FioRun& f = r.fio[r.compared_fio];
    absl::StrAppendFormat(out,
                          "target: engine user MiB/s >= %.0f%% of fio --bs=%s (the --fio-bs "
                          "job nearest the engine's mean data write; median of per-repeat "
                          "ratios): %.1f%%  %s\n",
                          100 * r.config.target_ratio, BlockName(f.block_bytes), 100 * r.ratio,
                          r.pass ? "PASS" : "MISS");
  }
}

void ReadLines(const Report& r, std::string* out) {
  const ReadPhase& p = r.read;
  if (p.gets == 0) {
    absl::StrAppend(out, "phase 3: skipped (--reads=0)\n");
    return;
  }
  absl::StrAppendFormat(out,
                        "phase 3: %llu random Gets of existing keys: %.0f ops/s, p50 %.1f us, "
                        "p99 %.1f us, wrong values %llu\n",
                        static_cast<unsigned long long>(p.gets), p.ops_per_s(), p.p50_us,
                        p.p99_us, static_cast<unsigned long long>(p.wrong_values));
  if (p.reads_per_get < 0) {
    absl::StrAppend(out, "  device reads per Get: unknown (the device keeps no counters)\n");
    return;
  }
  absl::StrAppendFormat(out,
                        "  device reads %llu (%s) = %.4f per Get (target 1.0: %s); reads hit "
                        "the page cache unless the store outgrows RAM\n",
                        static_cast<unsigned long long>(p.device_reads),
                        Bytes(p.device_bytes_read), p.reads_per_get,
                        p.reads_per_get == 1.0 ? "PASS" : "MISS");
}

}  // namespace

std::string FormatReport(const Report& r) {
  const Config& c = r.config;
  std::string out = absl::StrCat("kvlab engine-bench: engine ", c.engine.name, Options(c.engine),
                                 " on ", r.device_name, ", dir ", c.dir, "\n");
  const uint64_t puts = r.write.puts;
  absl::StrAppendFormat(
      &out, "writes: %llu puts of %llu B keys + %llu B values = %s user bytes, %s%s\n\n",
      static_cast<unsigned long long>(puts), static_cast<unsigned long long>(c.key_bytes),
      static_cast<unsigned long long>(c.value_bytes), Bytes(r.write.user_bytes),
      absl::StrCat(c.sync_every > 0 ? absl::StrCat("a Sync every ", c.sync_every, " puts")
                                    : std::string("one Sync at the end"),
                   c.batch > 1 ? absl::StrCat(", in batches of ", c.batch, " (Write)") : ""),
      c.repeat > 1 ? absl::StrCat("; ", c.repeat, " repeats, medians shown") : "");
  WriteLines(r, &out);
  absl::StrAppend(&out, "\n");
  ReadLines(r, &out);
  return out;
}

}  // namespace kvlab::engine_bench

// The run folder and its files; formats in RESULTS.md §3-4.
#include "experiments/runner/results.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"

namespace kvlab::runner {
namespace {

namespace fs = std::filesystem;

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A JSON number, or null when absent / not finite.
std::string JsonNumber(std::optional<double> v, const char* format = "%.6g") {
  if (!v.has_value() || !std::isfinite(*v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, *v);
  return buf;
}

std::optional<double> Ratio(uint64_t num, uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::string Us(int64_t ns) { return absl::StrFormat("%.3f", static_cast<double>(ns) / 1000.0); }

std::string LatencyJson(const LatencyHistogram& h) {
  return absl::StrCat("{\"count\":", h.total_count(), ",\"mean\":",
                      absl::StrFormat("%.3f", h.Mean() / 1000.0), ",\"p50\":",
                      Us(h.ValueAtPercentile(50)), ",\"p90\":", Us(h.ValueAtPercentile(90)),
                      ",\"p99\":", Us(h.ValueAtPercentile(99)), ",\"p999\":",
                      Us(h.ValueAtPercentile(99.9)), ",\"max\":", Us(h.Max()), "}");
}

std::string ReadCommand(const char* command) {
  std::string out;
  if (std::FILE* p = popen(command, "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string FileSystemOf(const std::string& path) {
  struct statfs s;
  if (path.empty()) return "unknown";
  // The folder may be gone (removed after the run): ask its nearest ancestor.
  fs::path p = path;
  while (statfs(p.c_str(), &s) != 0) {
    if (!p.has_parent_path() || p.parent_path() == p) return "unknown";
    p = p.parent_path();
  }
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0xF2F52010: return "f2fs";
    default: return absl::StrFormat("0x%x", static_cast<unsigned long>(s.f_type));
  }
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, ": ", ec.message()));
  return absl::OkStatus();
}

// summary.csv: one value column.
enum class Format { kInt, kUs, kRatio, kFloat };
struct Column {
  std::string name;
  Format format;
};

std::string FormatValue(std::optional<double> v, Format f, bool aggregate) {
  if (!v.has_value() || !std::isfinite(*v)) return "";
  switch (f) {
    case Format::kInt: return aggregate ? absl::StrFormat("%.3f", *v) : absl::StrFormat("%.0f", *v);
    case Format::kUs: return absl::StrFormat("%.3f", *v);
    case Format::kRatio: return absl::StrFormat("%.6g", *v);
    case Format::kFloat: return absl::StrFormat("%.3f", *v);
  }
  return "";
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

const char* const kPercentileNames[] = {"p50", "p90", "p99", "p999"};
const double kPercentiles[] = {50, 90, 99, 99.9};
const size_t kSlotOrder[] = {kAllSlot, 0, 1, 2, 3, 4, 5};

std::vector<Column> MetricColumns(const std::vector<std::string>& engine_counters) {
  std::vector<Column> cols = {{"ops", Format::kInt}, {"errors", Format::kInt},
                              {"duration_s", Format::kFloat},
                              {"throughput_ops_s", Format::kFloat}};
  for (size_t slot : kSlotOrder) {
    std::string op(SlotName(slot));
    cols.push_back({op + "_count", Format::kInt});
    cols.push_back({op + "_mean_us", Format::kUs});
    for (const char* p : kPercentileNames) cols.push_back({absl::StrCat(op, "_", p, "_us"), Format::kUs});
    cols.push_back({op + "_max_us", Format::kUs});
  }
  for (const char* n : {"user_bytes_written", "user_bytes_read", "device_bytes_written",
                        "device_bytes_read", "device_reads", "device_writes", "device_syncs"}) {
    cols.push_back({n, Format::kInt});
  }
  for (const char* n : {"write_amp", "read_amp", "space_amp"}) cols.push_back({n, Format::kRatio});
  cols.push_back({"space_bytes", Format::kInt});
  cols.push_back({"live_bytes", Format::kInt});
  cols.push_back({"complete", Format::kInt});
  for (const std::string& c : engine_counters) cols.push_back({"engine." + c, Format::kRatio});
  return cols;
}

std::vector<std::optional<double>> MetricValues(const CellResult& cell,
                                                const std::vector<std::string>& engine_counters) {
  const PhaseResult& r = cell.result;
  std::vector<std::optional<double>> v;
  double seconds = static_cast<double>(r.duration_ns) / 1e9;
  v.push_back(static_cast<double>(r.ops));
  v.push_back(static_cast<double>(r.errors));
  v.push_back(seconds);
  v.push_back(seconds > 0 ? std::optional<double>(static_cast<double>(r.ops) / seconds) : std::nullopt);
  for (size_t slot : kSlotOrder) {
    const LatencyHistogram* h = r.hist[slot].get();
    if (h == nullptr || h->empty()) {
      for (int i = 0; i < 7; ++i) v.push_back(std::nullopt);
      continue;
    }
    v.push_back(static_cast<double>(h->total_count()));
    v.push_back(h->Mean() / 1000.0);
    for (double p : kPercentiles) v.push_back(static_cast<double>(h->ValueAtPercentile(p)) / 1000.0);
    v.push_back(static_cast<double>(h->Max()) / 1000.0);
  }
  for (uint64_t n : {r.user_bytes_written, r.user_bytes_read, r.device.bytes_written,
                     r.device.bytes_read, r.device.reads, r.device.writes, r.device.syncs}) {
    v.push_back(static_cast<double>(n));
  }
  v.push_back(Ratio(r.device.bytes_written, r.user_bytes_written));
  v.push_back(Ratio(r.device.bytes_read, r.user_bytes_read));
  v.push_back(r.stats.space_used_bytes == 0 ? std::nullopt
                                           : Ratio(r.stats.space_used_bytes, r.stats.live_data_bytes));
  v.push_back(static_cast<double>(r.stats.space_used_bytes));
  v.push_back(static_cast<double>(r.stats.live_data_bytes));
  v.push_back(r.complete ? 1.0 : 0.0);
  for (const std::string& c : engine_counters) {
    auto it = r.stats.engine.find(c);
    v.push_back(it == r.stats.engine.end() ? std::nullopt : std::optional<double>(it->second));
  }
  return v;
}

}  // namespace

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double StudentT975(uint64_t df) {
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                  2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                  2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                  2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return 0;
  if (df <= 30) return kTable[df - 1];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.000;
  if (df <= 120) return 1.980;
  return 1.960;
}

std::string CellIdentity::MatrixJson() const {
  std::string out = absl::StrCat("{\"threads\":", threads, ",\"target_ops_per_sec\":",
                                 JsonNumber(target_ops_per_sec));
  for (const auto& [k, v] : matrix) absl::StrAppend(&out, ",", JsonString(k), ":", JsonString(v));
  return out + "}";
}

std::string MakeCellId(const CellIdentity& id) {
  std::string m = absl::StrCat("threads=", id.threads);
  if (id.target_ops_per_sec > 0) absl::StrAppend(&m, "_rate=", id.target_ops_per_sec);
  for (const auto& [k, v] : id.matrix) absl::StrAppend(&m, "_", k, "=", v);
  std::string out = absl::StrCat(id.engine, "__", id.workload, "__", id.phase, "__", m, "__r",
                                 id.repetition);
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '=' ||
          c == '-')) {
      c = '-';
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<ResultsWriter>> ResultsWriter::Create(
    const std::string& parent, const std::string& name, std::vector<std::string> matrix_keys) {
  fs::path base = fs::path(parent) / name;
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create the results folder ", base.string(), ": ", ec.message()));
  }
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  for (int n = 1; n < 1000; ++n) {
    std::string dir = (base / (n == 1 ? std::string(stamp) : absl::StrCat(stamp, "-", n))).string();
    // mkdir fails with EEXIST for an existing folder: a run never reuses one.
    if (::mkdir(dir.c_str(), 0755) == 0) {
      fs::create_directories(fs::path(dir) / "hgrm", ec);
      auto writer = std::unique_ptr<ResultsWriter>(new ResultsWriter(dir, std::move(matrix_keys)));
      writer->timeline_ = std::fopen((fs::path(dir) / "timeline.jsonl").c_str(), "a");
      if (writer->timeline_ == nullptr) {
        return absl::UnavailableError(absl::StrCat("cannot create ", dir, "/timeline.jsonl"));
      }
      return writer;
    }
    if (errno != EEXIST) {
      return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
    }
  }
  return absl::ResourceExhaustedError(absl::StrCat("too many runs in ", base.string(), " this second"));
}

ResultsWriter::ResultsWriter(std::string dir, std::vector<std::string> matrix_keys)
    : dir_(std::move(dir)), matrix_keys_(std::move(matrix_keys)) {}

ResultsWriter::~ResultsWriter() {
  if (timeline_ != nullptr) std::fclose(timeline_);
}

absl::Status ResultsWriter::WriteConfig(const std::string& resolved_yaml) {
  return WriteFile(dir_ + "/config.resolved.yaml", resolved_yaml);
}

absl::Status ResultsWriter::WriteMeta(const RunMeta& m) {
  struct utsname u;
  std::string kernel = uname(&u) == 0 ? absl::StrCat(u.sysname, " ", u.release) : "unknown";
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::string git = ReadCommand("git rev-parse HEAD 2>/dev/null");
  std::string dirty = ReadCommand("git status --porcelain --untracked-files=no 2>/dev/null");
  std::vector<std::string> errors;
  for (const std::string& e : m.errors) errors.push_back(JsonString(e));
  std::string device_dir = m.device_dir;
  std::string fs_name = m.device_kind == "sim" ? "simulated" : FileSystemOf(device_dir);
  std::string json = absl::StrCat(
      "{\n  \"name\": ", JsonString(m.name), ",\n  \"experiment_file\": ",
      JsonString(m.experiment_file), ",\n  \"command_line\": ", JsonString(m.command_line),
      ",\n  \"seed\": ", m.seed, ",\n  \"git_revision\": ", JsonString(git.empty() ? "unknown" : git),
      ",\n  \"git_dirty\": ", dirty.empty() ? "false" : "true",
      ",\n  \"compiler\": ", JsonString(absl::StrCat("gcc ", __VERSION__)),
      ",\n  \"cpu_model\": ", JsonString(CpuModel()),
      ",\n  \"cpu_count\": ", std::thread::hardware_concurrency(),
      ",\n  \"kernel\": ", JsonString(kernel), ",\n  \"hostname\": ", JsonString(host),
      ",\n  \"device\": {\"kind\": ", JsonString(m.device_kind), ", \"dir\": ",
      JsonString(device_dir), ", \"fault_profile\": ", JsonString(m.fault_profile),
      ", \"op_cost_ns\": ", m.op_cost_ns, ", \"filesystem\": ", JsonString(fs_name), "}",
      ",\n  \"start_utc\": ", JsonString(m.start_utc), ",\n  \"end_utc\": ",
      m.end_utc.empty() ? "null" : JsonString(m.end_utc),
      ",\n  \"complete\": ", m.complete ? "true" : "false",
      ",\n  \"interrupted\": ", m.interrupted ? "true" : "false",
      ",\n  \"cells_planned\": ", m.cells_planned, ",\n  \"cells_done\": ", m.cells_done,
      ",\n  \"cells_failed\": ", m.cells_failed, ",\n  \"errors\": [",
      absl::StrJoin(errors, ", "), "]",
      ",\n  \"latency_origin\": ", m.any_target_rate ? "\"intended\"" : "\"service\"",
      ",\n  \"histogram\": {\"lowest_ns\": 1, \"highest_ns\": ", LatencyHistogram::kDefaultHighestNs,
      ", \"significant_digits\": 3}\n}\n");
  return WriteFile(dir_ + "/meta.json", json);
}

absl::Status ResultsWriter::AppendTimeline(const CellIdentity& id, const IntervalRecord& r) {
  double seconds = static_cast<double>(r.t_end_ns - r.t_start_ns) / 1e9;
  std::string lat;
  for (size_t slot : kSlotOrder) {
    const LatencyHistogram* h = (*r.hist)[slot].get();
    if (h == nullptr || h->empty()) continue;
    absl::StrAppend(&lat, lat.empty() ? "" : ",", JsonString(SlotName(slot)), ":", LatencyJson(*h));
  }
  std::optional<double> space_amp =
      r.space_bytes == 0 ? std::nullopt : Ratio(r.space_bytes, r.live_bytes);
  std::string line = absl::StrCat(
      "{\"cell\":", JsonString(id.cell), ",\"engine\":", JsonString(id.engine), ",\"workload\":",
      JsonString(id.workload), ",\"phase\":", JsonString(id.phase), ",\"device\":",
      JsonString(id.device), ",\"repetition\":", id.repetition, ",\"matrix\":", id.MatrixJson(),
      ",\"interval\":", r.index, ",\"t_start_s\":",
      JsonNumber(static_cast<double>(r.t_start_ns) / 1e9, "%.9g"), ",\"t_end_s\":",
      JsonNumber(static_cast<double>(r.t_end_ns) / 1e9, "%.9g"), ",\"ops\":", r.ops,
      ",\"errors\":", r.errors, ",\"throughput_ops_s\":",
      JsonNumber(seconds > 0 ? std::optional<double>(static_cast<double>(r.ops) / seconds)
                             : std::nullopt, "%.3f"),
      ",\"latency_us\":{", lat, "},\"user_bytes_written\":", r.user_bytes_written,
      ",\"user_bytes_read\":", r.user_bytes_read, ",\"device_bytes_written\":",
      r.device.bytes_written, ",\"device_bytes_read\":", r.device.bytes_read, ",\"write_amp\":",
      JsonNumber(Ratio(r.device.bytes_written, r.user_bytes_written)), ",\"read_amp\":",
      JsonNumber(Ratio(r.device.bytes_read, r.user_bytes_read)), ",\"space_bytes\":",
      r.space_bytes == 0 ? "null" : absl::StrCat(r.space_bytes), ",\"live_bytes\":",
      r.live_bytes == 0 ? "null" : absl::StrCat(r.live_bytes), ",\"space_amp\":",
      JsonNumber(space_amp), "}\n");
  if (std::fwrite(line.data(), 1, line.size(), timeline_) != line.size() ||
      std::fflush(timeline_) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot append to ", dir_, "/timeline.jsonl"));
  }
  return absl::OkStatus();
}

absl::Status ResultsWriter::AddCell(CellResult cell) {
  for (size_t slot = 0; slot < kSlotCount; ++slot) {
    const LatencyHistogram* h = cell.result.hist[slot].get();
    if (h == nullptr || h->empty()) continue;
    RETURN_IF_ERROR(WriteFile(absl::StrCat(dir_, "/hgrm/", cell.id.cell, ".", AV(SlotName(slot)), ".hgrm"),
                              h->PercentileDistribution()));
  }
  cells_.push_back(std::move(cell));
  return WriteSummary();
}

absl::Status ResultsWriter::WriteSummary() {
  std::set<std::string> counters;
  for (const CellResult& c : cells_) {
    for (const auto& [k, v] : c.result.stats.engine) counters.insert(k);
  }
  std::vector<std::string> engine_counters(counters.begin(), counters.end());
  std::vector<Column> cols = MetricColumns(engine_counters);
  std::vector<std::string> header = {"row", "cell", "engine", "engine_name", "workload", "phase",
                                     "device", "threads", "target_ops_per_sec"};
  for (const std::string& k : matrix_keys_) header.push_back("m." + k);
  header.push_back("repetition");
  header.push_back("seed");
  for (const Column& c : cols) header.push_back(c.name);
  std::string out = absl::StrJoin(header, ",") + "\n";
  auto identity = [&](const CellIdentity& id, const std::string& row, const std::string& cell) {
    std::vector<std::string> f = {row, cell, id.engine, id.engine_name, id.workload, id.phase,
                                  id.device, absl::StrCat(id.threads),
                                  absl::StrFormat("%.6g", id.target_ops_per_sec)};
    for (const std::string& k : matrix_keys_) {
      std::string v;
      for (const auto& [mk, mv] : id.matrix) if (mk == k) v = mv;
      f.push_back(v);
    }
    return f;
  };
  // Rep rows, and groups (same identity but repetition) in first-seen order.
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  for (size_t i = 0; i < cells_.size(); ++i) {
    const CellIdentity& id = cells_[i].id;
    std::vector<std::string> f = identity(id, "rep", id.cell);
    f.push_back(absl::StrCat(id.repetition));
    f.push_back(absl::StrCat(id.seed));
    std::vector<std::optional<double>> v = MetricValues(cells_[i], engine_counters);
    for (size_t j = 0; j < cols.size(); ++j) f.push_back(FormatValue(v[j], cols[j].format, false));
    for (std::string& s : f) s = CsvField(s);
    out += absl::StrJoin(f, ",") + "\n";
    std::string key = absl::StrJoin(identity(id, "", ""), "\x1f");
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == key; });
    if (it == groups.end()) groups.push_back({key, {i}});
    else it->second.push_back(i);
  }
  for (const auto& [key, members] : groups) {
    std::vector<std::vector<std::optional<double>>> values;
    for (size_t i : members) values.push_back(MetricValues(cells_[i], engine_counters));
    for (const char* row : {"mean", "ci95"}) {
      std::vector<std::string> f = identity(cells_[members[0]].id, row, "");
      f.push_back(absl::StrCat(members.size()));
      f.push_back("");
      for (size_t j = 0; j < cols.size(); ++j) {
        std::vector<double> xs;
        for (const auto& v : values) if (v[j].has_value() && std::isfinite(*v[j])) xs.push_back(*v[j]);
        std::optional<double> result;
        if (!xs.empty()) {
          double mean = 0;
          for (double x : xs) mean += x;
          mean /= static_cast<double>(xs.size());
          if (std::string_view(row) == "mean") {
            result = mean;
          } else {
            double ss = 0;
            for (double x : xs) ss += (x - mean) * (x - mean);
            double n = static_cast<double>(xs.size());
            result = xs.size() < 2 ? 0.0 : StudentT975(xs.size() - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
          }
        }
        f.push_back(FormatValue(result, cols[j].format, true));
      }
      for (std::string& s : f) s = CsvField(s);
      out += absl::StrJoin(f, ",") + "\n";
    }
  }
  return WriteFile(dir_ + "/summary.csv", out);
}

}  // namespace kvlab::runner

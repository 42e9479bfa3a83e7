// Value parsers of the workload schema (scalars, distributions, mix, rate), Validate() and
// WorkloadSpec::ToYaml().
#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "workloads/workload.h"
#include "workloads/workload_yaml_internal.h"

namespace kvlab::workloads {

namespace {
constexpr const char* kKeyDistNames[] = {"uniform", "zipfian", "zipfian_clustered", "latest",
                                         "hotspot", "sequential", "exponential"};
constexpr const char* kSizeDistNames[] = {"constant", "uniform", "zipfian", "normal", "gpd"};
constexpr const char* kKeyFormatNames[] = {"ycsb", "ordered", "dbbench", "u64be"};
constexpr const char* kUpdateModeNames[] = {"read_merge_put", "blind_put"};
constexpr const char* kLoadOrderNames[] = {"keynum", "shuffled", "with_replacement"};
constexpr const char* kMixNames[] = {"read", "update", "insert", "scan", "rmw", "delete"};
constexpr uint64_t kMaxFieldLen = uint64_t{64} << 20;
}  // namespace

std::string_view KeyDistName(KeyDist d) { return kKeyDistNames[static_cast<int>(d)]; }
std::string_view SizeDistName(SizeDist d) { return kSizeDistNames[static_cast<int>(d)]; }
std::string_view KeyFormatName(KeyFormat f) { return kKeyFormatNames[static_cast<int>(f)]; }
std::string_view UpdateModeName(UpdateMode m) { return kUpdateModeNames[static_cast<int>(m)]; }

namespace internal {

std::string Where(const Src& src, const YAML::Node& node) {
  if (!src.has_marks) return src.file;
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return src.file;
  return absl::StrCat(src.file, ":", mark.line + 1, ":", mark.column + 1);
}

absl::Status Error(const Src& src, const YAML::Node& node, std::string_view path,
                   std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(src, node), ": key '", AV(path), "': ", AV(message)));
}

std::string Num(double v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}
std::string Num(uint64_t v) { return absl::StrCat(v); }

namespace {

absl::StatusOr<std::string> ScalarText(const YAML::Node& n, const Src& src,
                                       const std::string& path, std::string_view expected) {
  if (!n.IsDefined() || n.IsNull()) return Error(src, n, path, "has no value");
  if (!n.IsScalar()) return Error(src, n, path, absl::StrCat("expected ", AV(expected)));
  return std::string(absl::StripAsciiWhitespace(n.Scalar()));
}

std::string NearestHint(std::string_view word, const std::vector<std::string>& names) {
  std::string hint = NearestName(word, names);
  return hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)");
}

}  // namespace

absl::StatusOr<std::string> ParseString(const YAML::Node& n, const Src& src,
                                        const std::string& path) {
  return ScalarText(n, src, path, "a string");
}

absl::StatusOr<uint64_t> ParseCount(const YAML::Node& n, const Src& src, const std::string& path,
                                    uint64_t min, uint64_t max) {
  ASSIGN_OR_RETURN(std::string text, ScalarText(n, src, path, "an integer"));
  std::string range = max == UINT64_MAX ? absl::StrCat(">= ", min)
                                        : absl::StrCat("between ", min, " and ", max);
  uint64_t v = 0;
  if (!text.empty() && text[0] == '-') {
    return Error(src, n, path, absl::StrCat("must not be negative (valid: ", range, "), got ", text));
  }
  if (!absl::SimpleAtoi(text, &v)) {
    return Error(src, n, path, absl::StrCat("expected an integer ", range, ", got '", text, "'"));
  }
  if (v < min || v > max) {
    return Error(src, n, path, absl::StrCat("must be ", range, ", got ", v));
  }
  return v;
}

absl::StatusOr<uint64_t> ParseBytes(const YAML::Node& n, const Src& src, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarText(n, src, path, "a byte size"));
  static constexpr std::pair<const char*, uint64_t> kUnits[] = {
      {"GiB", uint64_t{1} << 30}, {"MiB", uint64_t{1} << 20}, {"KiB", 1024}, {"B", 1}};
  uint64_t unit = 1;
  std::string digits = text;
  for (const auto& [suffix, factor] : kUnits) {
    size_t len = strlen(suffix);
    if (text.size() >= len && text.compare(text.size() - len, len, suffix) == 0) {
      digits = std::string(absl::StripAsciiWhitespace(text.substr(0, text.size() - len)));
      unit = factor;
      break;
    }
  }
  uint64_t v = 0;
  if (!digits.empty() && digits[0] == '-') {
    return Error(src, n, path, absl::StrCat("a size must not be negative, got ", text));
  }
  if (!absl::SimpleAtoi(digits, &v) || v > UINT64_MAX / unit) {
    return Error(src, n, path, absl::StrCat("expected a byte size (e.g. 100, 4KiB, 1MiB), got '",
                                            text, "'"));
  }
  return v * unit;
}

absl::StatusOr<double> ParseDouble(const YAML::Node& n, const Src& src, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarText(n, src, path, "a number"));
  double v = 0;
  if (!absl::SimpleAtod(text, &v) || !std::isfinite(v)) {
    return Error(src, n, path, absl::StrCat("expected a number, got '", text, "'"));
  }
  return v;
}

absl::StatusOr<double> ParseDuration(const YAML::Node& n, const Src& src,
                                     const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarText(n, src, path, "a duration"));
  size_t split = text.find_first_of("abcdefghijklmnopqrstuvwxyz");
  std::string number = text.substr(0, split);
  std::string unit = split == std::string::npos ? "" : text.substr(split);
  double v = 0, scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "ms") scale = 1e-3;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (scale == 0 || !absl::SimpleAtod(number, &v) || !std::isfinite(v)) {
    return Error(src, n, path, absl::StrCat("expected a duration such as 30s, 500ms, 2m, 1h or a "
                                            "number of seconds, got '", text, "'"));
  }
  if (v < 0) return Error(src, n, path, absl::StrCat("must not be negative, got ", text));
  return v * scale;
}

absl::StatusOr<int> ParseEnum(const YAML::Node& n, const Src& src, const std::string& path,
                              std::initializer_list<const char*> names) {
  std::vector<std::string> valid(names.begin(), names.end());
  ASSIGN_OR_RETURN(std::string text,
                   ScalarText(n, src, path, absl::StrCat("one of ", absl::StrJoin(valid, ", "))));
  for (size_t i = 0; i < valid.size(); ++i) {
    if (text == valid[i]) return static_cast<int>(i);
  }
  return Error(src, n, path, absl::StrCat("unknown value '", text, "'", NearestHint(text, valid),
                                          "; expected one of ", absl::StrJoin(valid, ", ")));
}

absl::StatusOr<std::array<double, kOpTypeCount>> ParseMix(const YAML::Node& n, const Src& src,
                                                          const std::string& path) {
  std::vector<std::string> valid(std::begin(kMixNames), std::end(kMixNames));
  if (!n.IsMap()) {
    return Error(src, n, path, absl::StrCat("expected a map of operation weights, e.g. "
                                            "{read: 0.5, update: 0.5}; operations: ",
                                            absl::StrJoin(valid, ", ")));
  }
  std::array<double, kOpTypeCount> mix{};
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
    std::string child = absl::StrCat(path, ".", name);
    auto found = std::find(valid.begin(), valid.end(), name);
    if (found == valid.end()) {
      return Error(src, it->first, child,
                   absl::StrCat("unknown operation", NearestHint(name, valid),
                                "; operations: ", absl::StrJoin(valid, ", ")));
    }
    ASSIGN_OR_RETURN(double w, ParseDouble(it->second, src, child));
    if (w < 0) {
      return Error(src, it->second, child,
                   absl::StrCat("a mix weight must be >= 0 (weights are normalised by their "
                                "sum), got ", Num(w)));
    }
    mix[found - valid.begin()] = w;
  }
  return mix;
}

namespace {

// The map form of a distribution: {dist: NAME, params...}. Returns the dist index; calls
// `param(name, node)` for every other key, after checking it is in `params_of(dist)`.
template <typename ParamFn>
absl::StatusOr<int> ParseDistMap(const YAML::Node& n, const Src& src, const std::string& path,
                                 const std::vector<std::string>& dists,
                                 const std::vector<std::vector<std::string>>& params_of,
                                 ParamFn param) {
  YAML::Node dist_node = n["dist"];
  if (!dist_node.IsDefined()) {
    return Error(src, n, path, absl::StrCat("missing 'dist' (one of ", absl::StrJoin(dists, ", "), ")"));
  }
  ASSIGN_OR_RETURN(std::string name, ScalarText(dist_node, src, path + ".dist", "a name"));
  auto found = std::find(dists.begin(), dists.end(), name);
  if (found == dists.end()) {
    return Error(src, dist_node, path + ".dist",
                 absl::StrCat("unknown distribution '", name, "'", NearestHint(name, dists),
                              "; expected one of ", absl::StrJoin(dists, ", ")));
  }
  int dist = static_cast<int>(found - dists.begin());
  const std::vector<std::string>& allowed = params_of[dist];
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (key == "dist") continue;
    std::string child = absl::StrCat(path, ".", key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::vector<std::string> valid = allowed;
      valid.push_back("dist");
      return Error(src, it->first, child,
                   absl::StrCat("unknown key for dist '", name, "'", NearestHint(key, valid),
                                "; it takes: ",
                                allowed.empty() ? "no parameters" : absl::StrJoin(allowed, ", ")));
    }
    RETURN_IF_ERROR(param(key, it->second, child));
  }
  return dist;
}

absl::Status CheckTheta(double theta, const YAML::Node& n, const Src& src, const std::string& p) {
  if (theta > 0 && theta < 1) return absl::OkStatus();
  return Error(src, n, p, absl::StrCat("the Zipfian constant theta must be in the open range "
                                       "(0, 1) (YCSB's default is 0.99), got ", Num(theta)));
}

absl::Status CheckFraction(double v, const YAML::Node& n, const Src& src, const std::string& p) {
  if (v >= 0 && v <= 1) return absl::OkStatus();
  return Error(src, n, p, absl::StrCat("a fraction must be in [0, 1], got ", Num(v)));
}

}  // namespace

absl::StatusOr<KeyDistSpec> ParseKeyDist(const YAML::Node& n, const Src& src,
                                         const std::string& path) {
  std::vector<std::string> dists(std::begin(kKeyDistNames), std::end(kKeyDistNames));
  KeyDistSpec spec;
  if (n.IsScalar()) {
    ASSIGN_OR_RETURN(int d, ParseEnum(n, src, path, {"uniform", "zipfian", "zipfian_clustered",
                                                     "latest", "hotspot", "sequential",
                                                     "exponential"}));
    spec.dist = static_cast<KeyDist>(d);
    return spec;
  }
  if (!n.IsMap()) return Error(src, n, path, "expected {dist: NAME, ...} or a distribution name");
  const std::vector<std::vector<std::string>> params = {
      {}, {"theta"}, {"theta"}, {"theta"}, {"hot_data", "hot_ops"}, {}, {"percentile", "frac"}};
  auto param = [&](const std::string& key, const YAML::Node& v,
                   const std::string& p) -> absl::Status {
    ASSIGN_OR_RETURN(double x, ParseDouble(v, src, p));
    if (key == "theta") {
      RETURN_IF_ERROR(CheckTheta(x, v, src, p));
      spec.theta = x;
    } else if (key == "hot_data" || key == "hot_ops") {
      RETURN_IF_ERROR(CheckFraction(x, v, src, p));
      (key == "hot_data" ? spec.hot_data : spec.hot_ops) = x;
    } else if (key == "percentile") {
      if (!(x > 0 && x < 100)) {
        return Error(src, v, p, absl::StrCat("must be in the open range (0, 100), got ", Num(x)));
      }
      spec.percentile = x;
    } else {
      if (!(x > 0)) return Error(src, v, p, absl::StrCat("must be > 0, got ", Num(x)));
      spec.frac = x;
    }
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(int d, ParseDistMap(n, src, path, dists, params, param));
  spec.dist = static_cast<KeyDist>(d);
  return spec;
}

absl::StatusOr<SizeDistSpec> ParseSizeDist(const YAML::Node& n, const Src& src,
                                           const std::string& path) {
  SizeDistSpec spec;
  if (n.IsScalar()) {  // a plain size: constant
    ASSIGN_OR_RETURN(spec.value, ParseBytes(n, src, path));
    return spec;
  }
  if (!n.IsMap()) return Error(src, n, path, "expected {dist: NAME, ...} or a constant size");
  std::vector<std::string> dists(std::begin(kSizeDistNames), std::end(kSizeDistNames));
  const std::vector<std::vector<std::string>> params = {
      {"value"}, {"min", "max"}, {"min", "max", "theta"}, {"mean", "stddev", "min", "max"},
      {"theta", "k", "sigma", "min", "max"}};
  std::vector<std::string> seen;
  int dist_index = -1;
  {
    YAML::Node d = n["dist"];
    if (d.IsDefined() && d.IsScalar()) {
      auto f = std::find(dists.begin(), dists.end(), d.Scalar());
      if (f != dists.end()) dist_index = static_cast<int>(f - dists.begin());
    }
  }
  if (dist_index == static_cast<int>(SizeDist::kPareto)) {  // db_bench mixgraph defaults
    spec.min = 10;
    spec.max = 1024;
  } else if (dist_index == static_cast<int>(SizeDist::kNormal)) {
    spec.min = 0;
  }
  auto param = [&](const std::string& key, const YAML::Node& v,
                   const std::string& p) -> absl::Status {
    seen.push_back(key);
    if (key == "value" || key == "min" || key == "max") {
      ASSIGN_OR_RETURN(uint64_t x, ParseBytes(v, src, p));
      (key == "value" ? spec.value : key == "min" ? spec.min : spec.max) = x;
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(double x, ParseDouble(v, src, p));
    if (key == "theta" && dist_index == static_cast<int>(SizeDist::kZipfian)) {
      RETURN_IF_ERROR(CheckTheta(x, v, src, p));
      spec.theta = x;
    } else if (key == "theta") {
      spec.location = x;
    } else if (key == "k") {
      spec.shape = x;
    } else if (key == "sigma") {
      if (!(x > 0)) return Error(src, v, p, absl::StrCat("must be > 0, got ", Num(x)));
      spec.scale = x;
    } else if (key == "stddev") {
      if (x < 0) return Error(src, v, p, absl::StrCat("must be >= 0, got ", Num(x)));
      spec.stddev = x;
    } else {
      spec.mean = x;
    }
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(int d, ParseDistMap(n, src, path, dists, params, param));
  spec.dist = static_cast<SizeDist>(d);
  const std::vector<std::vector<std::string>> required = {
      {"value"}, {"min", "max"}, {"min", "max"}, {"mean", "stddev", "max"}, {}};
  for (const std::string& r : required[d]) {
    if (std::find(seen.begin(), seen.end(), r) == seen.end()) {
      return Error(src, n, path, absl::StrCat("dist '", dists[d], "' needs '", r,
                                              "' (it takes: ", absl::StrJoin(params[d], ", "), ")"));
    }
  }
  return spec;
}

absl::StatusOr<double> ParseRate(const YAML::Node& n, const Src& src, const std::string& path) {
  YAML::Node value = n;
  std::string value_path = path;
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key != "shape" && key != "ops_per_sec") {
        return Error(src, it->first, absl::StrCat(path, ".", key),
                     absl::StrCat("unknown key", NearestHint(key, {"shape", "ops_per_sec"}),
                                  "; valid keys: shape, ops_per_sec"));
      }
    }
    YAML::Node shape = n["shape"];
    if (shape.IsDefined()) RETURN_IF_ERROR(ParseEnum(shape, src, path + ".shape", {"constant"}).status());
    value = n["ops_per_sec"];
    value_path = path + ".ops_per_sec";
    if (!value.IsDefined()) return Error(src, n, path, "missing 'ops_per_sec' (0 = unlimited)");
  }
  ASSIGN_OR_RETURN(double rate, ParseDouble(value, src, value_path));
  if (rate < 0) {
    return Error(src, value, value_path,
                 absl::StrCat("a rate must be >= 0 operations per second (0 = unlimited), got ",
                              Num(rate)));
  }
  return rate;
}

YAML::Node UnitNode(const WorkloadSpec& spec, std::string_view unit) {
  YAML::Node node(YAML::NodeType::Map);
  if (unit == "run.mix") {
    for (size_t i = 0; i < kOpTypeCount; ++i) {
      if (spec.mix[i] != 0) node[kMixNames[i]] = Num(spec.mix[i]);
    }
  } else if (unit == "run.keys") {
    const KeyDistSpec& k = spec.keys;
    node["dist"] = std::string(KeyDistName(k.dist));
    if (k.dist == KeyDist::kZipfian || k.dist == KeyDist::kZipfianClustered ||
        k.dist == KeyDist::kLatest) {
      node["theta"] = Num(k.theta);
    } else if (k.dist == KeyDist::kHotspot) {
      node["hot_data"] = Num(k.hot_data);
      node["hot_ops"] = Num(k.hot_ops);
    } else if (k.dist == KeyDist::kExponential) {
      node["percentile"] = Num(k.percentile);
      node["frac"] = Num(k.frac);
    }
  } else if (unit == "run.rate") {
    node["shape"] = "constant";
    node["ops_per_sec"] = Num(spec.target_ops_per_second);
  } else {
    const SizeDistSpec& s = unit == "run.scan_len" ? spec.scan_len : spec.field_len;
    node["dist"] = std::string(SizeDistName(s.dist));
    switch (s.dist) {
      case SizeDist::kConstant:
        node["value"] = Num(s.value);
        break;
      case SizeDist::kZipfian:
        node["theta"] = Num(s.theta);
        [[fallthrough]];
      case SizeDist::kUniform:
        node["min"] = Num(s.min);
        node["max"] = Num(s.max);
        break;
      case SizeDist::kNormal:
        node["mean"] = Num(s.mean);
        node["stddev"] = Num(s.stddev);
        node["min"] = Num(s.min);
        node["max"] = Num(s.max);
        break;
      case SizeDist::kPareto:
        node["theta"] = Num(s.location);
        node["k"] = Num(s.shape);
        node["sigma"] = Num(s.scale);
        node["min"] = Num(s.min);
        node["max"] = Num(s.max);
        break;
    }
  }
  return node;
}

}  // namespace internal

// ---------------------------------------------------------------------------------------------

std::string WorkloadSpec::ToYaml() const {
  using internal::Num;
  using internal::UnitNode;
  YAML::Node root(YAML::NodeType::Map);
  root["kvlab"] = "workload/v1";
  root["name"] = name;
  if (!origin.empty()) root["origin"] = origin;
  root["records"]["count"] = Num(record_count);
  root["records"]["insert_start"] = Num(insert_start);
  root["key"]["format"] = std::string(KeyFormatName(key_format));
  root["key"]["order"] = key_hashed ? "hashed" : "ordered";
  root["key"]["zero_padding"] = Num(uint64_t{zero_padding});
  root["key"]["size"] = Num(uint64_t{key_size});
  root["value"]["fields"] = Num(uint64_t{fields});
  root["value"]["field_len"] = UnitNode(*this, "value.field_len");
  root["value"]["update_mode"] = std::string(UpdateModeName(update_mode));
  root["value"]["compressibility"] = Num(compressibility);
  root["load"]["order"] = kLoadOrderNames[static_cast<int>(load_order)];
  root["run"]["ops"] = Num(operation_count);
  root["run"]["duration"] = Num(duration_seconds);
  root["run"]["mix"] = UnitNode(*this, "run.mix");
  root["run"]["keys"] = UnitNode(*this, "run.keys");
  root["run"]["scan_len"] = UnitNode(*this, "run.scan_len");
  root["run"]["rate"] = UnitNode(*this, "run.rate");
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

namespace {

std::string WhereSet(const WorkloadSpec& spec, std::string_view path) {
  std::string p(path);
  while (true) {
    auto it = spec.origins.find(p);
    if (it != spec.origins.end()) return it->second;
    size_t dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  return spec.source_path.empty() ? "(default)" : absl::StrCat(spec.source_path, " (default)");
}

absl::Status Invalid(const WorkloadSpec& spec, std::string_view path, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(WhereSet(spec, path), ": key '", AV(path), "': ", AV(message)));
}

absl::Status ValidateSize(const WorkloadSpec& spec, const SizeDistSpec& s, std::string_view path,
                          uint64_t min_allowed) {
  if (s.dist == SizeDist::kConstant) {
    if (s.value < min_allowed) {
      return Invalid(spec, path, absl::StrCat("must be at least ", min_allowed, ", got ", s.value));
    }
  } else {
    if (s.min > s.max) {
      return Invalid(spec, path, absl::StrCat("min (", s.min, ") is greater than max (", s.max, ")"));
    }
    if (s.min < min_allowed) {
      return Invalid(spec, path, absl::StrCat("min must be at least ", min_allowed, ", got ", s.min));
    }
    if (s.dist == SizeDist::kZipfian && !(s.theta > 0 && s.theta < 1)) {
      return Invalid(spec, path, "theta must be in the open range (0, 1)");
    }
    if (s.dist == SizeDist::kPareto && !(s.scale > 0)) {
      return Invalid(spec, path, "sigma must be > 0");
    }
    if (s.dist == SizeDist::kPareto && s.max == 0) return Invalid(spec, path, "max must be > 0");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Validate(const WorkloadSpec& spec) {
  if (spec.record_count < 1) return Invalid(spec, "records.count", "must be at least 1");
  if (spec.insert_start >= spec.record_count) {
    return Invalid(spec, "records.insert_start",
                   absl::StrCat("must be below records.count (", spec.record_count, "), got ",
                                spec.insert_start));
  }
  double sum = 0;
  for (size_t i = 0; i < kOpTypeCount; ++i) {
    if (!(spec.mix[i] >= 0)) {
      return Invalid(spec, "run.mix", absl::StrCat("weight of '", kMixNames[i], "' is negative"));
    }
    sum += spec.mix[i];
  }
  if (!(sum > 0)) {
    return Invalid(spec, "run.mix",
                   "all mix weights are zero: give at least one of read, update, insert, scan, "
                   "rmw, delete a positive weight");
  }
  const KeyDistSpec& k = spec.keys;
  bool uses_theta = k.dist == KeyDist::kZipfian || k.dist == KeyDist::kZipfianClustered ||
                    k.dist == KeyDist::kLatest;
  if (uses_theta && !(k.theta > 0 && k.theta < 1)) {
    return Invalid(spec, "run.keys",
                   absl::StrCat("theta must be in the open range (0, 1) (YCSB's default is "
                                "0.99), got ", internal::Num(k.theta)));
  }
  if (k.dist == KeyDist::kHotspot &&
      !(k.hot_data >= 0 && k.hot_data <= 1 && k.hot_ops >= 0 && k.hot_ops <= 1)) {
    return Invalid(spec, "run.keys", "hot_data and hot_ops must be in [0, 1]");
  }
  if (k.dist == KeyDist::kExponential &&
      !(k.percentile > 0 && k.percentile < 100 && k.frac > 0)) {
    return Invalid(spec, "run.keys", "percentile must be in (0, 100) and frac > 0");
  }
  RETURN_IF_ERROR(ValidateSize(spec, spec.field_len, "value.field_len", 0));
  if (spec.field_len.Max() > kMaxFieldLen) {
    return Invalid(spec, "value.field_len",
                   absl::StrCat("field lengths above 64 MiB are not supported, got up to ",
                                spec.field_len.Max()));
  }
  RETURN_IF_ERROR(ValidateSize(spec, spec.scan_len, "run.scan_len", 1));
  if (spec.scan_len.Max() > UINT32_MAX) {
    return Invalid(spec, "run.scan_len", "scan lengths above 2^32-1 are not supported");
  }
  if (spec.MaxValueSize() > (uint64_t{256} << 20)) {
    return Invalid(spec, "value.fields",
                   absl::StrCat("records above 256 MiB are not supported (fields x max field_len "
                                "= ", spec.MaxValueSize(), ")"));
  }
  if (spec.key_format == KeyFormat::kU64Be && spec.origins.count("key.size") > 0 &&
      spec.key_size != 8) {
    return Invalid(spec, "key.size", "format u64be keys are always 8 bytes; remove key.size");
  }
  if (!(spec.compressibility > 0 && spec.compressibility <= 1)) {
    return Invalid(spec, "value.compressibility", "must be in (0, 1]");
  }
  if (!(spec.target_ops_per_second >= 0)) return Invalid(spec, "run.rate", "must be >= 0");
  if (!(spec.duration_seconds >= 0)) return Invalid(spec, "run.duration", "must be >= 0");
  return absl::OkStatus();
}

}  // namespace kvlab::workloads

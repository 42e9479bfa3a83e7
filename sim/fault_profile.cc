// FaultProfile: YAML parsing with errors that point at the file, line, column
// and key, plus swarm selection. One table of fields drives parse and print.
#include "sim/fault_profile.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "yaml-cpp/yaml.h"

namespace kvlab::sim {
namespace {

enum class FieldType : uint8_t { kProbability, kBytes, kNanos, kDouble, kCount, kFill };

struct Field {
  const char* name;
  FieldType type;
  // Exactly one of these is set, by type.
  double FaultProfile::*d = nullptr;
  uint64_t FaultProfile::*u = nullptr;
  int64_t FaultProfile::*i = nullptr;
  TornFill FaultProfile::*fill = nullptr;
};

Field Prob(const char* n, double FaultProfile::*m) { return {n, FieldType::kProbability, m}; }
Field Dbl(const char* n, double FaultProfile::*m) { return {n, FieldType::kDouble, m}; }
Field Bytes(const char* n, uint64_t FaultProfile::*m) {
  return {n, FieldType::kBytes, nullptr, m};
}
Field Count(const char* n, uint64_t FaultProfile::*m) {
  return {n, FieldType::kCount, nullptr, m};
}
Field Nanos(const char* n, int64_t FaultProfile::*m) {
  return {n, FieldType::kNanos, nullptr, nullptr, m};
}

const std::vector<Field>& Fields() {
  static const std::vector<Field>* fields = new std::vector<Field>{
      Prob("crash", &FaultProfile::crash),
      Prob("torn_write", &FaultProfile::torn_write),
      {"torn_fill", FieldType::kFill, nullptr, nullptr, nullptr, &FaultProfile::torn_fill},
      Prob("unsynced_keep", &FaultProfile::unsynced_keep),
      Prob("lose_unsynced_dir_ops", &FaultProfile::lose_unsynced_dir_ops),
      Prob("misdirected_write", &FaultProfile::misdirected_write),
      Prob("read_error", &FaultProfile::read_error),
      Prob("write_error", &FaultProfile::write_error),
      Prob("sync_error", &FaultProfile::sync_error),
      Prob("bit_flip", &FaultProfile::bit_flip),
      Bytes("capacity_bytes", &FaultProfile::capacity_bytes),
      Bytes("free_space_bytes", &FaultProfile::free_space_bytes),
      Prob("latency_spike", &FaultProfile::latency_spike),
      Nanos("latency_spike_ns", &FaultProfile::latency_spike_ns),
      Bytes("sector_size", &FaultProfile::sector_size),
      Nanos("read_latency_ns", &FaultProfile::read_latency_ns),
      Dbl("read_latency_ns_per_byte", &FaultProfile::read_latency_ns_per_byte),
      Nanos("write_latency_ns", &FaultProfile::write_latency_ns),
      Dbl("write_latency_ns_per_byte", &FaultProfile::write_latency_ns_per_byte),
      Nanos("sync_latency_ns", &FaultProfile::sync_latency_ns),
      Dbl("sync_latency_ns_per_byte", &FaultProfile::sync_latency_ns_per_byte),
      Nanos("metadata_latency_ns", &FaultProfile::metadata_latency_ns),
      Count("device_parallelism", &FaultProfile::device_parallelism),
      Nanos("batch_op_overhead_ns", &FaultProfile::batch_op_overhead_ns),
  };
  return *fields;
}

std::vector<std::string> FieldNames() {
  std::vector<std::string> names;
  for (const Field& f : Fields()) names.push_back(f.name);
  return names;
}

// "file:line:column: " for a node (yaml-cpp marks are 0-based).
std::string Where(std::string_view source, const YAML::Mark& mark) {
  if (mark.line < 0) return absl::StrCat(AV(source), ": ");
  return absl::StrCat(AV(source), ":", mark.line + 1, ":", mark.column + 1, ": ");
}

absl::Status SetField(const Field& f, const std::string& text, FaultProfile& p,
                      const std::string& where) {
  auto bad = [&](std::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat(where, "'", f.name, "' is '", text,
                                                   "', but it must be ", AV(expected)));
  };
  switch (f.type) {
    case FieldType::kProbability: {
      double v;
      if (!absl::SimpleAtod(text, &v) || !std::isfinite(v)) {
        return bad("a probability, a number in [0, 1] (e.g. 0.001)");
      }
      if (v < 0 || v > 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "'", f.name, "' is ", text,
            ", but a probability must be in [0, 1]: 0 never, 1 always, 0.001 once per "
            "thousand operations"));
      }
      p.*f.d = v;
      return absl::OkStatus();
    }
    case FieldType::kDouble: {
      double v;
      if (!absl::SimpleAtod(text, &v) || !std::isfinite(v) || v < 0) {
        return bad("a non-negative number");
      }
      p.*f.d = v;
      return absl::OkStatus();
    }
    case FieldType::kBytes:
    case FieldType::kCount: {
      absl::StatusOr<int64_t> v = ParseBytes(text);
      if (!v.ok() || *v < 0) return bad("a non-negative size (e.g. 4096, 64MiB, 1GiB)");
      if (f.type == FieldType::kCount && *v == 0) return bad("at least 1");
      if (std::string_view(f.name) == "sector_size" && (*v & (*v - 1)) != 0) {
        return bad("a power of two (e.g. 512, 4096)");
      }
      p.*f.u = static_cast<uint64_t>(*v);
      return absl::OkStatus();
    }
    case FieldType::kNanos: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v) || v < 0) {
        return bad("a non-negative whole number of nanoseconds");
      }
      p.*f.i = v;
      return absl::OkStatus();
    }
    case FieldType::kFill: {
      if (text == "zero") p.*f.fill = TornFill::kZero;
      else if (text == "garbage") p.*f.fill = TornFill::kGarbage;
      else if (text == "both") p.*f.fill = TornFill::kBoth;
      else return bad("one of: zero, garbage, both");
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unreachable");
}

}  // namespace

std::string_view TornFillName(TornFill fill) {
  switch (fill) {
    case TornFill::kZero: return "zero";
    case TornFill::kGarbage: return "garbage";
    case TornFill::kBoth: return "both";
  }
  return "?";
}

FaultProfile FaultProfile::None() { return FaultProfile(); }

absl::StatusOr<FaultProfile> FaultProfile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return absl::NotFoundError(absl::StrCat("cannot read fault profile '", path,
                                            "': ", std::strerror(err)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

absl::StatusOr<FaultProfile> FaultProfile::Parse(std::string_view yaml_text,
                                                 std::string_view source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(source_name, e.mark), "malformed YAML: ", e.msg));
  }
  FaultProfile p = None();
  if (!root || root.IsNull()) return p;  // An empty file: the defaults.
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Where(source_name, root.Mark()),
        "a fault profile must be a mapping of keys to values (e.g. 'crash: 0.001')"));
  }
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string where = Where(source_name, kv.first.Mark());
    if (!kv.first.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "a key must be a plain name"));
    }
    const std::string key = kv.first.Scalar();
    const Field* field = nullptr;
    for (const Field& f : Fields()) {
      if (key == f.name) field = &f;
    }
    if (field == nullptr) {
      std::string hint = NearestName(key, FieldNames());
      return absl::InvalidArgumentError(absl::StrCat(
          where, "unknown fault-profile key '", key, "'",
          hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"),
          "; valid keys: ", absl::StrJoin(FieldNames(), ", ")));
    }
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, "key '", key, "' appears twice"));
    }
    const YAML::Node& value = kv.second;
    const std::string value_where = Where(source_name, value.Mark());
    if (!value.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(
          value.IsNull() ? where : value_where, "'", key,
          value.IsNull() ? "' has no value" : "' must be a single value, not a list or map"));
    }
    RETURN_IF_ERROR(SetField(*field, value.Scalar(), p, value_where));
  }
  return p;
}

FaultProfile FaultProfile::Swarm(Random& random) const {
  FaultProfile p = *this;
  // A fixed order of draws, so a seed always picks the same kinds.
  auto coin = [&random] { return random.OneIn(2); };
  if (coin()) p.crash = 0;
  if (coin()) p.torn_write = 0;
  if (coin()) p.unsynced_keep = 0;
  if (coin()) p.lose_unsynced_dir_ops = 1;
  if (coin()) p.misdirected_write = 0;
  if (coin()) p.read_error = 0;
  if (coin()) p.write_error = 0;
  if (coin()) p.sync_error = 0;
  if (coin()) p.bit_flip = 0;
  if (coin()) p.capacity_bytes = p.free_space_bytes = 0;  // One kind: disk full.
  if (coin()) p.latency_spike = 0;
  return p;
}

bool FaultProfile::AnyFault() const {
  return crash > 0 || torn_write > 0 || unsynced_keep > 0 || lose_unsynced_dir_ops < 1 ||
         misdirected_write > 0 || read_error > 0 || write_error > 0 || sync_error > 0 ||
         bit_flip > 0 || capacity_bytes > 0 || free_space_bytes > 0 || latency_spike > 0;
}

std::string FaultProfile::ToYaml() const {
  std::string out;
  for (const Field& f : Fields()) {
    absl::StrAppend(&out, f.name, ": ");
    switch (f.type) {
      case FieldType::kProbability:
      case FieldType::kDouble: {
        // %.17g round-trips every double exactly.
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.17g", this->*f.d);
        absl::StrAppend(&out, buf);
        break;
      }
      case FieldType::kBytes:
      case FieldType::kCount: absl::StrAppend(&out, this->*f.u); break;
      case FieldType::kNanos: absl::StrAppend(&out, this->*f.i); break;
      case FieldType::kFill: absl::StrAppend(&out, AV(TornFillName(this->*f.fill))); break;
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace kvlab::sim

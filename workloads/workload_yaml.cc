// The `kvlab: workload/v1` YAML schema: parsing (with `extends:`), `--set` overrides,
// validation and the resolved-YAML dump. The schema is documented in workloads/README.md.
//
// Every key path (e.g. "run.keys") has one handler that parses its node and overwrites the
// matching WorkloadSpec fields; a file applies its keys on top of the spec its `extends:` parent
// produced, so maps merge deeply while distributions and `mix` are replaced as a unit.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"
#include "workloads/workload.h"
#include "workloads/workload_yaml_internal.h"
#include "yaml-cpp/yaml.h"

namespace kvlab::workloads {
namespace {

namespace fs = std::filesystem;
using internal::Src;
using internal::Error;

using Handler = absl::Status (*)(WorkloadSpec&, const YAML::Node&, const Src&, const std::string&);

absl::Status SetName(WorkloadSpec& s, const YAML::Node& n, const Src& src, const std::string& p) {
  ASSIGN_OR_RETURN(s.name, internal::ParseString(n, src, p));
  return absl::OkStatus();
}
absl::Status SetOrigin(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                       const std::string& p) {
  ASSIGN_OR_RETURN(s.origin, internal::ParseString(n, src, p));
  return absl::OkStatus();
}
absl::Status SetRecordCount(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                            const std::string& p) {
  ASSIGN_OR_RETURN(s.record_count, internal::ParseCount(n, src, p, 1));
  return absl::OkStatus();
}
absl::Status SetInsertStart(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                            const std::string& p) {
  ASSIGN_OR_RETURN(s.insert_start, internal::ParseCount(n, src, p, 0));
  return absl::OkStatus();
}
absl::Status SetKeyFormat(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                          const std::string& p) {
  ASSIGN_OR_RETURN(int v, internal::ParseEnum(n, src, p, {"ycsb", "ordered", "dbbench", "u64be"}));
  s.key_format = static_cast<KeyFormat>(v);
  return absl::OkStatus();
}
absl::Status SetKeyOrder(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                         const std::string& p) {
  ASSIGN_OR_RETURN(int v, internal::ParseEnum(n, src, p, {"hashed", "ordered"}));
  s.key_hashed = v == 0;
  return absl::OkStatus();
}
absl::Status SetZeroPadding(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                            const std::string& p) {
  ASSIGN_OR_RETURN(uint64_t v, internal::ParseCount(n, src, p, 1, 64));
  s.zero_padding = static_cast<uint32_t>(v);
  return absl::OkStatus();
}
absl::Status SetKeySize(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                        const std::string& p) {
  ASSIGN_OR_RETURN(uint64_t v, internal::ParseCount(n, src, p, 1, 1024));
  s.key_size = static_cast<uint32_t>(v);
  return absl::OkStatus();
}
absl::Status SetFields(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                       const std::string& p) {
  ASSIGN_OR_RETURN(uint64_t v, internal::ParseCount(n, src, p, 1, 1024));
  s.fields = static_cast<uint32_t>(v);
  return absl::OkStatus();
}
absl::Status SetFieldLen(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                         const std::string& p) {
  ASSIGN_OR_RETURN(s.field_len, internal::ParseSizeDist(n, src, p));
  return absl::OkStatus();
}
absl::Status SetUpdateMode(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                           const std::string& p) {
  ASSIGN_OR_RETURN(int v, internal::ParseEnum(n, src, p, {"read_merge_put", "blind_put"}));
  s.update_mode = static_cast<UpdateMode>(v);
  return absl::OkStatus();
}
absl::Status SetCompressibility(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                                const std::string& p) {
  ASSIGN_OR_RETURN(double v, internal::ParseDouble(n, src, p));
  if (!(v > 0 && v <= 1)) {
    return Error(src, n, p, absl::StrCat("must be in (0, 1] (the compressed/raw size ratio; "
                                         "1 = incompressible), got ", v));
  }
  s.compressibility = v;
  return absl::OkStatus();
}
absl::Status SetLoadOrder(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                          const std::string& p) {
  ASSIGN_OR_RETURN(int v, internal::ParseEnum(n, src, p, {"keynum", "shuffled", "with_replacement"}));
  s.load_order = static_cast<LoadOrder>(v);
  return absl::OkStatus();
}
absl::Status SetOps(WorkloadSpec& s, const YAML::Node& n, const Src& src, const std::string& p) {
  ASSIGN_OR_RETURN(s.operation_count, internal::ParseCount(n, src, p, 0));
  return absl::OkStatus();
}
absl::Status SetDuration(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                         const std::string& p) {
  ASSIGN_OR_RETURN(s.duration_seconds, internal::ParseDuration(n, src, p));
  return absl::OkStatus();
}
absl::Status SetMix(WorkloadSpec& s, const YAML::Node& n, const Src& src, const std::string& p) {
  ASSIGN_OR_RETURN(s.mix, internal::ParseMix(n, src, p));
  return absl::OkStatus();
}
absl::Status SetKeys(WorkloadSpec& s, const YAML::Node& n, const Src& src, const std::string& p) {
  ASSIGN_OR_RETURN(s.keys, internal::ParseKeyDist(n, src, p));
  return absl::OkStatus();
}
absl::Status SetScanLen(WorkloadSpec& s, const YAML::Node& n, const Src& src,
                        const std::string& p) {
  ASSIGN_OR_RETURN(s.scan_len, internal::ParseSizeDist(n, src, p));
  return absl::OkStatus();
}
absl::Status SetRate(WorkloadSpec& s, const YAML::Node& n, const Src& src, const std::string& p) {
  ASSIGN_OR_RETURN(s.target_ops_per_second, internal::ParseRate(n, src, p));
  return absl::OkStatus();
}

struct Entry {
  const char* path;
  Handler handler;
  bool unit;  // a map replaced as a whole (children settable with --set)
};
constexpr Entry kEntries[] = {
    {"name", SetName, false},
    {"origin", SetOrigin, false},
    {"records.count", SetRecordCount, false},
    {"records.insert_start", SetInsertStart, false},
    {"key.format", SetKeyFormat, false},
    {"key.order", SetKeyOrder, false},
    {"key.zero_padding", SetZeroPadding, false},
    {"key.size", SetKeySize, false},
    {"value.fields", SetFields, false},
    {"value.field_len", SetFieldLen, true},
    {"value.update_mode", SetUpdateMode, false},
    {"value.compressibility", SetCompressibility, false},
    {"load.order", SetLoadOrder, false},
    {"run.ops", SetOps, false},
    {"run.duration", SetDuration, false},
    {"run.mix", SetMix, true},
    {"run.keys", SetKeys, true},
    {"run.scan_len", SetScanLen, true},
    {"run.rate", SetRate, true},
};
constexpr const char* kSections[] = {"records", "key", "value", "load", "run"};

const Entry* FindEntry(std::string_view path) {
  for (const Entry& e : kEntries) {
    if (path == e.path) return &e;
  }
  return nullptr;
}
bool IsSection(std::string_view path) {
  for (const char* s : kSections) {
    if (path == s) return true;
  }
  return false;
}

// The valid child names of a section ("" = the top level).
std::vector<std::string> ChildrenOf(std::string_view prefix) {
  std::vector<std::string> names;
  if (prefix.empty()) {
    names = {"kvlab", "extends", "name", "origin"};
    for (const char* s : kSections) names.push_back(s);
    return names;
  }
  std::string dotted = absl::StrCat(AV(prefix), ".");
  for (const Entry& e : kEntries) {
    std::string_view path = e.path;
    if (path.substr(0, dotted.size()) == dotted) names.emplace_back(path.substr(dotted.size()));
  }
  return names;
}

absl::Status Apply(WorkloadSpec& spec, const YAML::Node& node, const Src& src,
                   const std::string& path);

absl::Status ApplyMap(WorkloadSpec& spec, const YAML::Node& node, const Src& src,
                      const std::string& prefix) {
  if (!node.IsMap()) {
    return Error(src, node, prefix.empty() ? "(document)" : prefix,
                 absl::StrCat("expected a map with keys ", absl::StrJoin(ChildrenOf(prefix), ", ")));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) return Error(src, it->first, prefix, "a key must be a plain name");
    std::string key = it->first.Scalar();
    if (prefix.empty() && (key == "kvlab" || key == "extends")) continue;  // the loader's
    std::string path = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
    if (FindEntry(path) == nullptr && !IsSection(path)) {
      std::vector<std::string> valid = ChildrenOf(prefix);
      std::string hint = NearestName(key, valid);
      return Error(src, it->first, path,
                   absl::StrCat("unknown key",
                                hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"),
                                "; valid keys", prefix.empty() ? "" : absl::StrCat(" in '", prefix, "'"),
                                ": ", absl::StrJoin(valid, ", ")));
    }
    RETURN_IF_ERROR(Apply(spec, it->second, src, path));
  }
  return absl::OkStatus();
}

absl::Status Apply(WorkloadSpec& spec, const YAML::Node& node, const Src& src,
                   const std::string& path) {
  if (IsSection(path)) return ApplyMap(spec, node, src, path);
  const Entry* entry = FindEntry(path);
  if (!node.IsDefined() || node.IsNull()) return Error(src, node, path, "has no value");
  RETURN_IF_ERROR(entry->handler(spec, node, src, path));
  spec.origins[path] = internal::Where(src, node);
  return absl::OkStatus();
}

std::string Stem(std::string_view path) { return fs::path(std::string(path)).stem().string(); }

struct LoadState {
  std::vector<std::string> chain;  // canonical paths of the files being loaded (cycle check)
};

absl::Status ApplyFile(WorkloadSpec& spec, const std::string& path, const std::string& referrer,
                       LoadState& state, bool* has_name);

// Applies one document (after its `extends:` parent) to `spec`.
absl::Status ApplyText(WorkloadSpec& spec, std::string_view text, const std::string& display,
                       const fs::path& base_dir, LoadState& state, bool* has_name) {
  Src src{display, true};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(display, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": YAML syntax error: ", e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(
        display, ": empty document; a workload file starts with 'kvlab: workload/v1'"));
  }
  if (!root.IsMap()) return Error(src, root, "(document)", "expected a map of workload keys");
  YAML::Node header = root["kvlab"];
  if (!header.IsDefined()) {
    return absl::InvalidArgumentError(absl::StrCat(
        display, ": missing header key 'kvlab: workload/v1' (every workload file starts with it)"));
  }
  if (!header.IsScalar() || header.Scalar() != "workload/v1") {
    return Error(src, header, "kvlab",
                 absl::StrCat("expected 'workload/v1', got '",
                              header.IsScalar() ? header.Scalar() : "(not a string)", "'"));
  }
  YAML::Node extends = root["extends"];
  if (extends.IsDefined()) {
    if (!extends.IsScalar() || extends.Scalar().empty()) {
      return Error(src, extends, "extends", "expected the path of a workload file");
    }
    fs::path parent = fs::path(extends.Scalar());
    if (parent.is_relative()) parent = base_dir / parent;
    std::string where = internal::Where(src, extends);
    bool parent_has_name = false;
    RETURN_IF_ERROR(ApplyFile(spec, parent.lexically_normal().string(), where, state,
                              &parent_has_name));
  }
  *has_name = root["name"].IsDefined();
  return ApplyMap(spec, root, src, "");
}

absl::Status ApplyFile(WorkloadSpec& spec, const std::string& path, const std::string& referrer,
                       LoadState& state, bool* has_name) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  std::string key = ec ? path : canonical.string();
  for (size_t i = 0; i < state.chain.size(); ++i) {
    if (state.chain[i] == key) {
      std::vector<std::string> cycle(state.chain.begin() + i, state.chain.end());
      cycle.push_back(key);
      return absl::InvalidArgumentError(absl::StrCat(referrer, ": key 'extends': cycle: ",
                                                     absl::StrJoin(cycle, " -> ")));
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fs::path absolute = fs::absolute(fs::path(path), ec);
    return absl::NotFoundError(absl::StrCat(
        referrer.empty() ? "" : absl::StrCat(referrer, ": key 'extends': "),
        "workload file not found: looked for '", path, "'",
        ec ? "" : absl::StrCat(" (", absolute.string(), ")")));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  state.chain.push_back(key);
  absl::Status status =
      ApplyText(spec, buffer.str(), path, fs::path(path).parent_path(), state, has_name);
  state.chain.pop_back();
  return status;
}

}  // namespace

absl::StatusOr<WorkloadSpec> LoadWorkload(std::string_view path) {
  WorkloadSpec spec;
  LoadState state;
  bool has_name = false;
  RETURN_IF_ERROR(ApplyFile(spec, std::string(path), "", state, &has_name));
  spec.source_path = std::string(path);
  if (!has_name) {
    spec.name = Stem(path);
    spec.origins["name"] = spec.source_path;
  }
  RETURN_IF_ERROR(Validate(spec));
  return spec;
}

absl::StatusOr<WorkloadSpec> ParseWorkload(std::string_view yaml_text,
                                           std::string_view source_name) {
  WorkloadSpec spec;
  LoadState state;
  bool has_name = false;
  std::string display(source_name);
  state.chain.push_back(display);
  RETURN_IF_ERROR(ApplyText(spec, yaml_text, display, fs::path(display).parent_path(), state,
                            &has_name));
  if (!has_name) {
    spec.name = Stem(source_name);
    spec.origins["name"] = display;
  }
  RETURN_IF_ERROR(Validate(spec));
  return spec;
}

absl::Status ApplyOverride(WorkloadSpec& spec, std::string_view key_view,
                           std::string_view value) {
  std::string key(key_view);
  Src src{absl::StrCat("--set ", key, "=", AV(value)), false};
  YAML::Node node;
  try {
    node = YAML::Load(std::string(value));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(src.file, ": key '", key, "': the value is not valid YAML: ", e.msg));
  }
  if (IsSection(key) || FindEntry(key) != nullptr) return Apply(spec, node, src, key);
  // A child of a unit (run.mix.read, run.keys.theta, value.field_len.max, ...): rebuild the
  // unit from the spec, change one key, parse it again.
  size_t dot = key.rfind('.');
  if (dot != std::string::npos) {
    std::string unit = key.substr(0, dot), child = key.substr(dot + 1);
    const Entry* entry = FindEntry(unit);
    if (entry != nullptr && entry->unit) {
      YAML::Node unit_node = internal::UnitNode(spec, unit);
      if (child == "dist") unit_node = YAML::Node(YAML::NodeType::Map);
      unit_node[child] = node;
      return Apply(spec, unit_node, src, unit);
    }
  }
  std::vector<std::string> valid;
  for (const Entry& e : kEntries) valid.emplace_back(e.path);
  for (const char* op : {"read", "update", "insert", "scan", "rmw", "delete"}) {
    valid.push_back(absl::StrCat("run.mix.", op));
  }
  std::string hint = NearestName(key, valid);
  return absl::InvalidArgumentError(absl::StrCat(
      src.file, ": unknown key '", key, "'",
      hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"),
      "; settable keys: ", absl::StrJoin(valid, ", ")));
}

}  // namespace kvlab::workloads

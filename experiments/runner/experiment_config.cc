// Parsing and validation of the experiment file (RESULTS.md §2).
#include "experiments/runner/experiment_config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/status_macros.h"
#include "experiments/runner/yaml_util.h"
#include "yaml-cpp/yaml.h"

namespace kvlab::runner {
namespace {

namespace fs = std::filesystem;
using workloads::WorkloadSpec;

const std::vector<std::string> kTopKeys = {
    "kvlab",  "name",   "description", "engines",     "workloads", "set",
    "schedule", "device", "matrix",    "client",      "repetitions", "seed",
    "measure", "output"};

// Prefixes a nested error (from the workload loader or the engine registry).
absl::Status Wrap(const absl::Status& s, std::string_view prefix) {
  return absl::Status(s.code(), absl::StrCat(AV(prefix), s.message()));
}

class Parser {
 public:
  Parser(std::string source_path, ExperimentConfig* out)
      : ctx_(source_path), out_(out) {
    base_dir_ = fs::path(source_path).parent_path();
  }
  YamlContext& ctx() { return ctx_; }
  absl::Status Parse(const YAML::Node& root);

 private:
  absl::Status ParseEngines(const YAML::Node& node);
  absl::Status ParseWorkloads(const YAML::Node& node, const YAML::Node& global_set);
  absl::Status ParseWorkloadEntry(const YAML::Node& node, const std::string& key,
                                  const YAML::Node& global_set, WorkloadEntry* entry);
  absl::Status ParseDevice(const YAML::Node& node);
  absl::Status ParseMatrix(const YAML::Node& node);
  absl::StatusOr<std::string> FindFile(const YAML::Node& node, const std::string& key,
                                       const std::string& path, bool workload_dir) const;
  void EmitResolved();

  YamlContext ctx_;
  ExperimentConfig* out_;
  fs::path base_dir_;
};

absl::Status Parser::Parse(const YAML::Node& root) {
  if (!root.IsMap()) {
    return ctx_.Error(root, "", "an experiment file is a mapping that starts with "
                                "'kvlab: experiment/v1'");
  }
  RETURN_IF_ERROR(ctx_.CheckKeys(root, "", kTopKeys));
  if (!root["kvlab"] || !root["kvlab"].IsScalar() || root["kvlab"].Scalar() != "experiment/v1") {
    return ctx_.Error(root["kvlab"] ? root["kvlab"] : root, "kvlab",
                      "must be 'experiment/v1' (this file is not a kvlab experiment, or of "
                      "another version)");
  }
  if (!root["name"]) return ctx_.Error(root, "name", "is missing (the experiment's name)");
  ASSIGN_OR_RETURN(out_->name, ctx_.String(root["name"], "name"));
  for (char c : out_->name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return ctx_.Error(root["name"], "name",
                        "may hold only letters, digits, '_', '-' and '.' (it names a folder)");
    }
  }
  if (out_->name.empty()) return ctx_.Error(root["name"], "name", "must not be empty");
  if (root["description"]) {
    ASSIGN_OR_RETURN(out_->description, ctx_.String(root["description"], "description"));
  }
  if (!root["engines"]) return ctx_.Error(root, "engines", "is missing (list at least one engine)");
  RETURN_IF_ERROR(ParseEngines(root["engines"]));
  YAML::Node global_set = root["set"];
  if (global_set) RETURN_IF_ERROR(ctx_.ExpectMap(global_set, "set"));
  if (root["schedule"]) {
    ASSIGN_OR_RETURN(std::string schedule, ctx_.String(root["schedule"], "schedule"));
    if (schedule != "ycsb" && schedule != "fresh") {
      return ctx_.Error(root["schedule"], "schedule",
                        absl::StrCat("must be 'ycsb' (load once, run the workloads in order, "
                                     "'reload' starts over) or 'fresh' (load before every "
                                     "workload); got '", schedule, "'"));
    }
    out_->fresh_schedule = schedule == "fresh";
  }
  if (!root["workloads"]) return ctx_.Error(root, "workloads", "is missing (list at least one)");
  RETURN_IF_ERROR(ParseWorkloads(root["workloads"], global_set));
  if (root["device"]) RETURN_IF_ERROR(ParseDevice(root["device"]));
  if (root["client"]) {
    const YAML::Node c = root["client"];
    RETURN_IF_ERROR(ctx_.CheckKeys(c, "client", {"threads", "target_ops_per_sec"}));
    if (c["threads"]) {
      ASSIGN_OR_RETURN(out_->threads, ctx_.Int(c["threads"], "client.threads", 1, 1024));
    }
    if (c["target_ops_per_sec"]) {
      ASSIGN_OR_RETURN(out_->target_ops_per_sec,
                       ctx_.Double(c["target_ops_per_sec"], "client.target_ops_per_sec", 0, 1e10));
    }
  }
  if (root["matrix"]) RETURN_IF_ERROR(ParseMatrix(root["matrix"]));
  if (root["repetitions"]) {
    ASSIGN_OR_RETURN(out_->repetitions, ctx_.Int(root["repetitions"], "repetitions", 1, 1000));
  }
  if (root["seed"]) {
    ASSIGN_OR_RETURN(int64_t seed, ctx_.Int(root["seed"], "seed", 0, INT64_MAX));
    out_->seed = static_cast<uint64_t>(seed);
  }
  if (root["measure"]) {
    RETURN_IF_ERROR(ctx_.CheckKeys(root["measure"], "measure", {"interval_ms"}));
    if (root["measure"]["interval_ms"]) {
      ASSIGN_OR_RETURN(int64_t ms, ctx_.Int(root["measure"]["interval_ms"], "measure.interval_ms",
                                            1, 3600 * 1000));
      out_->interval_ns = ms * 1'000'000;
    }
  }
  if (root["output"]) {
    RETURN_IF_ERROR(ctx_.CheckKeys(root["output"], "output", {"dir"}));
    if (root["output"]["dir"]) {
      ASSIGN_OR_RETURN(out_->output_dir, ctx_.String(root["output"]["dir"], "output.dir"));
    }
  }
  EmitResolved();
  return absl::OkStatus();
}

absl::Status Parser::ParseEngines(const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0) {
    return ctx_.Error(node, "engines", "must be a non-empty list, e.g. [{engine: memory}]");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < node.size(); ++i) {
    std::string key = absl::StrCat("engines.", i);
    const YAML::Node e = node[i];
    EngineEntry entry;
    if (e.IsScalar()) {
      entry.config.name = e.Scalar();
    } else {
      RETURN_IF_ERROR(ctx_.CheckKeys(e, key, {"engine", "id", "options"}));
      if (!e["engine"]) return ctx_.Error(e, key + ".engine", "is missing (e.g. engine: memory)");
      ASSIGN_OR_RETURN(entry.config.name, ctx_.String(e["engine"], key + ".engine"));
      if (e["id"]) {
        ASSIGN_OR_RETURN(entry.id, ctx_.String(e["id"], key + ".id"));
      }
      if (e["options"]) {
        RETURN_IF_ERROR(ctx_.ExpectMap(e["options"], key + ".options"));
        for (auto it = e["options"].begin(); it != e["options"].end(); ++it) {
          std::string opt = it->first.Scalar();
          ASSIGN_OR_RETURN(entry.config.options[opt],
                           ctx_.String(it->second, absl::StrCat(key, ".options.", opt)));
        }
      }
    }
    if (entry.id.empty()) entry.id = entry.config.name;
    const YAML::Node where = e.IsMap() ? e["engine"] : e;
    const EngineRegistry& registry = EngineRegistry::Default();
    if (registry.Find(entry.config.name) == nullptr) {
      std::string nearest = NearestName(entry.config.name, registry.Names());
      return ctx_.Error(where, key + ".engine",
                        absl::StrCat("unknown engine '", entry.config.name, "'",
                                     nearest.empty() ? "" : absl::StrCat(" (did you mean '", nearest, "'?)"),
                                     "; registered engines: ", absl::StrJoin(registry.Names(), ", ")));
    }
    absl::StatusOr<EngineOptions> options = registry.Validate(entry.config);
    if (!options.ok()) {
      return Wrap(options.status(), absl::StrCat(ctx_.Where(e.IsMap() && e["options"] ? e["options"] : where, key),
                                                 ": engine '", entry.id, "': "));
    }
    if (!ids.insert(entry.id).second) {
      return ctx_.Error(where, key + ".id",
                        absl::StrCat("engine id '", entry.id, "' is used twice; give each an id:"));
    }
    out_->engines.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::FindFile(const YAML::Node& node, const std::string& key,
                                             const std::string& path, bool workload_dir) const {
  std::vector<std::string> tried;
  fs::path p(path);
  std::vector<fs::path> candidates;
  if (p.is_absolute()) {
    candidates.push_back(p);
  } else {
    candidates.push_back(base_dir_ / p);
    if (workload_dir) candidates.push_back(fs::path("workloads") / p);
  }
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c.lexically_normal().string();
    tried.push_back(fs::absolute(c, ec).lexically_normal().string());
  }
  return absl::NotFoundError(absl::StrCat(ctx_.Where(node, key), ": key '", key, "': file '",
                                          path, "' not found; looked for ",
                                          absl::StrJoin(tried, " and ")));
}

absl::Status Parser::ParseWorkloads(const YAML::Node& node, const YAML::Node& global_set) {
  if (!node.IsSequence() || node.size() == 0) {
    return ctx_.Error(node, "workloads",
                      "must be a non-empty list of workload files, e.g. [../workloads/ycsb/a.yaml]");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string key = absl::StrCat("workloads.", i);
    WorkloadEntry entry;
    if (node[i].IsScalar() && node[i].Scalar() == "reload") {
      if (i == 0 || i + 1 == node.size() || out_->workloads.back().reload) {
        return ctx_.Error(node[i], key,
                          "'reload' must stand between two workloads (it wipes the store and "
                          "loads with the next workload)");
      }
      entry.reload = true;
    } else {
      RETURN_IF_ERROR(ParseWorkloadEntry(node[i], key, global_set, &entry));
    }
    out_->workloads.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseWorkloadEntry(const YAML::Node& node, const std::string& key,
                                        const YAML::Node& global_set, WorkloadEntry* entry) {
  YAML::Node ref = node;
  YAML::Node own_set;
  absl::StatusOr<WorkloadSpec> spec = absl::UnknownError("unset");
  if (node.IsMap()) {
    RETURN_IF_ERROR(ctx_.CheckKeys(node, key, {"ref", "set", "inline"}));
    own_set = node["set"];
    if (own_set) RETURN_IF_ERROR(ctx_.ExpectMap(own_set, key + ".set"));
    if (node["ref"] && node["inline"]) {
      return ctx_.Error(node, key, "give either 'ref' (a file) or 'inline' (a workload), not both");
    }
    if (node["inline"]) {
      RETURN_IF_ERROR(ctx_.ExpectMap(node["inline"], key + ".inline"));
      YAML::Emitter out;
      out << node["inline"];
      std::string where = ctx_.Where(node["inline"], key + ".inline");
      spec = workloads::ParseWorkload(out.c_str(), (base_dir_ / "inline.yaml").string());
      if (!spec.ok()) return Wrap(spec.status(), absl::StrCat(where, ": inline workload: "));
    } else if (!node["ref"]) {
      return ctx_.Error(node, key + ".ref", "is missing (the workload file)");
    }
    ref = node["ref"];
  } else if (!node.IsScalar()) {
    return ctx_.Error(node, key, "must be a workload file path, 'reload', or {ref: path, set: {...}}");
  }
  if (!node.IsMap() || !node["inline"]) {
    std::string subkey = node.IsMap() ? key + ".ref" : key;
    ASSIGN_OR_RETURN(std::string path, ctx_.String(ref, subkey));
    ASSIGN_OR_RETURN(entry->path, FindFile(ref, subkey, path, /*workload_dir=*/true));
    spec = workloads::LoadWorkload(entry->path);
    if (!spec.ok()) {
      return Wrap(spec.status(), absl::StrCat(ctx_.Where(ref, subkey), ": workload '", path, "': "));
    }
  }
  entry->spec = *std::move(spec);
  const std::pair<YAML::Node, std::string> sets[] = {{global_set, "set"}, {own_set, key + ".set"}};
  for (const auto& [set, set_key] : sets) {
    if (!set) continue;
    for (auto it = set.begin(); it != set.end(); ++it) {
      std::string k = it->first.Scalar();
      std::string v = FlowYaml(it->second);
      absl::Status s = workloads::ApplyOverride(entry->spec, k, v);
      if (!s.ok()) {
        return Wrap(s, absl::StrCat(ctx_.Where(it->first, set_key + "." + k), ": key '", set_key,
                                    ".", k, "' (workload '", entry->spec.name, "'): "));
      }
      entry->overrides.emplace_back(k, v);
    }
  }
  absl::Status valid = workloads::Validate(entry->spec);
  if (!valid.ok()) {
    return Wrap(valid, absl::StrCat(ctx_.Where(node, key), ": workload '", entry->spec.name, "': "));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseDevice(const YAML::Node& d) {
  RETURN_IF_ERROR(ctx_.CheckKeys(d, "device", {"kind", "dir", "keep_data", "fault_profile",
                                              "op_cost_ns"}));
  DeviceConfig& dev = out_->device;
  if (d["kind"]) {
    ASSIGN_OR_RETURN(std::string kind, ctx_.String(d["kind"], "device.kind"));
    if (kind == "posix") dev.kind = DeviceKind::kPosix;
    else if (kind == "uring") dev.kind = DeviceKind::kUring;
    else if (kind == "sim") dev.kind = DeviceKind::kSim;
    else {
      std::string nearest = NearestName(kind, {"posix", "uring", "sim"});
      return ctx_.Error(d["kind"], "device.kind",
                        absl::StrCat("must be posix, uring or sim (got '", kind, "'",
                                     nearest.empty() ? "" : absl::StrCat("; did you mean '", nearest, "'?"),
                                     ")"));
    }
  }
  bool sim = dev.kind == DeviceKind::kSim;
  if (d["dir"]) {
    if (sim) return ctx_.Error(d["dir"], "device.dir", "applies to posix and uring devices only");
    ASSIGN_OR_RETURN(dev.dir, ctx_.String(d["dir"], "device.dir"));
  }
  if (d["keep_data"]) {
    if (sim) return ctx_.Error(d["keep_data"], "device.keep_data", "applies to real devices only");
    ASSIGN_OR_RETURN(dev.keep_data, ctx_.Bool(d["keep_data"], "device.keep_data"));
  }
  if (d["fault_profile"]) {
    if (!sim) {
      return ctx_.Error(d["fault_profile"], "device.fault_profile",
                        "applies to device.kind sim only (real devices inject no faults)");
    }
    ASSIGN_OR_RETURN(std::string profile, ctx_.String(d["fault_profile"], "device.fault_profile"));
    if (profile != "none" && !profile.empty()) {
      ASSIGN_OR_RETURN(dev.fault_profile, FindFile(d["fault_profile"], "device.fault_profile",
                                                   profile, /*workload_dir=*/false));
    }
  }
  if (d["op_cost_ns"]) {
    if (!sim) return ctx_.Error(d["op_cost_ns"], "device.op_cost_ns", "applies to device.kind sim only");
    ASSIGN_OR_RETURN(dev.op_cost_ns, ctx_.Int(d["op_cost_ns"], "device.op_cost_ns", 0, 1'000'000'000));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseMatrix(const YAML::Node& m) {
  RETURN_IF_ERROR(ctx_.ExpectMap(m, "matrix"));
  for (auto it = m.begin(); it != m.end(); ++it) {
    MatrixAxis axis;
    axis.key = it->first.Scalar();
    std::string key = "matrix." + axis.key;
    std::vector<YAML::Node> values;
    if (it->second.IsSequence()) {
      for (size_t i = 0; i < it->second.size(); ++i) values.push_back(it->second[i]);
    } else {
      values.push_back(it->second);
    }
    if (values.empty()) return ctx_.Error(it->second, key, "must list at least one value");
    for (size_t i = 0; i < values.size(); ++i) {
      const YAML::Node& v = values[i];
      std::string vkey = absl::StrCat(key, ".", i);
      if (axis.key == "threads") {
        RETURN_IF_ERROR(ctx_.Int(v, vkey, 1, 1024).status());
      } else if (axis.key == "target_ops_per_sec") {
        RETURN_IF_ERROR(ctx_.Double(v, vkey, 0, 1e10).status());
      } else if (absl::StartsWith(axis.key, "workload.")) {
        std::string wkey = axis.key.substr(9);
        for (const WorkloadEntry& w : out_->workloads) {
          if (w.reload) continue;
          WorkloadSpec copy = w.spec;
          absl::Status s = workloads::ApplyOverride(copy, wkey, FlowYaml(v));
          if (s.ok()) s = workloads::Validate(copy);
          if (!s.ok()) {
            return Wrap(s, absl::StrCat(ctx_.Where(v, vkey), ": key '", vkey, "' (workload '",
                                        w.spec.name, "'): "));
          }
        }
      } else if (absl::StartsWith(axis.key, "engine.")) {
        for (const EngineEntry& e : out_->engines) {
          EngineConfig copy = e.config;
          copy.options[axis.key.substr(7)] = FlowYaml(v);
          absl::Status s = EngineRegistry::Default().Validate(copy).status();
          if (!s.ok()) {
            return Wrap(s, absl::StrCat(ctx_.Where(v, vkey), ": key '", vkey, "' (engine '",
                                        e.id, "'): "));
          }
        }
      } else {
        std::string nearest = NearestName(axis.key, {"threads", "target_ops_per_sec"});
        return ctx_.Error(it->first, key,
                          absl::StrCat("unknown matrix key",
                                       nearest.empty() ? "" : absl::StrCat(" (did you mean '", nearest, "'?)"),
                                       "; valid: threads, target_ops_per_sec, workload.<workload "
                                       "key> (e.g. workload.records.count), engine.<option>"));
      }
      axis.values.push_back(FlowYaml(v));
    }
    out_->matrix.push_back(std::move(axis));
  }
  return absl::OkStatus();
}

void Parser::EmitResolved() {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "kvlab" << YAML::Value << "experiment/v1";
  y << YAML::Key << "name" << YAML::Value << out_->name;
  if (!out_->description.empty()) y << YAML::Key << "description" << YAML::Value << out_->description;
  y << YAML::Key << "engines" << YAML::Value << YAML::BeginSeq;
  for (const EngineEntry& e : out_->engines) {
    y << YAML::BeginMap << YAML::Key << "id" << YAML::Value << e.id;
    y << YAML::Key << "engine" << YAML::Value << e.config.name;
    y << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
    const EngineDescriptor* d = EngineRegistry::Default().Find(e.config.name);
    for (const OptionSpec& o : d->options) {
      auto it = e.config.options.find(o.name);
      y << YAML::Key << o.name << YAML::Value
        << (it == e.config.options.end() ? o.default_value : it->second);
    }
    y << YAML::EndMap << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::Key << "schedule" << YAML::Value << (out_->fresh_schedule ? "fresh" : "ycsb");
  y << YAML::Key << "workloads" << YAML::Value << YAML::BeginSeq;
  for (const WorkloadEntry& w : out_->workloads) {
    if (w.reload) {
      y << "reload";
      continue;
    }
    y << YAML::BeginMap << YAML::Key << "path" << YAML::Value << w.path;
    y << YAML::Key << "resolved" << YAML::Value << YAML::Load(w.spec.ToYaml()) << YAML::EndMap;
  }
  y << YAML::EndSeq;
  const DeviceConfig& d = out_->device;
  y << YAML::Key << "device" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "kind" << YAML::Value << std::string(DeviceKindName(d.kind));
  if (d.kind == DeviceKind::kSim) {
    y << YAML::Key << "fault_profile" << YAML::Value << (d.fault_profile.empty() ? "none" : d.fault_profile);
    y << YAML::Key << "op_cost_ns" << YAML::Value << d.op_cost_ns;
  } else {
    y << YAML::Key << "dir" << YAML::Value << d.dir;
    y << YAML::Key << "keep_data" << YAML::Value << d.keep_data;
  }
  y << YAML::EndMap;
  y << YAML::Key << "matrix" << YAML::Value << YAML::BeginMap;
  for (const MatrixAxis& a : out_->matrix) {
    y << YAML::Key << a.key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& v : a.values) y << v;
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
  y << YAML::Key << "client" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "threads" << YAML::Value << out_->threads;
  y << YAML::Key << "target_ops_per_sec" << YAML::Value << out_->target_ops_per_sec << YAML::EndMap;
  y << YAML::Key << "repetitions" << YAML::Value << out_->repetitions;
  y << YAML::Key << "seed" << YAML::Value << out_->seed;
  y << YAML::Key << "measure" << YAML::Value << YAML::BeginMap << YAML::Key << "interval_ms"
    << YAML::Value << out_->interval_ns / 1'000'000 << YAML::EndMap;
  y << YAML::Key << "output" << YAML::Value << YAML::BeginMap << YAML::Key << "dir"
    << YAML::Value << out_->output_dir << YAML::EndMap;
  y << YAML::EndMap;
  out_->resolved_yaml = std::string(y.c_str()) + "\n";
}

}  // namespace

std::string_view DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kPosix: return "posix";
    case DeviceKind::kUring: return "uring";
    case DeviceKind::kSim: return "sim";
  }
  return "?";
}

absl::StatusOr<ExperimentConfig> ParseExperiment(std::string_view yaml_text,
                                                 std::string_view source_path,
                                                 const std::vector<std::string>& sets) {
  ExperimentConfig config;
  config.source_path = std::string(source_path);
  Parser parser(config.source_path, &config);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(absl::StrCat(AV(source_path), ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": not valid YAML: ", e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(AV(source_path), ": the file is empty"));
  }
  for (const std::string& s : sets) RETURN_IF_ERROR(parser.ctx().ApplySet(root, s));
  try {
    RETURN_IF_ERROR(parser.Parse(root));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(AV(source_path), ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  return config;
}

absl::StatusOr<ExperimentConfig> LoadExperiment(std::string_view path,
                                                const std::vector<std::string>& sets) {
  std::ifstream in{std::string(path)};
  if (!in) {
    std::error_code ec;
    return absl::NotFoundError(absl::StrCat(
        "experiment file not found: looked for '", AV(path), "' (",
        fs::absolute(fs::path(path), ec).string(), ")"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseExperiment(text.str(), path, sets);
}

}  // namespace kvlab::runner

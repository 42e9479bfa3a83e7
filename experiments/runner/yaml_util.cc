// yaml-cpp helpers for experiment files (see yaml_util.h).
#include "experiments/runner/yaml_util.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/common/status_macros.h"
#include "engine/engine_config.h"

namespace kvlab::runner {
namespace {

bool IsIndex(std::string_view s, size_t* index) {
  if (s.empty() || s.size() > 9) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *index = v;
  return true;
}

}  // namespace

std::string YamlContext::Where(const YAML::Node& node, std::string_view key) const {
  if (from_flags_.count(std::string(key)) > 0) return absl::StrCat("--set ", AV(key));
  // A key set by a flag covers everything below it.
  for (const std::string& k : from_flags_) {
    if (key.size() > k.size() && key.substr(0, k.size()) == k && key[k.size()] == '.') {
      return absl::StrCat("--set ", k);
    }
  }
  YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (mark.is_null()) return file_;
  return absl::StrCat(file_, ":", mark.line + 1, ":", mark.column + 1);
}

absl::Status YamlContext::Error(const YAML::Node& node, std::string_view key,
                                std::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(node, key), ": key '", AV(key), "': ", AV(message)));
}

absl::Status YamlContext::ExpectMap(const YAML::Node& node, std::string_view key) const {
  if (node.IsMap()) return absl::OkStatus();
  return Error(node, key, "must be a mapping of keys to values (e.g. {a: 1, b: 2})");
}

absl::Status YamlContext::CheckKeys(const YAML::Node& node, std::string_view key,
                                    const std::vector<std::string>& valid) const {
  RETURN_IF_ERROR(ExpectMap(node, key));
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      return Error(it->first, key, "map keys must be plain names");
    }
    std::string name = it->first.Scalar();
    bool known = false;
    for (const std::string& v : valid) known = known || v == name;
    if (known) continue;
    std::string full = key.empty() ? name : absl::StrCat(AV(key), ".", name);
    std::string nearest = NearestName(name, valid);
    std::string hint = nearest.empty() ? "" : absl::StrCat(" (did you mean '", nearest, "'?)");
    return Error(it->first, full,
                 absl::StrCat("unknown key", hint, "; valid keys here: ",
                              absl::StrJoin(valid, ", ")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> YamlContext::String(const YAML::Node& node,
                                                std::string_view key) const {
  if (!node.IsScalar()) return Error(node, key, "must be a single value (a string)");
  return node.Scalar();
}

absl::StatusOr<int64_t> YamlContext::Int(const YAML::Node& node, std::string_view key,
                                         int64_t min, int64_t max) const {
  if (!node.IsScalar()) return Error(node, key, "must be a whole number");
  int64_t v;
  if (!absl::SimpleAtoi(node.Scalar(), &v)) {
    return Error(node, key, absl::StrCat("must be a whole number (got '", node.Scalar(), "')"));
  }
  if (v < min || v > max) {
    return Error(node, key, absl::StrCat("must be between ", min, " and ", max, " (got ", v, ")"));
  }
  return v;
}

absl::StatusOr<double> YamlContext::Double(const YAML::Node& node, std::string_view key,
                                           double min, double max) const {
  if (!node.IsScalar()) return Error(node, key, "must be a number");
  double v;
  if (!absl::SimpleAtod(node.Scalar(), &v) || !std::isfinite(v)) {
    return Error(node, key, absl::StrCat("must be a number (got '", node.Scalar(), "')"));
  }
  if (v < min || v > max) {
    return Error(node, key, absl::StrCat("must be between ", min, " and ", max, " (got ",
                                         node.Scalar(), ")"));
  }
  return v;
}

absl::StatusOr<bool> YamlContext::Bool(const YAML::Node& node, std::string_view key) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return Error(node, key, "must be true or false");
}

absl::Status YamlContext::ApplySet(YAML::Node& root, std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--set '", AV(assignment), "': expected key=value (e.g. --set repetitions=1)"));
  }
  std::string key(assignment.substr(0, eq));
  std::string text(assignment.substr(eq + 1));
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--set ", key, ": the value '", text, "' is not valid YAML: ", e.msg));
  }
  if (!value.IsDefined() || value.IsNull()) value = YAML::Node(text);
  std::vector<std::string> parts = absl::StrSplit(key, '.');
  for (const std::string& p : parts) {
    if (p.empty()) return absl::InvalidArgumentError(absl::StrCat("--set ", key, ": empty key part"));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat("--set ", key, ": the file is not a mapping"));
  from_flags_.insert(key);
  // Workload overrides: the dotted rest is one key of a `set:` map.
  if (parts[0] == "set" && parts.size() >= 2) {
    root["set"][absl::StrJoin(parts.begin() + 1, parts.end(), ".")] = value;
    from_flags_.insert(absl::StrCat("set.", absl::StrJoin(parts.begin() + 1, parts.end(), ".")));
    return absl::OkStatus();
  }
  size_t index;
  if (parts[0] == "workloads" && parts.size() >= 3 && IsIndex(parts[1], &index)) {
    YAML::Node list = root["workloads"];
    if (!list.IsSequence() || index >= list.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", key, ": there is no workloads item ", index, " (the list has ",
          list.IsSequence() ? list.size() : 0, " items, counted from 0)"));
    }
    YAML::Node entry = list[index];
    if (entry.IsScalar()) {
      YAML::Node map(YAML::NodeType::Map);
      map["ref"] = entry.Scalar();
      list[index] = map;
      entry.reset(list[index]);
    }
    if (parts.size() == 3 && (parts[2] == "ref" || parts[2] == "set" || parts[2] == "inline")) {
      entry[parts[2]] = value;
    } else {
      size_t first = parts[2] == "set" ? 3 : 2;
      std::string workload_key = absl::StrJoin(parts.begin() + first, parts.end(), ".");
      entry["set"][workload_key] = value;
      from_flags_.insert(absl::StrCat("workloads.", index, ".set.", workload_key));
    }
    return absl::OkStatus();
  }
  YAML::Node cur;
  cur.reset(root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (cur.IsSequence()) {
      if (!IsIndex(parts[i], &index) || index >= cur.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--set ", key, ": '", parts[i], "' must be an index below ", cur.size()));
      }
      YAML::Node next = cur[index];
      cur.reset(next);
      continue;
    }
    if (cur.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", key, ": '", absl::StrJoin(parts.begin(), parts.begin() + i, "."),
          "' is a single value, not a mapping"));
    }
    YAML::Node next = cur[parts[i]];
    cur.reset(next);
  }
  if (cur.IsSequence()) {
    if (!IsIndex(parts.back(), &index) || index >= cur.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", key, ": '", parts.back(), "' must be an index below ", cur.size()));
    }
    cur[index] = value;
  } else if (cur.IsScalar()) {
    return absl::InvalidArgumentError(absl::StrCat("--set ", key, ": the parent is a single value"));
  } else {
    cur[parts.back()] = value;
  }
  return absl::OkStatus();
}

std::string FlowYaml(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace kvlab::runner

#include "engine/engine_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/common/check.h"
#include "engine/common/status_macros.h"

namespace kvlab {
namespace {

std::string_view TypeName(OptionType type) {
  switch (type) {
    case OptionType::kInt: return "an integer";
    case OptionType::kBool: return "a boolean (true/false)";
    case OptionType::kDouble: return "a number";
    case OptionType::kString: return "a string";
    case OptionType::kBytes: return "a size in bytes (e.g. 4096, 64KiB, 1GiB)";
  }
  return "?";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

absl::StatusOr<int64_t> ParseBytes(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string_view number = s.substr(0, i);
  std::string_view unit = s.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double value;
  if (number.empty() || !absl::SimpleAtod(AV(number), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", AV(text), "' is not a size in bytes (e.g. 4096, 64KiB, 1GiB)"));
  }
  double scale = 1;
  std::string u(unit);
  for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.empty() || u == "b") scale = 1;
  else if (u == "k" || u == "kb" || u == "kib") scale = 1024.0;
  else if (u == "m" || u == "mb" || u == "mib") scale = 1024.0 * 1024;
  else if (u == "g" || u == "gb" || u == "gib") scale = 1024.0 * 1024 * 1024;
  else if (u == "t" || u == "tb" || u == "tib") scale = 1024.0 * 1024 * 1024 * 1024;
  else {
    return absl::InvalidArgumentError(absl::StrCat("'", AV(text), "' has an unknown unit '", AV(unit),
                                                   "' (use B, KiB, MiB, GiB, TiB)"));
  }
  double bytes = value * scale;
  if (bytes > 9.2e18) {
    return absl::InvalidArgumentError(absl::StrCat("'", AV(text), "' is too large"));
  }
  return static_cast<int64_t>(std::llround(bytes));
}

std::string NearestName(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(3, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

const EngineOptions::Value& EngineOptions::Find(std::string_view name, OptionType type) const {
  const Named* it = values_.data();
  const Named* end = it + values_.size();
  while (it != end && !(it->name.size() == name.size() && std::string_view(it->name) == name)) {
    ++it;
  }
  KVLAB_CHECK(it != end, "engine asked for an option it did not declare");
  bool compatible = it->value.type == type ||
                    (type == OptionType::kInt && it->value.type == OptionType::kBytes);
  KVLAB_CHECK(compatible, "engine asked for an option with the wrong type");
  return it->value;
}

int64_t EngineOptions::GetInt(std::string_view name) const {
  return Find(name, OptionType::kInt).i;
}
bool EngineOptions::GetBool(std::string_view name) const {
  return Find(name, OptionType::kBool).b;
}
double EngineOptions::GetDouble(std::string_view name) const {
  return Find(name, OptionType::kDouble).d;
}
const std::string& EngineOptions::GetString(std::string_view name) const {
  return Find(name, OptionType::kString).text;
}

absl::Status EngineRegistry::Register(EngineDescriptor descriptor) {
  if (engines_.count(descriptor.name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("engine '", descriptor.name, "' is registered twice"));
  }
  std::string name = descriptor.name;
  engines_.emplace(std::move(name), std::move(descriptor));
  return absl::OkStatus();
}

const EngineDescriptor* EngineRegistry::Find(std::string_view name) const {
  auto it = engines_.find(name);
  return it == engines_.end() ? nullptr : &it->second;
}

std::vector<std::string> EngineRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : engines_) names.push_back(name);
  return names;
}

absl::StatusOr<EngineOptions> EngineRegistry::Validate(const EngineConfig& config) const {
  const EngineDescriptor* engine = Find(config.name);
  if (engine == nullptr) {
    std::string hint = NearestName(config.name, Names());
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown engine '", config.name, "'", hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"),
        "; engines: ", absl::StrJoin(Names(), ", ")));
  }
  std::vector<std::string> valid;
  for (const OptionSpec& spec : engine->options) valid.push_back(spec.name);
  for (const auto& [key, _] : config.options) {
    if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
      std::string hint = NearestName(key, valid);
      return absl::InvalidArgumentError(absl::StrCat(
          "engine '", config.name, "' has no option '", key, "'",
          hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)"),
          "; valid options: ", valid.empty() ? "(none)" : absl::StrJoin(valid, ", ")));
    }
  }
  EngineOptions out;
  out.values_.reserve(engine->options.size());
  for (const OptionSpec& spec : engine->options) {
    auto given = config.options.find(spec.name);
    const std::string& text = given != config.options.end() ? given->second : spec.default_value;
    EngineOptions::Value v;
    v.type = spec.type;
    v.text = text;
    bool ok = true;
    switch (spec.type) {
      case OptionType::kInt: ok = absl::SimpleAtoi(AV(text), &v.i); break;
      case OptionType::kDouble: ok = absl::SimpleAtod(text, &v.d); break;
      case OptionType::kBool: ok = absl::SimpleAtob(text, &v.b); break;
      case OptionType::kString: break;
      case OptionType::kBytes: {
        absl::StatusOr<int64_t> bytes = ParseBytes(text);
        ok = bytes.ok();
        if (ok) v.i = *bytes;
        break;
      }
    }
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat("engine '", config.name, "' option '",
                                                     spec.name, "' = '", text, "' is not ",
                                                     AV(TypeName(spec.type))));
    }
    // A name declared twice keeps its first spec (as the map it replaces did).
    bool declared = false;
    for (const EngineOptions::Named& n : out.values_) declared = declared || n.name == spec.name;
    if (!declared) out.values_.push_back({spec.name, std::move(v)});
  }
  return out;
}

absl::StatusOr<std::unique_ptr<KvStore>> EngineRegistry::Open(const EngineConfig& config,
                                                              const Env& env,
                                                              std::string_view path) const {
  absl::StatusOr<EngineOptions> options = Validate(config);
  if (!options.ok()) return options.status();
  return Open(config.name, *options, env, path);
}

absl::StatusOr<std::unique_ptr<KvStore>> EngineRegistry::Open(std::string_view name,
                                                              const EngineOptions& options,
                                                              const Env& env,
                                                              std::string_view path) const {
  const EngineDescriptor* engine = Find(name);
  if (engine == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown engine '", AV(name), "'"));
  }
  KVLAB_CHECK(env.device != nullptr && env.clock != nullptr && env.executor != nullptr &&
              env.random != nullptr);
  return engine->factory(env, path, options);
}

}  // namespace kvlab

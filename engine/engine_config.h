// EngineConfig and the engine registry: open any engine by name.
//
// An engine registers an EngineDescriptor: its name, a one-line summary, the
// options it accepts (name, type, default, help) and a factory. Opening
// validates the config first: an unknown option is an error that names it,
// suggests the nearest valid one and lists them all; a value of the wrong
// type names the option and what was expected.
#ifndef KVLAB_ENGINE_ENGINE_CONFIG_H_
#define KVLAB_ENGINE_ENGINE_CONFIG_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/env/env.h"
#include "engine/kv_store.h"

namespace kvlab {

// Name + options, as read from an experiment YAML or a CLI flag. Values are
// kept as strings and typed by the engine's option specs.
struct EngineConfig {
  std::string name;
  std::map<std::string, std::string> options;
};

enum class OptionType : uint8_t { kInt, kBool, kDouble, kString, kBytes };

struct OptionSpec {
  std::string name;
  OptionType type;
  std::string default_value;
  std::string help;
};

// Validated, typed options, with defaults filled in. Getters KVLAB_CHECK that
// the name was declared with that type: asking for an undeclared option is a
// bug in the engine, not bad input.
class EngineOptions {
 public:
  int64_t GetInt(std::string_view name) const;    // kInt and kBytes ("64MiB").
  bool GetBool(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;

 private:
  friend class EngineRegistry;
  struct Value {
    OptionType type;
    std::string text;
    int64_t i = 0;
    double d = 0;
    bool b = false;
  };
  struct Named {
    std::string name;
    Value value;
  };
  const Value& Find(std::string_view name, OptionType type) const;
  // In the engine's declared order: an engine reads its handful of options
  // at every open (a simulated seed opens hundreds of times), and a scan
  // that compares lengths first beats a map's string compares.
  std::vector<Named> values_;
};

using EngineFactory = std::function<absl::StatusOr<std::unique_ptr<KvStore>>(
    const Env& env, std::string_view path, const EngineOptions& options)>;

struct EngineDescriptor {
  std::string name;
  std::string summary;
  std::vector<OptionSpec> options;
  EngineFactory factory;  // Opens (or creates) the store at a path.
};

class EngineRegistry {
 public:
  // The process-wide registry, with the built-in engines registered.
  static EngineRegistry& Default();

  // AlreadyExists if the name is taken.
  absl::Status Register(EngineDescriptor descriptor);

  const EngineDescriptor* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

  // Checks every option against the engine's specs; fills in defaults.
  absl::StatusOr<EngineOptions> Validate(const EngineConfig& config) const;

  // Validates, then opens (or creates) the store at `path` on env.device.
  absl::StatusOr<std::unique_ptr<KvStore>> Open(const EngineConfig& config, const Env& env,
                                                std::string_view path) const;
  // Opens with options that Validate returned for engine `name`: a driver
  // that reopens one store many times (the simulator) validates once.
  // InvalidArgument if no engine has that name.
  absl::StatusOr<std::unique_ptr<KvStore>> Open(std::string_view name,
                                                const EngineOptions& options, const Env& env,
                                                std::string_view path) const;

 private:
  std::map<std::string, EngineDescriptor, std::less<>> engines_;
};

// Parses "4096", "64KiB", "64MiB", "1GiB", "1.5MiB", "64KB" (powers of 1024).
absl::StatusOr<int64_t> ParseBytes(std::string_view text);

// The nearest of `candidates` to `word` by edit distance, or "" if none is close.
std::string NearestName(std::string_view word, const std::vector<std::string>& candidates);

// Registers the engines built into kvlab (one line each, in registry.cc).
void RegisterBuiltinEngines(EngineRegistry& registry);

}  // namespace kvlab

#endif  // KVLAB_ENGINE_ENGINE_CONFIG_H_

// `kvlab engines`: the registered engines and their options.
#include <cstdio>
#include <cstring>

#include "engine/engine_config.h"
#include "experiments/cli/commands.h"

namespace kvlab {

int EnginesMain(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf("usage: kvlab engines\n\nLists every registered engine with its options, "
                "their defaults and what they do.\n");
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "kvlab engines: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  EngineRegistry& registry = EngineRegistry::Default();
  for (const std::string& name : registry.Names()) {
    const EngineDescriptor* d = registry.Find(name);
    std::printf("%s: %s\n", d->name.c_str(), d->summary.c_str());
    for (const OptionSpec& o : d->options) {
      std::printf("    %-24s default %-10s %s\n", o.name.c_str(), o.default_value.c_str(),
                  o.help.c_str());
    }
  }
  return 0;
}

}  // namespace kvlab

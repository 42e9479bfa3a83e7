// kvlab: the command line. `./kvlab` (the script at the repository root)
// installs what is missing, builds this binary and runs it.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "engine/engine_config.h"
#include "experiments/cli/commands.h"
#include "experiments/peers/peers.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*main)(int, char**);
};

constexpr Command kCommands[] = {
    {"device-bench", "random 4 KiB reads through PosixDevice and UringDevice (and fio)",
     kvlab::DeviceBenchMain},
    {"sim", "simulation campaigns with faults and crashes, checked by models", kvlab::SimMain},
    {"run", "run an experiment YAML: engines x workloads x devices x seeds", kvlab::RunMain},
    {"engines", "list the registered engines and their options", kvlab::EnginesMain},
    {"engine-bench", "an engine's sequential writes vs fio on the same disk; reads per Get",
     kvlab::EngineBenchMain},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out, "kvlab: a research testbed for key-value storage engines.\n\n"
                    "usage: kvlab <command> [options]\n\ncommands:\n");
  std::fprintf(out, "  %-14s %s\n", "test", "run the default test suite (the ./kvlab script)");
  for (const Command& c : kCommands) std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`kvlab <command> --help` tells more about each.\n");
}

}  // namespace

int main(int argc, char** argv) {
  kvlab::RegisterPeerEngines(kvlab::EngineRegistry::Default());  // rocksdb, leveldb
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    PrintUsage(stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string_view name = argv[1];
  for (const Command& c : kCommands) {
    if (name == c.name) return c.main(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "kvlab: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}

// Placeholder until `kvlab run` lands (the experiments issue (#4)). It says so plainly and fails.
#include <cstdio>

#include "experiments/cli/commands.h"

namespace kvlab {

int RunMain(int, char**) {
  std::fprintf(stderr, "kvlab run: not built yet (the experiments issue (#4))\n");
  return 2;
}

}  // namespace kvlab

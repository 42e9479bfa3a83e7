// Placeholder until `kvlab device-bench` lands (the Platform issue (#2)). It says so plainly and fails.
#include <cstdio>

#include "experiments/cli/commands.h"

namespace kvlab {

int DeviceBenchMain(int, char**) {
  std::fprintf(stderr, "kvlab device-bench: not built yet (the Platform issue (#2))\n");
  return 2;
}

}  // namespace kvlab

// Placeholder until `kvlab sim` lands (the Bitcask issue (#3)). It says so plainly and fails.
#include <cstdio>

#include "experiments/cli/commands.h"

namespace kvlab {

int SimMain(int, char**) {
  std::fprintf(stderr, "kvlab sim: not built yet (the Bitcask issue (#3))\n");
  return 2;
}

}  // namespace kvlab

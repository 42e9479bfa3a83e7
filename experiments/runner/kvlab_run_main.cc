// kvlab_run: `kvlab run` as its own binary (same flags), for benchmarks.
#include "experiments/cli/commands.h"

int main(int argc, char** argv) { return kvlab::RunMain(argc, argv); }

// The kvlab subcommands. Each lives in its own library; main.cc dispatches.
// Every command parses its own flags, answers --help, and returns the process
// exit status (0 ok, 1 a failed check or run, 2 bad usage or bad input).
#ifndef KVLAB_EXPERIMENTS_CLI_COMMANDS_H_
#define KVLAB_EXPERIMENTS_CLI_COMMANDS_H_

namespace kvlab {

// argv[0] is the subcommand name; flags follow.
int DeviceBenchMain(int argc, char** argv);  // engine/env/bench (device-bench)
int SimMain(int argc, char** argv);          // sim/campaign (sim)
int RunMain(int argc, char** argv);          // experiments/runner (run)
int EnginesMain(int argc, char** argv);      // experiments/cli (engines)
int EngineBenchMain(int argc, char** argv);  // experiments/engine_bench (engine-bench)

}  // namespace kvlab

#endif  // KVLAB_EXPERIMENTS_CLI_COMMANDS_H_

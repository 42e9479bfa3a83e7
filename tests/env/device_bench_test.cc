// `kvlab device-bench` end to end on a tiny file: flags, exit codes, the CSV.
// A smoke test of the harness, not a measurement (speed is never asserted).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/cli/commands.h"
#include "gtest/gtest.h"

namespace kvlab {
namespace {

int RunBench(std::vector<std::string> args) {
  args.insert(args.begin(), "device-bench");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return DeviceBenchMain(static_cast<int>(argv.size()), argv.data());
}

TEST(DeviceBench, BadFlagsExitTwo) {
  EXPECT_EQ(RunBench({"--bogus"}), 2);
  EXPECT_EQ(RunBench({"--qd=0"}), 2);
  EXPECT_EQ(RunBench({"--qd=1,x"}), 2);
  EXPECT_EQ(RunBench({"--size=12Q"}), 2);
  EXPECT_EQ(RunBench({"--seconds=-1"}), 2);
  EXPECT_EQ(RunBench({"--direct=maybe"}), 2);
  EXPECT_EQ(RunBench({"--help"}), 0);
}

TEST(DeviceBench, TinyRunWritesEveryCase) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/bench";
  ASSERT_EQ(RunBench({"--dir=" + dir, "--size=2M", "--seconds=0.05", "--qd=1,4", "--fio=false"}), 0);
  std::ifstream csv(dir + "/results.csv");
  std::stringstream text;
  text << csv.rdbuf();
  const std::string s = text.str();
  EXPECT_EQ(s.rfind("case,qd,iops", 0), 0u) << s;
  for (const char* row : {"\nposix,1,", "\nuring,1,", "\nposix,4,", "\nuring (window),4,",
                          "\nuring (batch),4,"}) {
    EXPECT_NE(s.find(row), std::string::npos) << row << " missing in\n" << s;
  }
}

}  // namespace
}  // namespace kvlab

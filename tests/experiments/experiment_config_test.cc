// The experiment YAML: a good file resolves; every kind of bad input is an
// error that names file, line, column and key (or the --set flag), suggests
// the nearest valid key, explains impossible values and names missing paths.
#include "experiments/runner/experiment_config.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvlab::runner {
namespace {

using ::testing::HasSubstr;

// Workload paths fall back to ./workloads/ (the test runs at the workspace root).
constexpr char kGood[] =
    "kvlab: experiment/v1\n"
    "name: t\n"
    "engines:\n"
    "  - {engine: memory, id: mem, options: {ordered: false}}\n"
    "workloads:\n"
    "  - ycsb/workloada.yaml\n"
    "  - {ref: ycsb/workloadc.yaml, set: {run.ops: 50}}\n"
    "set: {records.count: 100}\n"
    "matrix: {threads: [1, 2]}\n"
    "repetitions: 2\n";

absl::Status ParseError(const std::string& text, std::vector<std::string> sets = {}) {
  return ParseExperiment(text, "/tmp/exp.yaml", sets).status();
}

TEST(ExperimentConfigTest, GoodFileResolves) {
  auto c = ParseExperiment(kGood, "/tmp/exp.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "t");
  ASSERT_EQ(c->engines.size(), 1u);
  EXPECT_EQ(c->engines[0].id, "mem");
  ASSERT_EQ(c->workloads.size(), 2u);
  EXPECT_EQ(c->workloads[0].spec.name, "ycsb-a");
  EXPECT_EQ(c->workloads[0].spec.record_count, 100u);
  EXPECT_EQ(c->workloads[1].spec.operation_count, 50u);
  EXPECT_EQ(c->repetitions, 2u);
  ASSERT_EQ(c->matrix.size(), 1u);
  EXPECT_THAT(c->resolved_yaml, HasSubstr("ordered: false"));
  EXPECT_THAT(c->resolved_yaml, HasSubstr("ycsb-c"));
}

TEST(ExperimentConfigTest, SetOverridesDottedKeys) {
  auto c = ParseExperiment(kGood, "/tmp/exp.yaml",
                           {"repetitions=1", "workloads.0.run.ops=7", "set.records.count=300",
                            "device.kind=sim", "matrix.threads=[3]"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->repetitions, 1u);
  EXPECT_EQ(c->workloads[0].spec.operation_count, 7u);
  EXPECT_EQ(c->workloads[0].spec.record_count, 300u);
  EXPECT_EQ(c->device.kind, DeviceKind::kSim);
  EXPECT_EQ(c->matrix[0].values, std::vector<std::string>{"3"});
}

TEST(ExperimentConfigTest, UnknownKeySuggestsNearest) {
  std::string text = std::string(kGood) + "repetitons: 3\n";
  absl::Status s = ParseError(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/tmp/exp.yaml:11:1"));
  EXPECT_THAT(s.message(), HasSubstr("key 'repetitons'"));
  EXPECT_THAT(s.message(), HasSubstr("did you mean 'repetitions'"));
}

TEST(ExperimentConfigTest, ImpossibleValuesAreExplained) {
  std::string text = kGood;
  text.replace(text.find("repetitions: 2"), 14, "repetitions: 0");
  absl::Status s = ParseError(text);
  EXPECT_THAT(s.message(), HasSubstr("/tmp/exp.yaml:10:14"));
  EXPECT_THAT(s.message(), HasSubstr("key 'repetitions': must be between 1 and 1000 (got 0)"));
  s = ParseError(kGood, {"matrix.threads=[1, -2]"});
  EXPECT_THAT(s.message(), HasSubstr("--set matrix.threads"));
  EXPECT_THAT(s.message(), HasSubstr("matrix.threads.1"));
  s = ParseError(kGood, {"set.run.mix={read: 0}"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ycsb-a"));
}

TEST(ExperimentConfigTest, MissingWorkloadFileNamesThePaths) {
  std::string text = kGood;
  text.replace(text.find("ycsb/workloada.yaml"), 19, "ycsb/nope.yaml");
  absl::Status s = ParseError(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("/tmp/exp.yaml:6:5"));
  EXPECT_THAT(s.message(), HasSubstr("/tmp/ycsb/nope.yaml"));
  EXPECT_THAT(s.message(), HasSubstr("workloads/ycsb/nope.yaml"));
}

TEST(ExperimentConfigTest, EngineErrorsNameEngineAndOption) {
  std::string text = kGood;
  text.replace(text.find("ordered: false"), 14, "orderd: false");
  absl::Status s = ParseError(text);
  EXPECT_THAT(s.message(), HasSubstr("/tmp/exp.yaml:4:"));
  EXPECT_THAT(s.message(), HasSubstr("engine 'mem'"));
  EXPECT_THAT(s.message(), HasSubstr("orderd"));
  s = ParseError(kGood, {"engines.0.engine=memroy"});
  EXPECT_THAT(s.message(), HasSubstr("unknown engine 'memroy'"));
  EXPECT_THAT(s.message(), HasSubstr("did you mean 'memory'"));
}

TEST(ExperimentConfigTest, BadSetFlags) {
  EXPECT_THAT(ParseError(kGood, {"repetitions"}).message(), HasSubstr("expected key=value"));
  EXPECT_THAT(ParseError(kGood, {"repetitions=abc"}).message(),
              HasSubstr("--set repetitions: key 'repetitions': must be a whole number"));
  EXPECT_THAT(ParseError(kGood, {"workloads.5.run.ops=1"}).message(),
              HasSubstr("no workloads item 5"));
  EXPECT_THAT(ParseError(kGood, {"name.x=1"}).message(), HasSubstr("single value"));
}

TEST(ExperimentConfigTest, OtherBadInput) {
  EXPECT_THAT(ParseError("kvlab: experiment/v1\nname: [\n").message(), HasSubstr("not valid YAML"));
  EXPECT_THAT(ParseError("kvlab: workload/v1\nname: x\n").message(),
              HasSubstr("must be 'experiment/v1'"));
  EXPECT_THAT(ParseError(kGood, {"device.kind=sym"}).message(), HasSubstr("did you mean 'sim'"));
  EXPECT_THAT(ParseError(kGood, {"matrix.thread=[1]"}).message(),
              HasSubstr("did you mean 'threads'"));
  EXPECT_THAT(ParseError(kGood, {"device.op_cost_ns=5"}).message(),
              HasSubstr("applies to device.kind sim only"));
  EXPECT_THAT(ParseError(kGood, {"name=a/b"}).message(), HasSubstr("names a folder"));
  std::string text = kGood;
  text.replace(text.find("  - ycsb/workloada.yaml\n"), 24, "  - reload\n");
  EXPECT_THAT(ParseError(text).message(), HasSubstr("'reload' must stand between two workloads"));
  auto missing = LoadExperiment("/nonexistent/exp.yaml", {});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/exp.yaml"));
}

}  // namespace
}  // namespace kvlab::runner

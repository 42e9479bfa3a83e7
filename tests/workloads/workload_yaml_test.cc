// Tests of the `kvlab: workload/v1` schema: the shipped YCSB/db_bench files, extends:, --set
// overrides, the resolved-YAML round trip and every bad-input error (file:line:col, key,
// nearest-key suggestion, explained ranges), plus mutated inputs that must never crash.
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workloads/workload.h"

namespace kvlab::workloads {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

class WorkloadYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string ErrorOf(const std::string& text) {
    auto spec = ParseWorkload(text, "w.yaml");
    EXPECT_FALSE(spec.ok());
    return spec.ok() ? "" : std::string(spec.status().message());
  }
  fs::path dir_;
};

TEST_F(WorkloadYamlTest, ShippedYcsbFilesAreFaithful) {
  struct Expect {
    const char* file;
    const char* name;
    std::array<double, kOpTypeCount> mix;
    KeyDist dist;
  };
  const Expect expected[] = {
      {"workloada", "ycsb-a", {0.5, 0.5, 0, 0, 0, 0}, KeyDist::kZipfian},
      {"workloadb", "ycsb-b", {0.95, 0.05, 0, 0, 0, 0}, KeyDist::kZipfian},
      {"workloadc", "ycsb-c", {1, 0, 0, 0, 0, 0}, KeyDist::kZipfian},
      {"workloadd", "ycsb-d", {0.95, 0, 0.05, 0, 0, 0}, KeyDist::kLatest},
      {"workloade", "ycsb-e", {0, 0, 0.05, 0.95, 0, 0}, KeyDist::kZipfian},
      {"workloadf", "ycsb-f", {0.5, 0, 0, 0, 0.5, 0}, KeyDist::kZipfian},
  };
  for (const Expect& e : expected) {
    auto spec = LoadWorkload(std::string("workloads/ycsb/") + e.file + ".yaml");
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_EQ(spec->name, e.name);
    EXPECT_EQ(spec->mix, e.mix) << e.file;
    EXPECT_EQ(spec->keys.dist, e.dist);
    EXPECT_DOUBLE_EQ(spec->keys.theta, 0.99);
    EXPECT_EQ(spec->record_count, 1000u);
    EXPECT_EQ(spec->operation_count, 1000u);
    EXPECT_EQ(spec->fields, 10u);
    EXPECT_EQ(spec->MaxValueSize(), 1000u);
    EXPECT_EQ(spec->key_format, KeyFormat::kYcsb);
    EXPECT_TRUE(spec->key_hashed);
    EXPECT_EQ(spec->update_mode, UpdateMode::kReadMergePut);
    EXPECT_EQ(spec->scan_len.min, 1u);
    EXPECT_EQ(spec->scan_len.max, std::string(e.file) == "workloade" ? 100u : 1000u);
    EXPECT_THAT(spec->origin, HasSubstr(std::string("YCSB workloads/") + e.file));
  }
}

TEST_F(WorkloadYamlTest, ShippedDbBenchFiles) {
  for (const char* f : {"fillseq", "fillrandom", "readrandom", "overwrite"}) {
    auto spec = LoadWorkload(std::string("workloads/dbbench/") + f + ".yaml");
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_EQ(spec->key_format, KeyFormat::kDbBench);
    EXPECT_EQ(spec->key_size, 16u);
    EXPECT_EQ(spec->MaxValueSize(), 100u);
    EXPECT_EQ(spec->record_count, 1000000u);
  }
  EXPECT_FALSE(LoadWorkload("workloads/dbbench/fillrandom.yaml")->has_run_phase());
  EXPECT_EQ(LoadWorkload("workloads/dbbench/fillrandom.yaml")->load_order,
            LoadOrder::kWithReplacement);
  EXPECT_EQ(LoadWorkload("workloads/dbbench/readrandom.yaml")->load_order,
            LoadOrder::kWithReplacement);
  EXPECT_EQ(LoadWorkload("workloads/dbbench/fillseq.yaml")->load_order, LoadOrder::kKeynum);
  EXPECT_TRUE(LoadWorkload("workloads/dbbench/readrandom.yaml")->has_run_phase());
}

TEST_F(WorkloadYamlTest, ExtendsMergesMapsAndReplacesUnits) {
  Write("base/core.yaml", R"(kvlab: workload/v1
name: base
records: {count: 500, insert_start: 5}
run:
  ops: 77
  mix: {read: 0.9, update: 0.1}
  keys: {dist: hotspot, hot_data: 0.3, hot_ops: 0.7}
)");
  std::string child = Write("child.yaml", R"(kvlab: workload/v1
extends: base/core.yaml
records: {count: 900}
run:
  mix: {scan: 1}
  keys: {dist: zipfian}
)");
  auto spec = LoadWorkload(child);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "child");  // not inherited: the file's stem
  EXPECT_EQ(spec->record_count, 900u);
  EXPECT_EQ(spec->insert_start, 5u);      // deep merge keeps the parent's sibling
  EXPECT_EQ(spec->operation_count, 77u);
  EXPECT_EQ(spec->mix, (std::array<double, kOpTypeCount>{0, 0, 0, 1, 0, 0}));  // replaced
  EXPECT_EQ(spec->keys.dist, KeyDist::kZipfian);
  EXPECT_DOUBLE_EQ(spec->keys.hot_data, 0.2);  // the unit was replaced, defaults back
  EXPECT_THAT(spec->origins["records.count"], HasSubstr("child.yaml:3:"));
  EXPECT_THAT(spec->origins["run.ops"], HasSubstr("core.yaml:5:"));
}

TEST_F(WorkloadYamlTest, ToYamlRoundTrips) {
  auto spec = LoadWorkload("workloads/ycsb/workloade.yaml");
  ASSERT_TRUE(spec.ok());
  spec->field_len = {SizeDist::kPareto, 0, 10, 1024, 0.99, 0, 0, 0.5, 0.2615, 25.45};
  spec->keys = {KeyDist::kExponential, 0.99, 0.2, 0.8, 90, 0.25};
  spec->duration_seconds = 2.5;
  spec->target_ops_per_second = 1234.5;
  auto again = ParseWorkload(spec->ToYaml(), "resolved.yaml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << spec->ToYaml();
  EXPECT_EQ(again->ToYaml(), spec->ToYaml());
  EXPECT_EQ(again->name, "ycsb-e");
  EXPECT_EQ(again->mix, spec->mix);
  EXPECT_EQ(again->keys.percentile, 90);
  EXPECT_EQ(again->field_len.scale, 25.45);
}

TEST_F(WorkloadYamlTest, LoadOrderWithReplacement) {
  auto spec = ParseWorkload("kvlab: workload/v1\nload: {order: with_replacement}\n", "w.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->load_order, LoadOrder::kWithReplacement);
  EXPECT_THAT(spec->ToYaml(), HasSubstr("order: with_replacement"));
  auto again = ParseWorkload(spec->ToYaml(), "resolved.yaml");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->load_order, LoadOrder::kWithReplacement);
  ASSERT_TRUE(ApplyOverride(*spec, "load.order", "shuffled").ok());
  EXPECT_EQ(spec->load_order, LoadOrder::kShuffled);
  absl::Status s = ApplyOverride(*spec, "load.order", "with_replacment");
  EXPECT_THAT(s.message(), AllOf(HasSubstr("load.order"), HasSubstr("'with_replacement'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nload: {order: random}\n"),
              AllOf(HasSubstr("w.yaml:2:"), HasSubstr("with_replacement")));
}

TEST_F(WorkloadYamlTest, OverridesSetDottedKeys) {
  auto spec = LoadWorkload("workloads/ycsb/workloada.yaml");
  ASSERT_TRUE(spec.ok());
  ASSERT_TRUE(ApplyOverride(*spec, "records.count", "1000000").ok());
  ASSERT_TRUE(ApplyOverride(*spec, "run.mix.read", "0.9").ok());
  ASSERT_TRUE(ApplyOverride(*spec, "run.keys.theta", "0.8").ok());
  ASSERT_TRUE(ApplyOverride(*spec, "value.field_len", "4KiB").ok());
  ASSERT_TRUE(ApplyOverride(*spec, "run.duration", "2m").ok());
  EXPECT_EQ(spec->record_count, 1000000u);
  EXPECT_EQ(spec->mix[0], 0.9);
  EXPECT_EQ(spec->mix[1], 0.5);
  EXPECT_EQ(spec->keys.theta, 0.8);
  EXPECT_EQ(spec->MaxValueSize(), 10u * 4096);
  EXPECT_EQ(spec->duration_seconds, 120);
  ASSERT_TRUE(ApplyOverride(*spec, "run.keys.dist", "hotspot").ok());
  EXPECT_EQ(spec->keys.dist, KeyDist::kHotspot);
  ASSERT_TRUE(ApplyOverride(*spec, "run.keys", "{dist: latest, theta: 0.5}").ok());
  EXPECT_EQ(spec->keys.theta, 0.5);
  EXPECT_TRUE(Validate(*spec).ok());
  EXPECT_EQ(spec->origins["records.count"], "--set records.count=1000000");

  absl::Status s = ApplyOverride(*spec, "records.cout", "5");
  EXPECT_THAT(s.message(), AllOf(HasSubstr("unknown key 'records.cout'"),
                                 HasSubstr("did you mean 'records.count'")));
  s = ApplyOverride(*spec, "run.keys.theta", "1.5");
  EXPECT_THAT(s.message(), AllOf(HasSubstr("--set run.keys.theta=1.5"), HasSubstr("(0, 1)")));
  s = ApplyOverride(*spec, "run.mix.raed", "1");
  EXPECT_THAT(s.message(), HasSubstr("did you mean 'read'"));
  s = ApplyOverride(*spec, "records.count", "[1, 2");
  EXPECT_THAT(s.message(), HasSubstr("not valid YAML"));
  ASSERT_TRUE(ApplyOverride(*spec, "run.mix", "{read: 0}").ok());
  EXPECT_THAT(Validate(*spec).message(),
              AllOf(HasSubstr("--set run.mix={read: 0}"), HasSubstr("all mix weights are zero")));
}

TEST_F(WorkloadYamlTest, HeaderAndSyntaxErrors) {
  EXPECT_THAT(ErrorOf("name: x\n"), AllOf(HasSubstr("w.yaml"), HasSubstr("kvlab: workload/v1")));
  EXPECT_THAT(ErrorOf("kvlab: experiment/v1\n"),
              AllOf(HasSubstr("w.yaml:1:8"), HasSubstr("expected 'workload/v1'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {mix: [read\n"),
              AllOf(HasSubstr("w.yaml:"), HasSubstr("YAML syntax error")));
  EXPECT_THAT(ErrorOf(""), HasSubstr("empty document"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("expected a map"));
}

TEST_F(WorkloadYamlTest, UnknownKeysSuggestTheNearest) {
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecrods: {count: 5}\n"),
              AllOf(HasSubstr("w.yaml:2:1"), HasSubstr("key 'recrods'"),
                    HasSubstr("did you mean 'records'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun:\n  mixx: {read: 1}\n"),
              AllOf(HasSubstr("w.yaml:3:3"), HasSubstr("key 'run.mixx'"),
                    HasSubstr("did you mean 'mix'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {mix: {reed: 1}}\n"),
              AllOf(HasSubstr("key 'run.mix.reed'"), HasSubstr("did you mean 'read'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: zipfain}}\n"),
              AllOf(HasSubstr("key 'run.keys.dist'"), HasSubstr("did you mean 'zipfian'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: uniform, theta: 0.5}}\n"),
              AllOf(HasSubstr("key 'run.keys.theta'"), HasSubstr("dist 'uniform'")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nkey: {format: ycbs}\n"),
              AllOf(HasSubstr("key 'key.format'"), HasSubstr("did you mean 'ycsb'")));
}

TEST_F(WorkloadYamlTest, ImpossibleValuesAreExplained) {
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecords: {count: -5}\n"),
              AllOf(HasSubstr("w.yaml:2:18"), HasSubstr("key 'records.count'"),
                    HasSubstr("must not be negative")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecords: {count: 0}\n"),
              AllOf(HasSubstr("records.count"), HasSubstr(">= 1, got 0")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecords: {count: lots}\n"),
              HasSubstr("expected an integer"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {ops: -1}\n"), HasSubstr("must not be negative"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun:\n  mix: {read: 0, update: 0}\n"),
              AllOf(HasSubstr("w.yaml:3:8"), HasSubstr("key 'run.mix'"),
                    HasSubstr("all mix weights are zero")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {mix: {read: -1}}\n"), HasSubstr(">= 0"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: zipfian, theta: 1.2}}\n"),
              AllOf(HasSubstr("key 'run.keys.theta'"), HasSubstr("open range (0, 1)"),
                    HasSubstr("got 1.2")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: latest, theta: 0}}\n"),
              HasSubstr("open range (0, 1)"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: hotspot, hot_data: 1.5}}\n"),
              AllOf(HasSubstr("run.keys.hot_data"), HasSubstr("[0, 1]")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {keys: {dist: hotspot, hot_ops: -0.1}}\n"),
              HasSubstr("[0, 1]"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {scan_len: {dist: uniform, min: 9, max: 3}}\n"),
              AllOf(HasSubstr("w.yaml:2:17"), HasSubstr("min (9) is greater than max (3)")));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {scan_len: {dist: uniform, min: 0, max: 3}}\n"),
              HasSubstr("min must be at least 1"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nvalue: {field_len: {dist: uniform, min: 1}}\n"),
              HasSubstr("needs 'max'"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecords: {count: 10, insert_start: 10}\n"),
              HasSubstr("must be below records.count"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {duration: 5 parsecs}\n"),
              HasSubstr("expected a duration"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrun: {rate: -3}\n"), HasSubstr(">= 0"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nvalue: {compressibility: 0}\n"), HasSubstr("(0, 1]"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nkey: {format: u64be, size: 16}\n"),
              HasSubstr("always 8 bytes"));
  EXPECT_THAT(ErrorOf("kvlab: workload/v1\nrecords: {count: }\n"), HasSubstr("has no value"));
}

TEST_F(WorkloadYamlTest, MissingFilesNameThePath) {
  auto missing = LoadWorkload((dir_ / "nope.yaml").string());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              AllOf(HasSubstr("workload file not found"), HasSubstr("nope.yaml")));
  std::string child = Write("c.yaml", "kvlab: workload/v1\nextends: sub/parent.yaml\n");
  auto bad_extends = LoadWorkload(child);
  EXPECT_EQ(bad_extends.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bad_extends.status().message(),
              AllOf(HasSubstr("c.yaml:2:10"), HasSubstr("extends"),
                    HasSubstr((dir_ / "sub/parent.yaml").string())));
}

TEST_F(WorkloadYamlTest, ExtendsCyclesAreDetected) {
  Write("a.yaml", "kvlab: workload/v1\nextends: b.yaml\n");
  Write("b.yaml", "kvlab: workload/v1\nextends: ./a.yaml\n");
  auto spec = LoadWorkload((dir_ / "a.yaml").string());
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), AllOf(HasSubstr("cycle"), HasSubstr("a.yaml -> "),
                                             HasSubstr("b.yaml:2:10")));
  std::string self = Write("self.yaml", "kvlab: workload/v1\nextends: self.yaml\n");
  EXPECT_THAT(LoadWorkload(self).status().message(), HasSubstr("cycle"));
  // A parent with an error reports the parent's file and line.
  Write("p.yaml", "kvlab: workload/v1\nrun:\n  ops: -4\n");
  std::string kid = Write("k.yaml", "kvlab: workload/v1\nextends: p.yaml\n");
  EXPECT_THAT(LoadWorkload(kid).status().message(), HasSubstr("p.yaml:3:8"));
}

TEST_F(WorkloadYamlTest, MutatedInputsNeverCrash) {
  std::ifstream in("workloads/ycsb/core.yaml");
  std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(base.empty());
  const std::string alphabet = "{}[]:,-'\"#&*!|>%@` \n\t0123456789.eE-+abzKiB";
  Random rng(2024);
  int ok = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng.Uniform(4));
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng.Uniform(text.size());
      switch (rng.Uniform(3)) {
        case 0: text.erase(pos, 1 + rng.Uniform(8)); break;
        case 1: text.insert(pos, 1, alphabet[rng.Uniform(alphabet.size())]); break;
        default: text[pos] = alphabet[rng.Uniform(alphabet.size())]; break;
      }
    }
    auto spec = ParseWorkload(text, "fuzz.yaml");
    if (spec.ok()) {
      ++ok;
      ASSERT_TRUE(Validate(*spec).ok());
      KeySpace ks(*spec, 1);  // a valid spec must be usable
      OperationGenerator gen(*spec, &ks, 1, 0, 1);
      Operation op;
      for (int j = 0; j < 20 && spec->has_run_phase(); ++j) gen.NextRun(&op);
    } else {
      EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << spec.status();
    }
  }
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace kvlab::workloads

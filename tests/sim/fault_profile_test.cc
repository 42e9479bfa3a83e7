// FaultProfile YAML: the shipped profiles parse; bad files give errors that
// name the file, line, column and key; swarm selection; YAML round trip.
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "sim/fault_profile.h"

namespace kvlab::sim {
namespace {

bool Contains(const absl::Status& s, std::string_view what) {
  return std::string(s.message()).find(what) != std::string::npos;
}

TEST(FaultProfile, ShippedProfilesParse) {
  absl::StatusOr<FaultProfile> none = FaultProfile::Load("sim/profiles/none.yaml");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, FaultProfile::None());
  EXPECT_FALSE(none->AnyFault());

  absl::StatusOr<FaultProfile> all = FaultProfile::Load("sim/profiles/all.yaml");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_GT(all->crash, 0);
  EXPECT_GT(all->torn_write, 0);
  EXPECT_GT(all->unsynced_keep, 0);
  EXPECT_LT(all->lose_unsynced_dir_ops, 1);
  EXPECT_GT(all->misdirected_write, 0);
  EXPECT_GT(all->read_error, 0);
  EXPECT_GT(all->write_error, 0);
  EXPECT_GT(all->sync_error, 0);
  EXPECT_GT(all->bit_flip, 0);
  EXPECT_EQ(all->free_space_bytes, 1u << 20);
  EXPECT_GT(all->latency_spike, 0);
  EXPECT_EQ(all->torn_fill, TornFill::kBoth);

  absl::StatusOr<FaultProfile> crash = FaultProfile::Load("sim/profiles/crash_only.yaml");
  ASSERT_TRUE(crash.ok()) << crash.status();
  EXPECT_GT(crash->crash, 0);
  EXPECT_EQ(crash->read_error, 0);
  EXPECT_EQ(crash->capacity_bytes, 0u);
}

TEST(FaultProfile, UnknownKeyNamesFileLineKeyAndSuggests) {
  absl::StatusOr<FaultProfile> p =
      FaultProfile::Parse("crash: 0.1\n# comment\ntorn_wirte: 0.5\n", "my.yaml");
  ASSERT_FALSE(p.ok());
  const absl::Status& s = p.status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s, "my.yaml:3:1:")) << s;
  EXPECT_TRUE(Contains(s, "'torn_wirte'")) << s;
  EXPECT_TRUE(Contains(s, "did you mean 'torn_write'")) << s;
  EXPECT_TRUE(Contains(s, "valid keys: crash, ")) << s;
}

TEST(FaultProfile, MalformedYamlNamesFileAndLine) {
  absl::StatusOr<FaultProfile> p =
      FaultProfile::Parse("crash: 0.1\nread_error: [0.1, 0.2\n", "bad.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(p.status(), "bad.yaml:")) << p.status();
  EXPECT_TRUE(Contains(p.status(), "malformed YAML")) << p.status();
  // A top level that is not a mapping.
  absl::StatusOr<FaultProfile> list = FaultProfile::Parse("- crash\n", "list.yaml");
  EXPECT_TRUE(Contains(list.status(), "list.yaml:1:1:")) << list.status();
  EXPECT_TRUE(Contains(list.status(), "mapping")) << list.status();
}

TEST(FaultProfile, OutOfRangeProbabilityIsExplained) {
  absl::StatusOr<FaultProfile> p = FaultProfile::Parse("bit_flip: 1.5\n", "p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(Contains(p.status(), "p.yaml:1:11:")) << p.status();
  EXPECT_TRUE(Contains(p.status(), "'bit_flip' is 1.5")) << p.status();
  EXPECT_TRUE(Contains(p.status(), "probability must be in [0, 1]")) << p.status();
  EXPECT_FALSE(FaultProfile::Parse("crash: -0.1\n", "p.yaml").ok());
  EXPECT_FALSE(FaultProfile::Parse("crash: often\n", "p.yaml").ok());
  EXPECT_FALSE(FaultProfile::Parse("crash: nan\n", "p.yaml").ok());
}

TEST(FaultProfile, OtherBadValues) {
  EXPECT_TRUE(Contains(FaultProfile::Parse("torn_fill: ones\n", "p").status(),
                       "one of: zero, garbage, both"));
  EXPECT_TRUE(Contains(FaultProfile::Parse("sector_size: 1000\n", "p").status(), "power of two"));
  EXPECT_TRUE(Contains(FaultProfile::Parse("crash:\n", "p").status(), "'crash' has no value"));
  EXPECT_TRUE(Contains(FaultProfile::Parse("crash: 0.1\ncrash: 0.2\n", "p").status(),
                       "appears twice"));
  EXPECT_TRUE(Contains(FaultProfile::Parse("read_latency_ns: -5\n", "p").status(),
                       "non-negative whole number"));
  EXPECT_TRUE(Contains(FaultProfile::Parse("crash: [1]\n", "p").status(), "single value"));
  absl::StatusOr<FaultProfile> sized = FaultProfile::Parse("capacity_bytes: 64MiB\n", "p");
  ASSERT_TRUE(sized.ok()) << sized.status();
  EXPECT_EQ(sized->capacity_bytes, 64u << 20);
  EXPECT_TRUE(FaultProfile::Parse("", "empty.yaml").ok());
}

TEST(FaultProfile, MissingFileNamesThePath) {
  absl::StatusOr<FaultProfile> p = FaultProfile::Load("no/such/profile.yaml");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(p.status(), "no/such/profile.yaml")) << p.status();
}

TEST(FaultProfile, SwarmSwitchesEachKindOnAndOffPerSeed) {
  FaultProfile all = FaultProfile::Load("sim/profiles/all.yaml").value();
  int crash_on = 0, flips_on = 0, full_on = 0, keep_on = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Random r(seed);
    FaultProfile s = all.Swarm(r);
    Random again(seed);
    EXPECT_EQ(s, all.Swarm(again)) << "swarm selection is seeded";
    EXPECT_TRUE(s.crash == 0 || s.crash == all.crash);
    crash_on += s.crash > 0;
    flips_on += s.bit_flip > 0;
    full_on += s.free_space_bytes > 0;
    EXPECT_TRUE(s.free_space_bytes == 0 || s.free_space_bytes == all.free_space_bytes);
    keep_on += s.unsynced_keep > 0;
    EXPECT_EQ(s.read_latency_ns, all.read_latency_ns);
  }
  for (int on : {crash_on, flips_on, full_on, keep_on}) {
    EXPECT_GT(on, 60);
    EXPECT_LT(on, 140);
  }
}

RC_GTEST_PROP(FaultProfile, YamlRoundTrips, ()) {
  FaultProfile p;
  p.crash = *rc::gen::inRange(0, 1000000) / 1e6;
  p.bit_flip = *rc::gen::inRange(0, 1000) / 1e3;
  p.capacity_bytes = *rc::gen::inRange<uint64_t>(0, 1ull << 40);
  p.free_space_bytes = *rc::gen::inRange<uint64_t>(0, 1ull << 40);
  p.torn_fill = *rc::gen::element(TornFill::kZero, TornFill::kGarbage, TornFill::kBoth);
  p.read_latency_ns_per_byte = *rc::gen::inRange(0, 100000) / 7.0;
  p.latency_spike_ns = *rc::gen::inRange<int64_t>(0, 1ll << 40);
  absl::StatusOr<FaultProfile> back = FaultProfile::Parse(p.ToYaml(), "roundtrip");
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == p);
}

}  // namespace
}  // namespace kvlab::sim

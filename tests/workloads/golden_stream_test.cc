// Pins the exact operation streams of the generators: a digest of every field of the first
// operations for each shipped YCSB/db_bench workload, key distribution and key format, at two
// seeds, plus digests of raw Zipfian / scrambled Zipfian draws. The pinned values were taken
// from the generators before the harness-speed work (issue 4), so any optimisation of the hot
// path (FNV, key formatting, the Zipfian's pow) must keep the streams bit for bit.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "workloads/generators.h"
#include "workloads/workload.h"

namespace kvlab::workloads {
namespace {

// FNV-1a over bytes, 64-bit: the digest (any fixed, order-sensitive hash would do).
struct Digest {
  uint64_t h = 0xcbf29ce484222325ull;
  void Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  void U64(uint64_t v) { Bytes(&v, sizeof(v)); }
  void Str(const std::string& s) {
    U64(s.size());
    Bytes(s.data(), s.size());
  }
};

using Sets = std::vector<std::pair<std::string, std::string>>;

uint64_t StreamDigest(const std::string& path, const Sets& sets, uint64_t seed, int ops) {
  auto spec = LoadWorkload(path);
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return 0;
  for (const auto& [k, v] : sets) {
    absl::Status s = ApplyOverride(*spec, k, v);
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_TRUE(Validate(*spec).ok());
  KeySpace keys(*spec, seed);
  OperationGenerator gen(*spec, &keys, seed, 0, 1);
  Digest d;
  Operation op;
  for (int i = 0; i < 50 && gen.NextLoad(&op); ++i) {
    d.U64(op.keynum);
    d.Str(op.key);
    d.Str(op.value);
  }
  for (int i = 0; i < ops; ++i) {
    gen.NextRun(&op);
    if (op.type == OpType::kInsert) gen.AcknowledgeInsert(op.keynum);
    d.U64(static_cast<uint64_t>(op.type));
    d.U64(op.keynum);
    d.Str(op.key);
    d.Str(op.value);
    d.U64(op.scan_length);
  }
  return d.h;
}

struct Case {
  const char* name;
  const char* path;
  Sets sets;
};

std::vector<Case> Cases() {
  return {
      {"ycsb_a", "workloads/ycsb/workloada.yaml", {}},
      {"ycsb_b", "workloads/ycsb/workloadb.yaml", {}},
      {"ycsb_c", "workloads/ycsb/workloadc.yaml", {}},
      {"ycsb_c_1m", "workloads/ycsb/workloadc.yaml", {{"records.count", "1000000"}}},
      {"ycsb_c_theta07", "workloads/ycsb/workloadc.yaml", {{"run.keys.theta", "0.7"}}},
      {"ycsb_d", "workloads/ycsb/workloadd.yaml", {}},
      {"ycsb_e", "workloads/ycsb/workloade.yaml", {}},
      {"ycsb_f", "workloads/ycsb/workloadf.yaml", {}},
      {"clustered", "workloads/ycsb/workloadc.yaml", {{"run.keys.dist", "zipfian_clustered"}}},
      {"hotspot", "workloads/ycsb/workloadc.yaml", {{"run.keys.dist", "hotspot"}}},
      {"uniform", "workloads/ycsb/workloadc.yaml", {{"run.keys.dist", "uniform"}}},
      {"exponential", "workloads/ycsb/workloadd.yaml", {{"run.keys.dist", "exponential"}}},
      {"sequential", "workloads/ycsb/workloadc.yaml", {{"run.keys.dist", "sequential"}}},
      {"padded", "workloads/ycsb/workloadc.yaml", {{"key.zero_padding", "20"}}},
      {"ordered_keys", "workloads/ycsb/workloadc.yaml",
       {{"key.format", "ordered"}, {"key.order", "ordered"}, {"key.size", "24"}}},
      {"readrandom", "workloads/dbbench/readrandom.yaml", {{"load.order", "shuffled"}}},
      {"field_len_uniform", "workloads/ycsb/workloada.yaml",
       {{"value.field_len", "{dist: uniform, min: 1, max: 200}"}}},
      {"u64be", "workloads/ycsb/workloada.yaml", {{"key.format", "u64be"}}},
      {"readrandom_with_replacement", "workloads/dbbench/readrandom.yaml", {}},
  };
}

TEST(GoldenStreamTest, WorkloadStreamsAreUnchanged) {
  // Printed by this test on a mismatch; regenerate only for a deliberate stream change.
  const std::vector<std::pair<uint64_t, uint64_t>> kExpected = {
      {0x2d63d2d4b958fdb2ull, 0xab4e437682addf2bull},  // ycsb_a
      {0x4693407936a4a962ull, 0x48ff2eceac670f2dull},  // ycsb_b
      {0xe80dcbde12ea860cull, 0x2cf57f8f18696bfcull},  // ycsb_c
      {0x9e5b3544a9fb917eull, 0x072e057acc8d6dfcull},  // ycsb_c_1m
      {0x9456ba45bbfe7317ull, 0x0f57d5beaf49d294ull},  // ycsb_c_theta07
      {0xcf603209a3497896ull, 0x74c00c163aa5bf44ull},  // ycsb_d
      {0xc1b02cdf032c68d4ull, 0xa53ddbdfb371894cull},  // ycsb_e
      {0xfe45a02ad402ec74ull, 0xc58e6b61625be5a3ull},  // ycsb_f
      {0xed6f2cb4aaf01aadull, 0x5691992ab652e763ull},  // clustered
      {0x46a91361d1a582f8ull, 0x17f0ee9361049d78ull},  // hotspot
      {0x3a0895a1da75624aull, 0xffb63591767dc1fdull},  // uniform
      {0x830c1f8e98308c55ull, 0xa212598e83d88acbull},  // exponential
      {0x32c0e2aaaf963064ull, 0x5734980191e378acull},  // sequential
      {0x40c280506bd8951bull, 0x717ff5adeae4bdbfull},  // padded
      {0x426fb21e771dd501ull, 0xadca3128fc00a276ull},  // ordered_keys
      // readrandom re-pinned twice: compressible values start at a 100-byte piece, then are
      // handed out in turn (as db_bench's RandomGenerator does).
      {0x40fd0399d75e6517ull, 0x8c33384267336065ull},  // readrandom
      {0x631fb0b8c6846925ull, 0x384fbe4ecf2fc439ull},  // field_len_uniform
      {0x6dccfa6cd1aabb89ull, 0x7924fe64642eacbfull},  // u64be
      {0x6e282fc44d004977ull, 0xf267eca6bca897dbull},  // readrandom_with_replacement
  };
  std::vector<Case> cases = Cases();
  std::string actual;
  bool all_match = kExpected.size() == cases.size();
  for (size_t i = 0; i < cases.size(); ++i) {
    uint64_t a = StreamDigest(cases[i].path, cases[i].sets, 1, 20000);
    uint64_t b = StreamDigest(cases[i].path, cases[i].sets, 42, 20000);
    actual += "      {0x" + absl::StrCat(absl::Hex(a, absl::kZeroPad16)) + "ull, 0x" +
              absl::StrCat(absl::Hex(b, absl::kZeroPad16)) + "ull},  // " + cases[i].name + "\n";
    if (i < kExpected.size()) {
      EXPECT_EQ(kExpected[i].first, a) << cases[i].name << " seed 1";
      EXPECT_EQ(kExpected[i].second, b) << cases[i].name << " seed 42";
      all_match = all_match && kExpected[i].first == a && kExpected[i].second == b;
    }
  }
  EXPECT_EQ(kExpected.size(), cases.size());
  if (!all_match) std::printf("actual digests:\n%s", actual.c_str());
}

// Raw draws, including the region where the scaled Zipfian value is large (rank >> 10^6).
uint64_t ZipfDigest(uint64_t items, double theta, uint64_t seed, int draws, bool scrambled) {
  Random rng(seed);
  Digest d;
  if (scrambled) {
    ScrambledZipfianGenerator g(0, items - 1, theta);
    for (int i = 0; i < draws; ++i) d.U64(g.Next(rng));
  } else {
    ZipfianGenerator g(0, items - 1, theta);
    for (int i = 0; i < draws; ++i) d.U64(g.Next(rng));
  }
  return d.h;
}

TEST(GoldenStreamTest, ZipfianDrawsAreUnchanged) {
  struct Z {
    uint64_t items;
    double theta;
    bool scrambled;
  };
  const std::vector<Z> zs = {{1000, 0.99, true},      {1000000, 0.99, true}, {1000, 0.5, true},
                             {1000, 0.99, false},     {100000000, 0.99, false},
                             {100000000, 0.6, false}, {7, 0.3, false}};
  const std::vector<uint64_t> kExpected = {
      0xae1a71ebb06c9e06ull,
      0xfa7b4cef654f3502ull,
      0x3dc70f49ba2f4ee8ull,
      0xab3a921fda640ce5ull,
      0xfb403e277f1a00e2ull,
      0x0ddc58e8912fb8bbull,
      0xddc532f9d11bed22ull,
  };
  std::string actual;
  bool all_match = kExpected.size() == zs.size();
  for (size_t i = 0; i < zs.size(); ++i) {
    uint64_t h = ZipfDigest(zs[i].items, zs[i].theta, 7 + i, 200000, zs[i].scrambled);
    actual += "      0x" + absl::StrCat(absl::Hex(h, absl::kZeroPad16)) + "ull,\n";
    if (i < kExpected.size()) {
      EXPECT_EQ(kExpected[i], h) << "case " << i;
      all_match = all_match && kExpected[i] == h;
    }
  }
  EXPECT_EQ(kExpected.size(), zs.size());
  if (!all_match) std::printf("actual digests:\n%s", actual.c_str());
}

}  // namespace
}  // namespace kvlab::workloads

// Tests of each generator against its definition: values derived by hand from the YCSB/db_bench
// algorithms, and distribution shapes (chi-square / binomial bounds) with fixed seeds.
#include "workloads/generators.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace kvlab::workloads {
namespace {

// Pearson chi-square statistic of observed counts against expected probabilities.
double ChiSquare(const std::vector<uint64_t>& observed, const std::vector<double>& p) {
  uint64_t n = 0;
  for (uint64_t o : observed) n += o;
  double chi = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    double e = p[i] * static_cast<double>(n);
    chi += (observed[i] - e) * (observed[i] - e) / e;
  }
  return chi;
}
// A generous upper bound for chi-square with `df` degrees of freedom (about p = 0.0001).
double ChiBound(double df) { return df + 6 * std::sqrt(2 * df) + 10; }

TEST(FnvHash64Test, KnownValuesFromTheAlgorithm) {
  // Worked by hand from YCSB Utils.fnvhash64 (offset basis 0xCBF29CE484222325, prime
  // 1099511628211, 8 octets little-endian, then Math.abs).
  EXPECT_EQ(FnvHash64(0), 6284781860667377211LL);
  EXPECT_EQ(FnvHash64(1), 8517097267634966620LL);
  EXPECT_EQ(FnvHash64(2), 1820151046732198393LL);
  EXPECT_EQ(FnvHash64(3), 4052466453699787802LL);
  for (int64_t v = 0; v < 10000; ++v) EXPECT_GE(FnvHash64(v), 0);
}

// YCSB Utils.fnvhash64 transcribed literally (a loop of 8 arithmetic shifts), to check the
// shortened inline version against, on every width of input.
int64_t ReferenceFnvHash64(int64_t val) {
  uint64_t hash = 0xCBF29CE484222325ull;
  for (int i = 0; i < 8; ++i) {
    uint64_t octet = static_cast<uint64_t>(val) & 0xff;
    val >>= 8;
    hash ^= octet;
    hash *= 1099511628211ull;
  }
  int64_t h = static_cast<int64_t>(hash);
  return (h < 0 && h != INT64_MIN) ? -h : h;
}

TEST(FnvHash64Test, MatchesTheLiteralAlgorithmOnEveryWidth) {
  Random rng(5);
  for (int i = 0; i < 200000; ++i) {
    const int bits = static_cast<int>(rng.Uniform(65));  // 0..64 significant bits
    uint64_t v = bits == 64 ? rng.Next() : rng.Next() & ((uint64_t{1} << bits) - 1);
    ASSERT_EQ(FnvHash64(static_cast<int64_t>(v)), ReferenceFnvHash64(static_cast<int64_t>(v)))
        << v;
  }
  for (int64_t v : {int64_t{0}, int64_t{0xffff}, int64_t{0x10000}, int64_t{0xffffffff},
                    int64_t{0x100000000}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(FnvHash64(v), ReferenceFnvHash64(v)) << v;
  }
}

TEST(ZetaTest, SmallNByHand) {
  EXPECT_DOUBLE_EQ(Zeta(0, 0.99), 0.0);
  EXPECT_DOUBLE_EQ(Zeta(1, 0.99), 1.0);
  EXPECT_NEAR(Zeta(2, 0.99), 1 + std::pow(2.0, -0.99), 1e-15);
  EXPECT_NEAR(Zeta(2, 0.99), 1.5034777750283594, 1e-15);
  EXPECT_NEAR(Zeta(3, 0.5), 1 + 1 / std::sqrt(2.0) + 1 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(Zeta(10, 0.99), 2.956107516510364, 1e-13);
  // Incremental extension equals the direct sum.
  EXPECT_NEAR(ZetaFrom(10, 100, 0.7, Zeta(10, 0.7)), Zeta(100, 0.7), 1e-12);
}

TEST(ZetaTest, EulerMaclaurinTailMatchesYcsbConstantAndDirectSum) {
  // YCSB precomputed ScrambledZipfianGenerator.ZETAN = zetastatic(10^10, 0.99).
  EXPECT_NEAR(Zeta(10000000000ull, 0.99), ScrambledZipfianGenerator::kZetan, 1e-9);
  // Just past the exact/asymptotic boundary, against a plain sum.
  uint64_t n = (uint64_t{1} << 20) + 5000;
  double direct = 0;
  for (uint64_t i = 1; i <= n; ++i) direct += std::pow(static_cast<double>(i), -0.6);
  EXPECT_NEAR(Zeta(n, 0.6), direct, 1e-9 * direct);
}

TEST(ZipfianTest, ParametersAsYcsbComputesThem) {
  ZipfianGenerator z(0, 9, 0.99);
  EXPECT_EQ(z.items(), 10u);
  EXPECT_NEAR(z.alpha(), 100.0, 1e-9);
  EXPECT_NEAR(z.zetan(), Zeta(10, 0.99), 1e-15);
  double eta = (1 - std::pow(2.0 / 10, 0.01)) / (1 - Zeta(2, 0.99) / Zeta(10, 0.99));
  EXPECT_NEAR(z.eta(), eta, 1e-15);
}

TEST(ZipfianTest, FrequenciesMatchTheAlgorithmAndTheHead) {
  const uint64_t n = 20;
  const double theta = 0.99;
  ZipfianGenerator z(100, 100 + n - 1, theta);
  // The algorithm's exact pmf, integrated over u on a fine grid (derived from its definition).
  std::vector<double> p(n, 0);
  const int grid = 2000000;
  double zetan = Zeta(n, theta), eta = z.eta(), alpha = z.alpha();
  for (int g = 0; g < grid; ++g) {
    double u = (g + 0.5) / grid;
    double uz = u * zetan;
    uint64_t v = uz < 1 ? 0
                 : uz < 1 + std::pow(0.5, theta)
                     ? 1
                     : static_cast<uint64_t>(n * std::pow(eta * u - eta + 1, alpha));
    p[std::min(v, n - 1)] += 1.0 / grid;
  }
  // Ranks 0 and 1 are exact Zipf: 1/zetan and 2^-theta/zetan.
  EXPECT_NEAR(p[0], 1 / zetan, 1e-5);
  EXPECT_NEAR(p[1], std::pow(2.0, -theta) / zetan, 1e-5);
  Random rng(42);
  std::vector<uint64_t> counts(n, 0);
  const int draws = 400000;
  for (int i = 0; i < draws; ++i) {
    uint64_t v = z.Next(rng);
    ASSERT_GE(v, 100u);
    ASSERT_LE(v, 100 + n - 1);
    ++counts[v - 100];
  }
  std::vector<uint64_t> obs;
  std::vector<double> exp;
  for (uint64_t i = 0; i < n; ++i) {
    if (p[i] > 1e-4) {
      obs.push_back(counts[i]);
      exp.push_back(p[i]);
    }
  }
  EXPECT_LT(ChiSquare(obs, exp), ChiBound(obs.size() - 1));
  // Monotone head: rank 0 most popular, then rank 1.
  EXPECT_GT(counts[0], counts[1]);
  EXPECT_GT(counts[1], counts[2]);
}

// ZipfianGenerator skips pow when alpha is nearly an integer (theta 0.99, 0.9, 0.8, 0.5) and
// proves the floor unchanged (generators.cc ScaledRank). Checked here against YCSB's expression
// evaluated literally, on draws from the same stream, for thetas with and without the fast path.
TEST(ZipfianTest, FastPathGivesTheLiteralYcsbValues) {
  for (double theta : {0.99, 0.9, 0.8, 0.5, 0.7, 0.95}) {
    for (uint64_t items : {uint64_t{1000}, uint64_t{1000000}, uint64_t{10000000001}}) {
      SCOPED_TRACE(testing::Message() << "theta " << theta << " items " << items);
      ZipfianGenerator z(0, items - 1, theta);
      const double zetan = z.zetan(), eta = z.eta(), alpha = z.alpha();
      Random a(items + static_cast<uint64_t>(theta * 100)), b = a;
      for (int i = 0; i < 300000; ++i) {
        double u = b.NextDouble();
        double uz = u * zetan;
        uint64_t expected =
            uz < 1.0                         ? 0
            : uz < 1.0 + std::pow(0.5, theta) ? 1
                                              : static_cast<uint64_t>(
                                                    static_cast<double>(items) *
                                                    std::pow(eta * u - eta + 1, alpha));
        ASSERT_EQ(z.Next(a), expected) << "draw " << i << " u " << u;
      }
    }
  }
}

TEST(ZipfianTest, GrowingItemCountExtendsZetaAndKeepsOriginalItemsInEta) {
  ZipfianGenerator z(0, 99, 0.99);
  Random rng(1);
  uint64_t v = z.NextLong(rng, 200);
  EXPECT_LT(v, 200u);
  EXPECT_NEAR(z.zetan(), Zeta(200, 0.99), 1e-12);
  double eta = (1 - std::pow(2.0 / 100, 0.01)) / (1 - Zeta(2, 0.99) / Zeta(200, 0.99));
  EXPECT_NEAR(z.eta(), eta, 1e-15);  // YCSB's quirk: `items` stays 100
  // Shrinking does not recompute.
  z.NextLong(rng, 150);
  EXPECT_NEAR(z.zetan(), Zeta(200, 0.99), 1e-12);
}

TEST(ScrambledZipfianTest, HotKeysAreTheHashedHeadOfATenBillionItemZipfian) {
  const uint64_t min = 1000, max = 1999, items = max - min + 1;
  ScrambledZipfianGenerator s(min, max, 0.99);
  Random rng(7);
  std::map<uint64_t, uint64_t> counts;
  const int draws = 300000;
  for (int i = 0; i < draws; ++i) {
    uint64_t v = s.Next(rng);
    ASSERT_GE(v, min);
    ASSERT_LE(v, max);
    ++counts[v];
  }
  uint64_t hottest = min + static_cast<uint64_t>(FnvHash64(0)) % items;
  uint64_t second = min + static_cast<uint64_t>(FnvHash64(1)) % items;
  std::vector<std::pair<uint64_t, uint64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a.second > b.second; });
  EXPECT_EQ(sorted[0].first, hottest);
  EXPECT_EQ(sorted[1].first, second);
  // P(item 0) = 1/ZETAN = 3.78 %, plus about 1/items of the rest folded onto the same key.
  double share = static_cast<double>(counts[hottest]) / draws;
  double expected = 1 / ScrambledZipfianGenerator::kZetan + 1.0 / items;
  EXPECT_NEAR(share, expected, 0.004);
  double share1 = static_cast<double>(counts[second]) / draws;
  EXPECT_NEAR(share1, std::pow(2.0, -0.99) / ScrambledZipfianGenerator::kZetan + 1.0 / items,
              0.003);
}

TEST(ScrambledZipfianTest, OtherThetaUsesComputedZeta) {
  ScrambledZipfianGenerator s(0, 99, 0.5);
  Random rng(3);
  std::vector<uint64_t> counts(100, 0);
  for (int i = 0; i < 100000; ++i) ++counts[s.Next(rng)];
  // theta 0.5 over 10^10 items is nearly flat once folded: the head item has ~1/zeta = 0.0005.
  uint64_t max_count = *std::max_element(counts.begin(), counts.end());
  EXPECT_LT(max_count, 1400u);  // about 1000 expected per bucket
}

TEST(SizeGeneratorTest, ConstantAndUniformInclusive) {
  Random rng(5);
  SizeGenerator c({SizeDist::kConstant, 123});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(c.Next(rng), 123u);
  SizeDistSpec u{SizeDist::kUniform};
  u.min = 10;
  u.max = 19;
  SizeGenerator g(u);
  std::vector<uint64_t> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = g.Next(rng);
    ASSERT_GE(v, 10u);
    ASSERT_LE(v, 19u);
    ++counts[v - 10];
  }
  EXPECT_LT(ChiSquare(counts, std::vector<double>(10, 0.1)), ChiBound(9));
}

TEST(SizeGeneratorTest, ZipfianFavoursMin) {
  SizeDistSpec z{SizeDist::kZipfian};
  z.min = 1;
  z.max = 100;
  z.theta = 0.99;
  SizeGenerator g(z);
  Random rng(6);
  uint64_t ones = 0;
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) {
    uint64_t v = g.Next(rng);
    ASSERT_GE(v, 1u);
    ASSERT_LE(v, 100u);
    ones += v == 1;
  }
  double p1 = 1 / Zeta(100, 0.99);
  double sd = std::sqrt(p1 * (1 - p1) / draws);
  EXPECT_NEAR(static_cast<double>(ones) / draws, p1, 5 * sd);
}

TEST(SizeGeneratorTest, NormalMomentsAndClamping) {
  SizeDistSpec s{SizeDist::kNormal};
  s.mean = 1000;
  s.stddev = 100;
  s.min = 0;
  s.max = 100000;
  SizeGenerator g(s);
  Random rng(8);
  const int draws = 100000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < draws; ++i) {
    double v = static_cast<double>(g.Next(rng));
    sum += v;
    sum2 += v * v;
  }
  double mean = sum / draws, var = sum2 / draws - mean * mean;
  EXPECT_NEAR(mean, 1000, 2);
  EXPECT_NEAR(std::sqrt(var), 100, 2);
  s.min = 950;
  s.max = 1050;
  SizeGenerator clamped(s);
  uint64_t at_min = 0, at_max = 0;
  for (int i = 0; i < draws; ++i) {
    uint64_t v = clamped.Next(rng);
    ASSERT_GE(v, 950u);
    ASSERT_LE(v, 1050u);
    at_min += v == 950;
    at_max += v == 1050;
  }
  // P(X <= 950.5) = Phi(-0.495) = 0.3103.
  EXPECT_NEAR(static_cast<double>(at_min) / draws, 0.3103, 0.01);
  EXPECT_NEAR(static_cast<double>(at_max) / draws, 0.3103, 0.01);
}

TEST(SizeGeneratorTest, GeneralizedParetoAsDbBench) {
  // db_bench ParetoCdfInversion with its mixgraph value defaults.
  const double k = 0.2615, sigma = 25.45;
  EXPECT_NEAR(SizeGenerator::ParetoInverse(0.5, 0, k, sigma),
              sigma * (std::pow(0.5, -k) - 1) / k, 1e-12);
  EXPECT_NEAR(SizeGenerator::ParetoInverse(0.5, 3, 0, 2), 3 + 2 * std::log(2.0), 1e-12);
  SizeDistSpec s{SizeDist::kPareto};
  s.min = 10;
  s.max = 1024;
  s.location = 0;
  s.shape = k;
  s.scale = sigma;
  SizeGenerator g(s);
  Random rng(9);
  const int draws = 200000;
  std::vector<uint64_t> sizes;
  for (int i = 0; i < draws; ++i) {
    uint64_t v = g.Next(rng);
    ASSERT_GE(v, 10u);
    ASSERT_LE(v, 1024u);
    sizes.push_back(v);
  }
  // P(size <= x) = GPD CDF F(x) = 1 - (1 + k x / sigma)^(-1/k) for integer x >= 10.
  for (uint64_t x : {10, 20, 50, 100, 300}) {
    double f = 1 - std::pow(1 + k * x / sigma, -1 / k);
    double emp = static_cast<double>(std::count_if(sizes.begin(), sizes.end(),
                                                   [x](uint64_t v) { return v <= x; })) / draws;
    EXPECT_NEAR(emp, f, 0.006) << "x=" << x;
  }
}

WorkloadSpec KeySpec(KeyDist dist, uint64_t records) {
  WorkloadSpec spec;
  spec.record_count = records;
  spec.keys.dist = dist;
  return spec;
}

TEST(KeyChooserTest, UniformCoversTheLoadedRangeEvenly) {
  WorkloadSpec spec = KeySpec(KeyDist::kUniform, 1100);
  spec.insert_start = 100;
  KeyChooser c(spec, 0, 1);
  Random rng(10);
  std::vector<uint64_t> counts(100, 0);
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = c.Next(rng, 5000);  // new inserts are never read under uniform (as YCSB)
    ASSERT_GE(v, 100u);
    ASSERT_LT(v, 1100u);
    ++counts[(v - 100) / 10];
  }
  EXPECT_LT(ChiSquare(counts, std::vector<double>(100, 0.01)), ChiBound(99));
}

TEST(KeyChooserTest, ZipfianKeyspaceIncludesExpectedInsertsAndRedrawsUnacknowledged) {
  WorkloadSpec spec = KeySpec(KeyDist::kZipfian, 1000);
  spec.operation_count = 1000;
  spec.mix = {0.95, 0, 0.05, 0, 0, 0};
  // insertstart + insertcount + ops * insert share * 2 (YCSB's expectednewkeys).
  EXPECT_EQ(KeyChooser::ZipfianKeyspaceMax(spec), 1000u + 100u);
  KeyChooser c(spec, 0, 1);
  Random rng(11);
  for (int i = 0; i < 50000; ++i) ASSERT_LE(c.Next(rng, 999), 999u);
  bool saw_new = false;
  for (int i = 0; i < 50000; ++i) {
    uint64_t v = c.Next(rng, 1100);
    ASSERT_LE(v, 1100u);
    saw_new |= v >= 1000;
  }
  EXPECT_TRUE(saw_new);
}

TEST(KeyChooserTest, LatestFollowsAcknowledgedInserts) {
  WorkloadSpec spec = KeySpec(KeyDist::kLatest, 1000);
  KeyChooser c(spec, 0, 1);
  Random rng(12);
  for (uint64_t last : {999u, 1500u, 5000u}) {
    std::map<uint64_t, uint64_t> counts;
    const int draws = 100000;
    for (int i = 0; i < draws; ++i) {
      uint64_t v = c.Next(rng, last);
      ASSERT_LE(v, last);
      ++counts[v];
    }
    // The newest acknowledged key is the most popular: P = 1/zeta(items) (rank 0 of the
    // Zipfian over `last` items).
    uint64_t top = std::max_element(counts.begin(), counts.end(), [](auto a, auto b) {
                     return a.second < b.second;
                   })->first;
    EXPECT_EQ(top, last);
    EXPECT_NEAR(static_cast<double>(counts[last]) / draws, 1 / Zeta(last, 0.99), 0.006);
    EXPECT_GT(counts[last - 1], counts[last - 5]);
  }
}

TEST(KeyChooserTest, HotspotSplitsOperations) {
  WorkloadSpec spec = KeySpec(KeyDist::kHotspot, 1000);
  spec.keys.hot_data = 0.2;
  spec.keys.hot_ops = 0.8;
  KeyChooser c(spec, 0, 1);
  Random rng(13);
  const int draws = 100000;
  uint64_t hot = 0;
  std::vector<uint64_t> hot_counts(10, 0), cold_counts(10, 0);
  for (int i = 0; i < draws; ++i) {
    uint64_t v = c.Next(rng, 999);
    ASSERT_LT(v, 1000u);
    if (v < 200) {
      ++hot;
      ++hot_counts[v / 20];
    } else {
      ++cold_counts[(v - 200) / 80];
    }
  }
  double sd = std::sqrt(0.8 * 0.2 / draws);
  EXPECT_NEAR(static_cast<double>(hot) / draws, 0.8, 5 * sd);
  EXPECT_LT(ChiSquare(hot_counts, std::vector<double>(10, 0.1)), ChiBound(9));
  EXPECT_LT(ChiSquare(cold_counts, std::vector<double>(10, 0.1)), ChiBound(9));
  // Degenerate fractions do not divide by zero.
  spec.keys.hot_data = 0;
  KeyChooser all_cold(spec, 0, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_LT(all_cold.Next(rng, 999), 1000u);
}

TEST(KeyChooserTest, SequentialPerClientCursorWraps) {
  WorkloadSpec spec = KeySpec(KeyDist::kSequential, 10);
  KeyChooser c0(spec, 0, 2), c1(spec, 1, 2);
  Random rng(14);
  std::vector<uint64_t> a, b;
  for (int i = 0; i < 12; ++i) {
    a.push_back(c0.Next(rng, 9));
    b.push_back(c1.Next(rng, 9));
  }
  EXPECT_EQ(a, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}));
  EXPECT_EQ(b, (std::vector<uint64_t>{5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6}));
}

TEST(KeyChooserTest, ExponentialConcentratesOnRecentKeys) {
  WorkloadSpec spec = KeySpec(KeyDist::kExponential, 10000);
  KeyChooser c(spec, 0, 1);
  Random rng(15);
  const int draws = 100000;
  uint64_t recent = 0;
  // percentile 95 of draws fall within frac * records = 8571 keys of the last one.
  for (int i = 0; i < draws; ++i) {
    uint64_t v = c.Next(rng, 9999);
    ASSERT_LE(v, 9999u);
    recent += v > 9999 - 8571;
  }
  // Truncation at 0 (redraws) lifts it slightly above 0.95: exactly 0.95 / (1 - 0.05^(1.1667)).
  double expected = 0.95 / (1 - std::pow(0.05, 10000.0 / 8571.4285714));
  EXPECT_NEAR(static_cast<double>(recent) / draws, expected, 0.004);
}

TEST(PermuteTest, IsABijectionAndShuffles) {
  const uint64_t key[4] = {1, 2, 3, 4};
  for (uint64_t n : {1u, 2u, 3u, 7u, 1000u, 4096u, 5001u}) {
    std::set<uint64_t> seen;
    uint64_t fixed = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t p = Permute(i, n, key);
      ASSERT_LT(p, n);
      seen.insert(p);
      fixed += p == i;
    }
    EXPECT_EQ(seen.size(), n);
    if (n >= 1000) {
      EXPECT_LT(fixed, n / 50);
    }
  }
}

// SplitMix64 (Steele, Lea, Flood 2014) from state 0 gives 0xe220a8397b1dcdaf then
// 0x6e789e6aa1b965f4 (its reference output); with n = 2^32 the multiply-shift keeps the high
// 32 bits of x, with n = 2^64 - 1 it gives x * n >> 64 = x - 1 (x > 0).
TEST(DrawWithReplacementTest, IsSplitMix64ReducedByMultiplyShift) {
  const uint64_t key[4] = {0, 0, 0, 0};
  EXPECT_EQ(DrawWithReplacement(0, uint64_t{1} << 32, key), 0xe220a839u);
  EXPECT_EQ(DrawWithReplacement(1, uint64_t{1} << 32, key), 0x6e789e6au);
  EXPECT_EQ(DrawWithReplacement(0, UINT64_MAX, key), 0xe220a8397b1dcdaeull);
  EXPECT_EQ(DrawWithReplacement(5, 1, key), 0u);
  // A keyed stream: the key is the SplitMix64 state, so state k + gamma at index 0 is
  // state k at index 1.
  const uint64_t shifted[4] = {0x9E3779B97F4A7C15ull, 0, 0, 0};
  EXPECT_EQ(DrawWithReplacement(0, 1000, shifted), DrawWithReplacement(1, 1000, key));
}

TEST(DrawWithReplacementTest, UniformWithAboutOneMinusOneOverEDistinct) {
  const uint64_t key[4] = {0x1234, 5, 6, 7};
  const uint64_t n = 100000;
  std::vector<uint32_t> hits(n, 0);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t d = DrawWithReplacement(i, n, key);
    ASSERT_LT(d, n);
    ++hits[d];
  }
  // N draws over N keys: E[distinct] = N (1 - (1 - 1/N)^N) ~ 0.63212 N, sd ~ 0.001 N here.
  uint64_t distinct = 0;
  for (uint32_t h : hits) distinct += h > 0;
  EXPECT_NEAR(static_cast<double>(distinct) / n, 1 - std::pow(1 - 1.0 / n, n), 0.005);
  // Uniform: 100 buckets of 1000 keys each get ~1000 draws (chi-square, 99 dof, p ~ 1e-6 at 170).
  double chi2 = 0;
  for (uint64_t b = 0; b < 100; ++b) {
    uint64_t in = 0;
    for (uint64_t k = b * 1000; k < (b + 1) * 1000; ++k) in += hits[k];
    chi2 += (in - 1000.0) * (in - 1000.0) / 1000.0;
  }
  EXPECT_LT(chi2, 170);
}

TEST(DeterminismTest, SameSeedSameStream) {
  SizeDistSpec s{SizeDist::kNormal};
  s.mean = 50;
  s.stddev = 10;
  s.max = 100;
  SizeGenerator a(s), b(s);
  Random ra(99), rb(99), rc(100);
  bool differs = false;
  SizeGenerator c(s);
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Next(ra);
    ASSERT_EQ(x, b.Next(rb));
    differs |= x != c.Next(rc);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace kvlab::workloads

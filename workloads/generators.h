// The random generators behind a workload: YCSB's key choosers (uniform, Zipfian, scrambled
// Zipfian, skewed latest, hotspot, sequential, exponential), size distributions (constant,
// uniform, Zipfian, normal, db_bench's generalized Pareto), YCSB's FNV-64 hash and a seeded
// permutation for shuffled loads and seeded draws with replacement for db_bench-like loads.
//
// Every generator draws from a kvlab::Random passed in by the caller, so a stream is
// determined by its seed. The algorithms follow YCSB (brianfrankcooper/YCSB core/.../generator)
// and db_bench (rocksdb tools/db_bench_tool.cc) line by line; see WORKLOADS.md section 1.4.
#ifndef KVLAB_WORKLOADS_GENERATORS_H_
#define KVLAB_WORKLOADS_GENERATORS_H_

#include <climits>
#include <cstdint>
#include <optional>

#include "engine/env/env.h"
#include "workloads/workload.h"

namespace kvlab::workloads {

// YCSB Utils.fnvhash64: FNV-1a over the 8 little-endian bytes of `val` (Java long arithmetic),
// then Math.abs, which leaves Long.MIN_VALUE negative.
//
// Inline and shortened for small values, with the same result: a zero byte leaves the step
// h = (h ^ 0) * P = h * P, and multiplication mod 2^64 is associative, so k trailing zero bytes
// are one multiplication by P^k instead of a chain of k (the per-operation key hashing is on
// the runner's hot path; golden_stream_test and FnvHash64Test pin the values).
inline int64_t FnvHash64(int64_t val) {
  constexpr uint64_t kPrime = 1099511628211ull;  // FNV_PRIME_64
  constexpr uint64_t kPrime2 = kPrime * kPrime;
  constexpr uint64_t kPrime4 = kPrime2 * kPrime2;
  constexpr uint64_t kPrime6 = kPrime4 * kPrime2;
  uint64_t hash = 0xCBF29CE484222325ull;  // FNV_OFFSET_BASIS_64
  const uint64_t bits = static_cast<uint64_t>(val);
  if (bits < (uint64_t{1} << 16)) {  // bytes 2..7 are zero (a non-negative val: >> is plain)
    hash = (hash ^ (bits & 0xff)) * kPrime;
    hash = (hash ^ (bits >> 8)) * kPrime;
    hash *= kPrime6;
  } else if (bits < (uint64_t{1} << 32)) {  // bytes 4..7 are zero
    for (int i = 0; i < 4; ++i) hash = (hash ^ ((bits >> (8 * i)) & 0xff)) * kPrime;
    hash *= kPrime4;
  } else {
    // Java's >> is arithmetic, but only the low 8 bits of each shifted value are used, and
    // those equal the bytes of the two's-complement representation.
    for (int i = 0; i < 8; ++i) hash = (hash ^ ((bits >> (8 * i)) & 0xff)) * kPrime;
  }
  const int64_t signed_hash = static_cast<int64_t>(hash);
  // Math.abs: Long.MIN_VALUE stays negative.
  return (signed_hash < 0 && signed_hash != INT64_MIN) ? -signed_hash : signed_hash;
}

// zeta(n, theta) = sum_{i=1..n} 1 / i^theta. Summed term by term (in YCSB's order) for the first
// 2^20 terms; beyond that the tail is the Euler-Maclaurin expansion (error far below 1 ulp of
// the sum), so that zeta(10^10, theta) costs microseconds, not minutes as in YCSB.
double Zeta(uint64_t n, double theta);
// YCSB's zeta(st, n, theta, initialsum): initialsum + sum_{i=st..n-1} 1 / (i+1)^theta.
double ZetaFrom(uint64_t st, uint64_t n, double theta, double initial_sum);

// YCSB ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic databases",
// SIGMOD'94): values in [min, max], min the most popular.
class ZipfianGenerator {
 public:
  ZipfianGenerator(uint64_t min, uint64_t max, double theta);
  // With zeta(items, theta) given (YCSB's precomputed constant for the scrambled generator).
  ZipfianGenerator(uint64_t min, uint64_t max, double theta, double zetan);

  uint64_t Next(Random& rng) { return NextLong(rng, items_); }
  // YCSB nextLong(itemcount): draws over the first `itemcount` items. When itemcount grows,
  // zetan is extended incrementally and eta recomputed with the ORIGINAL item count (YCSB's
  // quirk, kept); when it shrinks nothing is recomputed (allowitemcountdecrease = false).
  uint64_t NextLong(Random& rng, uint64_t itemcount);

  double zetan() const { return zetan_; }
  double eta() const { return eta_; }
  double alpha() const { return alpha_; }
  double zeta2theta() const { return zeta2theta_; }
  uint64_t items() const { return items_; }

 private:
  uint64_t items_;
  uint64_t base_;
  double theta_;
  double zeta2theta_;
  double alpha_;
  double zetan_;
  double eta_;
  double rank1_bound_;  // 1 + 0.5^theta, the bound of rank 1 (once, not per draw)
  uint64_t count_for_zeta_;
  // floor(itemcount * pow(x, alpha)) without pow when alpha is nearly an integer m (theta 0.99:
  // alpha = 99.99999999999991): see ScaledRank in generators.cc for why it is the same integer.
  int pow_int_ = 0;        // m, or 0: always std::pow
  double pow_slack_ = 0;   // relative distance between x^m and pow(x, alpha) covered, x in [.5, 1]

  uint64_t ScaledRank(double x, uint64_t itemcount) const;
};

// YCSB ScrambledZipfianGenerator: a Zipfian over 10^10 items (zetan precomputed for 0.99),
// folded onto [min, max] by min + fnvhash64(draw) % (max - min + 1).
class ScrambledZipfianGenerator {
 public:
  static constexpr uint64_t kItemCount = 10000000000ull;
  static constexpr double kZetan = 26.46902820178302;
  static constexpr double kUsedTheta = 0.99;

  ScrambledZipfianGenerator(uint64_t min, uint64_t max, double theta);
  uint64_t Next(Random& rng);

 private:
  uint64_t min_;
  uint64_t item_count_;
  ZipfianGenerator gen_;
};

// A random non-negative integer per SizeDistSpec (value sizes, field and scan lengths).
class SizeGenerator {
 public:
  explicit SizeGenerator(const SizeDistSpec& spec);
  uint64_t Next(Random& rng);
  // db_bench ParetoCdfInversion: ceil(location + scale * (u^-shape - 1) / shape), or
  // ceil(location - scale * ln u) when shape == 0.
  static double ParetoInverse(double u, double location, double shape, double scale);

 private:
  SizeDistSpec spec_;
  std::optional<ZipfianGenerator> zipf_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

// YCSB CoreWorkload.nextKeynum(): the key number of a read/update/scan/rmw/delete. Only key
// numbers <= last_acknowledged are returned (others are redrawn, as YCSB does).
class KeyChooser {
 public:
  // `client`/`clients` only matter for sequential (each client starts at its own offset).
  KeyChooser(const WorkloadSpec& spec, uint32_t client, uint32_t clients);
  // REQUIRES: last_acknowledged >= spec.record_count - 1.
  uint64_t Next(Random& rng, uint64_t last_acknowledged);

  // The scrambled Zipfian's key space: insert_start .. insert_start + insertcount +
  // 2 * run.ops * insert share (YCSB's "expectednewkeys", 2 is its fudge factor), inclusive.
  static uint64_t ZipfianKeyspaceMax(const WorkloadSpec& spec);

 private:
  uint64_t DrawOnce(Random& rng, uint64_t last_acknowledged);

  KeyDist dist_;
  uint64_t lower_;     // insert_start
  uint64_t interval_;  // record_count - insert_start
  std::optional<ZipfianGenerator> zipf_;            // zipfian_clustered, latest
  std::optional<ScrambledZipfianGenerator> scrambled_;  // zipfian
  uint64_t hot_interval_ = 0;   // hotspot
  uint64_t cold_interval_ = 0;
  double hot_ops_ = 0;
  double gamma_ = 0;            // exponential
  uint64_t sequence_ = 0;       // sequential
};

// A bijection on [0, n), keyed: a 4-round Feistel network on the smallest even number of bits
// covering n, with cycle walking. For load.order: shuffled.
uint64_t Permute(uint64_t index, uint64_t n, const uint64_t key[4]);

// Draw number `index` of a keyed stream of uniform draws from [0, n), with replacement (as
// db_bench's fillrandom picks `Random64::Next() % num`): SplitMix64's output number index + 1
// for state key[0], reduced to [0, n) by Lemire's multiply-shift (bias < n / 2^64). A pure
// function of (index, n, key), so the loaded key set does not depend on how the load is split
// between clients. For load.order: with_replacement. REQUIRES: n > 0.
uint64_t DrawWithReplacement(uint64_t index, uint64_t n, const uint64_t key[4]);

}  // namespace kvlab::workloads

#endif  // KVLAB_WORKLOADS_GENERATORS_H_

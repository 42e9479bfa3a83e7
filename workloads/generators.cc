// Key choosers and size distributions, following YCSB's generator package and db_bench.
#include "workloads/generators.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "engine/common/check.h"
#include "engine/common/hash.h"

namespace kvlab::workloads {
namespace {

constexpr uint64_t kExactZetaTerms = uint64_t{1} << 20;

// Euler-Maclaurin: sum_{i=a..b} i^-theta for a large a (the remainder term is ~a^-(theta+5)).
double PowerSumTail(double a, double b, double theta) {
  auto f = [theta](double x) { return std::pow(x, -theta); };
  auto f1 = [theta](double x) { return -theta * std::pow(x, -theta - 1); };
  auto f3 = [theta](double x) {
    return -theta * (theta + 1) * (theta + 2) * std::pow(x, -theta - 3);
  };
  double integral = (std::pow(b, 1 - theta) - std::pow(a, 1 - theta)) / (1 - theta);
  return integral + (f(a) + f(b)) / 2 + (f1(b) - f1(a)) / 12 - (f3(b) - f3(a)) / 720;
}

}  // namespace

double ZetaFrom(uint64_t st, uint64_t n, double theta, double initial_sum) {
  double sum = initial_sum;
  if (n <= st) return sum;
  uint64_t exact_end = n - st <= kExactZetaTerms ? n : st + kExactZetaTerms;
  for (uint64_t i = st; i < exact_end; ++i) sum += 1 / std::pow(static_cast<double>(i + 1), theta);
  if (exact_end < n) {
    // Terms (exact_end+1) .. n remain.
    sum += PowerSumTail(static_cast<double>(exact_end + 1), static_cast<double>(n), theta);
  }
  return sum;
}

double Zeta(uint64_t n, double theta) { return ZetaFrom(0, n, theta, 0); }

// ---------------------------------------------------------------------------------------------

ZipfianGenerator::ZipfianGenerator(uint64_t min, uint64_t max, double theta)
    : ZipfianGenerator(min, max, theta, Zeta(max - min + 1, theta)) {}

ZipfianGenerator::ZipfianGenerator(uint64_t min, uint64_t max, double theta, double zetan)
    : items_(max - min + 1), base_(min), theta_(theta) {
  KVLAB_CHECK(max >= min && theta > 0 && theta < 1);
  zeta2theta_ = Zeta(2, theta_);
  alpha_ = 1.0 / (1.0 - theta_);
  zetan_ = zetan;
  rank1_bound_ = 1.0 + std::pow(0.5, theta_);
  count_for_zeta_ = items_;
  eta_ = (1 - std::pow(2.0 / static_cast<double>(items_), 1 - theta_)) /
         (1 - zeta2theta_ / zetan_);
  const double m = std::round(alpha_);
  const double delta = alpha_ - m;
  if (m >= 1 && m <= 256 && std::fabs(delta) <= 1e-12) {
    pow_int_ = static_cast<int>(m);
    // |x^m (by multiplications) / x^alpha - 1| for x in [0.5, 1], bounded by the sum of:
    //  - binary powering: at most m - 1 roundings, relative error <= 1.01 (m - 1) 2^-53;
    //  - x^m / x^alpha = x^-delta, and |x^-delta - 1| <= 1.01 |delta| ln 2 since |ln x| <= ln 2;
    //  - the libm pow itself: glibc's is within 0.54 ulp (2^-52 relative); allow 1000 times that.
    // Doubled, so that the roundings of the bounds themselves are covered too.
    const double bound =
        1.01 * (m - 1) * 0x1p-53 + 1.01 * std::fabs(delta) * 0.6932 + 1000 * 0x1p-52;
    pow_slack_ = 2 * bound;
  }
}

// YCSB: (long) (itemcount * Math.pow(eta * u - eta + 1, alpha)), with x = eta * u - eta + 1.
//
// Fast path, same integer: with A = x^m by multiplications and G = pow(x, alpha) as libm returns
// it, the constructor's bound gives A (1 - s) <= G <= A (1 + s) (s = pow_slack_). Rounding to
// nearest is monotonic and so is the truncating cast, so (uint64) fl(n * G) lies between the
// values for A (1 - s) and A (1 + s); when those two are equal, it is that value. Otherwise
// (the product is within ~s * n * G of an integer: about one draw in a thousand for a Zipfian
// over 10^10 items, less for fewer) the libm pow decides, exactly as before.
uint64_t ZipfianGenerator::ScaledRank(double x, uint64_t itemcount) const {
  const double n = static_cast<double>(itemcount);
  if (pow_int_ > 0 && x >= 0.5 && x <= 1.0) {
    double result = 1.0;
    double power = x;
    for (int e = pow_int_;;) {
      if (e & 1) result *= power;
      e >>= 1;
      if (e == 0) break;
      power *= power;
    }
    const uint64_t low = static_cast<uint64_t>(n * (result * (1 - pow_slack_)));
    const uint64_t high = static_cast<uint64_t>(n * (result * (1 + pow_slack_)));
    if (low == high) return low;
  }
  return static_cast<uint64_t>(n * std::pow(x, alpha_));
}

uint64_t ZipfianGenerator::NextLong(Random& rng, uint64_t itemcount) {
  if (itemcount > count_for_zeta_) {
    zetan_ = ZetaFrom(count_for_zeta_, itemcount, theta_, zetan_);
    count_for_zeta_ = itemcount;
    // YCSB recomputes eta with the original `items`, not itemcount.
    eta_ = (1 - std::pow(2.0 / static_cast<double>(items_), 1 - theta_)) /
           (1 - zeta2theta_ / zetan_);
  }
  double u = rng.NextDouble();
  double uz = u * zetan_;
  if (uz < 1.0) return base_;
  if (uz < rank1_bound_) return base_ + 1;
  return base_ + ScaledRank(eta_ * u - eta_ + 1, itemcount);
}

ScrambledZipfianGenerator::ScrambledZipfianGenerator(uint64_t min, uint64_t max, double theta)
    : min_(min),
      item_count_(max - min + 1),
      gen_(0, kItemCount, theta,
           theta == kUsedTheta ? kZetan : Zeta(kItemCount + 1, theta)) {}

uint64_t ScrambledZipfianGenerator::Next(Random& rng) {
  int64_t draw = static_cast<int64_t>(gen_.Next(rng));
  // Java: min + fnvhash64(ret) % itemcount, in signed long arithmetic.
  int64_t folded = FnvHash64(draw) % static_cast<int64_t>(item_count_);
  return min_ + static_cast<uint64_t>(folded);
}

// ---------------------------------------------------------------------------------------------

uint64_t SizeDistSpec::Max() const {
  return dist == SizeDist::kConstant ? value : max;
}

SizeGenerator::SizeGenerator(const SizeDistSpec& spec) : spec_(spec) {
  if (spec_.dist == SizeDist::kZipfian) zipf_.emplace(spec_.min, spec_.max, spec_.theta);
}

double SizeGenerator::ParetoInverse(double u, double location, double shape, double scale) {
  if (shape == 0.0) return location - scale * std::log(u);
  return location + scale * (std::pow(u, -shape) - 1) / shape;
}

uint64_t SizeGenerator::Next(Random& rng) {
  switch (spec_.dist) {
    case SizeDist::kConstant:
      return spec_.value;
    case SizeDist::kUniform:
      return rng.Range(spec_.min, spec_.max);
    case SizeDist::kZipfian:
      return zipf_->Next(rng);
    case SizeDist::kNormal: {
      double z;
      if (has_spare_normal_) {
        z = spare_normal_;
        has_spare_normal_ = false;
      } else {  // Box-Muller.
        double u1 = 1.0 - rng.NextDouble();  // (0, 1]
        double u2 = rng.NextDouble();
        double r = std::sqrt(-2.0 * std::log(u1));
        z = r * std::cos(2 * M_PI * u2);
        spare_normal_ = r * std::sin(2 * M_PI * u2);
        has_spare_normal_ = true;
      }
      double x = std::round(spec_.mean + spec_.stddev * z);
      if (!(x >= static_cast<double>(spec_.min))) return spec_.min;
      if (x >= static_cast<double>(spec_.max)) return spec_.max;
      return static_cast<uint64_t>(x);
    }
    case SizeDist::kPareto: {
      // db_bench mixgraph: size = ceil(inverse CDF); < min -> min; > max -> size % max.
      double u = rng.NextDouble();
      if (u == 0.0) u = 0x1.0p-53;
      double x = std::ceil(ParetoInverse(u, spec_.location, spec_.shape, spec_.scale));
      if (!(x >= static_cast<double>(spec_.min))) return spec_.min;
      if (x > 1e18) x = 1e18;
      uint64_t size = static_cast<uint64_t>(x);
      if (size > spec_.max) size %= spec_.max;
      return std::max(size, spec_.min);
    }
  }
  return spec_.value;
}

// ---------------------------------------------------------------------------------------------

uint64_t KeyChooser::ZipfianKeyspaceMax(const WorkloadSpec& spec) {
  uint64_t expected_new_keys = static_cast<uint64_t>(
      static_cast<double>(spec.operation_count) * spec.MixFraction(OpType::kInsert) * 2.0);
  return spec.insert_start + (spec.record_count - spec.insert_start) + expected_new_keys;
}

KeyChooser::KeyChooser(const WorkloadSpec& spec, uint32_t client, uint32_t clients)
    : dist_(spec.keys.dist),
      lower_(spec.insert_start),
      interval_(spec.record_count - spec.insert_start) {
  KVLAB_CHECK(spec.record_count > spec.insert_start && clients > 0 && client < clients);
  const KeyDistSpec& k = spec.keys;
  switch (dist_) {
    case KeyDist::kUniform:
      break;
    case KeyDist::kZipfian:
      scrambled_.emplace(lower_, ZipfianKeyspaceMax(spec), k.theta);
      break;
    case KeyDist::kZipfianClustered:
      zipf_.emplace(lower_, lower_ + interval_ - 1, k.theta);
      break;
    case KeyDist::kLatest: {
      // YCSB: new ZipfianGenerator(basis.lastValue()) = items 0 .. lastValue - 1.
      uint64_t items = std::max<uint64_t>(1, spec.record_count - 1);
      zipf_.emplace(0, items - 1, k.theta);
      break;
    }
    case KeyDist::kHotspot:
      hot_interval_ = static_cast<uint64_t>(static_cast<double>(interval_) * k.hot_data);
      hot_interval_ = std::min(hot_interval_, interval_);
      cold_interval_ = interval_ - hot_interval_;
      hot_ops_ = k.hot_ops;
      break;
    case KeyDist::kSequential:
      sequence_ = static_cast<uint64_t>(static_cast<__uint128_t>(interval_) * client / clients);
      break;
    case KeyDist::kExponential:
      gamma_ = -std::log(1.0 - k.percentile / 100.0) /
               (static_cast<double>(spec.record_count) * k.frac);
      break;
  }
}

uint64_t KeyChooser::DrawOnce(Random& rng, uint64_t last_acknowledged) {
  switch (dist_) {
    case KeyDist::kUniform:
      return lower_ + rng.Uniform(interval_);
    case KeyDist::kZipfian:
      return scrambled_->Next(rng);
    case KeyDist::kZipfianClustered:
      return zipf_->Next(rng);
    case KeyDist::kLatest: {
      uint64_t max = last_acknowledged;
      if (max == 0) return 0;
      return max - zipf_->NextLong(rng, max);
    }
    case KeyDist::kHotspot: {
      bool hot = rng.NextDouble() < hot_ops_;
      if ((hot && hot_interval_ > 0) || cold_interval_ == 0) return lower_ + rng.Uniform(hot_interval_);
      return lower_ + hot_interval_ + rng.Uniform(cold_interval_);
    }
    case KeyDist::kSequential:
      return lower_ + (sequence_++ % interval_);
    case KeyDist::kExponential: {
      double draw = -std::log(rng.NextDouble()) / gamma_;
      if (!(draw <= static_cast<double>(last_acknowledged))) return UINT64_MAX;  // redraw
      return last_acknowledged - static_cast<uint64_t>(draw);
    }
  }
  return lower_;
}

uint64_t KeyChooser::Next(Random& rng, uint64_t last_acknowledged) {
  uint64_t keynum;
  do {
    keynum = DrawOnce(rng, last_acknowledged);
  } while (keynum > last_acknowledged);
  return keynum;
}

// ---------------------------------------------------------------------------------------------

uint64_t Permute(uint64_t index, uint64_t n, const uint64_t key[4]) {
  KVLAB_CHECK(index < n);
  if (n <= 1) return 0;
  int bits = 64 - __builtin_clzll(n - 1);  // n - 1 fits in `bits` bits
  if (bits % 2 != 0) ++bits;
  const int half = bits / 2;
  const uint64_t mask = (uint64_t{1} << half) - 1;
  uint64_t x = index;
  do {
    uint64_t left = x >> half;
    uint64_t right = x & mask;
    for (int round = 0; round < 4; ++round) {
      uint64_t next_right = left ^ (Mix64(right ^ key[round]) & mask);
      left = right;
      right = next_right;
    }
    x = (left << half) | right;
  } while (x >= n);  // cycle walking: stays a bijection on [0, n)
  return x;
}

uint64_t DrawWithReplacement(uint64_t index, uint64_t n, const uint64_t key[4]) {
  KVLAB_CHECK(n > 0);
  const uint64_t x = Mix64(key[0] + (index + 1) * 0x9E3779B97F4A7C15ull);  // SplitMix64
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

}  // namespace kvlab::workloads

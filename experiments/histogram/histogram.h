// LatencyHistogram: an HdrHistogram-compatible log-linear histogram of
// nanosecond latencies, our own (Debian ships no C/C++ HdrHistogram).
//
// The bucket math is HdrHistogram's (AbstractHistogram.java) with lowest
// discernible value 1 and `significant_digits` digits: sub_bucket_count =
// 2^ceil(log2(2 * 10^digits)) (2048 for 3 digits), each bucket doubles the unit
// and only its upper half is stored after the first. Every value is counted in
// an equivalence range of width <= value / 10^digits. Percentiles, mean, max and
// the `.hgrm` text follow HdrHistogram's definitions (see RESULTS.md §5).
//
// Not thread-safe: each client thread records into its own histogram; Add()
// merges them. Record() allocates nothing.
#ifndef KVLAB_EXPERIMENTS_HISTOGRAM_HISTOGRAM_H_
#define KVLAB_EXPERIMENTS_HISTOGRAM_HISTOGRAM_H_

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace kvlab {

class LatencyHistogram {
 public:
  // 24 hours in nanoseconds: the default highest trackable value.
  static constexpr int64_t kDefaultHighestNs = 24LL * 3600 * 1000 * 1000 * 1000;

  // REQUIRES: 1 <= significant_digits <= 5, highest_trackable >= 2.
  explicit LatencyHistogram(int64_t highest_trackable = kDefaultHighestNs,
                            int significant_digits = 3);

  // Counts one sample. Negative values count as 0; values above the highest
  // trackable value are clamped to it (and counted in clamped()).
  void Record(int64_t value) { RecordN(value, 1); }
  void RecordN(int64_t value, uint64_t count) {
    if (value < 0) value = 0;
    if (value > highest_trackable_) {
      value = highest_trackable_;
      clamped_ += count;
    }
    counts_[CountsIndex(value)] += count;
    total_count_ += count;
    if (value > max_value_) max_value_ = value;
    if (value < min_value_) min_value_ = value;
  }

  // Records `value` and, as HdrHistogram's recordValueWithExpectedInterval, the
  // samples a closed-loop client missed: value - k*expected_interval for k>=1
  // while that is >= expected_interval. No-op correction if interval <= 0.
  void RecordCorrected(int64_t value, int64_t expected_interval);

  // Adds every count of `other`. REQUIRES: the same layout (highest, digits).
  void Add(const LatencyHistogram& other);
  void Reset();

  uint64_t total_count() const { return total_count_; }
  uint64_t clamped() const { return clamped_; }
  bool empty() const { return total_count_ == 0; }

  // HdrHistogram's getValueAtPercentile: the highest equivalent value of the
  // bucket holding the ceil(p/100 * n)-th sample (lowest equivalent for p=0).
  int64_t ValueAtPercentile(double percentile) const;
  // Highest equivalent value of the largest sample; 0 when empty.
  int64_t Max() const;
  // Lowest equivalent value of the smallest sample; 0 when empty.
  int64_t Min() const;
  // Mean and standard deviation over each bucket's median equivalent value.
  double Mean() const;
  double StdDeviation() const;

  // HdrHistogram's value equivalence ranges.
  int64_t LowestEquivalentValue(int64_t value) const;
  int64_t HighestEquivalentValue(int64_t value) const;
  int64_t SizeOfEquivalentValueRange(int64_t value) const;
  int64_t MedianEquivalentValue(int64_t value) const;

  int bucket_count() const { return bucket_count_; }
  int sub_bucket_count() const { return sub_bucket_count_; }
  int significant_digits() const { return significant_digits_; }
  int64_t highest_trackable() const { return highest_trackable_; }

  // The text of HdrHistogram's outputPercentileDistribution(out, ticks,
  // scaling_ratio): values divided by `scaling_ratio` (1000 prints µs from ns).
  std::string PercentileDistribution(int ticks_per_half_distance = 5,
                                     double scaling_ratio = 1000.0) const;

 private:
  int BucketIndex(int64_t value) const {
    return leading_zero_count_base_ -
           std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
  }
  size_t CountsIndex(int64_t value) const {
    int bucket = BucketIndex(value);
    int64_t sub_bucket = value >> bucket;
    return (static_cast<size_t>(bucket + 1) << sub_bucket_half_count_magnitude_) +
           static_cast<size_t>(sub_bucket - sub_bucket_half_count_);
  }
  int64_t ValueFromIndex(size_t index) const;

  int64_t highest_trackable_;
  int significant_digits_;
  int sub_bucket_count_magnitude_;
  int sub_bucket_half_count_magnitude_;
  int64_t sub_bucket_count_;
  int64_t sub_bucket_half_count_;
  int64_t sub_bucket_mask_;
  int leading_zero_count_base_;
  int bucket_count_;
  std::vector<uint64_t> counts_;
  uint64_t total_count_ = 0;
  uint64_t clamped_ = 0;
  int64_t max_value_ = 0;
  int64_t min_value_ = INT64_MAX;
};

}  // namespace kvlab

#endif  // KVLAB_EXPERIMENTS_HISTOGRAM_HISTOGRAM_H_

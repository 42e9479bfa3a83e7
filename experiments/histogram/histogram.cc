// LatencyHistogram: HdrHistogram's bucket math, percentiles and the `.hgrm`
// percentile-distribution text (AbstractHistogram.java, PercentileIterator.java).
#include "experiments/histogram/histogram.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cmath>
#include <cstdio>

#include "engine/common/check.h"

namespace kvlab {

LatencyHistogram::LatencyHistogram(int64_t highest_trackable, int significant_digits)
    : highest_trackable_(highest_trackable), significant_digits_(significant_digits) {
  KVLAB_CHECK(significant_digits >= 1);
  KVLAB_CHECK(significant_digits <= 5);
  KVLAB_CHECK(highest_trackable >= 2);
  int64_t largest_single_unit = 2;
  for (int i = 0; i < significant_digits; ++i) largest_single_unit *= 10;
  sub_bucket_count_magnitude_ =
      static_cast<int>(std::ceil(std::log(static_cast<double>(largest_single_unit)) / std::log(2.0)));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude_, 1) - 1;
  sub_bucket_count_ = int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = sub_bucket_count_ - 1;  // unit magnitude 0: lowest discernible 1.
  leading_zero_count_base_ = 64 - sub_bucket_count_magnitude_;
  // getBucketsNeededToCoverValue.
  int64_t smallest_untrackable = sub_bucket_count_;
  int buckets = 1;
  while (smallest_untrackable <= highest_trackable) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  bucket_count_ = buckets;
  counts_.assign(static_cast<size_t>(bucket_count_ + 1) * sub_bucket_half_count_, 0);
  KVLAB_CHECK(CountsIndex(highest_trackable) < counts_.size());
}

void LatencyHistogram::RecordCorrected(int64_t value, int64_t expected_interval) {
  Record(value);
  if (expected_interval <= 0) return;
  for (int64_t missing = value - expected_interval; missing >= expected_interval;
       missing -= expected_interval) {
    Record(missing);
  }
}

void LatencyHistogram::Add(const LatencyHistogram& other) {
  KVLAB_CHECK(other.counts_.size() == counts_.size(), "histogram layouts differ");
  KVLAB_CHECK(other.significant_digits_ == significant_digits_);
  if (other.total_count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  clamped_ += other.clamped_;
  if (other.max_value_ > max_value_) max_value_ = other.max_value_;
  if (other.min_value_ < min_value_) min_value_ = other.min_value_;
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  clamped_ = 0;
  max_value_ = 0;
  min_value_ = INT64_MAX;
}

int64_t LatencyHistogram::ValueFromIndex(size_t index) const {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  int64_t sub_bucket =
      static_cast<int64_t>(index & static_cast<size_t>(sub_bucket_half_count_ - 1)) +
      sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t LatencyHistogram::LowestEquivalentValue(int64_t value) const {
  int bucket = BucketIndex(value);
  return (value >> bucket) << bucket;
}

int64_t LatencyHistogram::SizeOfEquivalentValueRange(int64_t value) const {
  int bucket = BucketIndex(value);
  int64_t sub_bucket = value >> bucket;
  return int64_t{1} << (sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket);
}

int64_t LatencyHistogram::HighestEquivalentValue(int64_t value) const {
  return LowestEquivalentValue(value) + SizeOfEquivalentValueRange(value) - 1;
}

int64_t LatencyHistogram::MedianEquivalentValue(int64_t value) const {
  return LowestEquivalentValue(value) + (SizeOfEquivalentValueRange(value) >> 1);
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (total_count_ == 0) return 0;
  // As HdrHistogram 2.1.12: drop one ulp so that roundoff never overruns into
  // the next bucket, then round the count up.
  double requested =
      std::min(std::max(std::nextafter(percentile, -INFINITY), 0.0), 100.0);
  double fp_count = (requested * static_cast<double>(total_count_)) / 100.0;
  uint64_t count_at = static_cast<uint64_t>(std::ceil(fp_count));
  if (count_at < 1) count_at = 1;
  uint64_t running = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    running += counts_[i];
    if (running >= count_at) {
      int64_t v = ValueFromIndex(i);
      return percentile == 0.0 ? LowestEquivalentValue(v) : HighestEquivalentValue(v);
    }
  }
  return 0;
}

int64_t LatencyHistogram::Max() const {
  return max_value_ == 0 ? 0 : HighestEquivalentValue(max_value_);
}

int64_t LatencyHistogram::Min() const {
  if (total_count_ == 0 || counts_[0] > 0) return 0;
  return LowestEquivalentValue(min_value_);
}

double LatencyHistogram::Mean() const {
  if (total_count_ == 0) return 0.0;
  double total = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    total += static_cast<double>(MedianEquivalentValue(ValueFromIndex(i))) *
             static_cast<double>(counts_[i]);
  }
  return total / static_cast<double>(total_count_);
}

double LatencyHistogram::StdDeviation() const {
  if (total_count_ == 0) return 0.0;
  double mean = Mean();
  double total = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    double d = static_cast<double>(MedianEquivalentValue(ValueFromIndex(i))) - mean;
    total += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(total / static_cast<double>(total_count_));
}

namespace {

void AppendF(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void AppendF(std::string& out, const char* format, ...) {
  char buffer[256];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  if (n > 0) out.append(buffer, std::min<size_t>(static_cast<size_t>(n), sizeof(buffer) - 1));
}

}  // namespace

std::string LatencyHistogram::PercentileDistribution(int ticks_per_half_distance,
                                                     double scaling_ratio) const {
  KVLAB_CHECK(ticks_per_half_distance >= 1);
  const int d = significant_digits_;
  std::string out;
  AppendF(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
          "1/(1-Percentile)");
  // PercentileIterator over AbstractHistogramIterator, step by step.
  const double total = static_cast<double>(total_count_);
  double level_to = 0.0;
  bool reached_last = false;
  size_t index = 0;
  bool fresh = true;
  uint64_t running = 0;
  while (total_count_ > 0) {
    if (running >= total_count_) {  // super.hasNext() is false.
      if (reached_last) break;
      level_to = 100.0;
      reached_last = true;
    }
    bool emitted = false;
    while (index < counts_.size()) {
      uint64_t count_here = counts_[index];
      if (fresh) {
        running += count_here;
        fresh = false;
      }
      if (count_here != 0 && (100.0 * static_cast<double>(running)) / total >= level_to) {
        double value = static_cast<double>(HighestEquivalentValue(ValueFromIndex(index))) /
                       scaling_ratio;
        if (level_to != 100.0) {
          AppendF(out, "%12.*f %2.12f %10" PRIu64 " %14.2f\n", d, value, level_to / 100.0,
                  running, 1.0 / (1.0 - level_to / 100.0));
          double halvings = std::log(100.0 / (100.0 - level_to)) / std::log(2.0);
          int64_t ticks = static_cast<int64_t>(ticks_per_half_distance) *
                          static_cast<int64_t>(std::pow(2.0, static_cast<double>(
                                                                 static_cast<int64_t>(halvings) + 1)));
          level_to += 100.0 / static_cast<double>(ticks);
        } else {
          AppendF(out, "%12.*f %2.12f %10" PRIu64 "\n", d, value, level_to / 100.0, running);
        }
        emitted = true;
        break;
      }
      ++index;
      fresh = true;
    }
    if (!emitted) break;
  }
  AppendF(out, "#[Mean    = %12.*f, StdDeviation   = %12.*f]\n", d, Mean() / scaling_ratio, d,
          StdDeviation() / scaling_ratio);
  AppendF(out, "#[Max     = %12.*f, Total count    = %12" PRIu64 "]\n", d,
          static_cast<double>(Max()) / scaling_ratio, total_count_);
  AppendF(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", bucket_count_,
          static_cast<int>(sub_bucket_count_));
  return out;
}

}  // namespace kvlab

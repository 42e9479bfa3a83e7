// LatencyHistogram against HdrHistogram's definitions: equivalence ranges at 3
// significant digits, percentiles of known inputs, merge, and the .hgrm text.
#include "experiments/histogram/histogram.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kvlab {
namespace {

TEST(HistogramTest, LayoutMatchesHdrHistogramAtThreeDigits) {
  LatencyHistogram h;
  EXPECT_EQ(h.sub_bucket_count(), 2048);
  // 2048 << 36 > 24 h in ns > 2048 << 35: 37 buckets, as getBucketsNeededToCoverValue.
  EXPECT_EQ(h.bucket_count(), 37);
  LatencyHistogram hour(3600LL * 1000 * 1000 * 1000, 3);
  EXPECT_EQ(hour.bucket_count(), 32);
  LatencyHistogram two_digits(1000000, 2);
  EXPECT_EQ(two_digits.sub_bucket_count(), 256);
}

TEST(HistogramTest, EquivalenceRangesAtThreeDigits) {
  LatencyHistogram h;
  // Values below 2048 are exact.
  for (int64_t v : {0, 1, 2, 1000, 2047}) {
    EXPECT_EQ(h.SizeOfEquivalentValueRange(v), 1) << v;
    EXPECT_EQ(h.LowestEquivalentValue(v), v);
    EXPECT_EQ(h.HighestEquivalentValue(v), v);
  }
  // 2048..4095: width 2; 4096..8191: width 4; and so on, doubling.
  EXPECT_EQ(h.SizeOfEquivalentValueRange(2048), 2);
  EXPECT_EQ(h.LowestEquivalentValue(2049), 2048);
  EXPECT_EQ(h.HighestEquivalentValue(2048), 2049);
  EXPECT_EQ(h.SizeOfEquivalentValueRange(4096), 4);
  EXPECT_EQ(h.LowestEquivalentValue(10007), 10000);
  EXPECT_EQ(h.HighestEquivalentValue(10007), 10007);
  EXPECT_EQ(h.MedianEquivalentValue(10000), 10004);
  // HdrHistogram's documented example: 1 s in ns has a 1/1024 ms resolution.
  EXPECT_EQ(h.SizeOfEquivalentValueRange(1000000000), 1 << 19);
  // Every value's range is within 0.1 % of it (3 significant digits).
  for (int64_t v = 1; v < (int64_t{1} << 40); v = v * 3 + 7) {
    int64_t lo = h.LowestEquivalentValue(v), hi = h.HighestEquivalentValue(v);
    EXPECT_LE(lo, v);
    EXPECT_GE(hi, v);
    EXPECT_LE(static_cast<double>(hi - lo), static_cast<double>(v) / 1000.0) << v;
  }
}

TEST(HistogramTest, PercentilesOfKnownInputs) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 10000; ++v) h.Record(v * 1000);  // 1 µs .. 10 ms.
  EXPECT_EQ(h.total_count(), 10000u);
  // The 5000th sample is 5 ms; its bucket (width 4096 ns) ends at 5001215.
  EXPECT_EQ(h.ValueAtPercentile(50), h.HighestEquivalentValue(5000000));
  EXPECT_EQ(h.ValueAtPercentile(50), 5001215);
  EXPECT_EQ(h.ValueAtPercentile(99), h.HighestEquivalentValue(9900000));
  EXPECT_EQ(h.ValueAtPercentile(99.9), h.HighestEquivalentValue(9990000));
  EXPECT_EQ(h.ValueAtPercentile(100), h.HighestEquivalentValue(10000000));
  EXPECT_EQ(h.Max(), h.HighestEquivalentValue(10000000));
  EXPECT_EQ(h.ValueAtPercentile(0), 1000);
  EXPECT_EQ(h.Min(), 1000);
  EXPECT_NEAR(h.Mean(), 5000500.0, 5000500.0 * 1e-3);
  // Exact small values: the percentile is the ceil(p*n)-th sample.
  LatencyHistogram small;
  for (int64_t v : {10, 20, 30, 40}) small.Record(v);
  EXPECT_EQ(small.ValueAtPercentile(25), 10);
  EXPECT_EQ(small.ValueAtPercentile(26), 20);
  EXPECT_EQ(small.ValueAtPercentile(50), 20);
  EXPECT_EQ(small.ValueAtPercentile(75), 30);
  EXPECT_EQ(small.ValueAtPercentile(100), 40);
  EXPECT_DOUBLE_EQ(small.Mean(), 25.0);
  EXPECT_DOUBLE_EQ(small.StdDeviation(), std::sqrt(125.0));
}

TEST(HistogramTest, ClampsAndIgnoresNegatives) {
  LatencyHistogram h(1000000, 3);
  h.Record(-5);
  h.Record(5000000);
  EXPECT_EQ(h.total_count(), 2u);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.ValueAtPercentile(0), 0);
  EXPECT_EQ(h.Max(), h.HighestEquivalentValue(1000000));
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 1; v < 100000; v += 7) {
    ((v % 3 == 0) ? a : b).Record(v * 13);
    all.Record(v * 13);
  }
  LatencyHistogram merged;
  merged.Add(a);
  merged.Add(b);
  EXPECT_EQ(merged.total_count(), all.total_count());
  for (double p : {0.0, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(merged.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  }
  EXPECT_EQ(merged.Max(), all.Max());
  EXPECT_EQ(merged.Min(), all.Min());
  EXPECT_EQ(merged.PercentileDistribution(), all.PercentileDistribution());
  merged.Reset();
  EXPECT_TRUE(merged.empty());
  EXPECT_EQ(merged.Max(), 0);
}

TEST(HistogramTest, CorrectedRecordFillsTheMissedSamples) {
  LatencyHistogram h;
  h.RecordCorrected(10000, 1000);  // 10000, 9000, ..., 1000.
  EXPECT_EQ(h.total_count(), 10u);
  EXPECT_EQ(h.ValueAtPercentile(0), 1000);
  EXPECT_EQ(h.ValueAtPercentile(100), h.HighestEquivalentValue(10000));
  EXPECT_EQ(h.ValueAtPercentile(50), h.HighestEquivalentValue(5000));
}

// The .hgrm text: header, percentile lines as HdrHistogram's PercentileIterator
// emits them (5 ticks per half distance), and the three footer lines.
TEST(HistogramTest, HgrmFormat) {
  LatencyHistogram constant;
  for (int i = 0; i < 4; ++i) constant.Record(1000);
  EXPECT_EQ(constant.PercentileDistribution(),
            "       Value     Percentile TotalCount 1/(1-Percentile)\n"
            "\n"
            "       1.000 0.000000000000          4           1.00\n"
            "       1.000 1.000000000000          4\n"
            "#[Mean    =        1.000, StdDeviation   =        0.000]\n"
            "#[Max     =        1.000, Total count    =            4]\n"
            "#[Buckets =           37, SubBuckets     =         2048]\n");

  LatencyHistogram h;
  // Multiples of 20 ns below 2048 are exact; print them in units of 20 ns.
  for (int64_t v = 1; v <= 100; ++v) h.Record(v * 20);
  std::istringstream lines(h.PercentileDistribution(5, 20.0));
  std::string line;
  std::vector<std::string> body;
  while (std::getline(lines, line)) body.push_back(line);
  ASSERT_GE(body.size(), 10u);
  EXPECT_EQ(body[2], "       1.000 0.000000000000          1           1.00");
  EXPECT_EQ(body[3], "      10.000 0.100000000000         10           1.11");
  EXPECT_EQ(body[4], "      20.000 0.200000000000         20           1.25");
  EXPECT_EQ(body[7], "      50.000 0.500000000000         50           2.00");
  // After 50 % the ticks halve: 55 %, 60 %, ...
  EXPECT_EQ(body[8], "      55.000 0.550000000000         55           2.22");
  // The last percentile line is the 100 % step without the 1/(1-p) column.
  EXPECT_EQ(body[body.size() - 4], "     100.000 1.000000000000        100");
  EXPECT_EQ(body[body.size() - 3], "#[Mean    =       50.500, StdDeviation   =       28.866]");
  EXPECT_EQ(body[body.size() - 2], "#[Max     =      100.000, Total count    =          100]");
  // Percentile levels never decrease and counts never decrease.
  double last_p = -1;
  for (size_t i = 2; i + 3 < body.size(); ++i) {
    double value, p;
    ASSERT_EQ(std::sscanf(body[i].c_str(), "%lf %lf", &value, &p), 2) << body[i];
    EXPECT_GE(p, last_p);
    last_p = p;
  }
  LatencyHistogram empty;
  EXPECT_EQ(empty.PercentileDistribution().find("Total count    =            0"),
            empty.PercentileDistribution().find("#[Max") + 26);
}

}  // namespace
}  // namespace kvlab

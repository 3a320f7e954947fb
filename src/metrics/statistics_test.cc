#include "metrics/statistics.h"

#include <gtest/gtest.h>

#include <vector>

#include "metrics/series.h"

namespace dbinsight::metrics {
namespace {

Aggregate One(double v) { return {0, v, v, v, 1}; }

TEST(StatisticsTest, ParsesStandardNamesAndPercentiles) {
  EXPECT_EQ(ParseStatistic("SampleCount")->kind, Statistic::Kind::kSampleCount);
  EXPECT_EQ(ParseStatistic("Maximum")->kind, Statistic::Kind::kMaximum);
  for (auto [text, p] : {std::pair{"p0", 0.0}, {"p50", 50.0}, {"p99.9", 99.9}, {"p99.99", 99.99}, {"p100", 100.0}}) {
    auto s = ParseStatistic(text);
    ASSERT_TRUE(s) << text;
    EXPECT_EQ(s->kind, Statistic::Kind::kPercentile);
    EXPECT_DOUBLE_EQ(s->percentile, p);
    EXPECT_EQ(s->name, text);
  }
  for (const char* bad :
       {"", "average", "p", "p100.5", "p101", "p-1", "p9x", "p99.999", "p99.", "P99", "tm99", "p1000"})
    EXPECT_FALSE(ParseStatistic(bad)) << bad;
}

TEST(StatisticsTest, StandardValuesOfAnAggregate) {
  const Aggregate a{0, 10, 1, 4, 4};
  EXPECT_EQ(StandardValue(Statistic::Kind::kSampleCount, a), 4);
  EXPECT_EQ(StandardValue(Statistic::Kind::kAverage, a), 2.5);
  EXPECT_EQ(StandardValue(Statistic::Kind::kSum, a), 10);
  EXPECT_EQ(StandardValue(Statistic::Kind::kMinimum, a), 1);
  EXPECT_EQ(StandardValue(Statistic::Kind::kMaximum, a), 4);
}

TEST(StatisticsTest, NearestRankOverSingleValuesIsExact) {
  std::vector<Aggregate> parts;
  for (int v = 100; v >= 1; --v) parts.push_back(One(v));  // any order
  EXPECT_EQ(Percentile(parts, 50), 50);
  EXPECT_EQ(Percentile(parts, 99), 99);
  EXPECT_EQ(Percentile(parts, 99.5), 100);
  EXPECT_EQ(Percentile(parts, 90.01), 91);
  EXPECT_EQ(Percentile(parts, 0), 1);
  EXPECT_EQ(Percentile(parts, 100), 100);
  const std::vector<Aggregate> four = {One(1), One(2), One(3), One(4)};
  EXPECT_EQ(Percentile(four, 25), 1);
  EXPECT_EQ(Percentile(four, 25.01), 2);
  EXPECT_EQ(Percentile(four, 75), 3);
}

TEST(StatisticsTest, LargerAggregatesStandForMinMaxAndTheMeanOfTheRest) {
  // Values 1, 2, 3, 10 in one aggregate: min 1, max 10, rest mean 2.5 (x2).
  const std::vector<Aggregate> one = {{0, 16, 1, 10, 4}};
  EXPECT_EQ(Percentile(one, 25), 1);
  EXPECT_EQ(Percentile(one, 50), 2.5);
  EXPECT_EQ(Percentile(one, 75), 2.5);
  EXPECT_EQ(Percentile(one, 99), 10);
  // Two values per aggregate are still exact.
  const std::vector<Aggregate> pairs = {{0, 3, 1, 2, 2}, {0, 7, 3, 4, 2}};
  EXPECT_EQ(Percentile(pairs, 50), 2);
  EXPECT_EQ(Percentile(pairs, 75), 3);
}

TEST(SeriesTest, CustomKeysRoundTripAndNeverLookLikeInstanceIds) {
  const std::vector<Dimension> dims = {{"DBInstanceIdentifier", "X"}, {"Engine", "a=b,c"}};
  const std::string key = CustomSeriesKey("RDS/PerformanceInsights", dims);
  auto parsed = ParseCustomSeriesKey(key);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "RDS/PerformanceInsights");
  EXPECT_EQ(parsed->second, dims);
  EXPECT_NE(key, CustomSeriesKey("RDS/PerformanceInsights", {{"DBInstanceIdentifier", "X"}}));
  auto bare = ParseCustomSeriesKey(CustomSeriesKey("NS", {}));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->first, "NS");
  EXPECT_TRUE(bare->second.empty());
  EXPECT_FALSE(ParseCustomSeriesKey("pg-1"));  // a configured instance id
  auto stored = ParseCustomStoredName(CustomStoredName("Latency", "Milliseconds"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->first, "Latency");
  EXPECT_EQ(stored->second, "Milliseconds");
  EXPECT_FALSE(ParseCustomStoredName("DatabaseConnections"));
}

TEST(SeriesTest, RdsInstanceNeedsExactlyTheInstanceDimension) {
  EXPECT_EQ(RdsInstance({"AWS/RDS", "CPUUtilization", {{"DBInstanceIdentifier", "pg1"}}}), "pg1");
  EXPECT_FALSE(RdsInstance({"AWS/RDS", "CPUUtilization", {}}));
  EXPECT_FALSE(RdsInstance({"AWS/RDS", "CPUUtilization", {{"DBInstanceIdentifier", "pg1"}, {"Role", "WRITER"}}}));
  EXPECT_FALSE(RdsInstance({"Custom", "CPUUtilization", {{"DBInstanceIdentifier", "pg1"}}}));
}

}  // namespace
}  // namespace dbinsight::metrics

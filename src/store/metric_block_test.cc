#include "store/metric_block.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace dbinsight::store {
namespace {

constexpr int64_t kMinute = 1700000040;

// Values chosen to hit both value encodings: decimals (integers, two-decimal
// percents, negatives, large byte counts) and raw bits (rates with a full
// mantissa, tiny and huge magnitudes).
const std::vector<double> kAwkward = {0,
                                      -0.0,
                                      1,
                                      42,
                                      12.34,
                                      -7.5,
                                      8.0e9,
                                      1234.0 / 1.000213,
                                      1e-300,
                                      1e300,
                                      0.1,
                                      1.0 / 3,
                                      -2.5e-7,
                                      123456789.123456789,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::denorm_min()};

TEST(MetricBlockTest, SecondBlockRoundTripsEveryValueBitForBit) {
  std::vector<SeriesSeconds> series;
  // Series 3: one awkward value per second; series 7: integers with gaps and
  // sub-second aggregates; series 9: a single point in the last second.
  SeriesSeconds a{3, {}};
  for (size_t i = 0; i < kAwkward.size(); ++i)
    a.seconds.push_back({kMinute + static_cast<int64_t>(i), kAwkward[i], kAwkward[i], kAwkward[i], 1});
  SeriesSeconds b{7, {}};
  b.seconds.push_back({kMinute + 1, 30, 10, 20, 2});
  b.seconds.push_back({kMinute + 5, 5, 5, 5, 1});
  b.seconds.push_back({kMinute + 6, 1.5 + 1 / 3.0, 1 / 3.0, 1.5, 2});
  SeriesSeconds c{9, {{kMinute + 59, 1e6, 1e6, 1e6, 1}}};
  series = {a, b, c};
  const std::string raw = EncodeSecondBlock(kMinute, series);

  auto all = DecodeSecondBlock(raw, kMinute);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  for (size_t s = 0; s < series.size(); ++s) {
    EXPECT_EQ((*all)[s].metric, series[s].metric);
    ASSERT_EQ((*all)[s].seconds.size(), series[s].seconds.size());
    for (size_t i = 0; i < series[s].seconds.size(); ++i) {
      const MetricPeriod& want = series[s].seconds[i];
      const MetricPeriod& got = (*all)[s].seconds[i];
      EXPECT_EQ(got.start, want.start);
      EXPECT_EQ(got.count, want.count);
      // == (not bits): -0.0 may come back as +0.0, equal in every aggregate.
      EXPECT_EQ(got.sum, want.sum) << s << "/" << i;
      EXPECT_EQ(got.min, want.min) << s << "/" << i;
      EXPECT_EQ(got.max, want.max) << s << "/" << i;
      if (want.sum != 0) {
        EXPECT_EQ(std::bit_cast<uint64_t>(got.sum), std::bit_cast<uint64_t>(want.sum));
      }
    }
  }
  auto one = DecodeSecondBlock(raw, kMinute, 7);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().metric, 7u);
  EXPECT_EQ(one->front().seconds.size(), 3u);
  auto absent = DecodeSecondBlock(raw, kMinute, 8);
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->empty());
}

TEST(MetricBlockTest, DecimalsAreSmallerThanRawBits) {
  SeriesSeconds ints{1, {}}, rates{1, {}};
  for (int i = 0; i < 60; ++i) {
    double pct = (1000 + i % 7) / 100.0;  // 10.00 .. 10.06
    ints.seconds.push_back({kMinute + i, pct, pct, pct, 1});
    double rate = (1000 + i) / (1 + 1e-6 * (i * 37 % 1000));
    rates.seconds.push_back({kMinute + i, rate, rate, rate, 1});
  }
  const size_t decimal = EncodeSecondBlock(kMinute, std::vector{ints}).size();
  const size_t raw = EncodeSecondBlock(kMinute, std::vector{rates}).size();
  EXPECT_LT(decimal, 60 * 4u);  // per second: offset, count, a 1-byte delta
  EXPECT_GT(raw, 60 * 8u);      // full mantissas stay 8 bytes before zstd
}

TEST(MetricBlockTest, RollupRoundTripsAndFilters) {
  std::vector<SeriesStat> stats = {
      {2, {0, 10, 1, 9, 2}}, {5, {0, 1e300, -1e-300, 1e300, 7}}, {6, {0, 0.3, 0.1, 0.2, 2}}};
  const std::string raw = EncodeRollup(stats);
  auto all = DecodeRollup(raw, 600);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 0; i < stats.size(); ++i) {
    EXPECT_EQ((*all)[i].metric, stats[i].metric);
    EXPECT_EQ((*all)[i].stat.start, 600);
    EXPECT_EQ(std::tie((*all)[i].stat.sum, (*all)[i].stat.min, (*all)[i].stat.max, (*all)[i].stat.count),
              std::tie(stats[i].stat.sum, stats[i].stat.min, stats[i].stat.max, stats[i].stat.count));
  }
  auto five = DecodeRollup(raw, 600, 5);
  ASSERT_TRUE(five.ok());
  ASSERT_EQ(five->size(), 1u);
  EXPECT_EQ(five->front().stat.count, 7);
}

TEST(MetricBlockTest, MergeKeepsExactAggregates) {
  MetricPeriod a{60}, b{60};
  a.Add(3);
  a.Add(-1);
  b.Add(10);
  MetricPeriod m{0};
  m.Merge(a);
  m.Merge(MetricPeriod{});  // an empty part changes nothing
  m.Merge(b);
  EXPECT_EQ(m.start, 0);
  EXPECT_EQ(m.sum, 12);
  EXPECT_EQ(m.min, -1);
  EXPECT_EQ(m.max, 10);
  EXPECT_EQ(m.count, 3);
}

TEST(MetricBlockTest, StatementSumsRoundTripThroughTheBuilder) {
  StatementSumsBuilder b;
  b.Add(9, std::vector<CounterValue>{{1, 2}});
  b.Add(4, std::vector<CounterValue>{{2, 0.25}, {1, 0}});  // any order; zeros kept: the counter was reported
  b.Add(9, std::vector<CounterValue>{{1, 3}});             // same statement and counter: summed
  b.Add(4, std::vector<CounterValue>{{3, 1}, {3, 1}});     // a repeat within one Add: summed
  b.Add(70000, std::vector<CounterValue>{{3, 1234.0 / 1.000213}});
  const std::string raw = EncodeStatementSums(std::move(b).Finish());
  std::map<std::pair<uint32_t, uint32_t>, double> got;
  uint32_t prev_sql = 0;
  ASSERT_TRUE(DecodeStatementSums(raw, std::nullopt, [&](uint32_t sql, std::span<const CounterValue> values) {
                EXPECT_GT(sql, prev_sql);
                prev_sql = sql;
                for (const CounterValue& v : values) got[{sql, v.counter}] = v.value;
              }).ok());
  std::map<std::pair<uint32_t, uint32_t>, double> want = {
      {{4, 1}, 0}, {{4, 2}, 0.25}, {{4, 3}, 2}, {{9, 1}, 5}, {{70000, 3}, 1234.0 / 1.000213}};
  EXPECT_EQ(got, want);
  int calls = 0;
  ASSERT_TRUE(DecodeStatementSums(raw, 9, [&](uint32_t sql, std::span<const CounterValue> values) {
                EXPECT_EQ(sql, 9u);
                ASSERT_EQ(values.size(), 1u);
                EXPECT_EQ(values[0].value, 5);
                ++calls;
              }).ok());
  EXPECT_EQ(calls, 1);
}

TEST(MetricBlockTest, MalformedInputIsDataLossNotACrash) {
  SeriesSeconds s{1, {{kMinute, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1}}};
  std::string raw = EncodeSecondBlock(kMinute, std::vector{s});
  for (size_t cut = 0; cut < raw.size(); ++cut)
    EXPECT_FALSE(DecodeSecondBlock(raw.substr(0, cut), kMinute).ok()) << cut;
  EXPECT_FALSE(DecodeRollup("\x05\x01", 0).ok());
  // One statement whose one value has an unknown encoding mode (14).
  const std::string bad_mode("\x01\x01\x04\x01\x01\x0e\x00", 7);
  EXPECT_FALSE(DecodeStatementSums(bad_mode, std::nullopt, [](uint32_t, std::span<const CounterValue>) {}).ok());
}

}  // namespace
}  // namespace dbinsight::store

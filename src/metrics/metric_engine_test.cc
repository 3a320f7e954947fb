#include "metrics/metric_engine.h"

#include <gtest/gtest.h>

#include <memory>

#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::metrics {
namespace {

constexpr int64_t kT0 = 1700000040;  // 22:14:00 UTC: a minute start, not an hour's
constexpr std::string_view kNs = "App/Checkout";

Aggregate Value1(double v) { return {0, v, v, v, 1}; }

class MetricEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open({}); }
  void Open(store::RetentionOptions retention) {
    engine_.reset();
    metrics_.reset();
    if (!tmp_) {
      auto tmp = testing::TempDir::Create("dbi-metrics");
      ASSERT_TRUE(tmp.ok());
      tmp_ = std::move(tmp.value());
    }
    auto m = store::MetricStore::Open({.directory = tmp_->path().string(), .retention = retention}, clock_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    metrics_ = std::move(m.value());
    engine_ = std::make_unique<MetricEngine>(*metrics_, clock_);
  }
  void Put(Datum d) {
    const Datum data[] = {std::move(d)};
    ASSERT_TRUE(engine_->Put(std::string(kNs), data).ok());
  }
  static Datum At(int64_t t, std::vector<Aggregate> values, bool high = true, std::string unit = "Count") {
    return Datum{"Latency",
                 {{"Host", "a"}, {"Shop", "eu"}},
                 FromEpochSeconds(static_cast<double>(t)),
                 std::move(unit),
                 high,
                 std::move(values)};
  }
  static std::vector<Statistic> Stats(std::initializer_list<const char*> names) {
    std::vector<Statistic> out;
    for (const char* n : names) out.push_back(*ParseStatistic(n));
    return out;
  }
  std::vector<Datapoint> Get(int period, std::initializer_list<const char*> stats, int64_t from = kT0,
                             int64_t to = kT0 + 600, std::optional<std::string> unit = std::nullopt) {
    StatisticsRequest r{{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}},
                        from,
                        to,
                        period,
                        Stats(stats),
                        std::move(unit)};
    auto got = engine_->GetStatistics(r);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? got.value() : std::vector<Datapoint>{};
  }

  std::unique_ptr<testing::TempDir> tmp_;
  testing::ManualClock clock_{FromEpochSeconds(kT0 + 3600)};
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<MetricEngine> engine_;
};

TEST_F(MetricEngineTest, ValuesCountsAndStatisticSetsComeBackExactly) {
  // Minute 0: 1..10 in separate seconds; minute 1: value 4 three times, a
  // statistic set, and a value put late (after minute 2 sealed minute 1).
  for (int v = 1; v <= 10; ++v) Put(At(kT0 + v, {Value1(v)}));
  Put(At(kT0 + 65, {{0, 12, 4, 4, 3}, Value1(7)}));
  Put(At(kT0 + 70, {{0, 100, 5, 50, 4}}));
  Put(At(kT0 + 150, {Value1(1)}));
  Put(At(kT0 + 80, {Value1(2)}));  // late: merged into the sealed minute
  auto d = Get(60, {"SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p90", "p100"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].timestamp, kT0);
  EXPECT_EQ(d[0].unit, "Count");
  EXPECT_EQ(d[0].values, (std::vector<double>{10, 55, 5.5, 1, 10, 5, 9, 10}));
  EXPECT_EQ(d[1].timestamp, kT0 + 60);
  // 4,4,4,7 + set {5..50: min 5, max 50, rest mean 22.5 x2} + 2: percentiles
  // rank 9 values 2,4,4,4,5,7,22.5,22.5,50.
  EXPECT_EQ(d[1].values, (std::vector<double>{9, 121, 121.0 / 9, 2, 50, 5, 50, 50}));
  EXPECT_EQ(d[2].values[0], 1);
  // Period 120 from the same data; a start inside a minute rounds down.
  auto two = Get(120, {"Sum", "SampleCount"}, kT0 + 30, kT0 + 240);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].timestamp, kT0);
  EXPECT_EQ(two[0].values, (std::vector<double>{176, 19}));
  EXPECT_EQ(two[1].values, (std::vector<double>{1, 1}));
  // Period 5: per-second data in 5-s bins.
  auto five = Get(5, {"Sum"}, kT0, kT0 + 15);
  ASSERT_EQ(five.size(), 3u);
  EXPECT_EQ(five[0].values[0], 1 + 2 + 3 + 4);
  EXPECT_EQ(five[1].values[0], 5 + 6 + 7 + 8 + 9);
}

TEST_F(MetricEngineTest, StandardResolutionIsStoredAtTheMinute) {
  Put(At(kT0 + 59, {Value1(3)}, /*high=*/false));
  auto one = Get(1, {"Sum"});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].timestamp, kT0);
}

TEST_F(MetricEngineTest, UnitsAreKeptApart) {
  Put(At(kT0, {Value1(1)}, true, "Count"));
  Put(At(kT0 + 1, {Value1(1000)}, true, "Milliseconds"));
  auto both = Get(60, {"Sum"});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].unit, "Count");
  EXPECT_EQ(both[1].unit, "Milliseconds");
  auto ms = Get(60, {"Sum"}, kT0, kT0 + 600, "Milliseconds");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].values[0], 1000);
  EXPECT_TRUE(Get(60, {"Sum"}, kT0, kT0 + 600, "Seconds").empty());
  // GetMetricData without a unit takes both together.
  DataQuery q{
      "m1", MetricStat{{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}}, 60, *ParseStatistic("Sum"), {}},
      std::nullopt, "", true};
  auto data = engine_->GetData({&q, 1}, kT0, kT0 + 600);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->at(0).points, (Series{{kT0, 1001}}));
  EXPECT_EQ(data->at(0).label, "Latency");
}

TEST_F(MetricEngineTest, PercentilesFallBackToTheFinestTierLeft) {
  Open({.one_second = store::Days{1}});
  for (int v = 1; v <= 10; ++v) Put(At(kT0 + v, {Value1(v)}));
  EXPECT_EQ(Get(60, {"p90"})[0].values[0], 9);
  // The per-second tier expires; the minute aggregate (1, 10, mean 5.5 of the
  // rest) remains: sums stay exact, percentiles become estimates.
  ASSERT_TRUE(metrics_->Maintain(FromEpochSeconds(kT0 + 2 * 86400)).ok());
  auto d = Get(60, {"Sum", "p90", "p100"});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].values, (std::vector<double>{55, 5.5, 10}));
}

TEST_F(MetricEngineTest, AwsRdsMapsOntoTheInstanceMetrics) {
  ASSERT_TRUE(
      metrics_
          ->AppendMetricSample(
              {"pg1", FromEpochSeconds(kT0 + 1), {{"DatabaseConnections", 7}, {"db.Transactions.xact_commit", 3}}})
          .ok());
  ASSERT_TRUE(metrics_->AppendMetricSample({"pg1", FromEpochSeconds(kT0 + 2), {{"DatabaseConnections", 9}}}).ok());
  ASSERT_TRUE(metrics_->AppendMetricSample({"gone", FromEpochSeconds(kT0 + 2), {{"CPUUtilization", 9}}}).ok());
  StatisticsRequest r{{"AWS/RDS", "DatabaseConnections", {{"DBInstanceIdentifier", "pg1"}}},
                      kT0,
                      kT0 + 60,
                      60,
                      Stats({"Average", "Maximum"}),
                      std::nullopt};
  auto got = engine_->GetStatistics(r);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).values, (std::vector<double>{8, 9}));
  EXPECT_EQ(got->at(0).unit, "Count");
  r.unit = "Percent";
  EXPECT_TRUE(engine_->GetStatistics(r)->empty());
  r.unit.reset();
  r.metric.name = "db.Transactions.xact_commit";  // stored under the same key, but no AWS/RDS metric
  EXPECT_TRUE(engine_->GetStatistics(r)->empty());

  const std::string configured[] = {"pg1"};
  auto all = engine_->List({}, configured);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at(0), (MetricId{"AWS/RDS", "DatabaseConnections", {{"DBInstanceIdentifier", "pg1"}}}));
}

TEST_F(MetricEngineTest, ListFiltersByNamespaceNameDimensionsAndRecentActivity) {
  Put(At(kT0, {Value1(1)}));
  Put(Datum{"Errors", {{"Shop", "us"}}, FromEpochSeconds(kT0 - 4 * 3600), "Count", true, {Value1(1)}});
  const std::string none[] = {"pg1"};
  auto names = [&](ListRequest r) {
    std::vector<std::string> out;
    auto listed = engine_->List(r, none);
    EXPECT_TRUE(listed.ok());
    for (const MetricId& m : listed.value()) out.push_back(m.name);
    return out;
  };
  EXPECT_EQ(names({}), (std::vector<std::string>{"Errors", "Latency"}));
  EXPECT_EQ(names({.ns = "Other"}), std::vector<std::string>{});
  EXPECT_EQ(names({.name = "Errors"}), std::vector<std::string>{"Errors"});
  EXPECT_EQ(names({.dimensions = {{"Shop", std::nullopt}}}), (std::vector<std::string>{"Errors", "Latency"}));
  EXPECT_EQ(names({.dimensions = {{"Shop", "eu"}}}), std::vector<std::string>{"Latency"});
  EXPECT_EQ(names({.dimensions = {{"Shop", "eu"}, {"Host", "b"}}}), std::vector<std::string>{});
  EXPECT_EQ(names({.recently_active = true}), std::vector<std::string>{"Latency"});
  auto full = engine_->List({.name = "Latency"}, none).value();
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0], (MetricId{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}}));
}

TEST_F(MetricEngineTest, GetDataEvaluatesExpressionsInDependencyOrder) {
  for (int m = 0; m < 3; ++m) Put(At(kT0 + 60 * m, {Value1(m + 1)}));
  const MetricId id{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}};
  std::vector<DataQuery> q = {
      {"e2", std::nullopt, ParseExpression("e1 + 1").value(), "", true},
      {"e1", std::nullopt, ParseExpression("m1 * 10").value(), "tenfold", false},
      {"m1", MetricStat{id, 60, *ParseStatistic("Sum"), {}}, std::nullopt, "", true},
  };
  ASSERT_FALSE(CheckQueries(q));
  auto got = engine_->GetData(q, kT0, kT0 + 180);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(got->at(0).id, "e2");
  EXPECT_EQ(got->at(0).label, "e2");
  EXPECT_EQ(got->at(0).points, (Series{{kT0, 11}, {kT0 + 60, 21}, {kT0 + 120, 31}}));
  EXPECT_EQ(got->at(1).points, (Series{{kT0, 1}, {kT0 + 60, 2}, {kT0 + 120, 3}}));
}

TEST_F(MetricEngineTest, CheckQueriesNamesTheOffendingQuery) {
  const MetricId id{std::string(kNs), "Latency", {}};
  auto stat = MetricStat{id, 60, *ParseStatistic("Sum"), {}};
  auto expr = [](const char* text) { return ParseExpression(text).value(); };
  struct Case {
    std::vector<DataQuery> queries;
    size_t index;
    std::string message;
  };
  const Case cases[] = {
      {{{"m1", stat, std::nullopt, "", true}, {"m1", stat, std::nullopt, "", true}}, 1, "the id m1 is used by more"},
      {{{"a", std::nullopt, expr("b + 1"), "", true}, {"b", std::nullopt, expr("a * 2"), "", true}}, 0, "cycle"},
      {{{"m1", stat, std::nullopt, "", false}, {"e1", std::nullopt, expr("AVG(m1)"), "", true}}, 1, "single number"},
      {{{"m1", stat, std::nullopt, "", false}, {"e1", std::nullopt, expr("METRICS()"), "", true}},
       1,
       "several time series"},
      {{{"e1", std::nullopt, expr("x1 * 2"), "", true}}, 0, "no query has the id x1"},
      {{{"m1", stat, std::nullopt, "", false},
        {"e1", std::nullopt, expr("m1 * 2"), "", false},
        {"ad1", std::nullopt, expr("ANOMALY_DETECTION_BAND(e1)"), "", true}},
       2,
       "must be the id of a metric, not of the expression e1"},
  };
  for (const Case& c : cases) {
    auto err = CheckQueries(c.queries);
    ASSERT_TRUE(err) << c.message;
    EXPECT_EQ(err->query, c.index) << c.message;
    EXPECT_EQ(err->member, c.index == 1 && c.message.starts_with("the id") ? "Id" : "Expression");
    EXPECT_NE(err->message.find(c.message), std::string::npos) << err->message;
  }
  // A scalar that is not returned may feed a series.
  std::vector<DataQuery> ok = {{"m1", stat, std::nullopt, "", true},
                               {"avg", std::nullopt, expr("AVG(m1)"), "", false},
                               {"d", std::nullopt, expr("m1 - avg"), "", true}};
  EXPECT_FALSE(CheckQueries(ok));
}

// A metric at a steady 100 +- noise per minute for two days, then a spike:
// the band of the window holds the normal minutes and excludes the spike,
// and adding later data does not change earlier band values (no look-ahead).
TEST_F(MetricEngineTest, BandTrainsOnHistoryAndExcludesASpike) {
  const int64_t window = kT0 + 2 * 86400;
  clock_.SetNow(FromEpochSeconds(static_cast<double>(window + 3600)));
  auto value = [](int64_t t) { return 100.0 + static_cast<double>((t / 60 * 7919) % 11) - 5; };  // 95..105
  std::vector<Datum> data;
  for (int64_t t = kT0; t < window + 1800; t += 60) data.push_back(At(t, {Value1(value(t))}, false));
  ASSERT_TRUE(engine_->Put(std::string(kNs), data).ok());
  const MetricId id{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}};
  const std::vector<DataQuery> q = {
      {"m1", MetricStat{id, 60, *ParseStatistic("Average"), {}}, std::nullopt, "", true},
      {"ad1", std::nullopt, ParseExpression("ANOMALY_DETECTION_BAND(m1, 3)").value(), "expected", true},
  };
  ASSERT_FALSE(CheckQueries(q));
  auto before = engine_->GetData(q, window, window + 1800);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_EQ(before->size(), 3u);
  const DataResult& lower = before->at(1);
  const DataResult& upper = before->at(2);
  EXPECT_EQ(lower.id, "ad1");
  EXPECT_EQ(lower.label, "expected Lower");
  EXPECT_EQ(lower.bound, DataResult::Bound::kLower);
  EXPECT_EQ(upper.label, "expected Upper");
  EXPECT_EQ(upper.bound, DataResult::Bound::kUpper);
  ASSERT_EQ(lower.points.size(), 30u);  // trained: a band at every minute of the window
  for (const auto& [t, v] : before->at(0).points) {
    EXPECT_LT(lower.points.at(t), v) << t;
    EXPECT_GT(upper.points.at(t), v) << t;
    EXPECT_GT(upper.points.at(t) - lower.points.at(t), 1.0);
    EXPECT_LT(upper.points.at(t) - lower.points.at(t), 60.0);
  }

  // A spike, then the minutes before it are unchanged and the spike is outside.
  const int64_t spike = window + 1800;
  const Datum s[] = {At(spike, {Value1(400)}, false), At(spike + 60, {Value1(value(spike + 60))}, false)};
  ASSERT_TRUE(engine_->Put(std::string(kNs), s).ok());
  auto after = engine_->GetData(q, window, spike + 120);
  ASSERT_TRUE(after.ok());
  for (const auto& [t, v] : before->at(1).points) EXPECT_EQ(after->at(1).points.at(t), v) << t;
  EXPECT_GT(400, after->at(2).points.at(spike));
  // The next minute's band is still narrow: the spike was clipped, not learned.
  EXPECT_LT(after->at(2).points.at(spike + 60), 130);
  EXPECT_GT(after->at(2).points.at(spike + 60), value(spike + 60));

  // A window without history has no band until the model is warm.
  auto cold = engine_->GetData(q, kT0, kT0 + 1800);
  ASSERT_TRUE(cold.ok());
  EXPECT_EQ(cold->at(1).points.size(), 30u - 12u);
  EXPECT_EQ(cold->at(1).points.begin()->first, kT0 + 12 * 60);
}

TEST_F(MetricEngineTest, DetectorStateFollowsTheStoredHistory) {
  const MetricId id{std::string(kNs), "Latency", {{"Host", "a"}, {"Shop", "eu"}}};
  const MetricStat stat{id, 60, *ParseStatistic("Average"), {}};
  EXPECT_EQ(engine_->DetectorState(stat, {}).value(), TrainingState::kPendingTraining);
  std::vector<Datum> data;
  for (int i = 0; i < 5; ++i) data.push_back(At(kT0 + 60 * i, {Value1(10)}, false));
  ASSERT_TRUE(engine_->Put(std::string(kNs), data).ok());
  EXPECT_EQ(engine_->DetectorState(stat, {}).value(), TrainingState::kTrainedInsufficientData);
  data.clear();
  for (int i = 5; i < 20; ++i) data.push_back(At(kT0 + 60 * i, {Value1(10)}, false));
  ASSERT_TRUE(engine_->Put(std::string(kNs), data).ok());
  EXPECT_EQ(engine_->DetectorState(stat, {}).value(), TrainingState::kTrained);
  // Excluded periods are not learned.
  const TimeRange all[] = {{kT0, kT0 + 3600}};
  EXPECT_EQ(engine_->DetectorState(stat, all).value(), TrainingState::kPendingTraining);
}

}  // namespace
}  // namespace dbinsight::metrics

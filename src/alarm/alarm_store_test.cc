// AlarmStore: definitions, state and history survive a reopen; replace keeps
// state; delete, actions switch and history filters.
#include "alarm/alarm_store.h"

#include <gtest/gtest.h>

#include "alarm/test_time.h"
#include "store/sqlite.h"
#include "testing/temp_dir.h"

namespace dbinsight::alarm {
namespace {

AlarmDefinition Cpu(const std::string& name) {
  AlarmDefinition d;
  d.name = name;
  d.description = "CPU high";
  d.metric_namespace = "AWS/RDS";
  d.metric_name = "CPUUtilization";
  d.dimensions = {{"DBInstanceIdentifier", "db1"}};
  d.statistic = Statistic::kAverage;
  d.period = std::chrono::seconds(300);
  d.evaluation_periods = 2;
  d.datapoints_to_alarm = 1;
  d.threshold = 75;
  d.treat_missing_data = TreatMissingData::kBreaching;
  d.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:a", "arn:aws:sns:us-east-1:000000000000:b"};
  d.ok_actions = {"arn:aws:sns:us-east-1:000000000000:ok"};
  return d;
}

class AlarmStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-alarms");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp).value();
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto s = AlarmStore::Open(tmp_->path().string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<AlarmStore> store_;
};

TEST_F(AlarmStoreTest, DefinitionStateAndHistorySurviveReopen) {
  const WallTime t0 = Utc(2026, 11, 27, 10, 0, 0);
  ASSERT_TRUE(store_->Put(Cpu("cpu"), t0).ok());
  const AlarmState before = InitialState(t0);
  AlarmState alarm{StateValue::kAlarm, "Threshold Crossed: x", R"({"version":"1.0"})", t0 + std::chrono::minutes(5),
                   t0 + std::chrono::minutes(5)};
  ASSERT_TRUE(store_->SetState("cpu", alarm, StateUpdateItem("cpu", before, alarm)).ok());
  Reopen();
  auto got = store_->Get("cpu");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const StoredAlarm& a = **got;
  EXPECT_EQ(a.definition.description, "CPU high");
  ASSERT_EQ(a.definition.dimensions.size(), 1u);
  EXPECT_EQ(a.definition.dimensions[0].value, "db1");
  EXPECT_EQ(a.definition.statistic, Statistic::kAverage);
  EXPECT_EQ(a.definition.period, std::chrono::seconds(300));
  EXPECT_EQ(a.definition.datapoints_to_alarm, 1);
  EXPECT_EQ(a.definition.threshold, 75.0);
  EXPECT_EQ(a.definition.treat_missing_data, TreatMissingData::kBreaching);
  EXPECT_EQ(a.definition.alarm_actions, Cpu("cpu").alarm_actions);
  EXPECT_EQ(a.definition.ok_actions, Cpu("cpu").ok_actions);
  EXPECT_TRUE(a.definition.insufficient_data_actions.empty());
  EXPECT_EQ(a.state.value, StateValue::kAlarm);
  EXPECT_EQ(a.state.reason, "Threshold Crossed: x");
  EXPECT_EQ(a.state.reason_data, R"({"version":"1.0"})");
  EXPECT_EQ(a.state.updated, alarm.updated);
  EXPECT_EQ(a.configuration_updated, t0);

  auto history = store_->History({});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].type, HistoryItemType::kStateUpdate);  // newest first
  EXPECT_EQ((*history)[0].summary, "Alarm updated from INSUFFICIENT_DATA to ALARM");
  EXPECT_EQ((*history)[1].summary, "Alarm \"cpu\" created");
}

TEST_F(AlarmStoreTest, ReplaceKeepsStateAndUnsetFieldsStayUnset) {
  const WallTime t0 = Utc(2026, 11, 27, 10, 0, 0);
  ASSERT_TRUE(store_->Put(Cpu("cpu"), t0).ok());
  AlarmDefinition changed = Cpu("cpu");
  changed.threshold = 90;
  changed.datapoints_to_alarm.reset();
  changed.treat_missing_data.reset();
  changed.alarm_actions.clear();
  ASSERT_TRUE(store_->Put(changed, t0 + std::chrono::hours(1)).ok());
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].definition.threshold, 90.0);
  EXPECT_FALSE((*all)[0].definition.datapoints_to_alarm.has_value());
  EXPECT_FALSE((*all)[0].definition.treat_missing_data.has_value());
  EXPECT_TRUE((*all)[0].definition.alarm_actions.empty());
  EXPECT_EQ((*all)[0].state.updated, t0);  // the initial state, not a new one
  EXPECT_EQ((*all)[0].configuration_updated, t0 + std::chrono::hours(1));
  auto updates = store_->History({.type = HistoryItemType::kConfigurationUpdate});
  ASSERT_TRUE(updates.ok());
  ASSERT_EQ(updates->size(), 2u);
  EXPECT_EQ((*updates)[0].summary, "Alarm \"cpu\" updated");
}

TEST_F(AlarmStoreTest, DeleteIsAllOrNothingAndKeepsHistory) {
  const WallTime t0 = Utc(2026, 11, 27, 10, 0, 0);
  ASSERT_TRUE(store_->Put(Cpu("a"), t0).ok());
  ASSERT_TRUE(store_->Put(Cpu("b"), t0).ok());
  const std::vector<std::string> with_unknown = {"a", "nope"};
  Status st = store_->Delete(with_unknown);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->List()->size(), 2u);
  const std::vector<std::string> a = {"a"};
  ASSERT_TRUE(store_->Delete(a).ok());
  ASSERT_EQ(store_->List()->size(), 1u);
  EXPECT_EQ(store_->History({.alarm_name = "a"})->size(), 1u);
  EXPECT_EQ(store_->SetState("a", InitialState(t0), std::nullopt).code(), StatusCode::kNotFound);
}

TEST_F(AlarmStoreTest, ActionsSwitchAndHistoryRangeAndRetention) {
  const WallTime t0 = Utc(2026, 11, 1, 0, 0, 0);
  ASSERT_TRUE(store_->Put(Cpu("a"), t0).ok());
  const std::vector<std::string> names = {"a", "unknown"};
  ASSERT_TRUE(store_->SetActionsEnabled(names, false).ok());
  auto a = store_->Get("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_FALSE((*a)->definition.actions_enabled);
  ASSERT_TRUE(store_->Put(Cpu("a"), t0 + std::chrono::hours(24)).ok());
  auto day1 = store_->History({.start = t0 + std::chrono::hours(1)});
  ASSERT_TRUE(day1.ok());
  EXPECT_EQ(day1->size(), 1u);
  EXPECT_EQ(store_->History({.end = t0})->size(), 1u);
  // A write 31 days later prunes items older than 30 days.
  ASSERT_TRUE(store_->Put(Cpu("a"), t0 + std::chrono::hours(24 * 31)).ok());
  EXPECT_EQ(store_->History({})->size(), 2u);
}

AlarmDefinition BandAlarm() {
  AlarmDefinition d;
  d.name = "band";
  d.evaluation_periods = 1;
  d.comparison_operator = ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold;
  d.threshold_metric_id = "ad1";
  d.metrics = {
      {"m1",
       MetricStatQuery{"App", "Latency", {{"Host", "a"}, {"Shop", "eu"}}, std::chrono::seconds(60), "p99", "Count"}, "",
       "", true},
      {"ad1", std::nullopt, "ANOMALY_DETECTION_BAND(m1, 2)", "Latency (expected)", true},
      {"e1", std::nullopt, "m1 * 2", "", false}};
  return d;
}

TEST_F(AlarmStoreTest, MetricsListSurvivesReopenAndReplace) {
  const WallTime t0 = Utc(2026, 11, 27, 10, 0, 0);
  ASSERT_TRUE(BandAlarm().Validate().ok()) << BandAlarm().Validate().message();
  ASSERT_TRUE(store_->Put(BandAlarm(), t0).ok());
  ASSERT_TRUE(store_->Put(Cpu("cpu"), t0).ok());
  Reopen();
  auto got = store_->Get("band");
  ASSERT_TRUE(got.ok() && got->has_value());
  const AlarmDefinition& d = (*got)->definition;
  ASSERT_EQ(d.metrics.size(), 3u);
  EXPECT_EQ(d.threshold_metric_id, "ad1");
  EXPECT_FALSE(d.threshold.has_value());
  const MetricDataQuery& m1 = d.metrics[0];
  EXPECT_EQ(m1.id, "m1");
  ASSERT_TRUE(m1.metric_stat);
  EXPECT_EQ(m1.metric_stat->metric_namespace, "App");
  EXPECT_EQ(m1.metric_stat->metric_name, "Latency");
  ASSERT_EQ(m1.metric_stat->dimensions.size(), 2u);
  EXPECT_EQ(m1.metric_stat->dimensions[1].value, "eu");
  EXPECT_EQ(m1.metric_stat->period, std::chrono::seconds(60));
  EXPECT_EQ(m1.metric_stat->stat, "p99");
  EXPECT_EQ(m1.metric_stat->unit, "Count");
  EXPECT_EQ(d.metrics[1].expression, "ANOMALY_DETECTION_BAND(m1, 2)");
  EXPECT_EQ(d.metrics[1].label, "Latency (expected)");
  EXPECT_FALSE(d.metrics[1].metric_stat);
  EXPECT_FALSE(d.metrics[2].return_data);
  auto cpu = store_->Get("cpu");
  ASSERT_TRUE(cpu.ok() && cpu->has_value());
  EXPECT_TRUE((*cpu)->definition.metrics.empty());
  // Replacing the alarm replaces its list.
  AlarmDefinition fewer = BandAlarm();
  fewer.metrics.pop_back();
  ASSERT_TRUE(store_->Put(fewer, t0).ok());
  auto replaced = store_->Get("band");
  ASSERT_TRUE(replaced.ok() && replaced->has_value());
  EXPECT_EQ((*replaced)->definition.metrics.size(), 2u);
}

// A file written before alarm_metric existed opens, and its alarms read back.
TEST_F(AlarmStoreTest, FilesWithoutTheMetricsTableStillOpen) {
  const WallTime t0 = Utc(2026, 11, 27, 10, 0, 0);
  ASSERT_TRUE(store_->Put(Cpu("cpu"), t0).ok());
  store_.reset();
  {
    auto db = store::Database::Open(tmp_->path().string() + "/alarms.sqlite3");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE alarm_metric").ok());
  }
  Reopen();
  auto got = store_->Get("cpu");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ((*got)->definition.metric_name, "CPUUtilization");
  EXPECT_TRUE((*got)->definition.metrics.empty());
}

TEST_F(AlarmStoreTest, DetectorsAreKeyedByMetricAndStatAndSurviveReopen) {
  AnomalyDetector d{
      "RDS/PerformanceInsights", "DBLoad", {{"DBInstanceIdentifier", "X"}, {"Engine", "pg"}}, "Average", ""};
  ASSERT_TRUE(store_->PutDetector(d).ok());
  AnomalyDetector p99 = d;
  p99.stat = "p99";
  ASSERT_TRUE(store_->PutDetector(p99).ok());
  d.configuration = R"({"MetricTimezone":"UTC"})";
  ASSERT_TRUE(store_->PutDetector(d).ok());  // the same detector, configured
  Reopen();
  auto all = store_->ListDetectors();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].stat, "Average");
  EXPECT_EQ((*all)[0].configuration, R"({"MetricTimezone":"UTC"})");
  ASSERT_EQ((*all)[0].dimensions.size(), 2u);
  EXPECT_EQ((*all)[0].dimensions[1].name, "Engine");
  EXPECT_EQ((*all)[0].dimensions[1].value, "pg");
  AnomalyDetector other = d;
  other.dimensions.pop_back();
  EXPECT_EQ(store_->DeleteDetector(other).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteDetector(p99).ok());
  EXPECT_EQ(store_->ListDetectors()->size(), 1u);
}

}  // namespace
}  // namespace dbinsight::alarm

// AlarmLoop over a real MetricStore: values put through the MetricEngine move
// an alarm OK -> ALARM -> OK at chosen instants, with AWS's reason texts, the
// transition callback, and state that survives reopening the alarm store.
#include "app/alarm_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alarm/test_time.h"
#include "store/metric_store.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::app {
namespace {

using alarm::StateValue;
using alarm::Utc;
using ::testing::HasSubstr;

class AlarmLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-alarm-loop");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp).value();
    auto m = store::MetricStore::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    metric_store_ = std::move(m).value();
    engine_ = std::make_unique<metrics::MetricEngine>(*metric_store_, clock_);
    OpenAlarms();
  }
  void OpenAlarms() {
    loop_.reset();
    alarms_.reset();
    auto a = alarm::AlarmStore::Open(tmp_->path().string());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    alarms_ = std::move(a).value();
    loop_ = std::make_unique<AlarmLoop>(*alarms_, *engine_, [this](const alarm::Transition& t) { seen_.push_back(t); });
  }
  void Put(const std::string& name, WallTime t, double v) {
    const metrics::Datum d[] = {{name, {{"Queue", "jobs"}}, t, "Count", false, {{0, v, v, v, 1}}}};
    ASSERT_TRUE(engine_->Put("Custom", d).ok());
  }
  alarm::AlarmState StateOf(const std::string& name) {
    auto a = alarms_->Get(name);
    return a.ok() && a->has_value() ? (*a)->state : alarm::AlarmState{};
  }

  testing::ManualClock clock_{Utc(2026, 11, 27, 10, 0, 0)};
  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<store::MetricStore> metric_store_;
  std::unique_ptr<metrics::MetricEngine> engine_;
  std::unique_ptr<alarm::AlarmStore> alarms_;
  std::unique_ptr<AlarmLoop> loop_;
  std::vector<alarm::Transition> seen_;
};

alarm::AlarmDefinition LowDepth() {
  alarm::AlarmDefinition d;
  d.name = "low-depth";
  d.metric_namespace = "Custom";
  d.metric_name = "Depth";
  d.dimensions = {{"Queue", "jobs"}};
  d.statistic = alarm::Statistic::kMinimum;
  d.period = std::chrono::seconds(60);
  d.evaluation_periods = 1;
  d.threshold = 10;
  d.comparison_operator = alarm::ComparisonOperator::kLessThanThreshold;
  d.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:ops"};
  return d;
}

TEST_F(AlarmLoopTest, OkAlarmOkWithReasonsAndPersistence) {
  Status put = alarms_->Put(LowDepth(), clock_.Now());
  ASSERT_TRUE(put.ok()) << put.ToString();
  Put("Depth", Utc(2026, 11, 27, 10, 0, 20), 50);
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 1, 5)).ok());
  EXPECT_EQ(StateOf("low-depth").value, StateValue::kOk);
  EXPECT_EQ(StateOf("low-depth").reason,
            "Threshold Crossed: 1 datapoint [50.0 (27/11/26 10:00:00)] was not less than the threshold (10.0).");

  Put("Depth", Utc(2026, 11, 27, 10, 1, 30), 5);
  Put("Depth", Utc(2026, 11, 27, 10, 1, 40), 30);
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 2, 5)).ok());
  EXPECT_EQ(StateOf("low-depth").value, StateValue::kAlarm);
  EXPECT_EQ(StateOf("low-depth").reason,
            "Threshold Crossed: 1 datapoint [5.0 (27/11/26 10:01:00)] was less than the threshold (10.0).");
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[1].previous.value, StateValue::kOk);
  EXPECT_EQ(seen_[1].current.value, StateValue::kAlarm);
  EXPECT_EQ(seen_[1].actions, LowDepth().alarm_actions);

  // No change, no transition; the state survives a restart.
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 2, 15)).ok());
  EXPECT_EQ(seen_.size(), 2u);
  OpenAlarms();
  EXPECT_EQ(StateOf("low-depth").value, StateValue::kAlarm);

  Put("Depth", Utc(2026, 11, 27, 10, 2, 30), 40);
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 3, 5)).ok());
  EXPECT_EQ(StateOf("low-depth").value, StateValue::kOk);
  ASSERT_EQ(seen_.size(), 3u);
  EXPECT_TRUE(seen_[2].actions.empty());  // no OKActions
  auto history = alarms_->History({.alarm_name = "low-depth", .type = alarm::HistoryItemType::kStateUpdate});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].summary, "Alarm updated from ALARM to OK");
  EXPECT_THAT((*history)[0].data, HasSubstr(R"("newState":{"stateValue":"OK")"));
}

// A 300 s Average alarm reads minutes and merges them into periods that start
// on the evaluation's minute (10:07 -> [10:02, 10:07)), not on multiples of 300.
TEST_F(AlarmLoopTest, FiveMinutePeriodsMergeMinutesFromTheEvaluationMinute) {
  alarm::AlarmDefinition d = LowDepth();
  d.statistic = alarm::Statistic::kAverage;
  d.period = std::chrono::seconds(300);
  d.evaluation_periods = 2;
  d.threshold = 75;
  d.comparison_operator = alarm::ComparisonOperator::kGreaterThanThreshold;
  for (int minute = 2; minute < 7; ++minute) Put("Depth", Utc(2026, 11, 27, 10, minute, 10), minute == 2 ? 100 : 70);
  clock_.SetNow(Utc(2026, 11, 27, 10, 7, 5));
  auto points = loop_->Datapoints(d, alarm::WindowAt(d, clock_.Now()));
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ((*points)[0].start, Utc(2026, 11, 27, 10, 2, 0));
  EXPECT_DOUBLE_EQ(*(*points)[0].value, 76.0);  // (100 + 4 * 70) / 5
  EXPECT_EQ((*points)[0].sample_count, 5.0);
}

// An anomaly-band alarm over a day of steady history: a spike minute breaches
// the upper bound (ALARM, AWS's band reason), the next normal minute is
// inside the band again (OK).
TEST_F(AlarmLoopTest, BandAlarmGoesToAlarmOnASpikeAndBackToOk) {
  const WallTime start = Utc(2026, 11, 26, 10, 0, 0);
  auto normal = [](int minute) { return 100.0 + (minute * 7919 % 11) - 5; };  // 95..105
  std::vector<metrics::Datum> history;
  for (int minute = 0; minute < 1440; ++minute)
    history.push_back({"Depth",
                       {{"Queue", "jobs"}},
                       start + std::chrono::minutes(minute),
                       "Count",
                       false,
                       {{0, normal(minute), normal(minute), normal(minute), 1}}});
  ASSERT_TRUE(engine_->Put("Custom", history).ok());

  alarm::AlarmDefinition d;
  d.name = "depth-band";
  d.evaluation_periods = 1;
  d.datapoints_to_alarm = 1;
  d.comparison_operator = alarm::ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold;
  d.threshold_metric_id = "ad1";
  d.metrics = {
      {"m1", alarm::MetricStatQuery{"Custom", "Depth", {{"Queue", "jobs"}}, std::chrono::seconds(60), "Average", ""},
       "", "", true},
      {"ad1", std::nullopt, "ANOMALY_DETECTION_BAND(m1, 3)", "Depth (expected)", true}};
  d.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:ops"};
  ASSERT_TRUE(d.Validate().ok()) << d.Validate().message();
  ASSERT_TRUE(alarms_->Put(d, clock_.Now()).ok());

  // 10:00 is the last normal minute: OK.
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 0, 5)).ok());
  EXPECT_EQ(StateOf("depth-band").value, StateValue::kOk) << StateOf("depth-band").reason;

  Put("Depth", Utc(2026, 11, 27, 10, 0, 20), 400);
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 1, 5)).ok());
  const alarm::AlarmState alarmed = StateOf("depth-band");
  EXPECT_EQ(alarmed.value, StateValue::kAlarm);
  EXPECT_THAT(alarmed.reason, HasSubstr("Thresholds Crossed: 1 out of the last 1 datapoints [400.0 (27/11/26 "
                                        "10:00:00)] was less than the lower thresholds ["));
  EXPECT_THAT(alarmed.reason, HasSubstr("] or greater than the upper thresholds ["));
  EXPECT_THAT(alarmed.reason_data, HasSubstr(R"("recentDatapoints":[400.0],"recentLowerThresholds":[)"));
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[1].actions, d.alarm_actions);

  Put("Depth", Utc(2026, 11, 27, 10, 1, 20), normal(1441));
  ASSERT_TRUE(loop_->RunOnce(Utc(2026, 11, 27, 10, 2, 5)).ok());
  EXPECT_EQ(StateOf("depth-band").value, StateValue::kOk);
  EXPECT_THAT(StateOf("depth-band").reason, HasSubstr("was not less than the lower thresholds"));
}

}  // namespace
}  // namespace dbinsight::app

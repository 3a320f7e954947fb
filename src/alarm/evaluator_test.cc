// The alarm state machine against AWS's documented examples: both
// M-out-of-N / TreatMissingData tables of "Configuring how CloudWatch alarms
// treat missing data" row by row (current and earlier editions of the page),
// the "Avoiding premature transitions" examples, the alarm-evaluation figure,
// every comparison operator, the band operators, and StateReason /
// StateReasonData texts copied from real alarm notifications and AWS's event
// examples. Time is injected: each case names its instant.
#include "alarm/evaluator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alarm/format.h"
#include "alarm/test_time.h"

namespace dbinsight::alarm {
namespace {

using std::chrono::seconds;

const WallTime kEarlier = Utc(2026, 11, 27, 8, 0, 0);

AlarmState Previous(StateValue v) { return {v, "previous reason", "", kEarlier, kEarlier}; }

AlarmDefinition Alarm(int n, std::optional<int> m, ComparisonOperator op, double threshold, seconds period,
                      std::optional<TreatMissingData> treat = std::nullopt) {
  AlarmDefinition d;
  d.name = "test-alarm";
  d.metric_namespace = "Custom/Test";
  d.metric_name = "Errors";
  d.statistic = Statistic::kAverage;
  d.period = period;
  d.evaluation_periods = n;
  d.datapoints_to_alarm = m;
  d.comparison_operator = op;
  d.threshold = threshold;
  d.treat_missing_data = treat;
  d.ok_actions = {"arn:aws:sns:us-east-1:000000000000:ok"};
  d.alarm_actions = {"arn:aws:sns:us-east-1:000000000000:alarm"};
  d.insufficient_data_actions = {"arn:aws:sns:us-east-1:000000000000:insufficient"};
  EXPECT_TRUE(d.Validate().ok()) << d.Validate().message();
  return d;
}

// An anomaly-band alarm as PutMetricAlarm takes it: the metric and the band
// in Metrics, both returning data.
AlarmDefinition Band(ComparisonOperator op, int n = 1, std::optional<int> m = 1) {
  AlarmDefinition d;
  d.name = "band-alarm";
  d.evaluation_periods = n;
  d.datapoints_to_alarm = m;
  d.comparison_operator = op;
  d.threshold_metric_id = "ad1";
  d.metrics = {{"m1", MetricStatQuery{"Custom/Test", "Errors", {}, seconds(60), "p90", ""}, "", "", true},
               {"ad1", std::nullopt, "ANOMALY_DETECTION_BAND(m1, 2)", "", true}};
  EXPECT_TRUE(d.Validate().ok()) << d.Validate().message();
  return d;
}

// ---------------------------------------------------------------------------
// The tables. Both use Period 5 minutes, Evaluation Periods 3 and an
// evaluation range of 5; data points are written as AWS writes them, oldest
// on the left: 0 not breaching, X breaching, - missing.

const WallTime kTableNow = Utc(2026, 11, 27, 10, 0, 30);  // newest period: [09:55, 10:00)
constexpr seconds kTablePeriod{300};

std::vector<Datapoint> Points(std::string_view pattern, WallTime now, seconds period) {
  std::string cells;
  for (char c : pattern) {
    if (c != ' ') cells += c;
  }
  const WallTime end = WindowAt(Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 1, period), now).end;
  std::vector<Datapoint> points;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i] == '-') continue;
    points.push_back({end - int(cells.size() - i) * period, cells[i] == 'X' ? 2.0 : 0.0, 1});
  }
  return points;
}

enum class Want { kOk, kAlarm, kInsufficientData, kRetain };

struct Row {
  const char* points;
  Want missing, ignore, breaching, not_breaching;
};

void CheckRow(int m, const Row& row) {
  const std::pair<TreatMissingData, Want> columns[] = {{TreatMissingData::kMissing, row.missing},
                                                       {TreatMissingData::kIgnore, row.ignore},
                                                       {TreatMissingData::kBreaching, row.breaching},
                                                       {TreatMissingData::kNotBreaching, row.not_breaching}};
  for (const auto& [treat, want] : columns) {
    const AlarmDefinition def = Alarm(3, m, ComparisonOperator::kGreaterThanThreshold, 1, kTablePeriod, treat);
    for (StateValue before : {StateValue::kOk, StateValue::kAlarm, StateValue::kInsufficientData}) {
      SCOPED_TRACE(testing::Message() << m << " out of 3, \"" << row.points << "\", " << Name(treat) << ", from "
                                      << Name(before));
      const AlarmState previous = Previous(before);
      const EvaluationResult r = Evaluate(def, Points(row.points, kTableNow, kTablePeriod), kTableNow, previous);
      if (want == Want::kRetain) {
        EXPECT_FALSE(r.changed);
        EXPECT_EQ(r.state.value, before);
        EXPECT_EQ(r.state.reason, previous.reason);
        continue;
      }
      const StateValue expected = want == Want::kOk      ? StateValue::kOk
                                  : want == Want::kAlarm ? StateValue::kAlarm
                                                         : StateValue::kInsufficientData;
      EXPECT_EQ(r.state.value, expected);
      EXPECT_EQ(r.changed, expected != before);
      EXPECT_EQ(r.history.has_value(), r.changed);
    }
  }
}

constexpr Want OK = Want::kOk, ALARM = Want::kAlarm, INSUFFICIENT = Want::kInsufficientData, RETAIN = Want::kRetain;

// First table: Datapoints to Alarm and Evaluation Periods both 3.
TEST(AwsMissingDataTableTest, ThreeOutOfThree) {
  const Row rows[] = {
      // Columns: MISSING, IGNORE, BREACHING, NOT BREACHING. Current edition:
      {"0 - X - X", OK, OK, OK, OK},
      {"0 - - - -", OK, OK, OK, OK},
      {"- - - - -", INSUFFICIENT, RETAIN, ALARM, OK},
      {"0 X X - X", ALARM, ALARM, ALARM, ALARM},
      {"- - X - -", ALARM, RETAIN, ALARM, OK},  // "premature alarm state" row
      // Earlier editions of the page:
      {"- - - - X", INSUFFICIENT, RETAIN, ALARM, OK},
      {"X - - - -", ALARM, RETAIN, ALARM, OK},
      // "Avoiding premature transitions": no ALARM from "- - - X -" when
      // missing/ignore, and the non-breaching points that would follow:
      {"- - - X -", INSUFFICIENT, RETAIN, ALARM, OK},
      {"- - - X 0", OK, OK, OK, OK},
      {"- - X - 0", OK, OK, OK, OK},
  };
  for (const Row& row : rows) CheckRow(3, row);
}

// Second table: Datapoints to Alarm 2, Evaluation Periods 3.
TEST(AwsMissingDataTableTest, TwoOutOfThree) {
  const Row rows[] = {
      {"0 - X - X", ALARM, ALARM, ALARM, ALARM},
      {"0 0 X 0 X", ALARM, ALARM, ALARM, ALARM},
      {"0 - X - -", OK, OK, ALARM, OK},
      {"- - - - 0", OK, OK, ALARM, OK},
      {"- - - X -", ALARM, RETAIN, ALARM, OK},         // "premature alarm state" row
      {"- - - - X", INSUFFICIENT, RETAIN, ALARM, OK},  // earlier edition
  };
  for (const Row& row : rows) CheckRow(2, row);
}

// Table text: "In the second row ... the alarm stays OK even if missing data is
// treated as breaching ... The next time this alarm is evaluated, if the data
// is still missing it will go to ALARM, as that non-breaching data point will
// no longer be in the evaluation range."
TEST(AwsMissingDataTableTest, NonBreachingPointLeavesTheRange) {
  const AlarmDefinition def =
      Alarm(3, 3, ComparisonOperator::kGreaterThanThreshold, 1, kTablePeriod, TreatMissingData::kBreaching);
  const std::vector<Datapoint> points = Points("0 - - - -", kTableNow, kTablePeriod);
  const EvaluationResult first = Evaluate(def, points, kTableNow, Previous(StateValue::kOk));
  EXPECT_EQ(first.state.value, StateValue::kOk);
  const EvaluationResult next = Evaluate(def, points, kTableNow + kTablePeriod, first.state);
  EXPECT_EQ(next.state.value, StateValue::kAlarm);
  EXPECT_EQ(next.state.reason,
            "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as "
            "[Breaching].");
}

// "Alarm evaluation" figure: threshold 3, 3 out of 3. ALARM after periods 3-5
// breach, OK again at period 6, and the single breach of period 9 stays OK.
TEST(AlarmEvaluationTest, FollowsTheDocumentedFigure) {
  const AlarmDefinition def = Alarm(3, 3, ComparisonOperator::kGreaterThanThreshold, 3, seconds(60));
  const double values[] = {1, 2, 4, 5, 6, 2, 1, 1, 4, 1};
  const StateValue want[] = {StateValue::kOk, StateValue::kOk, StateValue::kOk, StateValue::kOk, StateValue::kAlarm,
                             StateValue::kOk, StateValue::kOk, StateValue::kOk, StateValue::kOk, StateValue::kOk};
  const WallTime first = Utc(2026, 11, 27, 12, 0, 0);
  std::vector<Datapoint> series;
  AlarmState state = InitialState(first);
  for (int i = 0; i < 10; ++i) {
    series.push_back({first + i * seconds(60), values[i], 1});
    const WallTime now = first + (i + 1) * seconds(60) + seconds(5);  // just after the period closed
    const EvaluationResult r = Evaluate(def, series, now, state);
    EXPECT_EQ(r.state.value, want[i]) << "period " << i + 1;
    state = r.state;
  }
}

// "The breaching data points don't have to be consecutive".
TEST(AlarmEvaluationTest, MOutOfNCountsNonConsecutiveBreaches) {
  const AlarmDefinition def = Alarm(5, 3, ComparisonOperator::kGreaterThanThreshold, 1, kTablePeriod);
  EXPECT_EQ(
      Evaluate(def, Points("X 0 X 0 X", kTableNow, kTablePeriod), kTableNow, Previous(StateValue::kOk)).state.value,
      StateValue::kAlarm);
  EXPECT_EQ(
      Evaluate(def, Points("X 0 X 0 0", kTableNow, kTablePeriod), kTableNow, Previous(StateValue::kAlarm)).state.value,
      StateValue::kOk);
}

TEST(AlarmEvaluationTest, EveryStaticComparisonOperator) {
  struct Case {
    ComparisonOperator op;
    bool breaches_9, breaches_10, breaches_11;  // threshold 10
  };
  const Case cases[] = {
      {ComparisonOperator::kGreaterThanOrEqualToThreshold, false, true, true},
      {ComparisonOperator::kGreaterThanThreshold, false, false, true},
      {ComparisonOperator::kLessThanThreshold, true, false, false},
      {ComparisonOperator::kLessThanOrEqualToThreshold, true, true, false},
  };
  const WallTime now = Utc(2026, 11, 27, 10, 1, 0);
  for (const Case& c : cases) {
    const AlarmDefinition def = Alarm(1, 1, c.op, 10, seconds(60));
    for (auto [value, breaches] : {std::pair{9.0, c.breaches_9}, {10.0, c.breaches_10}, {11.0, c.breaches_11}}) {
      const Datapoint p{Utc(2026, 11, 27, 10, 0, 0), value, 1};
      const EvaluationResult r = Evaluate(def, {&p, 1}, now, InitialState(kEarlier));
      EXPECT_EQ(r.state.value, breaches ? StateValue::kAlarm : StateValue::kOk) << Name(c.op) << " " << value;
    }
  }
}

TEST(AlarmEvaluationTest, EveryBandOperator) {
  struct Case {
    ComparisonOperator op;
    bool breaches[5];  // for values 4, 5, 10, 15, 16 in the band [5, 15]
  };
  const Case cases[] = {
      {ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold, {true, false, false, false, true}},
      {ComparisonOperator::kLessThanLowerThreshold, {true, false, false, false, false}},
      {ComparisonOperator::kGreaterThanUpperThreshold, {false, false, false, false, true}},
  };
  const double values[] = {4, 5, 10, 15, 16};
  const WallTime now = Utc(2026, 11, 27, 10, 1, 0);
  for (const Case& c : cases) {
    for (int i = 0; i < 5; ++i) {
      const Datapoint p{Utc(2026, 11, 27, 10, 0, 0), values[i], 1, 5.0, 15.0};
      const EvaluationResult r = Evaluate(Band(c.op), {&p, 1}, now, InitialState(kEarlier));
      EXPECT_EQ(r.state.value, c.breaches[i] ? StateValue::kAlarm : StateValue::kOk) << Name(c.op) << values[i];
    }
  }
}

// Without the band bound its operator needs, a period cannot be compared and
// counts as missing; a bound the operator does not use is not needed.
TEST(AlarmEvaluationTest, BandPeriodWithoutItsBoundIsMissing) {
  const WallTime now = Utc(2026, 11, 27, 10, 1, 0);
  const Datapoint no_upper{Utc(2026, 11, 27, 10, 0, 0), 20.0, 1, 5.0, std::nullopt};
  EXPECT_EQ(
      Evaluate(Band(ComparisonOperator::kGreaterThanUpperThreshold), {&no_upper, 1}, now, Previous(StateValue::kOk))
          .state.value,
      StateValue::kInsufficientData);
  EXPECT_EQ(Evaluate(Band(ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold), {&no_upper, 1}, now,
                     Previous(StateValue::kOk))
                .state.value,
            StateValue::kInsufficientData);
  EXPECT_EQ(
      Evaluate(Band(ComparisonOperator::kLessThanLowerThreshold), {&no_upper, 1}, now, Previous(StateValue::kAlarm))
          .state.value,
      StateValue::kOk);
}

TEST(AlarmEvaluationTest, NoDataIsInsufficientDataUnlessTreatedOtherwise) {
  const WallTime now = Utc(2026, 11, 27, 10, 1, 0);
  const AlarmState initial = InitialState(kEarlier);
  // missing (also the default): INSUFFICIENT_DATA; a new alarm stays as it is.
  const EvaluationResult stays =
      Evaluate(Alarm(2, 2, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60)), {}, now, initial);
  EXPECT_FALSE(stays.changed);
  EXPECT_EQ(stays.state.reason, "Unchecked: Initial alarm creation");
  const EvaluationResult from_ok =
      Evaluate(Alarm(1, std::nullopt, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60)), {}, now,
               Previous(StateValue::kAlarm));
  EXPECT_EQ(from_ok.state.value, StateValue::kInsufficientData);
  EXPECT_EQ(from_ok.state.reason, "Insufficient Data: 1 datapoint was unknown.");
  // breaching / notBreaching decide without data; ignore keeps a new alarm new.
  for (auto [treat, want] : {std::pair{TreatMissingData::kBreaching, StateValue::kAlarm},
                             {TreatMissingData::kNotBreaching, StateValue::kOk},
                             {TreatMissingData::kIgnore, StateValue::kInsufficientData}}) {
    const AlarmDefinition def = Alarm(2, 1, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60), treat);
    EXPECT_EQ(Evaluate(def, {}, now, initial).state.value, want) << Name(treat);
  }
}

TEST(AlarmEvaluationTest, IgnoreKeepsTheCurrentStateUntouched) {
  const AlarmDefinition def =
      Alarm(3, 3, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60), TreatMissingData::kIgnore);
  AlarmState previous = Previous(StateValue::kAlarm);
  previous.reason_data = R"({"version":"1.0"})";
  const EvaluationResult r = Evaluate(def, {}, Utc(2026, 11, 27, 10, 1, 0), previous);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.state.value, StateValue::kAlarm);
  EXPECT_EQ(r.state.reason, previous.reason);
  EXPECT_EQ(r.state.reason_data, previous.reason_data);
  EXPECT_EQ(r.state.updated, previous.updated);
  EXPECT_FALSE(r.history.has_value());
  EXPECT_TRUE(r.actions.empty());
}

// "Alarms that evaluate metrics in the AWS/DynamoDB namespace default to
// ignore missing data."
TEST(AlarmEvaluationTest, DynamoDbMetricsIgnoreMissingDataByDefault) {
  AlarmDefinition def = Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60));
  def.metric_namespace = "AWS/DynamoDB";
  EXPECT_FALSE(Evaluate(def, {}, Utc(2026, 11, 27, 10, 1, 0), Previous(StateValue::kOk)).changed);
  def.treat_missing_data = TreatMissingData::kMissing;
  EXPECT_TRUE(Evaluate(def, {}, Utc(2026, 11, 27, 10, 1, 0), Previous(StateValue::kOk)).changed);
}

// ---------------------------------------------------------------------------
// The evaluation range and `now`.

TEST(EvaluationWindowTest, EndsAtTheMinuteBeforeNow) {
  // AWS alarm event: queryDate 17:04:40.985 evaluated the 300 s period that
  // started at 16:59.
  const EvaluationWindow w = WindowAt(Alarm(3, 3, ComparisonOperator::kGreaterThanThreshold, 1, seconds(300)),
                                      Utc(2019, 10, 2, 17, 4, 40, 985));
  EXPECT_EQ(w.end, Utc(2019, 10, 2, 17, 4, 0));
  EXPECT_EQ(w.periods, 5);
  EXPECT_EQ(w.start, Utc(2019, 10, 2, 16, 39, 0));
  // Hour periods also end on the minute; 10 s periods on their own boundary.
  EXPECT_EQ(
      WindowAt(Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 1, seconds(3600)), Utc(2026, 1, 1, 10, 30, 10))
          .end,
      Utc(2026, 1, 1, 10, 30, 0));
  const EvaluationWindow hi =
      WindowAt(Alarm(2, 2, ComparisonOperator::kGreaterThanThreshold, 1, seconds(10)), Utc(2026, 1, 1, 10, 0, 25, 500));
  EXPECT_EQ(hi.end, Utc(2026, 1, 1, 10, 0, 20));
  EXPECT_EQ(hi.start, Utc(2026, 1, 1, 9, 59, 40));
}

TEST(EvaluationWindowTest, OnlyPeriodStartsInTheRangeCount) {
  const AlarmDefinition def = Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 1, seconds(300));
  const WallTime now = Utc(2026, 11, 27, 10, 0, 30);  // range: 09:45, 09:50, 09:55
  const Datapoint off_grid{Utc(2026, 11, 27, 9, 57, 0), 5.0, 1};
  const Datapoint too_old{Utc(2026, 11, 27, 9, 40, 0), 5.0, 1};
  const Datapoint in_progress{Utc(2026, 11, 27, 10, 0, 0), 5.0, 1};  // the period not yet complete
  const Datapoint points[] = {off_grid, too_old, in_progress};
  EXPECT_EQ(Evaluate(def, points, now, Previous(StateValue::kOk)).state.value, StateValue::kInsufficientData);
  // The oldest period of the range still counts when nothing newer exists.
  const Datapoint oldest{Utc(2026, 11, 27, 9, 45, 0), 5.0, 1};
  EXPECT_EQ(Evaluate(def, {&oldest, 1}, now, Previous(StateValue::kOk)).state.value, StateValue::kAlarm);
}

// ---------------------------------------------------------------------------
// StateReason and StateReasonData. Expected texts are AWS's own unless said.

struct TransitionCase {
  AlarmDefinition def;
  std::vector<Datapoint> points;
  WallTime now;
  StateValue before;
};

EvaluationResult Transition(const TransitionCase& c) {
  const EvaluationResult r = Evaluate(c.def, c.points, c.now, Previous(c.before));
  EXPECT_TRUE(r.changed);
  return r;
}

// The example of issue 4 / an SNS alarm notification.
TEST(StateReasonTest, OneOutOfOneAlarm) {
  AlarmDefinition def = Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 80, seconds(300));
  const EvaluationResult r =
      Transition({def, {{Utc(2026, 11, 27, 10, 0, 0), 85.0, 5}}, Utc(2026, 11, 27, 10, 5, 10), StateValue::kOk});
  EXPECT_EQ(r.state.value, StateValue::kAlarm);
  EXPECT_EQ(r.state.reason,
            "Threshold Crossed: 1 out of the last 1 datapoints [85.0 (27/11/26 10:00:00)] was greater than the "
            "threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).");
  EXPECT_EQ(r.state.reason_data,
            R"({"version":"1.0","queryDate":"2026-11-27T10:05:10.000+0000","startDate":"2026-11-27T10:00:00.000+0000",)"
            R"("statistic":"Average","period":300,"recentDatapoints":[85.0],"threshold":80.0,"evaluatedDatapoints":)"
            R"([{"timestamp":"2026-11-27T10:00:00.000+0000","sampleCount":5.0,"value":85.0}]})");
  EXPECT_EQ(r.state.updated, Utc(2026, 11, 27, 10, 5, 10));
  EXPECT_EQ(r.state.transitioned, Utc(2026, 11, 27, 10, 5, 10));
}

// SNS e-mail, 21 Dec 2021: 3 out of 5, listing only the non-breaching points.
TEST(StateReasonTest, OkListsTheNonBreachingDatapoints) {
  const AlarmDefinition def = Alarm(5, 3, ComparisonOperator::kGreaterThanThreshold, 0, seconds(60));
  const EvaluationResult r = Transition({def,
                                         {{Utc(2021, 12, 21, 6, 41, 0), 1.0, 1},
                                          {Utc(2021, 12, 21, 6, 42, 0), 0.0, 1},
                                          {Utc(2021, 12, 21, 6, 43, 0), 2.0, 1},
                                          {Utc(2021, 12, 21, 6, 44, 0), 0.0, 1},
                                          {Utc(2021, 12, 21, 6, 45, 0), 0.0, 1}},
                                         Utc(2021, 12, 21, 6, 46, 11),
                                         StateValue::kAlarm});
  EXPECT_EQ(r.state.reason,
            "Threshold Crossed: 3 out of the last 5 datapoints [0.0 (21/12/21 06:45:00), 0.0 (21/12/21 06:44:00), 0.0 "
            "(21/12/21 06:42:00)] were not greater than the threshold (0.0) (minimum 3 datapoints for ALARM -> OK "
            "transition).");
}

// AWS EventBridge "CloudWatch Alarm State Change" example (2020): its reason
// data predates evaluatedDatapoints, which follow here as AWS writes them now.
TEST(StateReasonTest, EventBridgeExample) {
  const AlarmDefinition def = Alarm(2, 2, ComparisonOperator::kGreaterThanOrEqualToThreshold, 10, seconds(300));
  const EvaluationResult alarm =
      Transition({def,
                  {{Utc(2020, 10, 5, 6, 20, 0), 10.0, 3}, {Utc(2020, 10, 5, 6, 25, 0), 10.25, 3}},
                  Utc(2020, 10, 5, 6, 30, 58, 947),
                  StateValue::kOk});
  EXPECT_EQ(alarm.state.reason,
            "Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] "
            "were greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).");
  EXPECT_EQ(alarm.state.reason_data,
            R"({"version":"1.0","queryDate":"2020-10-05T06:30:58.947+0000","startDate":"2020-10-05T06:20:00.000+0000",)"
            R"("statistic":"Average","period":300,"recentDatapoints":[10.0,10.25],"threshold":10.0,)"
            R"("evaluatedDatapoints":[{"timestamp":"2020-10-05T06:25:00.000+0000","sampleCount":3.0,"value":10.25},)"
            R"({"timestamp":"2020-10-05T06:20:00.000+0000","sampleCount":3.0,"value":10.0}]})");

  const AlarmDefinition raised = Alarm(2, 2, ComparisonOperator::kGreaterThanOrEqualToThreshold, 30, seconds(300));
  const EvaluationResult ok =
      Transition({raised,
                  {{Utc(2020, 10, 5, 6, 37, 0), 10.0, 3}, {Utc(2020, 10, 5, 6, 42, 0), 10.0, 3}},
                  Utc(2020, 10, 5, 6, 47, 38, 31),
                  StateValue::kAlarm});
  EXPECT_EQ(ok.state.reason,
            "Threshold Crossed: 2 out of the last 2 datapoints [10.0 (05/10/20 06:42:00), 10.0 (05/10/20 06:37:00)] "
            "were not greater than or equal to the threshold (30.0) (minimum 1 datapoint for ALARM -> OK "
            "transition).");
}

// Without DatapointsToAlarm AWS keeps its older wording; filled periods are
// named. Both texts are from real notifications (2026).
TEST(StateReasonTest, OlderWordingWhenDatapointsToAlarmIsUnset) {
  const EvaluationResult ok = Transition(
      {Alarm(3, std::nullopt, ComparisonOperator::kLessThanThreshold, 1, seconds(60), TreatMissingData::kBreaching),
       {{Utc(2026, 8, 26, 16, 16, 0), 1.0, 1}},
       Utc(2026, 8, 26, 16, 19, 41),
       StateValue::kAlarm});
  EXPECT_EQ(ok.state.value, StateValue::kOk);
  EXPECT_EQ(ok.state.reason,
            "Threshold Crossed: 1 datapoint [1.0 (26/08/26 16:16:00)] was not less than the threshold (1.0) and 2 "
            "missing datapoints were treated as [Breaching].");
  const EvaluationResult alarm = Transition(
      {Alarm(2, std::nullopt, ComparisonOperator::kLessThanThreshold, 1, seconds(60), TreatMissingData::kBreaching),
       {{Utc(2026, 4, 20, 18, 45, 0), 0.0, 1}},
       Utc(2026, 4, 20, 18, 46, 19),
       StateValue::kOk});
  EXPECT_EQ(alarm.state.value, StateValue::kAlarm);
  EXPECT_EQ(alarm.state.reason,
            "Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing "
            "datapoint was treated as [Breaching].");
}

// WAF rate-rule alarm notification (2024): 1 out of 20 with 19 fills.
TEST(StateReasonTest, FilledPeriodsInTheMOutOfNWording) {
  const EvaluationResult r = Transition({Alarm(20, 1, ComparisonOperator::kGreaterThanOrEqualToThreshold, 1,
                                               seconds(60), TreatMissingData::kNotBreaching),
                                         {{Utc(2024, 3, 16, 12, 15, 0), 613.0, 1}},
                                         Utc(2024, 3, 16, 12, 16, 45, 770),
                                         StateValue::kOk});
  EXPECT_EQ(r.state.reason,
            "Threshold Crossed: 1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was greater than or equal "
            "to the threshold (1.0) and 19 missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for "
            "OK -> ALARM transition).");
}

TEST(StateReasonTest, OnlyFilledPeriodsDecide) {
  const WallTime now = Utc(2026, 11, 27, 10, 1, 0);
  EXPECT_EQ(Transition({Alarm(2, std::nullopt, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60),
                              TreatMissingData::kBreaching),
                        {},
                        now,
                        StateValue::kOk})
                .state.reason,
            "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as "
            "[Breaching].");
  EXPECT_EQ(Transition({Alarm(1, std::nullopt, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60),
                              TreatMissingData::kNotBreaching),
                        {},
                        now,
                        StateValue::kAlarm})
                .state.reason,
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
            "[NonBreaching].");
  // A real datapoint that does not agree with the new state (quoted in an
  // operator's notes: "1 datapoint was received for 3 periods and 2 missing
  // datapoints were treated as [Breaching]").
  const EvaluationResult mixed =
      Transition({Alarm(3, 2, ComparisonOperator::kGreaterThanThreshold, 1, seconds(60), TreatMissingData::kBreaching),
                  {{Utc(2026, 11, 27, 9, 59, 0), 0.0, 1}},
                  now,
                  StateValue::kOk});
  EXPECT_EQ(mixed.state.reason,
            "Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as "
            "[Breaching].");
  // The filled periods are the most recent missing ones, listed in time order.
  EXPECT_EQ(mixed.state.reason_data,
            R"({"version":"1.0","queryDate":"2026-11-27T10:01:00.000+0000","startDate":"2026-11-27T09:59:00.000+0000",)"
            R"("statistic":"Average","period":60,"recentDatapoints":[0.0],"threshold":1.0,"evaluatedDatapoints":[)"
            R"({"timestamp":"2026-11-27T10:00:00.000+0000"},)"
            R"({"timestamp":"2026-11-27T09:59:00.000+0000","sampleCount":1.0,"value":0.0},)"
            R"({"timestamp":"2026-11-27T09:58:00.000+0000"}]})");
}

// AWS's Lambda alarm-action event example: an alarm with no data for its 5
// one-minute periods.
TEST(StateReasonTest, InsufficientDataListsTheUnknownPeriods) {
  const EvaluationResult r =
      Transition({Alarm(5, std::nullopt, ComparisonOperator::kGreaterThanThreshold, 5, seconds(60)),
                  {},
                  Utc(2023, 8, 4, 12, 31, 29, 591),
                  StateValue::kOk});
  EXPECT_EQ(r.state.reason, "Insufficient Data: 5 datapoints were unknown.");
  EXPECT_EQ(
      r.state.reason_data,
      R"({"version":"1.0","queryDate":"2023-08-04T12:31:29.591+0000","statistic":"Average","period":60,)"
      R"("recentDatapoints":[],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2023-08-04T12:30:00.000+0000"},)"
      R"({"timestamp":"2023-08-04T12:29:00.000+0000"},{"timestamp":"2023-08-04T12:28:00.000+0000"},)"
      R"({"timestamp":"2023-08-04T12:27:00.000+0000"},{"timestamp":"2023-08-04T12:26:00.000+0000"}]})");
  // Some data, all breaching, too little and too recent ("- - - - X", 2 of 3):
  // only the missing periods are unknown.
  const EvaluationResult partial =
      Transition({Alarm(3, 2, ComparisonOperator::kGreaterThanThreshold, 1, kTablePeriod),
                  Points("- - - - X", kTableNow, kTablePeriod), kTableNow, StateValue::kOk});
  EXPECT_EQ(partial.state.reason, "Insufficient Data: 2 datapoints were unknown.");
}

// Not documented: the wording of a [PT] ALARM reached with missing data
// treated as missing. It names the lone datapoint and no fills.
TEST(StateReasonTest, PrematureRuleAlarm) {
  const EvaluationResult r = Transition({Alarm(3, 3, ComparisonOperator::kGreaterThanThreshold, 1, kTablePeriod),
                                         Points("- - X - -", kTableNow, kTablePeriod), kTableNow, StateValue::kOk});
  EXPECT_EQ(r.state.reason,
            "Threshold Crossed: 1 out of the last 3 datapoints [2.0 (27/11/26 09:45:00)] was greater than the "
            "threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).");
}

// AWS EventBridge anomaly-detection alarm example (2019), both transitions.
TEST(StateReasonTest, BandBothSides) {
  const AlarmDefinition def = Band(ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold);
  const EvaluationResult alarm =
      Transition({def,
                  {{Utc(2019, 10, 3, 15, 58, 0), 0.0, 1, 0.020599444741798756, 0.3006915352732461}},
                  Utc(2019, 10, 3, 16, 0, 4, 650),
                  StateValue::kOk});
  EXPECT_EQ(alarm.state.reason,
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19 15:58:00)] was less than the lower "
            "thresholds [0.020599444741798756] or greater than the upper thresholds [0.3006915352732461] (minimum 1 "
            "datapoint for OK -> ALARM transition).");
  EXPECT_EQ(alarm.state.reason_data,
            R"({"version":"1.0","queryDate":"2019-10-03T16:00:04.650+0000","startDate":"2019-10-03T15:58:00.000+0000",)"
            R"("period":60,"recentDatapoints":[0.0],"recentLowerThresholds":[0.020599444741798756],)"
            R"("recentUpperThresholds":[0.3006915352732461],"evaluatedDatapoints":[{"timestamp":)"
            R"("2019-10-03T15:58:00.000+0000","value":0.0,"lowerThreshold":0.020599444741798756,)"
            R"("upperThreshold":0.3006915352732461}]})");
  const EvaluationResult ok =
      Transition({def,
                  {{Utc(2019, 10, 3, 15, 57, 0), 0.166666666664241, 1, 0.0206719426210418, 0.30076870222143803}},
                  Utc(2019, 10, 3, 15, 59, 4, 670),
                  StateValue::kAlarm});
  EXPECT_EQ(ok.state.reason,
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.166666666664241 (03/10/19 15:57:00)] was not less "
            "than the lower thresholds [0.0206719426210418] or not greater than the upper thresholds "
            "[0.30076870222143803] (minimum 1 datapoint for ALARM -> OK transition).");
}

// AWS Lambda alarm event (2024), reason and reason data reproduced exactly.
TEST(StateReasonTest, BandUpperOnly) {
  const AlarmDefinition def = Band(ComparisonOperator::kGreaterThanUpperThreshold);
  const EvaluationResult alarm = Transition({def,
                                             {{Utc(2024, 7, 25, 7, 21, 0), 239.0, 1, 100.0, 225.71426732099445}},
                                             Utc(2024, 7, 25, 7, 22, 32, 386),
                                             StateValue::kOk});
  EXPECT_EQ(alarm.state.reason,
            "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (25/07/24 07:21:00)] was greater than the upper "
            "thresholds [225.71426732099445] (minimum 1 datapoint for OK -> ALARM transition).");
  EXPECT_EQ(alarm.state.reason_data,
            R"({"version":"1.0","queryDate":"2024-07-25T07:22:32.386+0000","startDate":"2024-07-25T07:21:00.000+0000",)"
            R"("period":60,"recentDatapoints":[239.0],"recentUpperThresholds":[225.71426732099445],)"
            R"("evaluatedDatapoints":[{"timestamp":"2024-07-25T07:21:00.000+0000","value":239.0,)"
            R"("threshold":225.71426732099445}]})");
  const EvaluationResult ok = Transition({def,
                                          {{Utc(2024, 7, 25, 6, 59, 0), 209.0, 1, 100.0, 330.3191408914422}},
                                          Utc(2024, 7, 25, 7, 0, 44, 734),
                                          StateValue::kAlarm});
  EXPECT_EQ(ok.state.reason,
            "Thresholds Crossed: 1 out of the last 1 datapoints [209.0 (25/07/24 06:59:00)] was not greater than the "
            "upper thresholds [330.3191408914422] (minimum 1 datapoint for ALARM -> OK transition).");
  EXPECT_EQ(ok.state.reason_data,
            R"({"version":"1.0","queryDate":"2024-07-25T07:00:44.734+0000","startDate":"2024-07-25T06:59:00.000+0000",)"
            R"("period":60,"recentDatapoints":[209.0],"recentUpperThresholds":[330.3191408914422],)"
            R"("evaluatedDatapoints":[{"timestamp":"2024-07-25T06:59:00.000+0000","value":209.0,)"
            R"("threshold":330.3191408914422}]})");
}

TEST(StateReasonTest, BandLowerOnlyListsBoundsInDatapointOrder) {
  const AlarmDefinition def = Band(ComparisonOperator::kLessThanLowerThreshold, 3, 2);
  const EvaluationResult r = Transition({def,
                                         {{Utc(2026, 11, 27, 9, 58, 0), 1.0, 1, 2.0, 9.0},
                                          {Utc(2026, 11, 27, 9, 59, 0), 5.0, 1, 2.5, 9.0},
                                          {Utc(2026, 11, 27, 10, 0, 0), 1.5, 1, 3.0, 9.0}},
                                         Utc(2026, 11, 27, 10, 1, 2),
                                         StateValue::kOk});
  EXPECT_EQ(r.state.reason,
            "Thresholds Crossed: 2 out of the last 3 datapoints [1.5 (27/11/26 10:00:00), 1.0 (27/11/26 09:58:00)] "
            "were less than the lower thresholds [3.0, 2.0] (minimum 2 datapoints for OK -> ALARM transition).");
}

// ---------------------------------------------------------------------------
// What a transition hands on: the history item and the actions.

TEST(TransitionTest, HistoryItemAndActions) {
  AlarmDefinition def = Alarm(1, 1, ComparisonOperator::kGreaterThanThreshold, 80, seconds(300));
  const WallTime now = Utc(2026, 11, 27, 10, 5, 10);
  const Datapoint p{Utc(2026, 11, 27, 10, 0, 0), 85.0, 5};
  const AlarmState previous = Previous(StateValue::kOk);
  const EvaluationResult r = Evaluate(def, {&p, 1}, now, previous);
  ASSERT_TRUE(r.history.has_value());
  EXPECT_EQ(r.history->alarm_name, "test-alarm");
  EXPECT_EQ(r.history->timestamp, now);
  EXPECT_EQ(r.history->type, HistoryItemType::kStateUpdate);
  EXPECT_EQ(r.history->summary, "Alarm updated from OK to ALARM");
  EXPECT_EQ(r.history->data, R"({"version":"1.0","oldState":{"stateValue":"OK","stateReason":"previous reason"},)"
                             R"("newState":{"stateValue":"ALARM","stateReason":)" +
                                 JsonQuote(r.state.reason) + ",\"stateReasonData\":" + r.state.reason_data + "}}");
  EXPECT_EQ(r.actions, def.alarm_actions);

  // Back to OK: OKActions; to INSUFFICIENT_DATA: InsufficientDataActions.
  const Datapoint low{Utc(2026, 11, 27, 10, 5, 0), 10.0, 5};
  EXPECT_EQ(Evaluate(def, {&low, 1}, now + seconds(300), r.state).actions, def.ok_actions);
  EXPECT_EQ(Evaluate(def, {}, now + seconds(300), r.state).actions, def.insufficient_data_actions);

  // ActionsEnabled false: the state still changes, nothing is invoked.
  def.actions_enabled = false;
  const EvaluationResult silent = Evaluate(def, {&p, 1}, now, previous);
  EXPECT_TRUE(silent.changed);
  EXPECT_TRUE(silent.actions.empty());

  // No change, no history, no actions (actions fire only on a change).
  def.actions_enabled = true;
  const EvaluationResult same = Evaluate(def, {&p, 1}, now, r.state);
  EXPECT_FALSE(same.changed);
  EXPECT_FALSE(same.history.has_value());
  EXPECT_TRUE(same.actions.empty());
  EXPECT_EQ(same.state.updated, r.state.updated);
}

}  // namespace
}  // namespace dbinsight::alarm

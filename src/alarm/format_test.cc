// CloudWatch text forms: Java doubles as AWS prints them, reason timestamps,
// JSON quoting, and the StateUpdate history document.
#include "alarm/format.h"

#include <gtest/gtest.h>

#include "alarm/state.h"
#include "alarm/test_time.h"

namespace dbinsight::alarm {
namespace {

TEST(JavaDoubleTest, PrintsAsCloudWatchDoes) {
  struct Case {
    double value;
    const char* text;
  };
  // Left: values from real StateReason/StateReasonData texts and Java's
  // Double.toString rules (decimal in [1e-3, 1e7), else d.dddE±n).
  const Case cases[] = {
      {80, "80.0"},
      {0, "0.0"},
      {-0.0, "-0.0"},
      {10.25, "10.25"},
      {-2.5, "-2.5"},
      {100, "100.0"},
      {0.0666851903306472, "0.0666851903306472"},
      {99.50160229693434, "99.50160229693434"},
      {0.19726775956284198, "0.19726775956284198"},
      {225.71426732099445, "225.71426732099445"},
      {0.001, "0.001"},
      {0.000999, "9.99E-4"},
      {1.5e-4, "1.5E-4"},
      {9999999, "9999999.0"},
      {1e7, "1.0E7"},
      {123456789, "1.23456789E8"},
      {-1e-10, "-1.0E-10"},
  };
  for (const Case& c : cases) EXPECT_EQ(JavaDouble(c.value), c.text) << c.text;
}

TEST(ReasonTimeTest, UsesAwsLayouts) {
  EXPECT_EQ(ReasonTime(Utc(2026, 11, 27, 10, 0, 0)), "27/11/26 10:00:00");
  EXPECT_EQ(ReasonTime(Utc(2019, 10, 3, 15, 58, 0, 999)), "03/10/19 15:58:00");
  EXPECT_EQ(ReasonDataTime(Utc(2024, 7, 25, 7, 22, 32, 386)), "2024-07-25T07:22:32.386+0000");
  EXPECT_EQ(ReasonDataTime(Utc(2024, 2, 16, 10, 2, 0)), "2024-02-16T10:02:00.000+0000");
}

TEST(JsonTest, QuotesAndBuilds) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  EXPECT_EQ(JsonQuote("Unicode: é"), "\"Unicode: é\"");
  EXPECT_EQ(JsonObject({JsonMember("a", "1"), JsonMember("b", JsonArray({"2", "3"}))}), "{\"a\":1,\"b\":[2,3]}");
  EXPECT_EQ(JsonArray({}), "[]");
}

TEST(StateTest, NamesRoundTrip) {
  for (StateValue v : {StateValue::kOk, StateValue::kAlarm, StateValue::kInsufficientData}) {
    Result<StateValue> parsed = ParseStateValue(Name(v));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, v);
  }
  EXPECT_FALSE(ParseStateValue("Alarm").ok());
  EXPECT_EQ(Name(HistoryItemType::kStateUpdate), "StateUpdate");
}

TEST(StateTest, InitialStateIsUncheckedInsufficientData) {
  const WallTime t = Utc(2026, 11, 27, 9, 0, 0);
  const AlarmState s = InitialState(t);
  EXPECT_EQ(s.value, StateValue::kInsufficientData);
  EXPECT_EQ(s.reason, "Unchecked: Initial alarm creation");
  EXPECT_TRUE(s.reason_data.empty());
  EXPECT_EQ(s.updated, t);
  EXPECT_EQ(s.transitioned, t);
}

// The DescribeAlarmHistory example of the AWS CLI reference: an alarm set to
// ALARM by SetAlarmState ("testing purposes", no reason data) going to OK.
TEST(StateTest, StateUpdateItemMatchesAwsHistoryData) {
  const AlarmState from{StateValue::kAlarm, "testing purposes", "", Utc(2014, 4, 9, 18, 59, 5),
                        Utc(2014, 4, 9, 18, 59, 5)};
  const std::string data =
      R"({"version":"1.0","queryDate":"2014-04-09T18:59:06.419+0000","startDate":"2014-04-09T18:44:00.000+0000",)"
      R"("statistic":"Average","period":300,"recentDatapoints":[38.958,40.292],"threshold":70.0})";
  const AlarmState to{StateValue::kOk, "Threshold Crossed: 2 datapoints were not greater than the threshold (70.0).",
                      data, Utc(2014, 4, 9, 18, 59, 6, 442), Utc(2014, 4, 9, 18, 59, 6, 442)};
  const HistoryItem item = StateUpdateItem("myalarm", from, to);
  EXPECT_EQ(item.alarm_name, "myalarm");
  EXPECT_EQ(item.timestamp, to.updated);
  EXPECT_EQ(item.type, HistoryItemType::kStateUpdate);
  EXPECT_EQ(item.summary, "Alarm updated from ALARM to OK");
  EXPECT_EQ(item.data,
            R"({"version":"1.0","oldState":{"stateValue":"ALARM","stateReason":"testing purposes"},)"
            R"("newState":{"stateValue":"OK","stateReason":"Threshold Crossed: 2 datapoints were not greater than )"
            R"(the threshold (70.0).","stateReasonData":)" +
                data + "}}");
}

TEST(StateTest, StateUpdateItemEscapesUserReasons) {
  const WallTime t = Utc(2026, 1, 1, 0, 0, 0);
  const AlarmState from{StateValue::kOk, "said \"hi\"\nthen left", "", t, t};
  const AlarmState to{StateValue::kInsufficientData, "x", "", t, t};
  EXPECT_EQ(StateUpdateItem("a", from, to).data,
            R"({"version":"1.0","oldState":{"stateValue":"OK","stateReason":"said \"hi\"\nthen left"},)"
            R"("newState":{"stateValue":"INSUFFICIENT_DATA","stateReason":"x"}})");
}

}  // namespace
}  // namespace dbinsight::alarm

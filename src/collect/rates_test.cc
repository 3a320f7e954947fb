#include "collect/rates.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dbinsight::collect {
namespace {

using model::MetricKind;

model::Readings At(double epoch, std::vector<model::Reading> values) {
  return {FromEpochSeconds(epoch), std::move(values)};
}

double ValueOf(const model::MetricSample& s, const std::string& name) {
  for (const auto& p : s.points)
    if (p.name == name) return p.value;
  ADD_FAILURE() << name << " missing";
  return -1;
}

TEST(CounterRatesTest, FirstReadingIsBaselineThenRatePerSecond) {
  CounterRates rates;
  auto first = rates.Next("i", At(100, {{"c", 1000, MetricKind::kCounter}, {"g", 7, MetricKind::kGauge}}));
  ASSERT_EQ(first.points.size(), 1u);  // the gauge only
  EXPECT_EQ(ValueOf(first, "g"), 7);
  auto second = rates.Next("i", At(102, {{"c", 1100, MetricKind::kCounter}, {"g", 8, MetricKind::kGauge}}));
  EXPECT_DOUBLE_EQ(ValueOf(second, "c"), 50);
  EXPECT_EQ(second.time, FromEpochSeconds(102));
}

TEST(CounterRatesTest, DecreaseIsAResetCountedFromZero) {
  CounterRates rates;
  rates.Next("i", At(100, {{"c", 5000, MetricKind::kCounter}}));
  auto after_restart = rates.Next("i", At(101, {{"c", 30, MetricKind::kCounter}}));
  EXPECT_DOUBLE_EQ(ValueOf(after_restart, "c"), 30);
  auto next = rates.Next("i", At(102, {{"c", 40, MetricKind::kCounter}}));
  EXPECT_DOUBLE_EQ(ValueOf(next, "c"), 10);
}

TEST(CounterRatesTest, ClearDropsBaselinesAndNonFiniteValuesAreSkipped) {
  CounterRates rates;
  rates.Next("i", At(100, {{"c", 10, MetricKind::kCounter}}));
  rates.Clear();
  EXPECT_TRUE(rates.Next("i", At(200, {{"c", 20, MetricKind::kCounter}})).points.empty());
  EXPECT_TRUE(rates.Next("i", At(201, {{"g", std::nan(""), MetricKind::kGauge}})).points.empty());
}

model::StatementCounters Stmt(const std::string& db_id, double calls, double time_ms) {
  return {"T" + db_id, db_id, "select " + db_id, {{"calls", calls}, {"total_time", time_ms}}};
}

model::StatementReadings Stmts(double epoch, std::vector<model::StatementCounters> s, double reset = 0) {
  model::StatementReadings r;
  r.time = FromEpochSeconds(epoch);
  r.statements = std::move(s);
  r.reset_epoch = reset;
  return r;
}

TEST(StatementDeltasTest, DeltasOfStatementsThatRan) {
  StatementDeltas d;
  EXPECT_FALSE(d.Next("i", Stmts(60, {Stmt("1", 10, 5), Stmt("2", 3, 1)}), true));
  auto out = d.Next("i", Stmts(120, {Stmt("1", 1010, 105), Stmt("2", 3, 1), Stmt("3", 4, 2)}), true);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->from, FromEpochSeconds(60));
  EXPECT_EQ(out->to, FromEpochSeconds(120));
  ASSERT_EQ(out->statements.size(), 2u);  // "2" did not run
  EXPECT_EQ(out->statements[0].tokenized_id, "T1");
  EXPECT_DOUBLE_EQ(out->statements[0].deltas[0].second, 1000);
  EXPECT_DOUBLE_EQ(out->statements[0].deltas[1].second, 100);
  EXPECT_EQ(out->statements[1].tokenized_db_id, "3");  // new since the last read
  EXPECT_DOUBLE_EQ(out->statements[1].deltas[0].second, 4);
}

TEST(StatementDeltasTest, NewEntryOfACappedReadIsOnlyBaselined) {
  StatementDeltas d;
  d.Next("i", Stmts(60, {Stmt("1", 10, 5)}), false);
  auto out = d.Next("i", Stmts(120, {Stmt("1", 10, 5), Stmt("9", 500000, 9)}), false);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->statements.empty());
  out = d.Next("i", Stmts(180, {Stmt("9", 500010, 10)}), false);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_DOUBLE_EQ(out->statements[0].deltas[0].second, 10);
}

TEST(StatementDeltasTest, ResetAfterLastReadCountsEverythingFromZero) {
  StatementDeltas d;
  d.Next("i", Stmts(60, {Stmt("1", 1000, 5)}, 10), true);
  // pg_stat_statements_reset() at t=90: counts since then all belong here,
  // even though 7 < 1000 would otherwise also read as a reset.
  auto out = d.Next("i", Stmts(120, {Stmt("1", 1007, 6)}, 90), true);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_DOUBLE_EQ(out->statements[0].deltas[0].second, 1007);
}

TEST(StatementDeltasTest, StatementWithoutTextIsBaselinedNotEmitted) {
  StatementDeltas d;
  auto unnamed = Stmt("5", 10, 1);
  unnamed.tokenized_id.clear();
  d.Next("i", Stmts(60, {unnamed}), true);
  unnamed.counters[0].second = 20;
  EXPECT_TRUE(d.Next("i", Stmts(120, {unnamed}), true)->statements.empty());
  auto named = Stmt("5", 25, 1);
  auto out = d.Next("i", Stmts(180, {named}), true);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_DOUBLE_EQ(out->statements[0].deltas[0].second, 5);
}

}  // namespace
}  // namespace dbinsight::collect

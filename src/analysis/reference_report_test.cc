// The reference analyzer over a real store with a known hour of samples:
// its averages are checked against the direct computation from the samples.
#include "analysis/reference_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::analysis {
namespace {

class ReferenceReportTest : public ::testing::Test {
 protected:
  // The hour before t0_+3600: every second 3 sessions on Lock:transactionid
  // running the long UPDATE; the first 40 minutes 1 more on CPU running a
  // SELECT; seconds 1000..1199 never sampled.
  static bool Sampled(int i) { return i < 1000 || i >= 1200; }
  std::vector<std::pair<std::string, std::string>> Sessions(int i) const {  // (wait, sql)
    std::vector<std::pair<std::string, std::string>> out(3, {"Lock:transactionid", long_update_});
    if (i < 2400) out.push_back({"CPU", "select $1"});
    return out;
  }
  // The direct computation: per 300 s period the sessions' sum over the
  // seconds sampled divided by their number (Performance Insights' average
  // active sessions), then the mean over the periods with samples.
  double Expected(bool by_wait, const std::string& key) const {
    double sum_of_periods = 0;
    int periods = 0;
    for (int p = 0; p < 3600; p += 300) {
      int seconds = 0;
      double sessions = 0;
      for (int i = p; i < p + 300; ++i) {
        if (!Sampled(i)) continue;
        ++seconds;
        for (const auto& [wait, sql] : Sessions(i)) sessions += (by_wait ? wait : sql) == key;
      }
      if (seconds == 0) continue;
      sum_of_periods += sessions / seconds;
      ++periods;
    }
    return sum_of_periods / periods;
  }

  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-analysis");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    auto s = store::Store::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s.value());
    for (int i = 0; i < 3600; ++i) {
      if (!Sampled(i)) continue;
      model::Sample smp{"pg1", FromEpochSeconds(t0_ + i), {}, 0};
      for (const auto& [wait, sql] : Sessions(i))
        smp.active.push_back(testing::MakeSessionRow({.wait = wait, .sql = sql}));
      ASSERT_TRUE(store_->AppendSample(smp).ok());
    }
    auto m = store::MetricStore::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(m.ok());
    metrics_ = std::move(m.value());
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
  }

  const int64_t t0_ = 1700000000 - 1700000000 % 3600;
  const std::string long_update_ = "update accounts set balance = balance + $1, note = $2 where id = $3 and " +
                                   std::string(200, 'x') + " = $4";
  std::unique_ptr<testing::TempDir> tmp_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
};

TEST_F(ReferenceReportTest, AveragesOfThe300SecondPointsAgainstTheThresholds) {
  auto r = AnalyzeReference(*engine_, "pg1", FromEpochSeconds(t0_ + 3600));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Two wait events and two statements were returned.
  EXPECT_EQ(r->metrics_analyzed, 4);
  ASSERT_EQ(r->high_load_events.size(), 1u);
  EXPECT_EQ(r->high_load_events[0].wait_event, "Lock:transactionid");
  EXPECT_DOUBLE_EQ(r->high_load_events[0].average_load, Expected(true, "Lock:transactionid"));
  EXPECT_DOUBLE_EQ(r->high_load_events[0].average_load, 3.0);
  // CPU: 1.0 in 8 of the 12 periods, 0 in the last 4: 0.67 is below 1.0,
  // but its statement is above 0.5.
  EXPECT_DOUBLE_EQ(Expected(true, "CPU"), 8.0 / 12);
  ASSERT_EQ(r->problematic_queries.size(), 2u);
  EXPECT_DOUBLE_EQ(r->problematic_queries[0].average_load, Expected(false, long_update_));
  EXPECT_EQ(r->problematic_queries[0].sql_statement, ShortStatement(long_update_));
  EXPECT_EQ(r->problematic_queries[0].sql_statement.size(), 203u);
  EXPECT_EQ(r->problematic_queries[1].sql_statement, "select $1");
  EXPECT_NEAR(r->problematic_queries[1].average_load, Expected(false, "select $1"), 1e-12);
  EXPECT_EQ(r->recommendations.size(), 3u);
}

TEST_F(ReferenceReportTest, ThresholdsAreOptions) {
  ReferenceOptions o;
  o.high_load_threshold = 0.5;
  o.problematic_query_threshold = 2.0;
  auto r = AnalyzeReference(*engine_, "pg1", FromEpochSeconds(t0_ + 3600), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->high_load_events.size(), 2u);
  EXPECT_EQ(r->problematic_queries.size(), 1u);
}

TEST_F(ReferenceReportTest, TheRecipesJsonDocument) {
  auto r = AnalyzeReference(*engine_, "pg1", FromEpochSeconds(t0_ + 3600));
  ASSERT_TRUE(r.ok());
  auto doc = nlohmann::json::parse(r->ToJson());
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"high_load_events", "metrics_analyzed", "problematic_queries",
                                            "recommendations", "timestamp"}));
  EXPECT_EQ(doc["timestamp"], "2023-11-14T23:00:00Z");
  EXPECT_EQ(doc["high_load_events"][0]["wait_event"], "Lock:transactionid");
  EXPECT_EQ(doc["problematic_queries"][1]["sql_statement"], "select $1");
}

TEST_F(ReferenceReportTest, QuietHourRecommendsNothingToDo) {
  auto r = AnalyzeReference(*engine_, "pg1", FromEpochSeconds(t0_ + 3 * 3600));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metrics_analyzed, 0);
  ASSERT_EQ(r->recommendations.size(), 1u);
  EXPECT_NE(r->recommendations[0].find("No wait event above 1.0"), std::string::npos);
}

TEST(ShortStatementTest, CutsAt200CharactersNeverInsideOne) {
  EXPECT_EQ(ShortStatement("select 1"), "select 1");
  EXPECT_EQ(ShortStatement(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(ShortStatement(std::string(201, 'a')), std::string(200, 'a') + "...");
  const std::string umlauts = std::string(199, 'a') + "\xc3\xa4\xc3\xa4";  // the 200th byte starts an ä
  EXPECT_EQ(ShortStatement(umlauts), std::string(199, 'a') + "...");
}

}  // namespace
}  // namespace dbinsight::analysis

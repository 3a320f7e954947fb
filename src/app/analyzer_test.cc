// ScheduledAnalyzer over real stores: the report lands in the versioned
// bucket under the recipe's key, the two counts are published where the
// recipe's alarms read them, the schedule decides when, and a failed run is
// retried and visible.
#include "app/analyzer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::app {
namespace {

// 2023-11-14 22:00:00 UTC.
constexpr int64_t kT0 = 1699999200;

class AnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-analyzer");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    const std::string dir = tmp_->path().string();
    auto s = store::Store::Open({.directory = dir}, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s.value());
    // An hour with 2 sessions on a lock and 1 on CPU, every second.
    for (int i = 0; i < 3600; ++i) {
      model::Sample smp{"pg1", FromEpochSeconds(kT0 + i), {}, 0};
      smp.active.push_back(testing::MakeSessionRow({.wait = "Lock:tuple", .sql = "update t set v = $1"}));
      smp.active.push_back(testing::MakeSessionRow({.wait = "Lock:tuple", .sql = "update t set v = $1"}));
      smp.active.push_back(testing::MakeSessionRow({.wait = "CPU", .sql = "select $1"}));
      ASSERT_TRUE(store_->AppendSample(smp).ok());
    }
    auto m = store::MetricStore::Open({.directory = dir}, clock_);
    ASSERT_TRUE(m.ok());
    metric_store_ = std::move(m.value());
    pi_ = std::make_unique<pi::QueryEngine>(*store_, *metric_store_);
    metrics_ = std::make_unique<metrics::MetricEngine>(*metric_store_, clock_);
    auto b = bucket::BucketStore::Open(dir + "/buckets", clock_);
    ASSERT_TRUE(b.ok());
    buckets_ = std::move(b.value());
  }

  std::unique_ptr<ScheduledAnalyzer> Make(analysis::AnalyzerOptions o = {}) {
    return std::make_unique<ScheduledAnalyzer>(*pi_, *metrics_, *buckets_, std::vector<std::string>{"pg1"}, o);
  }
  double Published(const std::string& name) {
    metrics::StatisticsRequest r;
    r.metric = {kInsightsNamespace, name, {{"DBInstanceIdentifier", "pg1"}}};
    r.start = kT0;
    r.end = kT0 + 7200;
    r.period = 3600;
    r.statistics = {*metrics::ParseStatistic("Sum")};
    auto points = metrics_->GetStatistics(r);
    EXPECT_TRUE(points.ok()) << points.status().ToString();
    return points.ok() && !points->empty() ? points->back().values[0] : -1;
  }

  std::unique_ptr<testing::TempDir> tmp_;
  testing::ManualClock clock_{FromEpochSeconds(kT0 + 3600)};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metric_store_;
  std::unique_ptr<pi::QueryEngine> pi_;
  std::unique_ptr<metrics::MetricEngine> metrics_;
  std::unique_ptr<bucket::BucketStore> buckets_;
};

TEST_F(AnalyzerTest, ReportInTheVersionedBucketAndCountsPublished) {
  auto analyzer = Make();
  const WallTime at = FromEpochSeconds(kT0 + 3600);
  auto report = analyzer->Run("pg1", at);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->high_load_events.size(), 1u);     // Lock:tuple at 2.0
  EXPECT_EQ(report->problematic_queries.size(), 2u);  // 2.0 and 1.0
  EXPECT_EQ(ScheduledAnalyzer::ReportKey(at), "performance-reports/2023/11/14/23/analysis.json");
  auto stored = buckets_->Get("dbinsight-reports-pg1", ScheduledAnalyzer::ReportKey(at));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->body, report->ToJson());
  EXPECT_EQ(nlohmann::json::parse(stored->body)["high_load_events"][0]["wait_event"], "Lock:tuple");
  EXPECT_EQ(Published("HighLoadEvents"), 1);
  EXPECT_EQ(Published("ProblematicQueries"), 2);
  // A second run in the same hour overwrites the key; the first stays as a version.
  ASSERT_TRUE(analyzer->Run("pg1", at + std::chrono::minutes(15)).ok());
  bucket::VersionListRequest versions;
  versions.prefix = ScheduledAnalyzer::ReportKey(at);
  auto listed = buckets_->ListVersions("dbinsight-reports-pg1", versions);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->versions.size(), 2u);
  EXPECT_EQ(analyzer->StatusOf("pg1").last_report_key, ScheduledAnalyzer::ReportKey(at));
  EXPECT_EQ(analyzer->StatusOf("pg1").top_finding.rfind("Wait event Lock:tuple averaged 2.00", 0), 0u);
  EXPECT_FALSE(analyzer->Run("nope", at).ok());
  EXPECT_EQ(analyzer->BucketOf("Orders_DB.eu"), "dbinsight-reports-orders-db.eu");
}

TEST_F(AnalyzerTest, RunsOnTheScheduleAndRetriesFailures) {
  analysis::AnalyzerOptions o;
  o.bucket = "Not_A_Valid_Bucket";  // every store fails
  o.retry_after = std::chrono::seconds(60);
  auto analyzer = Make(o);
  const WallTime start = FromEpochSeconds(kT0 + 3600 + 30);  // 23:00:30
  const auto first = analyzer->NextDue(start);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(ToEpochSeconds(*first), kT0 + 3600 + 900);  // 23:15:00
  EXPECT_TRUE(analyzer->RunDue(start).ok());             // nothing due yet
  EXPECT_FALSE(analyzer->StatusOf("pg1").last_attempt.has_value());
  EXPECT_FALSE(analyzer->RunDue(*first).ok());
  AnalyzerRunStatus s = analyzer->StatusOf("pg1");
  EXPECT_EQ(s.consecutive_failures, 1);
  EXPECT_FALSE(s.last_error.empty());
  // The retry comes a minute later, before the next firing.
  const auto retry = analyzer->NextDue(*first);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(ToEpochSeconds(*retry), kT0 + 3600 + 960);
  EXPECT_FALSE(analyzer->RunDue(*retry).ok());
  EXPECT_EQ(analyzer->StatusOf("pg1").consecutive_failures, 2);
}

TEST_F(AnalyzerTest, ARetryThatWorksClearsTheError) {
  auto analyzer = Make();
  const auto first = analyzer->NextDue(FromEpochSeconds(kT0 + 3600));
  ASSERT_TRUE(first.has_value());
  // A user-made unversioned bucket of the same name is used as it is.
  ASSERT_TRUE(buckets_->CreateBucket("dbinsight-reports-pg1", false).ok());
  EXPECT_TRUE(analyzer->RunDue(*first).ok());
  EXPECT_EQ(analyzer->StatusOf("pg1").consecutive_failures, 0);
  EXPECT_TRUE(analyzer->StatusOf("pg1").last_success.has_value());
  const auto next = analyzer->NextDue(*first);
  EXPECT_EQ(ToEpochSeconds(*next), ToEpochSeconds(*first) + 900);
}

}  // namespace
}  // namespace dbinsight::app

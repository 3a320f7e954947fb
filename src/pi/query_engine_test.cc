#include "pi/query_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::pi {
namespace {

class QueryEngineTest : public ::testing::Test {
 protected:
  // 10 minutes (t0 hour-aligned), second 300..309 never sampled. Every second:
  // 3 sleepers (user a); odd seconds also 2 lock waiters (user b).
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-pi");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    auto s = store::Store::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s.value());
    for (int i = 0; i < 600; ++i) {
      if (i >= 300 && i < 310) continue;
      // The lock waiters' blocker sits idle in transaction on odd seconds.
      model::Sample smp{"pg1", FromEpochSeconds(t0_ + i), {}, i % 2};
      for (int k = 0; k < 3; ++k) smp.active.push_back(testing::MakeSessionRow({.wait = "Timeout:PgSleep", .sql = "select pg_sleep($1)", .user = "a"}));
      if (i % 2)
        for (int k = 0; k < 2; ++k) smp.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = $1", .user = "b"}));
      ASSERT_TRUE(store_->AppendSample(smp).ok());
    }
    auto m = store::MetricStore::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(m.ok());
    metrics_ = std::move(m.value());
    engine_ = std::make_unique<QueryEngine>(*store_, *metrics_);
  }

  GetResourceMetricsRequest Req(const std::string& metric, std::optional<int> period) {
    GetResourceMetricsRequest r;
    r.instance_id = "pg1";
    r.start = FromEpochSeconds(t0_);
    r.end = FromEpochSeconds(t0_ + 600);
    r.period_seconds = period;
    r.queries.push_back({metric, std::nullopt, {}});
    return r;
  }

  const int64_t t0_ = 1700000000 - 1700000000 % 3600;
  std::unique_ptr<testing::TempDir> tmp_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryEngineTest, TotalLoadPerPeriodWithGapsAsMissingPoints) {
  auto r = engine_->GetResourceMetrics(Req("db.load.avg", 60));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 10u);
  EXPECT_DOUBLE_EQ(r->series[0].points[0].timestamp, t0_ + 60);  // END_TIME alignment
  EXPECT_DOUBLE_EQ(r->series[0].points[0].value, 4.0);
  auto secs = engine_->GetResourceMetrics(Req("db.load.max", 1));
  ASSERT_TRUE(secs.ok());
  EXPECT_EQ(secs->series[0].points.size(), 590u);  // the 10 unsampled seconds have no point
  auto mx = engine_->GetResourceMetrics(Req("db.load.max", 300));
  ASSERT_TRUE(mx.ok());
  EXPECT_DOUBLE_EQ(mx->series[0].points[0].value, 5);
  auto mn = engine_->GetResourceMetrics(Req("db.load.min", 300));
  EXPECT_DOUBLE_EQ(mn->series[0].points[1].value, 3);
}

TEST_F(QueryEngineTest, GroupByWaitAndFilterByUser) {
  auto req = Req("db.load.avg", 300);
  req.queries[0].group_by = DimensionGroup{"db.wait_event", {}, 5};
  auto r = engine_->GetResourceMetrics(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 3u);
  EXPECT_EQ(r->series[1].dimensions.at("db.wait_event.name"), "Timeout:PgSleep");
  EXPECT_EQ(r->series[1].dimensions.at("db.wait_event.type"), "Timeout");
  EXPECT_DOUBLE_EQ(r->series[1].points[0].value, 3);
  EXPECT_DOUBLE_EQ(r->series[2].points[0].value, 1);
  req.queries[0].filter = {{"db.user.name", "b"}};
  req.queries[0].metric = "db.load.max";
  auto f = engine_->GetResourceMetrics(req);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->series.size(), 2u);
  EXPECT_DOUBLE_EQ(f->series[0].points[0].value, 2);
  EXPECT_EQ(f->series[1].dimensions.at("db.wait_event.name"), "Lock:transactionid");
}

TEST_F(QueryEngineTest, DescribeDimensionKeysRanksAndPartitions) {
  DescribeDimensionKeysRequest req;
  req.instance_id = "pg1";
  req.start = FromEpochSeconds(t0_);
  req.end = FromEpochSeconds(t0_ + 600);
  req.metric = "db.load.avg";
  req.group_by = {"db.sql_tokenized", {}, 10};
  req.partition_by = DimensionGroup{"db.wait_event_type", {}, 10};
  req.additional_metrics = {"db.load.max"};
  auto r = engine_->DescribeDimensionKeys(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->keys.size(), 2u);
  EXPECT_EQ(r->keys[0].dimensions.at("db.sql_tokenized.statement"), "select pg_sleep($1)");
  EXPECT_NEAR(r->keys[0].total, 3, 1e-9);
  EXPECT_NEAR(r->keys[1].total, 1, 1e-9);
  ASSERT_EQ(r->partition_keys.size(), 2u);
  EXPECT_EQ(r->partition_keys[0].at("db.wait_event_type.name"), "Timeout");
  EXPECT_NEAR(r->keys[0].partitions[0], 3, 1e-9);
  EXPECT_NEAR(r->keys[0].partitions[1], 0, 1e-9);
  EXPECT_NEAR(r->keys[1].additional_metrics.at("db.load.max"), 1, 1e-9);
}

TEST_F(QueryEngineTest, SessionsWithoutSqlCountInTotalsButAreNeverListed) {
  for (int i = 600; i < 610; ++i) {
    model::SessionRow bg = testing::MakeSessionRow({.wait = "IO:DataFileWrite", .sql = "", .user = "postgres"});
    ASSERT_TRUE(store_->AppendSample({"pg1", FromEpochSeconds(t0_ + i), {bg}, 0}).ok());
  }
  auto req = Req("db.load.avg", 1);
  req.start = FromEpochSeconds(t0_ + 600);
  req.end = FromEpochSeconds(t0_ + 610);
  req.queries[0].group_by = DimensionGroup{"db.sql_tokenized", {}, 5};
  auto r = engine_->GetResourceMetrics(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points.size(), 10u);
  EXPECT_DOUBLE_EQ(r->series[0].points[0].value, 1);
}

TEST_F(QueryEngineTest, IdleInTransactionIsACounterBesideTheLoad) {
  auto avg = engine_->GetResourceMetrics(Req("db.state.idle_in_transaction_count.avg", 300));
  ASSERT_TRUE(avg.ok()) << avg.status().ToString();
  ASSERT_EQ(avg->series.size(), 1u);
  EXPECT_DOUBLE_EQ(avg->series[0].points[0].value, 0.5);
  auto mx = engine_->GetResourceMetrics(Req("db.state.idle_in_transaction_count.max", 1));
  ASSERT_TRUE(mx.ok());
  EXPECT_DOUBLE_EQ(mx->series[0].points[1].value, 1);
  auto req = Req("db.state.idle_in_transaction_count.avg", 60);
  req.queries[0].group_by = DimensionGroup{"db.wait_event", {}, 5};
  auto bad = engine_->GetResourceMetrics(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("MetricQueries[0].GroupBy"), std::string::npos);
  auto listed = engine_->AvailableMetrics("pg1", "postgres", {"db"});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->back().metric, "db.state.idle_in_transaction_count");
}

TEST_F(QueryEngineTest, StoredMetricsPerPeriodWithEveryStatistic) {
  // A rate stored every second for two minutes: value i at second i.
  for (int i = 0; i < 120; ++i) {
    model::MetricSample m{"pg1", FromEpochSeconds(t0_ + i), {{"db.Transactions.xact_commit", double(i)}}};
    if (i < 60) m.points.push_back({"os.cpuUtilization.user", 25});
    ASSERT_TRUE(metrics_->AppendMetricSample(m).ok());
  }
  auto req = Req("db.Transactions.xact_commit.avg", 60);
  for (const char* stat : {"min", "max", "sum"})
    req.queries.push_back({std::string("db.Transactions.xact_commit.") + stat, std::nullopt, {}});
  auto r = engine_->GetResourceMetrics(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 4u);
  ASSERT_EQ(r->series[0].points.size(), 2u);  // minutes without values have no point
  EXPECT_DOUBLE_EQ(r->series[0].points[0].value, 29.5);
  EXPECT_DOUBLE_EQ(r->series[0].points[1].timestamp, double(t0_ + 120));  // END_TIME alignment
  EXPECT_DOUBLE_EQ(r->series[1].points[1].value, 60);
  EXPECT_DOUBLE_EQ(r->series[2].points[1].value, 119);
  EXPECT_DOUBLE_EQ(r->series[3].points[0].value, 1770);  // the count over the minute
  auto listed = engine_->AvailableMetrics("pg1", "postgres", {"os"});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].metric, "os.cpuUtilization.user");
  EXPECT_EQ((*listed)[0].unit, "Percent");
  req = Req("db.Transactions.xact_commit.avg", 60);
  req.queries[0].group_by = DimensionGroup{"db.wait_event", {}, 5};
  auto grouped = engine_->GetResourceMetrics(req);
  ASSERT_FALSE(grouped.ok());
  EXPECT_NE(grouped.status().message().find("MetricQueries[0].GroupBy"), std::string::npos);
  auto unknown = engine_->GetResourceMetrics(Req("db.NoSuch.thing.avg", 60));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("MetricQueries[0].Metric"), std::string::npos);
}

TEST_F(QueryEngineTest, PerSqlStatisticsJoinTheirStatementKeys) {
  // Two 60-s intervals of statistics for the sleeper statement (db_id "Dselect pg_sleep($1)").
  for (int k = 1; k <= 2; ++k) {
    model::StatementStatsSample s{"pg1", FromEpochSeconds(t0_ + 60 * (k - 1)), FromEpochSeconds(t0_ + 60 * k), {}};
    s.statements.push_back({"Tselect pg_sleep($1)", "Dselect pg_sleep($1)", "select pg_sleep($1)",
                            {{"calls", 600}, {"total_time", 1200}, {"rows", 600}}});
    ASSERT_TRUE(metrics_->AppendStatementSample(s).ok());
  }
  DescribeDimensionKeysRequest req;
  req.instance_id = "pg1";
  req.start = FromEpochSeconds(t0_);
  req.end = FromEpochSeconds(t0_ + 600);
  req.metric = "db.load.avg";
  req.group_by = DimensionGroup{"db.sql_tokenized", {}, 10};
  req.additional_metrics = {"db.sql_tokenized.stats.calls_per_sec.avg", "db.sql_tokenized.stats.calls_per_sec.sum",
                            "db.sql_tokenized.stats.avg_latency_per_call.avg",
                            "db.sql_tokenized.stats.rows_per_call.avg"};
  auto r = engine_->DescribeDimensionKeys(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->keys.size(), 2u);
  const auto& sleeper = r->keys[0];  // 3 sessions: ranked first
  EXPECT_EQ(sleeper.dimensions.at("db.sql_tokenized.statement"), "select pg_sleep($1)");
  EXPECT_DOUBLE_EQ(sleeper.additional_metrics.at("db.sql_tokenized.stats.calls_per_sec.avg"), 10);
  EXPECT_DOUBLE_EQ(sleeper.additional_metrics.at("db.sql_tokenized.stats.calls_per_sec.sum"), 1200);
  EXPECT_DOUBLE_EQ(sleeper.additional_metrics.at("db.sql_tokenized.stats.avg_latency_per_call.avg"), 2);
  EXPECT_DOUBLE_EQ(sleeper.additional_metrics.at("db.sql_tokenized.stats.rows_per_call.avg"), 1);
  EXPECT_TRUE(r->keys[1].additional_metrics.empty());  // no statistics for the update
  // Over time, filtered to the statement.
  auto series = Req("db.sql_tokenized.stats.calls_per_sec.avg", 60);
  series.queries[0].filter = {{"db.sql_tokenized.id", "Tselect pg_sleep($1)"}};
  auto g = engine_->GetResourceMetrics(series);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->series[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(g->series[0].points[0].value, 10);
  // Statistics need a statement group; per-call values have no .sum.
  req.group_by = DimensionGroup{"db.wait_event", {}, 10};
  auto bad = engine_->DescribeDimensionKeys(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("AdditionalMetrics[0]"), std::string::npos);
  auto no_sum = engine_->GetResourceMetrics(Req("db.sql_tokenized.stats.rows_per_call.sum", 60));
  ASSERT_FALSE(no_sum.ok());
}

TEST_F(QueryEngineTest, QueriesStayConsistentWhileNewStatementsArrive) {
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        auto req = Req("db.load.avg", 1);
        req.start = FromEpochSeconds(t0_ + 600);
        req.end = FromEpochSeconds(t0_ + 900);
        req.queries[0].group_by = DimensionGroup{"db.sql_tokenized", {}, 3};
        req.queries[0].filter = {{"db.user.name", "c"}};
        auto res = engine_->GetResourceMetrics(req);
        // Each second holds one session of user c: the total is 1 wherever sampled.
        if (!res.ok()) ++errors;
        else
          for (const auto& p : res->series[0].points)
            if (p.value != 1) ++errors;
      }
    });
  }
  // Every second brings a statement never seen before: new keys, new combinations.
  for (int i = 600; i < 900; ++i) {
    model::Sample smp{"pg1", FromEpochSeconds(t0_ + i), {}, 0};
    smp.active.push_back(testing::MakeSessionRow({.sql = "select " + std::to_string(i), .user = "c"}));
    ASSERT_TRUE(store_->AppendSample(smp).ok());
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors, 0);
}

TEST_F(QueryEngineTest, InvalidInputNamesTheParameter) {
  auto bad = engine_->GetResourceMetrics(Req("db.load", 60));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("MetricQueries[0].Metric"), std::string::npos);
  auto req = Req("db.load.avg", 60);
  req.queries[0].group_by = DimensionGroup{"db.wait_event", {"db.user.name"}, 5};
  auto g = engine_->GetResourceMetrics(req);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("MetricQueries[0].GroupBy.Dimensions[0]"), std::string::npos);
  EXPECT_FALSE(engine_->GetResourceMetrics(Req("db.load.avg", 7)).ok());
  auto d = engine_->GetDimensionKeyDetails("pg1", "db.sql", "Sselect pg_sleep($1)", {"statement"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)[0].dimension, "db.sql.statement");
  EXPECT_EQ((*d)[0].value, "select pg_sleep($1)");
}

}  // namespace
}  // namespace dbinsight::pi

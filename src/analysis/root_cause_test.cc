// Root-cause analysis over a real store with known seconds of samples (and
// per-SQL statistics): the episodes, shares, findings and their order are
// checked against what was written.
#include "analysis/root_cause.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::analysis {
namespace {

const std::string kUpdate = "update accounts set balance = balance + $1 where id = $2";
const std::string kSelect = "select * from accounts where id = $1";
const std::string kReport = "select region, sum(amount) from orders group by region";

class RootCauseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-root-cause");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    auto s = store::Store::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s.value());
    auto m = store::MetricStore::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(m.ok());
    metrics_ = std::move(m.value());
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
  }

  // Seconds [from, to) relative to t0_, each with these sessions.
  void Sessions(int from, int to, const std::vector<testing::SessionSpec>& sessions, int idle_in_transaction = 0) {
    for (int i = from; i < to; ++i) {
      model::Sample smp{"pg1", FromEpochSeconds(static_cast<double>(t0_ + i)), {}, idle_in_transaction};
      for (const auto& spec : sessions) smp.active.push_back(testing::MakeSessionRow(spec));
      ASSERT_TRUE(store_->AppendSample(smp).ok());
    }
  }
  static std::vector<testing::SessionSpec> Times(int n, testing::SessionSpec spec) { return {size_t(n), spec}; }

  // One 60-s statistics interval ending at t0_+end for each statement:
  // (text, calls, total ms, rows).
  void Stats(int end, const std::vector<std::tuple<std::string, double, double, double>>& statements) {
    model::StatementStatsSample s{"pg1",
                                  FromEpochSeconds(static_cast<double>(t0_ + end - 60)),
                                  FromEpochSeconds(static_cast<double>(t0_ + end)),
                                  {}};
    for (const auto& [text, calls, ms, rows] : statements)
      s.statements.push_back({"T" + text, "D" + text, text, {{"calls", calls}, {"rows", rows}, {"total_time", ms}}});
    ASSERT_TRUE(metrics_->AppendStatementSample(s).ok());
  }

  Report Analyze(int from, int to, int vcpus = 2) {
    model::InstanceInfo info;
    info.id = "pg1";
    info.engine = "postgres";
    info.vcpus = vcpus;
    auto r = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_ + from)),
                           FromEpochSeconds(static_cast<double>(t0_ + to)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : Report{};
  }

  static const Finding* Supporting(const Finding& f, const std::string& type) {
    for (const Finding& s : f.supporting)
      if (s.type == type) return &s;
    return nullptr;
  }

  const int64_t t0_ = 1700000000 - 1700000000 % 3600 + 2 * 86400;
  std::unique_ptr<testing::TempDir> tmp_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
};

TEST_F(RootCauseTest, LockEpisodeNamesTheStatementAndTheLockWait) {
  Sessions(0, 200, {});
  // Two minutes: 4 sessions queue on a row lock running the UPDATE, one runs
  // a SELECT on CPU; load 5 on 2 vCPUs.
  auto busy = Times(4, {.wait = "Lock:transactionid", .sql = kUpdate, .user = "billing", .application = "api"});
  busy.push_back({.wait = "CPU", .sql = kSelect});
  Sessions(200, 320, busy, 1);
  Sessions(320, 600, {});
  Report r = Analyze(0, 600);
  ASSERT_EQ(r.episodes.size(), 1u);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].start), t0_ + 200);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].end), t0_ + 320);
  EXPECT_DOUBLE_EQ(r.episodes[0].average_load, 5);
  EXPECT_EQ(r.threshold, 2);
  ASSERT_FALSE(r.episodes[0].by_sql.empty());
  EXPECT_EQ(r.episodes[0].by_sql[0].key, kUpdate);
  EXPECT_DOUBLE_EQ(r.episodes[0].by_sql[0].fraction, 0.8);
  EXPECT_EQ(r.episodes[0].by_user[0].key, "billing");
  EXPECT_EQ(r.episodes[0].by_wait_type[0].key, "Lock");

  ASSERT_FALSE(r.findings.empty());
  const Finding& top = r.findings[0];
  EXPECT_EQ(top.type, "LockWaits");
  EXPECT_TRUE(top.causal);
  EXPECT_EQ(top.severity, Severity::kHigh);
  EXPECT_NE(top.summary.find("Load 5.0 on 2 vCPUs"), std::string::npos) << top.summary;
  EXPECT_NE(top.summary.find("80% is `" + kUpdate + "` waiting on Lock:transactionid"), std::string::npos)
      << top.summary;
  std::string recs;
  for (const auto& rec : top.recommendations) recs += rec.text;
  EXPECT_NE(recs.find("idle_in_transaction_session_timeout"), std::string::npos);
  EXPECT_NE(recs.find("pg_blocking_pids"), std::string::npos);
  bool idle_evidence = false;
  for (const Evidence& e : top.evidence)
    idle_evidence |= e.display_name == "Sessions idle in a transaction" && e.value == 1;
  EXPECT_TRUE(idle_evidence);
  EXPECT_TRUE(r.lock_chains.empty());  // not captured yet

  // The stored form reads back to the same report.
  auto back = Report::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), r.ToJson());
  EXPECT_NE(r.Render(TextFormat::kPlainText).find("\"" + kUpdate + "\" waiting on Lock:transactionid"),
            std::string::npos);
  EXPECT_NE(r.Render(TextFormat::kMarkdown).find("# Root-cause report: pg1"), std::string::npos);
}

TEST_F(RootCauseTest, CpuEpisodeRecommendsTheTopCpuStatements) {
  Sessions(0, 100, {});
  Sessions(100, 160, Times(3, {.wait = "CPU", .sql = kReport}));
  Sessions(160, 300, {});
  Report r = Analyze(0, 300);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].type, "HighCPU");
  EXPECT_EQ(r.findings[0].severity, Severity::kHigh);
  EXPECT_NE(r.findings[0].summary.find("100% is `" + kReport + "` running on CPU"), std::string::npos)
      << r.findings[0].summary;
  ASSERT_FALSE(r.findings[0].recommendations.empty());
  EXPECT_EQ(r.findings[0].recommendations[0].id, "cpu-top-statements");
  EXPECT_NE(r.findings[0].recommendations[0].text.find(kReport), std::string::npos);
}

TEST_F(RootCauseTest, QuietWindowHasNoHighSeverityFinding) {
  Sessions(0, 600, {{.wait = "CPU", .sql = kSelect}});
  Report r = Analyze(0, 600);
  EXPECT_TRUE(r.episodes.empty());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].type, "NoHighLoad");
  EXPECT_EQ(r.findings[0].severity, Severity::kLow);
  EXPECT_DOUBLE_EQ(r.average_load, 1);
}

TEST_F(RootCauseTest, ShortSpikesAreNoEpisodeAndNearbyOnesMerge) {
  Sessions(0, 100, {});
  Sessions(100, 105, Times(4, {.wait = "CPU", .sql = kSelect}));  // 5 s: below min_high
  Sessions(105, 200, {});
  Sessions(200, 210, Times(4, {.wait = "IO:DataFileRead", .sql = kReport}));
  Sessions(210, 240, {});  // 30 s apart: the same episode
  Sessions(240, 250, Times(4, {.wait = "IO:DataFileRead", .sql = kReport}));
  Sessions(250, 400, {});
  Report r = Analyze(0, 400);
  ASSERT_EQ(r.episodes.size(), 1u);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].start), t0_ + 200);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].end), t0_ + 250);
  EXPECT_EQ(r.episodes[0].high_seconds, 20);
  EXPECT_EQ(r.findings[0].type, "IOWaits");
  // Average 80/50 = 1.6 is below 2 vCPUs: the peak alone makes it MEDIUM.
  EXPECT_EQ(r.findings[0].severity, Severity::kMedium);
}

TEST_F(RootCauseTest, MariaDbWaitNamesClassifyToo) {
  Sessions(0, 60, {});
  Sessions(60, 120, Times(3, {.wait = "wait/lock/innodb/row_lock", .sql = kUpdate}));
  model::InstanceInfo info;
  info.id = "pg1";
  info.engine = "mariadb";
  info.vcpus = 2;
  auto r = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_)),
                         FromEpochSeconds(static_cast<double>(t0_ + 120)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->findings.empty());
  EXPECT_EQ(r->findings[0].type, "LockWaits");
  std::string recs;
  for (const auto& rec : r->findings[0].recommendations) recs += rec.text;
  EXPECT_NE(recs.find("innodb_lock_wait_timeout"), std::string::npos);
}

TEST_F(RootCauseTest, RegressionAgainstTheDayBeforeAndNewStatements) {
  const int day = 86400;
  // The day before: the SELECT ran 10 calls/s at 1 ms per call, 1 row each.
  Sessions(-day, -day + 180, {{.wait = "CPU", .sql = kSelect}});
  for (int end = -day + 60; end <= -day + 180; end += 60) Stats(end, {{kSelect, 600, 600, 600}});
  // Today: 10 ms per call and 3 sessions on it, plus a new report query.
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  auto both = Times(3, {.wait = "CPU", .sql = kSelect});
  both.push_back({.wait = "CPU", .sql = kReport});
  Sessions(120, 180, both);
  for (int end = 60; end <= 240; end += 60) Stats(end, {{kSelect, 600, 6000, 600}, {kReport, 6, 3000, 10}});
  Report r = Analyze(0, 180);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_EQ(r.episodes[0].statements.size(), 2u);
  const StatementCheck& select = r.episodes[0].statements[0];
  EXPECT_EQ(select.statement, kSelect);
  EXPECT_EQ(select.comparison, "compared");
  ASSERT_TRUE(select.latency_ms_per_call && select.prev_latency_ms_per_call);
  EXPECT_DOUBLE_EQ(*select.latency_ms_per_call, 10);
  EXPECT_DOUBLE_EQ(*select.prev_latency_ms_per_call, 1);
  EXPECT_DOUBLE_EQ(*select.calls_per_sec, 10);
  EXPECT_EQ(r.episodes[0].statements[1].comparison, "new");

  ASSERT_FALSE(r.findings.empty());
  const Finding* regression = Supporting(r.findings[0], "SQLRegression");
  ASSERT_NE(regression, nullptr);
  EXPECT_EQ(regression->severity, Severity::kMedium);
  EXPECT_NE(regression->summary.find("latency per call 10.0 ms vs 1.0 ms the day before (10.0x)"), std::string::npos)
      << regression->summary;
  const Finding* fresh = Supporting(r.findings[0], "NewSQL");
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(fresh->summary.find(kReport), std::string::npos);
}

TEST_F(RootCauseTest, DayBeforeWithoutSampledLoadComparesCallsWeighted) {
  const int day = 86400;
  // The day before the SELECT ran too fast to be sampled: statistics only.
  // 600 calls at 1 ms, then 60 calls at 10 ms: 1200 ms / 660 calls.
  Stats(-day + 60, {{kSelect, 600, 600, 600}});
  Stats(-day + 120, {{kSelect, 60, 600, 60}});
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  for (int end = 60; end <= 180; end += 60) Stats(end, {{kSelect, 600, 6000, 600}});
  Report r = Analyze(0, 120);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.episodes[0].statements.empty());
  const StatementCheck& c = r.episodes[0].statements[0];
  EXPECT_EQ(c.comparison, "compared");
  ASSERT_TRUE(c.prev_latency_ms_per_call.has_value());
  EXPECT_DOUBLE_EQ(*c.prev_latency_ms_per_call, 1200.0 / 660);
  EXPECT_NE(Supporting(r.findings[0], "SQLRegression"), nullptr);
}

TEST_F(RootCauseTest, UnknownStatisticsWithoutHistoryAreNotNew) {
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  Stats(60, {{kSelect, 600, 600, 600}});
  Report r = Analyze(0, 120);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.episodes[0].statements.empty());
  EXPECT_EQ(r.episodes[0].statements[0].comparison, "no-history");
  EXPECT_EQ(Supporting(r.findings[0], "NewSQL"), nullptr);
}

TEST_F(RootCauseTest, EndBeforeStartIsInvalid) {
  model::InstanceInfo info;
  info.id = "pg1";
  EXPECT_FALSE(AnalyzeWindow(*engine_, info, FromEpochSeconds(10), FromEpochSeconds(5)).ok());
}

}  // namespace
}  // namespace dbinsight::analysis

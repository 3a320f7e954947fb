// IncidentLoop over a real store: sessions, lock waits, connection counters
// and per-SQL statistics appear in the stores as the collectors write them,
// and the loop, run once a second, opens each kind's incident within seconds
// and closes it after the quiet run.
#include "app/incident_loop.h"

#include <gtest/gtest.h>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::app {
namespace {

constexpr int64_t kT0 = 1700000000;

class IncidentLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-incident-loop");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    const std::string dir = tmp_->path().string();
    store_ = std::move(store::Store::Open({.directory = dir}, clock_).value());
    metrics_ = std::move(store::MetricStore::Open({.directory = dir}, clock_).value());
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
    incidents_ = std::move(analysis::IncidentStore::Open(dir).value());
    options_.high_load.run.close_after = std::chrono::seconds(10);
    options_.connections.run.close_after = std::chrono::seconds(10);
    options_.latency_regression.run.close_after = std::chrono::seconds(10);
    loop_ = std::make_unique<IncidentLoop>(*engine_, *incidents_, std::vector<WatchedInstance>{{"pg1", 2}}, options_,
                                           [this](const IncidentEvent& e) { events_.push_back(e); });
  }
  // The sampler's second i: `sessions` lock waiters, and `waits` as the lock waits it saw.
  void Sample(int i, int sessions, std::vector<model::LockWait> waits = {}) {
    model::Sample s{"pg1", FromEpochSeconds(kT0 + i), {}, 0, std::move(waits)};
    for (int k = 0; k < sessions; ++k)
      s.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = $1"}));
    ASSERT_TRUE(store_->AppendSample(s).ok());
  }
  // The events of one kind.
  std::vector<IncidentEvent> Events(const std::string& kind) const {
    std::vector<IncidentEvent> out;
    for (const auto& e : events_)
      if (e.incident.kind == kind) out.push_back(e);
    return out;
  }
  // Second i is sampled, then the loop runs a moment after it.
  void Tick(int i, int sessions) {
    Sample(i, sessions);
    ASSERT_TRUE(loop_->RunOnce(FromEpochSeconds(kT0 + i + 1.2)).ok());
  }

  std::unique_ptr<testing::TempDir> tmp_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
  std::unique_ptr<analysis::IncidentStore> incidents_;
  analysis::IncidentOptions options_;
  std::unique_ptr<IncidentLoop> loop_;
  std::vector<IncidentEvent> events_;
};

TEST_F(IncidentLoopTest, OpensWithinSecondsAndClosesAfterTheQuietRun) {
  for (int i = 0; i < 5; ++i) Tick(i, 1);
  int opened_at = -1;
  for (int i = 5; i < 30; ++i) {
    Tick(i, 4);  // 4 sessions on 2 vCPUs from second 5
    if (opened_at < 0 && !events_.empty()) opened_at = i;
  }
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_TRUE(events_[0].opened);
  // The run starts at second 5; its 5th second (9) is read one tick later.
  EXPECT_LE(opened_at - 5, 6);
  EXPECT_EQ(ToEpochSeconds(events_[0].incident.opened), kT0 + 5);
  EXPECT_NE(events_[0].incident.Summary().find("`update t set v = $1`"), std::string::npos);
  auto open = incidents_->List("pg1", true, 10);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).id, events_[0].id);

  for (int i = 30; i < 45; ++i) Tick(i, 0);
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_FALSE(events_[1].opened);
  EXPECT_EQ(ToEpochSeconds(*events_[1].incident.closed), kT0 + 30);
  auto all = incidents_->List("pg1", false, 10);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(ToEpochSeconds(*all->at(0).closed), kT0 + 30);
  EXPECT_DOUBLE_EQ(all->at(0).average, 4.0);
  EXPECT_DOUBLE_EQ(all->at(0).peak, 4.0);
}

TEST_F(IncidentLoopTest, CatchesUpAfterAStallWithoutReplayingTheHour) {
  for (int i = 0; i < 120; ++i) Sample(i, 4);
  // First run long after: only the last minute is read, and it opens once.
  ASSERT_TRUE(loop_->RunOnce(FromEpochSeconds(kT0 + 121)).ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_GE(ToEpochSeconds(events_[0].incident.opened), kT0 + 60);
}

TEST_F(IncidentLoopTest, ALockChainOpensWithinSecondsAndNamesTheBlocker) {
  // From second 5 one session waits for pid 4242, idle in transaction; the
  // chain is gone at second 30. Load stays under the vCPUs.
  int opened_at = -1;
  for (int i = 0; i < 45; ++i) {
    std::vector<model::LockWait> waits;
    if (i >= 5 && i < 30) {
      model::LockWait w;
      w.waiter_pid = 7;
      w.blocker_pid = 4242;
      w.wait_event = "Lock:transactionid";
      w.waiter_statement = "update t set v = $1";
      w.wait_seconds = i - 5;
      w.blocker_state = "idle in transaction";
      w.blocker_state_seconds = i;
      waits.push_back(w);
    }
    Sample(i, waits.empty() ? 0 : 1, waits);
    ASSERT_TRUE(loop_->RunOnce(FromEpochSeconds(kT0 + i + 1.2)).ok());
    if (opened_at < 0 && !events_.empty()) opened_at = i;
  }
  auto lock = Events("lock-chain");
  ASSERT_EQ(lock.size(), 2u);
  EXPECT_TRUE(lock[0].opened);
  // Waited 3 s at second 8, for 2 s at second 9, read a second later.
  EXPECT_EQ(opened_at, 10);
  EXPECT_NE(lock[0].incident.Summary().find("blocked by pid 4242 (idle in transaction"), std::string::npos)
      << lock[0].incident.Summary();
  EXPECT_FALSE(lock[1].opened);
  EXPECT_EQ(ToEpochSeconds(*lock[1].incident.closed), kT0 + 30);
  EXPECT_TRUE(Events("high-load").empty());
}

TEST_F(IncidentLoopTest, ConnectionsNearTheLimitOpenAndCloseFromTheCounters) {
  // 10 connections of 60, 54 from second 5 to 24, then 10 again.
  int opened_at = -1;
  for (int i = 0; i < 40; ++i) {
    const double n = i >= 5 && i < 25 ? 54 : 10;
    ASSERT_TRUE(
        metrics_
            ->AppendMetricSample(
                {"pg1", FromEpochSeconds(kT0 + i), {{"db.User.numbackends", n}, {"db.User.max_connections", 60}}})
            .ok());
    Tick(i, 1);
    if (opened_at < 0 && !events_.empty()) opened_at = i;
  }
  auto c = Events("connections");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(opened_at, 10);  // the 5th second at 90%, read a second later
  EXPECT_NE(c[0].incident.Summary().find("Connections 54/60 (90%, peak 54)"), std::string::npos)
      << c[0].incident.Summary();
  EXPECT_NE(c[0].incident.Summary().find("user app"), std::string::npos) << c[0].incident.Summary();
  EXPECT_EQ(ToEpochSeconds(*c[1].incident.closed), kT0 + 25);
}

TEST_F(IncidentLoopTest, ALatencyRegressionOpensWithinTwoIntervalsAgainstItsBaseline) {
  loop_ = std::make_unique<IncidentLoop>(*engine_, *incidents_,
                                         std::vector<WatchedInstance>{{"pg1", 2, "postgres", std::chrono::seconds(2)}},
                                         options_, [this](const IncidentEvent& e) { events_.push_back(e); });
  const std::string sql = "update t set v = $1";
  // Statistics every 2 s: 100 calls of 0.5 ms, 40 ms each from second 100.
  int opened_at = -1;
  for (int i = 0; i < 160; ++i) {
    if (i > 0 && i % 2 == 0) {
      const double ms = i > 100 && i <= 130 ? 40 : 0.5;
      model::StatementStatsSample stats{"pg1",
                                        FromEpochSeconds(kT0 + i - 2),
                                        FromEpochSeconds(kT0 + i),
                                        {{"T" + sql, "D" + sql, sql, {{"calls", 100}, {"total_time", 100 * ms}}}}};
      ASSERT_TRUE(metrics_->AppendStatementSample(stats).ok());
    }
    Tick(i, 1);
    if (opened_at < 0 && !events_.empty()) opened_at = i;
  }
  auto r = Events("latency-regression");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(opened_at, 104);  // intervals ending at 102 and 104 are slow: a 4-s run
  EXPECT_EQ(ToEpochSeconds(r[0].incident.opened), kT0 + 100);
  EXPECT_NE(r[0].incident.Summary().find("`update t set v = $1` takes 40.0 ms per call (100 calls in the last "
                                         "interval) against 0.5 ms before (80x)"),
            std::string::npos)
      << r[0].incident.Summary();
  EXPECT_EQ(ToEpochSeconds(*r[1].incident.closed), kT0 + 130);
}

}  // namespace
}  // namespace dbinsight::app

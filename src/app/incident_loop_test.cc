// IncidentLoop over a real store: sessions appear in the stored seconds as
// the sampler writes them, and the loop, run once a second, opens the
// incident within seconds and closes it after the quiet run.
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
    analysis::IncidentOptions o;
    o.close_after = std::chrono::seconds(10);
    loop_ = std::make_unique<IncidentLoop>(*engine_, *incidents_, std::vector<WatchedInstance>{{"pg1", 2}}, o,
                                           [this](const IncidentEvent& e) { events_.push_back(e); });
  }
  // The sampler's second i: `sessions` lock waiters.
  void Sample(int i, int sessions) {
    model::Sample s{"pg1", FromEpochSeconds(kT0 + i), {}, 0};
    for (int k = 0; k < sessions; ++k)
      s.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = $1"}));
    ASSERT_TRUE(store_->AppendSample(s).ok());
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
  EXPECT_DOUBLE_EQ(all->at(0).average_load, 4.0);
  EXPECT_DOUBLE_EQ(all->at(0).peak_load, 4.0);
}

TEST_F(IncidentLoopTest, CatchesUpAfterAStallWithoutReplayingTheHour) {
  for (int i = 0; i < 120; ++i) Sample(i, 4);
  // First run long after: only the last minute is read, and it opens once.
  ASSERT_TRUE(loop_->RunOnce(FromEpochSeconds(kT0 + 121)).ok());
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_GE(ToEpochSeconds(events_[0].incident.opened), kT0 + 60);
}

}  // namespace
}  // namespace dbinsight::app

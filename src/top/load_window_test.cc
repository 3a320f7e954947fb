// LoadWindow: loads match hand-computed averages; the window slides;
// sessions carry their time, load and lock facts.
#include "top/load_window.h"

#include <gtest/gtest.h>

#include "top/test_samples.h"

namespace dbinsight::top {
namespace {

using testing::At;
using testing::Row;

class LoadWindowTest : public ::testing::Test {
 protected:
  // 4 samples, one a second: 2, 3, 1 and 0 active sessions.
  void SetUp() override {
    w_.Add(At(0, {Row({.pid = 1, .wait = "CPU", .statement = "q1"}),
                  Row({.pid = 2, .wait = "Lock:transactionid", .statement = "q2", .user = "batch"})}));
    w_.Add(At(1, {Row({.pid = 1, .wait = "CPU", .statement = "q1"}),
                  Row({.pid = 2, .wait = "Lock:transactionid", .statement = "q2", .user = "batch"}),
                  Row({.pid = 3, .wait = "IO:DataFileRead", .statement = "q1"})}));
    w_.Add(At(2, {Row({.pid = 2, .wait = "Lock:transactionid", .statement = "q2", .user = "batch"})}));
    w_.Add(At(3, {}));
  }
  LoadWindow w_{std::chrono::seconds(10)};
};

TEST_F(LoadWindowTest, LoadIsSessionsOverSamples) {
  EXPECT_EQ(w_.samples(), 4u);
  EXPECT_DOUBLE_EQ(w_.Aas(), 6.0 / 4);
  const auto waits = w_.LoadBy(Slice::kWaits, Sort::kLoad);
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_EQ(waits[0].name, "Lock:transactionid");
  EXPECT_DOUBLE_EQ(waits[0].load, 0.75);
  EXPECT_EQ(waits[1].name, "CPU");
  EXPECT_DOUBLE_EQ(waits[1].load, 0.5);
  EXPECT_EQ(waits[2].name, "IO:DataFileRead");
  EXPECT_DOUBLE_EQ(waits[2].load, 0.25);
  const auto users = w_.LoadBy(Slice::kUsers, Sort::kLoad);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "app");  // 3 of 6 sessions, as batch; a tie goes by name
  EXPECT_DOUBLE_EQ(users[0].load, 0.75);
  EXPECT_EQ(users[1].name, "batch");
  EXPECT_EQ(w_.LoadBy(Slice::kDatabases, Sort::kLoad)[0].name, "shop");
  EXPECT_EQ(w_.LoadBy(Slice::kApplications, Sort::kLoad)[0].name, "web");
  EXPECT_EQ(w_.LoadBy(Slice::kHosts, Sort::kLoad)[0].name, "10.0.0.1");
  EXPECT_EQ(w_.LoadBy(Slice::kSql, Sort::kLoad)[0].name, "q1");
}

TEST_F(LoadWindowTest, StatementsCarryTheirMainWait) {
  const auto st = w_.Statements(Sort::kLoad);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].name, "q1");  // 0.75 each: by name
  EXPECT_DOUBLE_EQ(st[0].load, 0.75);
  EXPECT_EQ(st[0].top_wait, "CPU");
  EXPECT_DOUBLE_EQ(st[0].top_wait_share, 2.0 / 3);
  EXPECT_EQ(st[1].name, "q2");
  EXPECT_EQ(st[1].top_wait, "Lock:transactionid");
  EXPECT_DOUBLE_EQ(st[1].top_wait_share, 1.0);
}

TEST_F(LoadWindowTest, NameSortIsAlphabetical) {
  const auto waits = w_.LoadBy(Slice::kWaits, Sort::kName);
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_EQ(waits[0].name, "CPU");
  EXPECT_EQ(waits[1].name, "IO:DataFileRead");
  EXPECT_EQ(waits[2].name, "Lock:transactionid");
}

TEST_F(LoadWindowTest, OldSamplesLeaveTheWindow) {
  // At 12 s the window (2 s, 12 s] keeps the samples of 3 s and 12 s.
  w_.Add(At(12, {Row({.pid = 7, .wait = "CPU"})}));
  EXPECT_EQ(w_.samples(), 2u);
  EXPECT_DOUBLE_EQ(w_.Aas(), 0.5);
  const auto waits = w_.LoadBy(Slice::kWaits, Sort::kLoad);
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].name, "CPU");
}

TEST(LoadWindowSessionsTest, TimeLoadAndLowerBounds) {
  LoadWindow w(std::chrono::seconds(10));
  w.Add(At(0, {Row({.pid = 1, .statement = "q1"})}));
  w.Add(At(1, {Row({.pid = 1, .statement = "q1"}), Row({.pid = 3, .statement = "q1"})}));
  w.Add(At(2, {Row({.pid = 1, .statement = "q1"}), Row({.pid = 3, .statement = "q1"})}));
  auto s = w.Sessions(Sort::kLoad);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].pid, 1);
  EXPECT_DOUBLE_EQ(s[0].load, 1.0);
  EXPECT_DOUBLE_EQ(*s[0].seconds, 2.0);
  EXPECT_TRUE(s[0].at_least);  // already running at the first sample
  EXPECT_EQ(s[1].pid, 3);
  EXPECT_DOUBLE_EQ(s[1].load, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*s[1].seconds, 1.0);
  EXPECT_FALSE(s[1].at_least);
  EXPECT_EQ(s[1].state, "active");
  EXPECT_EQ(s[1].user, "app");
  EXPECT_EQ(s[1].db, "shop");
  EXPECT_EQ(s[1].application, "web");
  // A new statement starts the clock again; kName sorts by pid.
  w.Add(At(3, {Row({.pid = 1, .statement = "q9"}), Row({.pid = 3, .statement = "q1"})}));
  s = w.Sessions(Sort::kName);
  EXPECT_EQ(s[0].pid, 1);
  EXPECT_DOUBLE_EQ(*s[0].seconds, 0.0);
  EXPECT_EQ(w.Sessions(Sort::kTime)[0].pid, 3);
}

TEST(LoadWindowSessionsTest, BlockersComeFirstWithTheirState) {
  LoadWindow w(std::chrono::seconds(10));
  model::Sample s = At(0, {Row({.pid = 2, .wait = "Lock:transactionid", .statement = "update waiter_hits"}),
                           Row({.pid = 5, .wait = "CPU", .statement = "select 1"})});
  s.lock_waits.push_back({.waiter_pid = 2,
                          .blocker_pid = 9,
                          .waiter_statement = "update waiter_hits",
                          .wait_event = "Lock:transactionid",
                          .wait_seconds = 7.5,
                          .blocker_state = "idle in transaction",
                          .blocker_statement = "update blocker_hits",
                          .blocker_user = "owner",
                          .blocker_state_seconds = 20});
  w.Add(s);
  const auto v = w.Sessions(Sort::kLoad);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].pid, 9);
  EXPECT_EQ(v[0].blocks, 1);
  EXPECT_EQ(v[0].state, "idle in transaction");
  EXPECT_EQ(v[0].user, "owner");
  EXPECT_DOUBLE_EQ(*v[0].seconds, 20.0);
  EXPECT_EQ(v[0].statement, "update blocker_hits");
  const auto waiter = std::find_if(v.begin(), v.end(), [](const SessionView& x) { return x.pid == 2; });
  ASSERT_NE(waiter, v.end());
  EXPECT_DOUBLE_EQ(*waiter->seconds, 7.5);  // the server's wait time beats what top saw
  EXPECT_FALSE(waiter->at_least);
}

TEST(LoadWindowSessionsTest, EmptyWindow) {
  LoadWindow w(std::chrono::seconds(10));
  EXPECT_EQ(w.Aas(), 0);
  EXPECT_FALSE(w.latest());
  EXPECT_TRUE(w.LoadBy(Slice::kWaits, Sort::kLoad).empty());
  EXPECT_TRUE(w.Sessions(Sort::kLoad).empty());
}

}  // namespace
}  // namespace dbinsight::top

#include "collect/postgres/pg_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "testing/background_session.h"
#include "testing/pg_cluster.h"
#include "testing/poll_until.h"

namespace dbinsight::collect::postgres {
namespace {

using dbinsight::testing::BackgroundSession;
using dbinsight::testing::PgCluster;
using dbinsight::testing::PollUntil;
using model::Group;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string& Dim(const model::SessionRow& r, Group g, int i) {
  return r.dims[static_cast<int>(g)].at(static_cast<size_t>(i));
}

class PgSamplerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = PgCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
    // No autovacuum worker may wander into the exact session counts below.
    for (const char* sql : {"alter system set autovacuum = off", "select pg_reload_conf()",
                            "create table acct(id int primary key, v int not null)",
                            "insert into acct select g, 0 from generate_series(1, 100) g"}) {
      auto r = cluster_->Exec(sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  std::unique_ptr<PgSampler> MonitorSampler(const SamplerOptions& o = {}) {
    dbconn::ConnectOptions c;
    c.conninfo = cluster_->MonitorDsnWithoutPassword();
    c.password = cluster_->monitor_password();
    return std::make_unique<PgSampler>("pg-test", c, o, cache_);
  }

  // Holds 3 sessions in pg_sleep (unix socket), 1 idle in transaction holding
  // rows 42 and 43, and 2 sessions (TCP) blocked on those rows; waits until
  // the server shows all of them. (Two waiters on one row would show the
  // second in Lock:tuple, queued behind the first.)
  void HoldSessions() {
    for (int i = 0; i < 3; ++i) {
      auto s = BackgroundSession::Start(cluster_->SuperuserDsn() + " application_name=sleeper", "select pg_sleep(600)");
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      held_.push_back(std::move(s).value());
    }
    auto holder = BackgroundSession::Start(cluster_->SuperuserDsn() + " application_name=holder",
                                           "begin; update acct set v = v + 1 where id in (42, 43)");
    ASSERT_TRUE(holder.ok()) << holder.status().ToString();
    ASSERT_TRUE((*holder)->Wait().ok());
    held_.push_back(std::move(holder).value());
    for (int i = 0; i < 2; ++i) {
      auto s = BackgroundSession::Start(cluster_->SuperuserTcpDsn() + " application_name=waiter",
                                        "update acct set v = v + 10 where id = " + std::to_string(42 + i));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      held_.push_back(std::move(s).value());
    }
    SystemClock clock;
    ASSERT_TRUE(PollUntil(clock, seconds(10), [] {
      auto r = cluster_->Exec(
          "select count(*) filter (where wait_event = 'PgSleep'), "
          "count(*) filter (where wait_event = 'transactionid'), "
          "count(*) filter (where state = 'idle in transaction') from pg_stat_activity");
      return r.ok() && r->Get(0, 0) == "3" && r->Get(0, 1) == "2" && r->Get(0, 2) == "1";
    })) << "sessions did not reach their waits";
  }

  static PgCluster* cluster_;
  sql::NormalizerCache cache_;
  std::vector<std::unique_ptr<BackgroundSession>> held_;
};
PgCluster* PgSamplerTest::cluster_ = nullptr;

TEST_F(PgSamplerTest, SeesSleepersAndLockWaitersNotItselfNorIdle) {
  HoldSessions();
  auto sampler = MonitorSampler();
  const WallTime now = FromEpochSeconds(1'800'000'000);
  auto sample = sampler->SampleOnce(now);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->instance_id, "pg-test");
  EXPECT_EQ(sample->time, now);
  EXPECT_EQ(sample->idle_in_transaction, 1);

  std::string listing;
  for (const auto& r : sample->active)
    listing += std::to_string(r.pid) + " " + Dim(r, Group::kSessionType, 0) + " " +
               Dim(r, Group::kWaitEvent, model::dim::kWaitName) + " " +
               Dim(r, Group::kSqlTokenized, model::dim::kTokStatement) + "\n";
  ASSERT_EQ(sample->active.size(), 5u) << listing;

  std::map<std::string, int> by_wait;
  for (const auto& r : sample->active) {
    EXPECT_NE(r.pid, sampler->BackendPidForTest());
    EXPECT_NE(r.pid, held_[3]->pid()) << "the idle-in-transaction holder is not load";
    const std::string& wait = Dim(r, Group::kWaitEvent, model::dim::kWaitName);
    ++by_wait[wait];
    EXPECT_EQ(Dim(r, Group::kUser, model::dim::kUserName), "postgres");
    EXPECT_EQ(Dim(r, Group::kUser, model::dim::kUserId), "10");
    EXPECT_EQ(Dim(r, Group::kDb, 0), "postgres");
    EXPECT_EQ(Dim(r, Group::kSessionType, 0), "client backend");
    const std::string& tok = Dim(r, Group::kSqlTokenized, model::dim::kTokStatement);
    EXPECT_EQ(Dim(r, Group::kSqlTokenized, model::dim::kTokId), sql::StableId(tok));
    // compute_query_id=on: the engine's id is the db_id.
    EXPECT_NE(Dim(r, Group::kSqlTokenized, model::dim::kTokDbId).substr(0, 3), "pi-");
    EXPECT_EQ(Dim(r, Group::kSql, model::dim::kSqlStatement), tok);  // literals not stored
    EXPECT_EQ(Dim(r, Group::kSql, model::dim::kSqlTokenizedId), Dim(r, Group::kSqlTokenized, model::dim::kTokId));
    if (wait == "Timeout:PgSleep") {
      EXPECT_EQ(Dim(r, Group::kWaitEvent, model::dim::kWaitType), "Timeout");
      EXPECT_EQ(Dim(r, Group::kWaitEventType, 0), "Timeout");
      EXPECT_EQ(tok, "select pg_sleep($1)");
      EXPECT_EQ(Dim(r, Group::kHost, model::dim::kHostName), "local");  // unix socket
      EXPECT_EQ(Dim(r, Group::kApplication, 0), "sleeper");
    } else {
      EXPECT_EQ(Dim(r, Group::kWaitEventType, 0), "Lock");
      EXPECT_EQ(tok, "update acct set v = v + $1 where id = $2");
      EXPECT_EQ(Dim(r, Group::kHost, model::dim::kHostId), "127.0.0.1");
      EXPECT_EQ(Dim(r, Group::kApplication, 0), "waiter");
    }
  }
  EXPECT_EQ(by_wait["Timeout:PgSleep"], 3) << listing;
  EXPECT_EQ(by_wait["Lock:transactionid"], 2) << listing;
}

TEST_F(PgSamplerTest, LockWaitsNameTheIdleInTransactionBlocker) {
  HoldSessions();
  const int64_t holder = held_[3]->pid();
  auto sampler = MonitorSampler();  // pg_monitor is enough for pg_blocking_pids() and pg_locks
  auto first = sampler->SampleOnce(FromEpochSeconds(1));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->lock_waits.size(), 2u);
  std::set<int64_t> waiters;
  for (const model::LockWait& w : first->lock_waits) {
    waiters.insert(w.waiter_pid);
    EXPECT_EQ(w.blocker_pid, holder);
    EXPECT_EQ(w.wait_event, "Lock:transactionid");
    EXPECT_EQ(w.waiter_statement, "update acct set v = v + $1 where id = $2");
    EXPECT_EQ(w.blocker_state, "idle in transaction");
    // pg_stat_activity shows the whole simple-protocol string the client sent.
    EXPECT_EQ(w.blocker_statement, "begin; update acct set v = v + $1 where id in ($2, $3)");
    EXPECT_EQ(w.blocker_user, "postgres");
    EXPECT_EQ(w.blocker_host, "local");
    EXPECT_EQ(w.blocker_application, "holder");
    EXPECT_GE(w.blocker_xact_seconds, w.blocker_state_seconds);
    EXPECT_GE(w.wait_seconds, 0);
  }
  EXPECT_EQ(waiters, (std::set<int64_t>{held_[4]->pid(), held_[5]->pid()}));
  // What the lock columns cost while something waits (nothing waits: see
  // ReconnectsAfterResetAndReportsCost).
  SystemClock clock;
  constexpr int kRuns = 50;
  const MonoTime t0 = clock.Monotonic();
  for (int i = 0; i < kRuns; ++i) ASSERT_TRUE(sampler->SampleOnce(FromEpochSeconds(1)).ok());
  const double ms = std::chrono::duration<double, std::milli>(clock.Monotonic() - t0).count() / kRuns;
  std::printf("SampleOnce with 2 lock waiters: %.3f ms each over %d runs\n", ms, kRuns);
  RecordProperty("lock_wait_sample_ms", std::to_string(ms));
  // Waiting time and the blocker's idle time grow from sample to sample.
  EXPECT_TRUE(PollUntil(clock, seconds(10), [&] {
    auto later = sampler->SampleOnce(FromEpochSeconds(2));
    return later.ok() && later->lock_waits.size() == 2 &&
           later->lock_waits[0].wait_seconds > first->lock_waits[0].wait_seconds + 0.5 &&
           later->lock_waits[0].blocker_state_seconds > first->lock_waits[0].blocker_state_seconds + 0.5;
  }));
}

TEST_F(PgSamplerTest, LockChainLinksEachWaiterToItsImmediateBlocker) {
  auto holder = BackgroundSession::Start(cluster_->SuperuserDsn() + " application_name=chainholder",
                                         "begin; update acct set v = v + 1 where id = 60");
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  ASSERT_TRUE((*holder)->Wait().ok());
  const int64_t root = (*holder)->pid();
  held_.push_back(std::move(holder).value());
  SystemClock clock;
  // The second waiter queues behind the first for the row's tuple lock.
  for (const char* wait : {"transactionid", "tuple"}) {
    auto s = BackgroundSession::Start(cluster_->SuperuserDsn() + " application_name=chainwaiter",
                                      "update acct set v = v + 10 where id = 60");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    held_.push_back(std::move(s).value());
    ASSERT_TRUE(PollUntil(clock, seconds(10), [&] {
      auto r = cluster_->Exec(
          "select count(*) from pg_stat_activity where application_name = 'chainwaiter' and "
          "wait_event = '" +
          std::string(wait) + "'");
      return r.ok() && r->Get(0, 0) == "1";
    })) << wait;
  }
  const int64_t first = held_[held_.size() - 2]->pid(), second = held_.back()->pid();
  auto sample = MonitorSampler()->SampleOnce(FromEpochSeconds(1));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  std::map<int64_t, model::LockWait> by_waiter;
  for (const auto& w : sample->lock_waits) by_waiter[w.waiter_pid] = w;
  ASSERT_EQ(by_waiter.size(), 2u);
  EXPECT_EQ(by_waiter[first].blocker_pid, root);
  EXPECT_EQ(by_waiter[first].blocker_state, "idle in transaction");
  EXPECT_EQ(by_waiter[second].blocker_pid, first);
  EXPECT_EQ(by_waiter[second].wait_event, "Lock:tuple");
  EXPECT_EQ(by_waiter[second].blocker_state, "active");
  EXPECT_EQ(by_waiter[second].blocker_application, "chainwaiter");
}

TEST_F(PgSamplerTest, StatementsLongerThanTheActivityLimitKeepTheirFullText) {
  // pg_stat_activity cuts this at track_activity_query_size (4 kB here);
  // pg_stat_statements has it whole once the statement ran to completion
  // (PostgreSQL 15 stores the entry at the end of execution). The extra
  // column gives it a query_id of its own.
  const std::string comment(6000, 'x');
  ASSERT_TRUE(cluster_->Exec("select /* " + comment + " */ pg_sleep(0), 1 as longsql").ok());
  auto s = BackgroundSession::Start(cluster_->SuperuserDsn() + " application_name=longsql",
                                    "select /* " + comment + " */ pg_sleep(600), 1 as longsql");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  held_.push_back(std::move(s).value());
  SystemClock clock;
  ASSERT_TRUE(PollUntil(clock, seconds(10), [] {
    auto r = cluster_->Exec(
        "select count(*) from pg_stat_activity where application_name = 'longsql' "
        "and wait_event = 'PgSleep'");
    return r.ok() && r->Get(0, 0) == "1";
  }));
  auto sampler = MonitorSampler();
  auto sample = sampler->SampleOnce(FromEpochSeconds(1));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  int found = 0;
  for (const auto& r : sample->active) {
    if (Dim(r, Group::kApplication, 0) != "longsql") continue;
    ++found;
    const std::string& text = Dim(r, Group::kSqlTokenized, model::dim::kTokStatement);
    EXPECT_TRUE(text == "select /* " + comment + " */ pg_sleep($1), $2 as longsql")
        << text.size() << " bytes, ending: " << text.substr(text.size() - 40);
  }
  EXPECT_EQ(found, 1);
}

TEST_F(PgSamplerTest, StoreLiteralsKeepsRawText) {
  HoldSessions();
  SamplerOptions o;
  o.store_literals = true;
  auto sampler = MonitorSampler(o);
  auto sample = sampler->SampleOnce(FromEpochSeconds(1));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  int sleepers = 0;
  for (const auto& r : sample->active) {
    if (Dim(r, Group::kWaitEvent, 0) != "Timeout:PgSleep") continue;
    ++sleepers;
    EXPECT_EQ(Dim(r, Group::kSql, model::dim::kSqlStatement), "select pg_sleep(600)");
    EXPECT_EQ(Dim(r, Group::kSql, model::dim::kSqlId), sql::StableId("select pg_sleep(600)"));
    EXPECT_EQ(Dim(r, Group::kSqlTokenized, model::dim::kTokStatement), "select pg_sleep($1)");
  }
  EXPECT_EQ(sleepers, 3);
}

TEST_F(PgSamplerTest, ReconnectsAfterResetAndReportsCost) {
  auto sampler = MonitorSampler();
  SystemClock clock;
  MonoTime t0 = clock.Monotonic();
  auto first = sampler->SampleOnce(clock.Now());
  const auto first_cost = clock.Monotonic() - t0;
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int pid = sampler->BackendPidForTest();
  constexpr int kRuns = 200;
  t0 = clock.Monotonic();
  for (int i = 0; i < kRuns; ++i) ASSERT_TRUE(sampler->SampleOnce(clock.Now()).ok());
  const auto steady = (clock.Monotonic() - t0) / kRuns;
  EXPECT_EQ(sampler->BackendPidForTest(), pid) << "one persistent connection";
  const double first_ms = std::chrono::duration<double, std::milli>(first_cost).count();
  const double steady_ms = std::chrono::duration<double, std::milli>(steady).count();
  std::printf("SampleOnce: first (connect + query) %.2f ms, then %.3f ms each over %d runs\n", first_ms, steady_ms,
              kRuns);
  RecordProperty("first_sample_ms", std::to_string(first_ms));
  RecordProperty("steady_sample_ms", std::to_string(steady_ms));
  EXPECT_LT(steady_ms, 50.0);

  sampler->Reset();
  EXPECT_EQ(sampler->BackendPidForTest(), 0);
  ASSERT_TRUE(sampler->SampleOnce(clock.Now()).ok());
  EXPECT_NE(sampler->BackendPidForTest(), pid);
}

TEST_F(PgSamplerTest, BadPasswordFailsRedacted) {
  dbconn::ConnectOptions c;
  c.conninfo = cluster_->MonitorDsnWithoutPassword() + " password=hunter2-not-it";
  PgSampler sampler("pg-test", c, SamplerOptions{}, cache_);
  auto s = sampler.SampleOnce(FromEpochSeconds(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace dbinsight::collect::postgres

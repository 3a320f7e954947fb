// Integration tests of the loadgen scenarios against one throwaway
// PostgreSQL 15 and one throwaway MariaDB 10.11 (shared by every test): each
// scenario runs for a few seconds and its ground truth is checked directly on
// the server — waiting sessions and their blocker, scan counters, temp files,
// connection counts, the dropped index — and the run leaves no session behind.
#include <gtest/gtest.h>

#include <thread>

#include "loadgen/runner.h"
#include "testing/mariadb_cluster.h"
#include "testing/pg_cluster.h"
#include "testing/poll_until.h"

namespace dbinsight::loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::PollUntil;

testing::PgCluster* g_pg = nullptr;
testing::MariaDbCluster* g_maria = nullptr;

class LoadgenTest : public ::testing::TestWithParam<Engine> {
 protected:
  static void SetUpTestSuite() {
    auto pg = testing::PgCluster::Start();
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    auto maria = testing::MariaDbCluster::Start();
    ASSERT_TRUE(maria.ok()) << maria.status().ToString();
    g_pg = std::move(pg).value().release();
    g_maria = std::move(maria).value().release();
  }
  static void TearDownTestSuite() {
    delete g_pg;
    delete g_maria;
  }

  bool pg() const { return GetParam() == Engine::kPostgres; }

  RunOptions Options(std::string scenario, milliseconds duration, int clients = 0) const {
    RunOptions o;
    o.target = pg() ? g_pg->SuperuserDsn() : "mysql://root@localhost/?socket=" + g_maria->socket();
    o.scenario = std::move(scenario);
    o.duration = duration;
    o.clients = clients;
    return o;
  }

  // The first cell of sql run on the server as superuser/root; "" on error
  // (reported as a test failure).
  std::string Server(const std::string& sql) const {
    if (pg()) {
      auto r = g_pg->Exec(sql);
      EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
      return r.ok() && r->rows() > 0 ? std::string(r->Get(0, 0)) : "";
    }
    auto r = g_maria->RootExec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() && r->rows() > 0 ? std::string(r->Get(0, 0)) : "";
  }
  // Every row's first cell, one per line (EXPLAIN output).
  std::string ServerLines(const std::string& sql) const {
    auto r = g_pg->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    std::string out;
    for (int i = 0; r.ok() && i < r->rows(); ++i) out += std::string(r->Get(i, 0)) + "\n";
    return out;
  }
  int64_t ServerInt(const std::string& sql) const {
    const std::string v = Server(sql);
    return v.empty() ? -1 : std::stoll(v);
  }
  int64_t GlobalStatus(const std::string& name) const {
    auto r = g_maria->RootExec("SHOW GLOBAL STATUS LIKE '" + name + "'");
    EXPECT_TRUE(r.ok() && r->rows() == 1) << name;
    return r.ok() && r->rows() == 1 ? std::stoll(std::string(r->Get(0, 1))) : -1;
  }
  // Loadgen sessions connected to the server, the admin session included.
  int64_t LoadgenSessions() const {
    return ServerInt(pg() ? "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbinsight-loadgen'"
                          : "SELECT count(DISTINCT PROCESSLIST_ID) FROM performance_schema.session_connect_attrs "
                            "WHERE ATTR_NAME = 'program_name' AND ATTR_VALUE = 'dbinsight-loadgen'");
  }
  // Sessions currently running a statement whose text contains marker.
  int64_t RunningWith(const std::string& marker) const {
    return ServerInt(pg() ? "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%" + marker +
                                "%' AND pid <> pg_backend_pid()"
                          : "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" + marker +
                                "%' AND ID <> CONNECTION_ID()");
  }

  SystemClock clock_;
};

// A prepared scenario running on its own thread; Stop() is what SIGINT does.
class Running {
 public:
  Running(const RunOptions& options, Clock& clock) {
    auto r = Runner::Prepare(options, clock);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return;
    runner_ = std::move(r).value();
    thread_ = std::jthread([this](std::stop_token stop) { summary_ = runner_->Run(stop); });
  }
  bool ok() const { return runner_ != nullptr; }
  const GroundTruth& truth() const { return runner_->truth(); }
  // Waits for the run to end by itself (duration) or, with stop, at once.
  const RunSummary& Finish(bool stop = false) {
    if (stop) thread_.request_stop();
    if (thread_.joinable()) thread_.join();
    return summary_;
  }

 private:
  std::unique_ptr<Runner> runner_;
  RunSummary summary_;
  std::jthread thread_;
};

TEST_P(LoadgenTest, RecipeRunsTheJoinFromEveryClient) {
  Running run(Options("recipe", seconds(3)), clock_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run.truth().session_ids.size(), 4u);
  std::printf("recipe %s setup %lld ms\n", pg() ? "postgres" : "mariadb",
              static_cast<long long>(run.truth().setup.count()));
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return RunningWith("revenue_by_region") >= 1; }));
  const RunSummary& s = run.Finish();
  EXPECT_GT(s.statements, 20);
  EXPECT_EQ(s.errors, 0);
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return LoadgenSessions() == 0; }));
}

TEST_P(LoadgenTest, LockChainWaitersBlockOnTheReportedBlocker) {
  Running run(Options("lock-chain", seconds(60), 4), clock_);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run.truth().blocker_id.has_value());
  const int64_t blocker = *run.truth().blocker_id;
  EXPECT_EQ(blocker, run.truth().session_ids.front());
  EXPECT_NE(run.truth().ToJson().find("\"blocker_id\":" + std::to_string(blocker)), std::string::npos);
  const std::string b = std::to_string(blocker);
  if (pg()) {
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] {
      return ServerInt(
                 "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                 "application_name = 'dbinsight-loadgen'") == 3;
    }));
    EXPECT_EQ(Server("SELECT state FROM pg_stat_activity WHERE pid = " + b), "idle in transaction");
    // The first waiter waits on the blocker's transaction; the others queue
    // behind it for the tuple, so the blocker is the root of every chain.
    EXPECT_EQ(ServerInt("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'transactionid' AND "
                        "pg_blocking_pids(pid) = ARRAY[" +
                        b + "]"),
              1);
    EXPECT_EQ(ServerInt("SELECT count(*) FROM pg_stat_activity w WHERE w.wait_event_type = 'Lock' AND (" + b +
                        " = ANY(pg_blocking_pids(w.pid)) OR EXISTS (SELECT 1 FROM pg_stat_activity f WHERE "
                        "f.pid = ANY(pg_blocking_pids(w.pid)) AND " +
                        b + " = ANY(pg_blocking_pids(f.pid))))"),
              3);
  } else {
    // Every waiter is stuck in its UPDATE. MariaDB 10.11 does not always list
    // each waiting transaction in INNODB_TRX / INNODB_LOCK_WAITS (in about one
    // run in five one of three waiters is missing there for good, while
    // PROCESSLIST shows it "Updating"), so the waiters are counted in
    // PROCESSLIST, and the lock tables must show the blocker at the root:
    // InnoDB also lists the waiters queued behind each other.
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] {
      return ServerInt("SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND "
                       "INFO LIKE 'UPDATE lg_accounts SET waiter_hits%'") == 3;
    }));
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] {
      return ServerInt("SELECT count(*) FROM information_schema.INNODB_LOCK_WAITS") >= 2;
    }));
    EXPECT_GE(ServerInt("SELECT count(*) FROM information_schema.INNODB_LOCK_WAITS w "
                        "JOIN information_schema.INNODB_TRX t ON t.trx_id = w.blocking_trx_id "
                        "WHERE t.trx_mysql_thread_id = " +
                        b),
              1);
    EXPECT_EQ(Server("SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = " + b), "Sleep");
  }
  // As on SIGINT: the blocker rolls back, the waiters finish, nothing stays.
  const MonoTime stop_at = clock_.Monotonic();
  const RunSummary& s = run.Finish(/*stop=*/true);
  EXPECT_LT(clock_.Monotonic() - stop_at, seconds(5));
  EXPECT_EQ(s.errors, 0);
  EXPECT_EQ(s.statements, 3);  // each waiter's UPDATE, once released
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return LoadgenSessions() == 0; }));
}

TEST_P(LoadgenTest, MissingIndexScansTheWholeTable) {
  // Prepared once so the counters below start after the table load.
  {
    Running warm(Options("missing-index", milliseconds(1), 1), clock_);
    ASSERT_TRUE(warm.ok());
    warm.Finish();
  }
  const std::string scan = pg() ? "SELECT seq_scan FROM pg_stat_user_tables WHERE schemaname = 'dbinsight_loadgen' "
                                  "AND relname = 'lg_events'"
                                : "";
  const int64_t before = pg() ? ServerInt(scan) : GlobalStatus("Handler_read_rnd_next");
  Running run(Options("missing-index", seconds(3), 2), clock_);
  ASSERT_TRUE(run.ok());
  std::printf("missing-index %s setup %lld ms\n", pg() ? "postgres" : "mariadb",
              static_cast<long long>(run.truth().setup.count()));
  const RunSummary& s = run.Finish();
  EXPECT_GT(s.statements, 5);
  EXPECT_EQ(s.errors, 0);
  if (pg()) {
    // Backends flush table counters at most once a second; poll.
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return ServerInt(scan) >= before + s.statements; }));
    const std::string plan =
        ServerLines("EXPLAIN SELECT count(*) FROM dbinsight_loadgen.lg_events WHERE account_id = 7");
    EXPECT_NE(plan.find("Seq Scan on lg_events"), std::string::npos) << plan;
  } else {
    EXPECT_GE(GlobalStatus("Handler_read_rnd_next") - before, 250000 * s.statements);
  }
}

TEST_P(LoadgenTest, CpuRunsWithoutWaits) {
  Running run(Options("cpu", seconds(3), 2), clock_);
  ASSERT_TRUE(run.ok());
  if (pg()) {
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] {
      return ServerInt(
                 "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%cpu_burn%' "
                 "AND wait_event IS NULL AND pid <> pg_backend_pid()") >= 1;
    }));
  } else {
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return RunningWith("cpu_burn") >= 1; }));
  }
  const RunSummary& s = run.Finish();
  EXPECT_GT(s.statements, 4);
  EXPECT_EQ(s.errors, 0);
}

TEST_P(LoadgenTest, IoSortsSpillToTempFiles) {
  const std::string temp_files = "SELECT temp_files FROM pg_stat_database WHERE datname = current_database()";
  const int64_t before = pg() ? ServerInt(temp_files) : GlobalStatus("Sort_merge_passes");
  Running run(Options("io", seconds(3), 2), clock_);
  ASSERT_TRUE(run.ok());
  const RunSummary& s = run.Finish();
  EXPECT_GT(s.statements, 2);
  EXPECT_EQ(s.errors, 0);
  if (pg()) {
    EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return ServerInt(temp_files) >= before + s.statements; }));
  } else {
    EXPECT_GE(GlobalStatus("Sort_merge_passes") - before, s.statements);
  }
}

TEST_P(LoadgenTest, ConnectionStormHoldsEveryConnection) {
  Running run(Options("connection-storm", seconds(3), 30), clock_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run.truth().session_ids.size(), 30u);
  EXPECT_GE(LoadgenSessions(), 30);
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return LoadgenSessions() >= 30; }));
  const RunSummary& s = run.Finish();
  EXPECT_GT(s.statements, 30);
  EXPECT_EQ(s.errors, 0);
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return LoadgenSessions() == 0; }));
}

TEST_P(LoadgenTest, RegressionDropsTheIndexMidwayAndSlowsTheStatement) {
  const std::string index = pg() ? "SELECT count(*) FROM pg_indexes WHERE schemaname = 'dbinsight_loadgen' AND "
                                   "indexname = 'lg_regress_bucket_idx'"
                                 : "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                                   "'dbinsight_loadgen' AND INDEX_NAME = 'lg_regress_bucket_idx'";
  Running run(Options("regression", seconds(4), 2), clock_);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run.truth().change_after.has_value());
  EXPECT_EQ(*run.truth().change_after, seconds(2));
  EXPECT_GE(ServerInt(index), 1);  // restored by setup if an earlier run was cut short
  EXPECT_TRUE(PollUntil(clock_, seconds(30), [&] { return ServerInt(index) == 0; }));
  const RunSummary& s = run.Finish();
  EXPECT_EQ(s.errors, 0);
  ASSERT_TRUE(s.mean_ms_before_change && s.mean_ms_after_change);
  std::printf("regression %s: mean %.3f ms before, %.3f ms after\n", pg() ? "postgres" : "mariadb",
              *s.mean_ms_before_change, *s.mean_ms_after_change);
  EXPECT_GT(*s.mean_ms_after_change, 5 * *s.mean_ms_before_change);
  EXPECT_GE(ServerInt(index), 1);  // restored at exit
}

INSTANTIATE_TEST_SUITE_P(Engines, LoadgenTest, ::testing::Values(Engine::kPostgres, Engine::kMariaDb),
                         [](const auto& info) { return std::string(EngineName(info.param)); });

}  // namespace
}  // namespace dbinsight::loadgen

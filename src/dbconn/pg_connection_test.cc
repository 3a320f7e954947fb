#include "dbconn/pg_connection.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "testing/pg_cluster.h"
#include "testing/poll_until.h"

namespace dbinsight::dbconn {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PgConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = dbinsight::testing::PgCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }
  static dbinsight::testing::PgCluster* cluster_;
};
dbinsight::testing::PgCluster* PgConnectionTest::cluster_ = nullptr;

TEST_F(PgConnectionTest, QueriesRowsColumnsAndNulls) {
  auto conn = PgConnection::Connect(cluster_->MonitorDsn(), seconds(3));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_TRUE((*conn)->Healthy());
  EXPECT_GE((*conn)->ServerVersion(), 150000);
  auto r = (*conn)->Query("select 1 as one, null::text as \"Nothing\", 'x' || 'y' as xy "
                          "union all select 2, 'n', 'z'");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows(), 2);
  EXPECT_EQ(r->cols(), 3);
  EXPECT_EQ(r->ColumnIndex("Nothing"), 1);
  EXPECT_EQ(r->ColumnIndex("nothing"), -1);
  EXPECT_EQ(r->Get(0, 0), "1");
  EXPECT_TRUE(r->IsNull(0, 1));
  EXPECT_EQ(r->Get(0, 1), "");
  EXPECT_EQ(r->Get(0, 2), "xy");
  EXPECT_EQ(r->Get(1, 1), "n");
  auto pid = (*conn)->Query("select pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(std::string(pid->Get(0, 0)), std::to_string((*conn)->BackendPid()));
}

TEST_F(PgConnectionTest, SeparatePasswordAndApplicationName) {
  ConnectOptions o;
  o.conninfo = cluster_->MonitorDsnWithoutPassword();
  o.password = cluster_->monitor_password();
  o.application_name = "dbconn-test";
  o.statement_timeout = milliseconds(1500);
  auto conn = PgConnection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("select current_setting('application_name'), "
                          "current_setting('statement_timeout'), current_user");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Get(0, 0), "dbconn-test");
  EXPECT_EQ(r->Get(0, 1), "1500ms");
  EXPECT_EQ(r->Get(0, 2), "monitor");
}

TEST_F(PgConnectionTest, BadPasswordIsUnavailableAndNeverEchoed) {
  const std::string secret = "wr0ng-s3cret-value";
  auto conn = PgConnection::Connect(cluster_->MonitorDsnWithoutPassword() + " password=" + secret,
                                    seconds(3));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("password authentication failed"), std::string::npos)
      << conn.status().message();
  EXPECT_EQ(conn.status().message().find(secret), std::string::npos) << conn.status().message();

  ConnectOptions o;
  o.conninfo = cluster_->MonitorDsnWithoutPassword();
  o.password = secret;
  auto conn2 = PgConnection::Connect(o);
  ASSERT_FALSE(conn2.ok());
  EXPECT_EQ(conn2.status().message().find(secret), std::string::npos);

  auto uri = PgConnection::Connect("postgresql://monitor:" + secret + "@127.0.0.1:" +
                                       std::to_string(cluster_->port()) + "/postgres",
                                   seconds(3));
  ASSERT_FALSE(uri.ok());
  EXPECT_EQ(uri.status().message().find(secret), std::string::npos) << uri.status().message();
}

TEST_F(PgConnectionTest, MalformedConninfoIsInvalidArgument) {
  auto conn = PgConnection::Connect("host=x port='unterminated password=s3cret", seconds(1));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn.status().message().find("s3cret"), std::string::npos) << conn.status().message();
}

TEST_F(PgConnectionTest, NothingListeningIsUnavailable) {
  // Port 1 on loopback: connection refused at once.
  auto conn = PgConnection::Connect("host=127.0.0.1 port=1 user=monitor", seconds(2));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
}

TEST_F(PgConnectionTest, SqlErrorKeepsConnection) {
  auto conn = PgConnection::Connect(cluster_->SuperuserDsn(), seconds(3));
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Query("select * from no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("42P01"), std::string::npos) << r.status().message();
  EXPECT_TRUE((*conn)->Healthy());
  EXPECT_TRUE((*conn)->Query("select 1").ok());
}

TEST_F(PgConnectionTest, StatementTimeoutIsUnavailable) {
  ConnectOptions o;
  o.conninfo = cluster_->SuperuserDsn();
  o.statement_timeout = milliseconds(200);
  auto conn = PgConnection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("select pg_sleep(5)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("57014"), std::string::npos) << r.status().message();
  EXPECT_TRUE((*conn)->Healthy());
}

TEST_F(PgConnectionTest, AsyncSendAndCancel) {
  auto conn = PgConnection::Connect(cluster_->SuperuserDsn(), seconds(3));
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->SendQuery("select pg_sleep(30)").ok());
  EXPECT_TRUE((*conn)->Busy());
  // A cancel that arrives before the statement starts is a no-op: wait for it.
  SystemClock clock;
  const std::string pid = std::to_string((*conn)->BackendPid());
  ASSERT_TRUE(dbinsight::testing::PollUntil(clock, seconds(10), [&] {
    auto r = cluster_->Exec("select wait_event from pg_stat_activity where pid = " + pid);
    return r.ok() && r->rows() == 1 && r->Get(0, 0) == "PgSleep";
  }));
  ASSERT_TRUE((*conn)->Cancel().ok());
  auto r = (*conn)->AwaitResult();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("57014"), std::string::npos) << r.status().message();
  EXPECT_TRUE((*conn)->Query("select 1").ok());
}

TEST_F(PgConnectionTest, TerminatedBackendTurnsUnhealthy) {
  auto conn = PgConnection::Connect(cluster_->SuperuserDsn(), seconds(3));
  ASSERT_TRUE(conn.ok());
  auto killed = cluster_->Exec("select pg_terminate_backend(" +
                               std::to_string((*conn)->BackendPid()) + ")");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  auto r = (*conn)->Query("select 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE((*conn)->Healthy());
}

TEST_F(PgConnectionTest, HungServerTimesOutClientSide) {
  ConnectOptions o;
  o.conninfo = cluster_->SuperuserDsn();
  o.statement_timeout = milliseconds(200);
  auto conn = PgConnection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  // A stopped backend can run no statement_timeout: only the client bound
  // (statement_timeout + 1 s of silence) gets us out.
  const int pid = (*conn)->BackendPid();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto r = (*conn)->Query("select 1");
  ::kill(pid, SIGCONT);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("no answer from server within 1200 ms"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE((*conn)->Healthy());
  EXPECT_FALSE((*conn)->Query("select 1").ok());
}

}  // namespace
}  // namespace dbinsight::dbconn

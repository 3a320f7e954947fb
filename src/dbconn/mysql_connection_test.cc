// Integration tests of MySqlConnection against a throwaway MariaDB 10.11
// (testing::MariaDbCluster): rows and NULLs, users and privileges, redacted
// errors, and the time limits (silent listener, long statement, lost server).
#include "dbconn/mysql_connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "testing/mariadb_cluster.h"

namespace dbinsight::dbconn {
namespace {

using dbinsight::testing::MariaDbCluster;
using std::chrono::milliseconds;
using std::chrono::seconds;

double ElapsedMs(SystemClock& clock, MonoTime since) {
  return std::chrono::duration<double, std::milli>(clock.Monotonic() - since).count();
}

class MySqlConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MariaDbCluster::Options o;
    o.monitor_password = "mon:pw@x/y";  // reserved URI characters, percent-encoded in the DSN
    auto c = MariaDbCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }
  static MariaDbCluster* cluster_;
};
MariaDbCluster* MySqlConnectionTest::cluster_ = nullptr;

TEST_F(MySqlConnectionTest, QueriesRowsColumnsAndNullsAsMonitorOverTcp) {
  auto opts = ParseMySqlDsn(cluster_->MonitorDsn());
  ASSERT_TRUE(opts.ok()) << opts.status().ToString();
  EXPECT_EQ(opts->password, cluster_->monitor_password());
  auto conn = MySqlConnection::Connect(*opts);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  MySqlConnection& c = **conn;
  EXPECT_TRUE(c.Healthy());
  EXPECT_TRUE(c.IsMariaDb());
  EXPECT_GE(c.ServerVersionNumber(), 101100);
  EXPECT_NE(c.ServerVersion().find("10.11"), std::string::npos) << c.ServerVersion();
  auto r = c.Query("SELECT 1 AS one, NULL AS `Nothing`, CONCAT('x', 'y') AS xy, '' AS empty "
                   "UNION ALL SELECT 2, 'n', 'z', 'e'");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows(), 2);
  EXPECT_EQ(r->cols(), 4);
  EXPECT_EQ(r->ColumnIndex("Nothing"), 1);
  EXPECT_EQ(r->ColumnIndex("nothing"), -1);
  EXPECT_EQ(r->ColumnName(2), "xy");
  EXPECT_EQ(r->Get(0, 0), "1");
  EXPECT_TRUE(r->IsNull(0, 1));
  EXPECT_FALSE(r->IsNull(0, 3));
  EXPECT_EQ(r->Get(0, 3), "");
  EXPECT_EQ(r->Get(1, 1), "n");
  auto id = c.Query("SELECT CONNECTION_ID(), CURRENT_USER()");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->Get(0, 0), std::to_string(c.ThreadId()));
  EXPECT_EQ(id->Get(0, 1), "monitor@127.0.0.1");
  EXPECT_TRUE(c.Ping().ok());
}

TEST_F(MySqlConnectionTest, ProgramNameIsAConnectAttribute) {
  MySqlConnectOptions o = cluster_->MonitorOptions();
  o.program_name = "dbconn-test";
  auto conn = MySqlConnection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query(
      "SELECT ATTR_VALUE FROM performance_schema.session_connect_attrs "
      "WHERE ATTR_NAME = 'program_name' AND PROCESSLIST_ID = CONNECTION_ID()");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows(), 1);
  EXPECT_EQ(r->Get(0, 0), "dbconn-test");
}

TEST_F(MySqlConnectionTest, RootOverSocketMultiStatementsAndAffectedRows) {
  auto conn = MySqlConnection::Connect(cluster_->RootOptions());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("CREATE TABLE IF NOT EXISTS t1 (id INT PRIMARY KEY, v INT); DELETE FROM t1; "
                          "INSERT INTO t1 VALUES (1, 1), (2, 2), (3, NULL)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->AffectedRows(), 3);
  EXPECT_EQ(r->cols(), 0);
  auto last = (*conn)->Query("UPDATE t1 SET v = 0 WHERE id < 3; SELECT COUNT(*) FROM t1 WHERE v IS NULL");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ASSERT_EQ(last->rows(), 1);
  EXPECT_EQ(last->Get(0, 0), "1");
}

TEST_F(MySqlConnectionTest, SqlAndPrivilegeErrorsAreInternalAndKeepTheConnection) {
  auto conn = MySqlConnection::Connect(cluster_->MonitorOptions());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto denied = (*conn)->Query("SELECT COUNT(*) FROM mysql.user");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kInternal);
  EXPECT_EQ((*conn)->last_error(), 1142u) << denied.status().message();
  EXPECT_NE(denied.status().message().find("SQLSTATE 42000"), std::string::npos) << denied.status().message();
  auto syntax = (*conn)->Query("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ((*conn)->last_error(), 1064u);
  EXPECT_TRUE((*conn)->Healthy());
  ASSERT_TRUE((*conn)->Query("SELECT 1").ok());
  EXPECT_EQ((*conn)->last_error(), 0u);
}

TEST_F(MySqlConnectionTest, WrongPasswordIsUnavailableWithoutThePassword) {
  MySqlConnectOptions o = cluster_->MonitorOptions();
  o.password = "hunter2-not-it";
  auto conn = MySqlConnection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("Access denied"), std::string::npos) << conn.status().message();
  EXPECT_NE(conn.status().message().find("1045"), std::string::npos) << conn.status().message();
  EXPECT_EQ(conn.status().message().find("hunter2"), std::string::npos) << conn.status().message();
  // A user name equal to the password still does not leak it.
  o.user = "hunter2-not-it";
  auto same = MySqlConnection::Connect(o);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.status().message().find("hunter2"), std::string::npos) << same.status().message();
}

TEST_F(MySqlConnectionTest, NothingListeningIsUnavailable) {
  MySqlConnectOptions o = cluster_->MonitorOptions();
  o.socket = "/tmp/dbi-no-such-dir/mysqld.sock";
  auto conn = MySqlConnection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("/tmp/dbi-no-such-dir/mysqld.sock"), std::string::npos)
      << conn.status().message();
}

// A listener whose kernel completes the TCP handshake but that never sends
// the server greeting (a hung server, or a port forward to nowhere).
TEST_F(MySqlConnectionTest, SilentListenerFailsWithinTheConnectTimeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  MySqlConnectOptions o = cluster_->MonitorOptions();
  o.port = ntohs(addr.sin_port);
  o.connect_timeout = seconds(1);
  o.read_timeout = seconds(1);
  SystemClock clock;
  const MonoTime t0 = clock.Monotonic();
  auto conn = MySqlConnection::Connect(o);
  const double ms = ElapsedMs(clock, t0);
  ::close(fd);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  std::printf("silent listener: failed after %.0f ms: %s\n", ms, conn.status().message().c_str());
  EXPECT_LT(ms, 4000.0) << conn.status().message();
}

TEST_F(MySqlConnectionTest, LongStatementStoppedByTheQueryTimeout) {
  MySqlConnectOptions o = cluster_->MonitorOptions();
  o.read_timeout = milliseconds(1000);
  auto conn = MySqlConnection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  SystemClock clock;
  const MonoTime t0 = clock.Monotonic();
  // A statement that really works (SLEEP and BENCHMARK just return early
  // when interrupted): a 3-way cross join of ~1000 rows.
  auto r = (*conn)->Query(
      "SELECT COUNT(*) FROM performance_schema.setup_instruments a, performance_schema.setup_instruments b, "
      "performance_schema.setup_instruments c");
  const double ms = ElapsedMs(clock, t0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().message();
  EXPECT_EQ((*conn)->last_error(), 1969u) << r.status().message();
  EXPECT_LT(ms, 3000.0);
  EXPECT_TRUE((*conn)->Healthy()) << "the server's own limit keeps the connection";
  EXPECT_TRUE((*conn)->Query("SELECT 1").ok());
}

TEST_F(MySqlConnectionTest, KilledConnectionIsUnhealthy) {
  auto conn = MySqlConnection::Connect(cluster_->MonitorOptions());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(cluster_->RootExec("KILL CONNECTION " + std::to_string((*conn)->ThreadId())).ok());
  auto r = (*conn)->Query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().message();
  EXPECT_FALSE((*conn)->Healthy());
  EXPECT_FALSE((*conn)->Ping().ok());
  auto again = (*conn)->Query("SELECT 1");
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace dbinsight::dbconn

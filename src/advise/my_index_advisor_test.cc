// MyIndexAdvisor against a real MariaDB 10.11: the least-privilege monitor
// (PROCESS, SELECT on performance_schema) first, then with SELECT on the
// statement's schema and the opt-in EXPLAIN. Statements are found by their
// digest text, as the sampler stores them.
#include "advise/my_index_advisor.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/mariadb_cluster.h"

namespace dbinsight::advise {
namespace {

using testing::MariaDbCluster;

class MyIndexAdvisorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = MariaDbCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
    for (const char* sql : {
             "CREATE DATABASE shop",
             "CREATE TABLE shop.orders(id BIGINT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20), "
             "created DATETIME NOT NULL, amount DECIMAL(10,2), KEY (status))",
             "INSERT INTO shop.orders SELECT seq, seq % 5000, IF(seq % 3, 'open', 'done'), "
             "NOW() - INTERVAL seq SECOND, seq / 10 FROM seq_1_to_60000",
             "CREATE TABLE shop.small(id INT PRIMARY KEY, code INT)",
             "INSERT INTO shop.small SELECT seq, seq FROM seq_1_to_100",
             "ANALYZE TABLE shop.orders",
         }) {
      auto r = cluster_->RootExec(sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    }
    // What the application runs, one statement at a time in its own schema
    // (performance_schema records no digest for the rest of a multi-statement).
    dbconn::MySqlConnectOptions app = cluster_->RootOptions();
    app.database = "shop";
    auto conn = dbconn::MySqlConnection::Connect(app);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (const char* sql : {
             "SELECT COUNT(*) FROM orders WHERE customer_id = 42 AND created > '2026-01-01'",
             "SELECT COUNT(*) FROM orders WHERE customer_id = 43 AND created > '2026-01-02'",
             "SELECT COUNT(*) FROM orders WHERE customer_id = 44 AND created > '2026-01-03'",
             "UPDATE orders SET amount = amount + 1 WHERE customer_id = 7",
             "SELECT COUNT(*) FROM orders WHERE status = 'done'",
             "SELECT code FROM small WHERE code = 5",
         }) {
      auto r = (*conn)->Query(sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  // The digest text of the statement that starts with `prefix`, as stored.
  static std::string Digest(const std::string& prefix) {
    auto r = cluster_->RootExec(
        "SELECT TRIM(DIGEST_TEXT) FROM performance_schema.events_statements_summary_by_digest "
        "WHERE SCHEMA_NAME = 'shop' AND DIGEST_TEXT LIKE '" +
        prefix + "%'");
    EXPECT_TRUE(r.ok() && r->rows() == 1)
        << prefix << ": " << (r.ok() ? "rows " + std::to_string(r->rows()) : r.status().ToString());
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : "";
  }

  static std::vector<model::IndexAdvice> Advise(bool explain, const std::string& statement) {
    auto r = MyIndexAdvisor({.connect = cluster_->MonitorOptions(), .explain = explain}).Advise(statement, "shop");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<model::IndexAdvice>{};
  }

  static void GrantSelect(bool grant) {
    auto r = cluster_->RootExec(grant ? "GRANT SELECT ON shop.* TO monitor@'127.0.0.1'"
                                      : "REVOKE SELECT ON shop.* FROM monitor@'127.0.0.1'");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  static MariaDbCluster* cluster_;
};

MariaDbCluster* MyIndexAdvisorTest::cluster_ = nullptr;

bool HasNote(const model::IndexAdvice& a, const std::string& part) {
  for (const std::string& n : a.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

TEST_F(MyIndexAdvisorTest, MonitorWithoutTableAccessAdvisesFromTheDigest) {
  const std::string scan = Digest("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id`");
  ASSERT_EQ(scan, "SELECT COUNT ( * ) FROM `orders` WHERE `customer_id` = ? AND `created` > ?");
  const auto advice = Advise(false, scan);
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.table, "`shop`.`orders`");
  EXPECT_EQ(a.columns, (std::vector<std::string>{"customer_id", "created"}));
  EXPECT_EQ(a.create_index,
            "ALTER TABLE `shop`.`orders` ADD INDEX (`customer_id`, `created`), ALGORITHM=INPLACE, LOCK=NONE;");
  EXPECT_EQ(a.basis, "catalog");
  EXPECT_TRUE(a.counts_rows);
  EXPECT_EQ(a.calls, 3);
  EXPECT_EQ(a.calls_without_index, 3);
  EXPECT_DOUBLE_EQ(a.rows_examined_per_call, 60000);
  EXPECT_GE(a.seq_rows_read, 3 * 60000);
  EXPECT_EQ(a.live_rows, 0);  // not readable: unknown
  EXPECT_TRUE(HasNote(a, "GRANT SELECT ON `shop`.* TO the monitoring user")) << a.notes.front();

  // A statement through an index, and a scan of a small table: nothing to advise.
  EXPECT_TRUE(Advise(false, Digest("SELECT COUNT ( * ) FROM `orders` WHERE STATUS")).empty());
  EXPECT_TRUE(Advise(false, Digest("SELECT CODE FROM `small`")).empty());
}

TEST_F(MyIndexAdvisorTest, WithSelectTheOptimizerConfirmsTheScan) {
  GrantSelect(true);
  const auto advice = Advise(true, Digest("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id`"));
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.basis, "explain");
  EXPECT_NE(a.plan.find("ALL access on `shop`.`orders`"), std::string::npos) << a.plan;
  EXPECT_GT(a.live_rows, 30000);  // InnoDB's estimate
  EXPECT_FALSE(HasNote(a, "cannot read"));

  // An UPDATE is explained as the SELECT of its rows, which a read-only
  // user may run.
  const auto update = Advise(true, Digest("UPDATE `orders` SET"));
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].columns, (std::vector<std::string>{"customer_id"}));
  EXPECT_EQ(update[0].basis, "explain") << update[0].notes.back();

  // Once the index exists the catalog sees it and the advice is gone.
  ASSERT_TRUE(cluster_->RootExec("CREATE INDEX by_customer ON shop.orders (customer_id, created)").ok());
  EXPECT_TRUE(Advise(true, Digest("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id`")).empty());
  ASSERT_TRUE(cluster_->RootExec("DROP INDEX by_customer ON shop.orders").ok());
  GrantSelect(false);
}

TEST_F(MyIndexAdvisorTest, ExplainWithoutTheGrantSaysWhatIsMissing) {
  const auto advice = Advise(true, Digest("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id`"));
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].basis, "catalog");
  EXPECT_TRUE(HasNote(advice[0], "EXPLAIN not run: the monitoring user cannot read `shop`.`orders`"));
}

TEST_F(MyIndexAdvisorTest, UnreadableTextAndDeadServerAreErrors) {
  auto bad =
      MyIndexAdvisor({.connect = cluster_->MonitorOptions()}).Advise("SELECT * FROM `t` WHERE `a` <=> ?", "shop");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  dbconn::MySqlConnectOptions dead = cluster_->MonitorOptions();
  dead.port = 1;
  auto down = MyIndexAdvisor({.connect = dead}).Advise("SELECT * FROM `t` WHERE `a` = ?", "shop");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace dbinsight::advise

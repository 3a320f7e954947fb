// PgIndexAdvisor against a real PostgreSQL 15: the least-privilege monitor
// role first (catalog only), then with the opt-in read access (EXPLAIN), then
// with hypopg installed in the statement's database; and on a second server
// with pg_qualstats preloaded, the recorded selectivity ordering the columns.
#include "advise/pg_index_advisor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "testing/pg_cluster.h"

namespace dbinsight::advise {
namespace {

using testing::PgCluster;

// The monitor role's advisor for `cluster`'s statements in database shop.
PgIndexAdvisor AdvisorFor(const PgCluster& cluster, bool explain) {
  PgAdvisorOptions o;
  o.connect.conninfo = cluster.MonitorDsnWithoutPassword();
  o.connect.password = cluster.monitor_password();
  o.explain = explain;
  return PgIndexAdvisor(o);
}

std::vector<model::IndexAdvice> AdviseOn(const PgCluster& cluster, bool explain, const std::string& statement) {
  auto r = AdvisorFor(cluster, explain).Advise(statement, "shop");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<model::IndexAdvice>{};
}

bool HasNote(const model::IndexAdvice& a, const std::string& part) {
  return std::any_of(a.notes.begin(), a.notes.end(),
                     [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

class PgIndexAdvisorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = PgCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
    // The statements run in database shop, schema app (not on the monitor's
    // search_path), as an application's would.
    ASSERT_TRUE(cluster_->Exec("create database shop").ok());
    for (const char* sql : {
             "create schema app",
             "create table app.events(id bigint primary key, account_id int not null, kind int not null, "
             "created timestamptz not null, payload text)",
             "insert into app.events select g, g % 5000, g % 7, now() - g * interval '1 second', md5(g::text) "
             "from generate_series(1, 60000) g",
             "create table app.small(id int primary key, code int)",
             "insert into app.small select g, g from generate_series(1, 100) g",
             "create table app.\"we'ird\"(a int)",
             "analyze",
             // Scans the statistics must show.
             "select count(*) from app.events where account_id = 7",
             "select count(*) from app.events where account_id = 8",
         }) {
      auto r = cluster_->Exec(sql, "shop");
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  static PgIndexAdvisor Advisor(bool explain) { return AdvisorFor(*cluster_, explain); }
  static std::vector<model::IndexAdvice> Advise(bool explain, const std::string& statement) {
    return AdviseOn(*cluster_, explain, statement);
  }

  static void Grant(bool read_all, bool hypopg) {
    ASSERT_TRUE(
        cluster_->Exec(read_all ? "grant pg_read_all_data to monitor" : "revoke pg_read_all_data from monitor").ok());
    ASSERT_TRUE(
        cluster_->Exec(hypopg ? "create extension if not exists hypopg" : "drop extension if exists hypopg", "shop")
            .ok());
  }

  static PgCluster* cluster_;
};

PgCluster* PgIndexAdvisorTest::cluster_ = nullptr;

const char* kScan = "SELECT count(*) AS unindexed_matches FROM events WHERE account_id = $1 AND created > $2";

TEST_F(PgIndexAdvisorTest, CatalogOnlyForTheMonitorRole) {
  Grant(false, false);
  auto advice = Advise(false, kScan);
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.table, "app.events");
  EXPECT_EQ(a.columns, (std::vector<std::string>{"account_id", "created"}));
  EXPECT_EQ(a.create_index, "CREATE INDEX CONCURRENTLY ON app.events (account_id, created);");
  EXPECT_EQ(a.basis, "catalog");
  EXPECT_EQ(a.live_rows, 60000);
  for (const std::string& n : a.notes) EXPECT_EQ(n.find("pg_stats"), std::string::npos) << "hidden from pg_monitor";
  EXPECT_GE(a.seq_scans, 2);
  EXPECT_GE(a.seq_rows_read, 120000);
  EXPECT_FALSE(a.cost_before);
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_NE(a.notes[0].find("opt-in"), std::string::npos) << a.notes[0];
}

TEST_F(PgIndexAdvisorTest, NoAdviceWhenAnIndexServesOrTheTableIsSmall) {
  Grant(false, false);
  EXPECT_TRUE(Advise(false, "SELECT payload FROM events WHERE id = $1").empty());
  EXPECT_TRUE(Advise(false, "SELECT * FROM small WHERE code = $1").empty());
  EXPECT_TRUE(Advise(false, "SELECT count(*) FROM events").empty());  // reads it all on purpose
  // A join: the small side is not worth it, the large one is looked up by account_id.
  auto join = Advise(false, "SELECT e.id FROM small s JOIN events e ON e.account_id = s.code WHERE s.id = $1");
  ASSERT_EQ(join.size(), 1u);
  EXPECT_EQ(join[0].columns, (std::vector<std::string>{"account_id"}));
}

TEST_F(PgIndexAdvisorTest, NamesAreNeverSql) {
  Grant(false, false);
  EXPECT_TRUE(Advise(false, "SELECT a FROM \"we'ird\" WHERE a = $1").empty());  // exists, but small
  EXPECT_TRUE(Advise(false, "SELECT 1 FROM \"x'); drop table app.events; --\" WHERE a = $1").empty());
  auto other = Advisor(false).Advise("SELECT `a` FROM t", "shop");
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(cluster_->Exec("select 1 from app.events limit 1", "shop").ok());
}

TEST_F(PgIndexAdvisorTest, ExplainNeedsReadAccess) {
  Grant(false, false);
  auto advice = Advise(true, kScan);
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].basis, "catalog");
  ASSERT_FALSE(advice[0].notes.empty());
  EXPECT_NE(advice[0].notes.back().find("cannot read app.events"), std::string::npos) << advice[0].notes.back();
}

TEST_F(PgIndexAdvisorTest, ExplainConfirmsTheScan) {
  Grant(true, false);
  auto advice = Advise(true, kScan);
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.basis, "explain");
  EXPECT_NE(a.plan.find("Seq Scan on events"), std::string::npos) << a.plan;
  EXPECT_NE(a.plan.find("account_id = $1"), std::string::npos) << a.plan;  // the generic plan keeps parameters
  ASSERT_TRUE(a.cost_before);
  EXPECT_GT(*a.cost_before, 100);
  EXPECT_NE(a.notes.back().find("hypopg"), std::string::npos);
  // With read access pg_stats is visible: account_id (5000 values) before created.
  EXPECT_EQ(a.columns, (std::vector<std::string>{"account_id", "created"}));
  EXPECT_TRUE(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
    return n.find("pg_stats: account_id has about") != std::string::npos;
  })) << a.notes.front();
  // Nothing the advisor did stays behind: no prepared statement, no index.
  auto idx = cluster_->Exec("select count(*) from pg_indexes where tablename = 'events'", "shop");
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(idx->Get(0, 0), "1");
}

TEST_F(PgIndexAdvisorTest, MostSelectiveEqualityColumnLeads) {
  Grant(true, false);
  // kind has 7 values, account_id 5000: the index leads with account_id,
  // whatever the order in the statement; the range column stays last.
  auto advice = Advise(true, "SELECT id FROM events WHERE kind = $1 AND account_id = $2 AND created > $3");
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].columns, (std::vector<std::string>{"account_id", "kind", "created"}));
  EXPECT_TRUE(std::any_of(advice[0].notes.begin(), advice[0].notes.end(), [](const std::string& n) {
    return n.find("pg_stats: kind has about 7 distinct values") != std::string::npos &&
           n.find("too few for an index alone") != std::string::npos;
  }));
}

TEST_F(PgIndexAdvisorTest, HypotheticalIndexShowsTheGain) {
  Grant(true, true);
  auto advice = Advise(true, kScan);
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.basis, "hypopg");
  ASSERT_TRUE(a.cost_before && a.cost_after);
  EXPECT_LT(*a.cost_after * 10, *a.cost_before);
  EXPECT_NE(a.hypothetical_plan.find("btree_app_events_account_id_created"), std::string::npos) << a.hypothetical_plan;
  // An index that exists is not advised again, and the planner agrees.
  ASSERT_TRUE(cluster_->Exec("create index on app.events (account_id)", "shop").ok());
  EXPECT_TRUE(Advise(true, kScan).empty());
  ASSERT_TRUE(cluster_->Exec("drop index app.events_account_id_idx", "shop").ok());
}

TEST_F(PgIndexAdvisorTest, QualstatsWithoutThePreloadIsANote) {
  Grant(false, false);
  // This server does not preload pg_qualstats: installed, it records nothing.
  ASSERT_TRUE(cluster_->Exec("create extension pg_qualstats", "shop").ok());
  auto advice = Advise(false, "SELECT id FROM events WHERE kind = $1 AND account_id = $2");
  EXPECT_TRUE(cluster_->Exec("drop extension pg_qualstats", "shop").ok());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].columns, (std::vector<std::string>{"kind", "account_id"}));  // the text's order
  EXPECT_TRUE(HasNote(advice[0], "pg_qualstats is installed but not in shared_preload_libraries"));
}

// A server that preloads pg_qualstats (every execution sampled), where the
// application has looked events up by kind (4 values: a lookup keeps 25% of
// the rows) and by account_id (2000 values: 0.05%), each alone.
class PgQualstatsAdvisorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PgCluster::Options options;
    options.preload = "pg_qualstats";
    auto c = PgCluster::Start(options);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
    ASSERT_TRUE(cluster_->Exec("create database shop").ok());
    for (const char* sql : {
             "create extension pg_qualstats",
             "create schema app",
             "create table app.events(id bigint primary key, account_id int not null, kind int not null, "
             "payload text)",
             "insert into app.events select g, g % 2000, g % 4, g::text from generate_series(1, 20000) g",
             "analyze",
             "select count(*) from app.events where kind = 1",
             "select count(*) from app.events where kind = 2",
             "select count(*) from app.events where kind = 3",
             "select count(*) from app.events where account_id = 1",
             "select count(*) from app.events where account_id = 2",
             "select count(*) from app.events where account_id = 3",
             // AND-ed quals share their scan's counts: they say nothing of one column.
             "select count(*) from app.events where kind = 1 and account_id = 5",
             // A column the advised statement does not filter on.
             "select count(*) from app.events where payload = 'x'",
         }) {
      auto r = cluster_->Exec(sql, "shop");
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    }
    // Recorded at each execution's end: no wait.
    auto n = cluster_->Exec("select count(*) from pg_qualstats where lrelid = 'app.events'::regclass", "shop");
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_NE(n->Get(0, 0), "0");
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  static PgCluster* cluster_;
};

PgCluster* PgQualstatsAdvisorTest::cluster_ = nullptr;

// The text names the coarse column first.
const char* kTwoLookups = "SELECT id FROM events WHERE kind = $1 AND account_id = $2";

TEST_F(PgQualstatsAdvisorTest, RecordedSelectivityOrdersTheColumnsForTheMonitorRole) {
  auto advice = AdviseOn(*cluster_, false, kTwoLookups);
  ASSERT_EQ(advice.size(), 1u);
  const model::IndexAdvice& a = advice[0];
  EXPECT_EQ(a.columns, (std::vector<std::string>{"account_id", "kind"}));
  EXPECT_EQ(a.create_index, "CREATE INDEX CONCURRENTLY ON app.events (account_id, kind);");
  EXPECT_EQ(a.basis, "catalog");
  // 3 lookups x 20000 rows each; the AND-ed pair is left out.
  EXPECT_TRUE(HasNote(a, "pg_qualstats: `account_id = ...` evaluated 60.0k times, keeps 0.05% of rows"));
  EXPECT_TRUE(HasNote(a, "pg_qualstats: `kind = ...` evaluated 60.0k times, keeps 25% of rows"));
  EXPECT_FALSE(HasNote(a, "payload")) << "only the statement's own columns";
  EXPECT_FALSE(HasNote(a, "pg_stats")) << "hidden from pg_monitor";
}

TEST_F(PgQualstatsAdvisorTest, WithPgStatsQualstatsOnlyAddsNotes) {
  ASSERT_TRUE(cluster_->Exec("grant pg_read_all_data to monitor").ok());
  auto advice = AdviseOn(*cluster_, true, kTwoLookups);
  ASSERT_TRUE(cluster_->Exec("revoke pg_read_all_data from monitor").ok());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].columns, (std::vector<std::string>{"account_id", "kind"}));
  EXPECT_TRUE(HasNote(advice[0], "pg_stats: account_id has about 2000 distinct values"));
  EXPECT_TRUE(HasNote(advice[0], "pg_qualstats: `account_id = ...`"));
}

TEST_F(PgQualstatsAdvisorTest, WithoutTheExtensionTheTextOrderStays) {
  ASSERT_TRUE(cluster_->Exec("drop extension pg_qualstats", "shop").ok());
  auto advice = AdviseOn(*cluster_, false, kTwoLookups);
  ASSERT_TRUE(cluster_->Exec("create extension pg_qualstats", "shop").ok());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].columns, (std::vector<std::string>{"kind", "account_id"}));
  EXPECT_FALSE(HasNote(advice[0], "pg_qualstats"));
}

}  // namespace
}  // namespace dbinsight::advise

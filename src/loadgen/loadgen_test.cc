// Unit tests of the loadgen catalogue and options: every scenario is complete
// and described as valid JSON-shaped text, its statements carry the alias it
// promises, DSNs pick the engine, and bad options are rejected by name.
#include <gtest/gtest.h>

#include <set>

#include "common/json_text.h"
#include "loadgen/runner.h"
#include "loadgen/scenario.h"
#include "loadgen/session.h"
#include "loadgen/workload.h"

namespace dbinsight::loadgen {
namespace {

TEST(ScenarioTest, CatalogueHasEveryScenarioOnceAndComplete) {
  std::set<std::string_view> names;
  for (const Scenario& s : Scenarios()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_FALSE(s.top_statement.empty()) << s.name;
    EXPECT_FALSE(s.postgres.wait_event.empty()) << s.name;
    EXPECT_FALSE(s.mariadb.wait_event.empty()) << s.name;
    EXPECT_GE(s.default_clients, s.min_clients) << s.name;
    EXPECT_EQ(FindScenario(s.name), &s);
  }
  EXPECT_EQ(names, (std::set<std::string_view>{"recipe", "lock-chain", "missing-index", "cpu", "io", "connection-storm",
                                               "regression"}));
  EXPECT_EQ(FindScenario("nope"), nullptr);
}

TEST(ScenarioTest, LockChainNamesTheBlockerAndItsWaits) {
  const Scenario* s = FindScenario("lock-chain");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->postgres.wait_event, "Lock:transactionid");
  EXPECT_EQ(s->mariadb.wait_event, "wait/lock/innodb/row_lock");
  EXPECT_NE(s->blocker.find("pg_blocking_pids"), std::string_view::npos);
  EXPECT_NE(s->blocker.find("INNODB_TRX"), std::string_view::npos);
}

TEST(ScenarioTest, DescribeJsonEscapesAndHasEveryField) {
  const std::string json = DescribeJson(*FindScenario("io"));
  for (const char* key : {"\"name\":\"io\"", "\"top_statement\":\"spill_sort_id\"",
                          "\"postgres\":{\"wait_class\":", "\"mariadb\":{\"wait_class\":", "\"default_clients\":2"})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
  EXPECT_NE(ListText().find("lock-chain\n"), std::string::npos);
}

// What the catalogue promises must be what the clients run: the top
// statement's alias appears in the statements of every client that makes load.
TEST(WorkloadTest, StatementsCarryTheTopStatementAlias) {
  for (const Scenario& s : Scenarios()) {
    for (const Engine engine : {Engine::kPostgres, Engine::kMariaDb}) {
      const Workload w(s, engine, 1);
      std::mt19937_64 rng(7);
      bool seen = false;
      for (int i = 0; i < 30; ++i) seen |= w.Next(1, rng).find(s.top_statement) != std::string::npos;
      EXPECT_TRUE(seen) << s.name << " " << EngineName(engine);
    }
  }
}

TEST(WorkloadTest, LockChainBlockerIsIdleInItsTransaction) {
  const Workload w(*FindScenario("lock-chain"), Engine::kPostgres, 1);
  std::mt19937_64 rng(1);
  EXPECT_EQ(w.Next(0, rng), "");
  ASSERT_EQ(w.Begin(0).size(), 2u);
  EXPECT_EQ(w.Begin(0)[0], "BEGIN");
  EXPECT_EQ(w.End(0), std::vector<std::string>{"ROLLBACK"});
  EXPECT_TRUE(w.Begin(1).empty());
  EXPECT_TRUE(w.End(1).empty());
}

TEST(WorkloadTest, ScaleMultipliesRowsAndOnlyRegressionChangesMidway) {
  const Workload one(*FindScenario("missing-index"), Engine::kMariaDb, 1);
  const Workload three(*FindScenario("missing-index"), Engine::kMariaDb, 3);
  ASSERT_EQ(one.tables().size(), 1u);
  EXPECT_EQ(three.tables()[0].rows, 3 * one.tables()[0].rows);
  EXPECT_NE(three.tables()[0].load.find("seq_1_to_750000"), std::string::npos);
  for (const Scenario& s : Scenarios())
    EXPECT_EQ(Workload(s, Engine::kPostgres, 1).has_midpoint(), s.id == ScenarioId::kRegression) << s.name;
}

TEST(TargetTest, SchemeSelectsTheEngine) {
  auto pg = ParseTarget("host=/tmp port=5432 dbname=postgres user=postgres");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->engine, Engine::kPostgres);
  EXPECT_EQ(pg->postgres.application_name, "dbinsight-loadgen");
  auto uri = ParseTarget("postgresql://u@127.0.0.1:5432/db");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->engine, Engine::kPostgres);

  auto maria = ParseTarget("mysql://root@localhost:3307/?socket=/tmp/m.sock");
  ASSERT_TRUE(maria.ok()) << maria.status().ToString();
  EXPECT_EQ(maria->engine, Engine::kMariaDb);
  EXPECT_EQ(maria->mariadb.socket, "/tmp/m.sock");
  EXPECT_EQ(maria->mariadb.user, "root");
  EXPECT_EQ(maria->mariadb.program_name, "dbinsight-loadgen");
  auto named = ParseTarget("mariadb://u@h/?program_name=mine");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->mariadb.program_name, "mine");

  EXPECT_FALSE(ParseTarget("").ok());
  EXPECT_FALSE(ParseTarget("mysql://u@h:notaport/").ok());
}

TEST(OptionsTest, ValidateNamesTheBadOption) {
  RunOptions o;
  o.target = "host=/tmp";
  o.scenario = "cpu";
  EXPECT_TRUE(Validate(o).ok());
  const auto fails_on = [](RunOptions bad, std::string_view option) {
    const Status st = Validate(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find(option), std::string::npos) << st.message();
  };
  RunOptions bad = o;
  bad.scenario = "nope";
  fails_on(bad, "--scenario");
  bad = o;
  bad.duration = std::chrono::milliseconds(0);
  fails_on(bad, "--duration");
  bad = o;
  bad.scale = 0;
  fails_on(bad, "--scale");
  bad = o;
  bad.scenario = "lock-chain";
  bad.clients = 1;
  fails_on(bad, "--clients");
  bad.clients = 2;
  EXPECT_TRUE(Validate(bad).ok());
}

}  // namespace
}  // namespace dbinsight::loadgen

#include "collect/postgres/activity.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dbinsight::collect::postgres {
namespace {

// Golden cases: testdata/<case>.rows holds pg_stat_activity rows (tab
// separated, ActivityRow field order, \N for NULL, # comments); the expected
// mapping is testdata/<case>.expected. DBI_UPDATE_GOLDEN=1 rewrites them.
const std::filesystem::path kTestdata = COLLECT_TESTDATA_DIR;

std::optional<std::string> Field(const std::string& s) {
  if (s == "\\N") return std::nullopt;
  return s;
}

std::vector<ActivityRow> ReadRows(const std::filesystem::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in) << p;
  std::vector<ActivityRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    EXPECT_EQ(f.size(), 13u) << "bad row: " << line;
    if (f.size() != 13) continue;
    auto integer = [](const std::string& s) -> std::optional<int64_t> {
      if (s == "\\N") return std::nullopt;
      return std::stoll(s);
    };
    ActivityRow r;
    r.pid = *integer(f[0]);
    r.leader_pid = integer(f[1]);
    r.backend_type = f[2];
    r.query_id = integer(f[3]);
    r.wait_event_type = Field(f[4]);
    r.wait_event = Field(f[5]);
    r.state = Field(f[6]);
    r.usesysid = Field(f[7]);
    r.usename = Field(f[8]);
    r.client_addr = Field(f[9]);
    r.application_name = Field(f[10]);
    r.datname = Field(f[11]);
    r.query = Field(f[12]);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string Render(const model::Sample& s) {
  std::string out = "idle_in_transaction: " + std::to_string(s.idle_in_transaction) + "\n";
  out += "active: " + std::to_string(s.active.size()) + "\n";
  for (const auto& row : s.active) {
    out += "\nsession " + std::to_string(row.pid) + "\n";
    for (model::Group g : model::kAllGroups) {
      const auto& info = model::Info(g);
      const auto& values = row.dims[static_cast<int>(g)];
      for (size_t i = 0; i < info.dimensions.size(); ++i) {
        out += "  " + std::string(info.dimensions[i]) + ": " +
               (i < values.size() ? values[i] : std::string("<missing>")) + "\n";
      }
    }
  }
  return out;
}

void CheckGolden(const std::string& rows, const std::string& name, bool store_literals) {
  sql::NormalizerCache cache;
  StatementResolver statements(cache, store_literals, 100);
  model::Sample sample;
  MapActivity(ReadRows(kTestdata / (rows + ".rows")), statements, sample);
  const std::string got = Render(sample);
  const auto expected_path = kTestdata / (name + ".expected");
  if (std::getenv("DBI_UPDATE_GOLDEN")) {
    std::ofstream(expected_path) << got;
    return;
  }
  std::ifstream in(expected_path);
  ASSERT_TRUE(in) << expected_path << " missing; run with DBI_UPDATE_GOLDEN=1";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(got, want.str()) << "golden " << expected_path;
}

TEST(ActivityGoldenTest, Pg15Mixed) { CheckGolden("pg15_mixed", "pg15_mixed", false); }
TEST(ActivityGoldenTest, Pg15MixedStoreLiterals) { CheckGolden("pg15_mixed", "pg15_mixed_literals", true); }
TEST(ActivityGoldenTest, Pg13WithoutQueryId) { CheckGolden("pg13_no_query_id", "pg13_no_query_id", false); }

ActivityRow Bg(std::string type, std::optional<std::string> wtype, std::optional<std::string> wevent,
               std::optional<std::string> state = std::nullopt) {
  ActivityRow r;
  r.pid = 1;
  r.backend_type = std::move(type);
  r.wait_event_type = std::move(wtype);
  r.wait_event = std::move(wevent);
  r.state = std::move(state);
  return r;
}

TEST(ClassifyTest, BackgroundIdleLoopsAreNotLoad) {
  EXPECT_EQ(Classify(Bg("checkpointer", "Activity", "CheckpointerMain")), SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("walwriter", "Activity", "WalWriterMain")), SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("walsender", "Activity", "WalSenderMain", "active")), SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("walsender", "Client", "WalSenderWaitForWAL", "active")),
            SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("checkpointer", "Timeout", "CheckpointWriteDelay")), SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("pg_wait_sampling collector", "Extension", "Extension")),
            SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("logical replication worker", "Activity", "LogicalApplyMain", "idle")),
            SessionKind::kIdle);
}

TEST(ClassifyTest, BackgroundWorkIsLoad) {
  EXPECT_EQ(Classify(Bg("checkpointer", std::nullopt, std::nullopt)), SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("checkpointer", "IO", "DataFileSync")), SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("autovacuum worker", "Timeout", "VacuumDelay", "active")),
            SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("walsender", "Client", "WalSenderWriteData", "active")),
            SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("parallel worker", std::nullopt, std::nullopt)), SessionKind::kActive);
}

TEST(ClassifyTest, ClientBackendStates) {
  EXPECT_EQ(Classify(Bg("client backend", "Timeout", "PgSleep", "active")), SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("client backend", std::nullopt, std::nullopt, "fastpath function call")),
            SessionKind::kActive);
  EXPECT_EQ(Classify(Bg("client backend", "Client", "ClientRead", "idle in transaction")),
            SessionKind::kIdleInTransaction);
  EXPECT_EQ(Classify(Bg("client backend", "Client", "ClientRead", "idle in transaction (aborted)")),
            SessionKind::kIdleInTransaction);
  EXPECT_EQ(Classify(Bg("client backend", "Client", "ClientRead", std::nullopt)), SessionKind::kIdle);
  EXPECT_EQ(Classify(Bg("client backend", std::nullopt, std::nullopt, "disabled")), SessionKind::kIdle);
  // postgres_fdw waiting on its remote server is real load.
  EXPECT_EQ(Classify(Bg("client backend", "Extension", "Extension", "active")), SessionKind::kActive);
}

ActivityRow Client(int64_t pid, std::string state, std::string query, std::optional<std::string> wtype = std::nullopt,
                   std::optional<std::string> wevent = std::nullopt, std::vector<int64_t> blocking = {}) {
  ActivityRow r = Bg("client backend", std::move(wtype), std::move(wevent), std::move(state));
  r.pid = pid;
  r.query = std::move(query);
  r.usename = "app";
  r.application_name = "psql";
  r.blocking_pids = std::move(blocking);
  return r;
}

TEST(LockWaitTest, ParsesPidArrays) {
  EXPECT_EQ(ParsePidArray("{}"), std::vector<int64_t>{});
  EXPECT_EQ(ParsePidArray("{4242}"), std::vector<int64_t>{4242});
  EXPECT_EQ(ParsePidArray("{1,22,333}"), (std::vector<int64_t>{1, 22, 333}));
  EXPECT_EQ(ParsePidArray("{1,x,3}"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ParsePidArray(""), std::vector<int64_t>{});
}

TEST(LockWaitTest, ChainNamesImmediateBlockersAndTheirFacts) {
  // 30 idle in transaction holds a row; 31 waits for it (transactionid);
  // 32 queues behind 31 for the tuple: pg_blocking_pids(32) = {31, 30}.
  ActivityRow holder = Client(30, "idle in transaction", "update t set v = 1 where id = 7", "Client", "ClientRead");
  holder.client_addr = "10.1.2.3";
  holder.xact_seconds = 200;
  holder.state_seconds = 180;
  ActivityRow first = Client(31, "active", "update t set v = 2 where id = 7", "Lock", "transactionid", {30});
  first.lock_wait_seconds = 12.5;
  first.xact_seconds = 13;
  first.state_seconds = 12.5;
  ActivityRow second = Client(32, "active", "update t set v = 3 where id = 7", "Lock", "tuple", {31, 30});
  second.lock_wait_seconds = 4;
  ActivityRow sleeper = Client(33, "active", "select pg_sleep(1)", "Timeout", "PgSleep");
  const std::vector<ActivityRow> rows = {holder, first, second, sleeper};
  EXPECT_TRUE(MissingBlockers(rows).empty());

  sql::NormalizerCache cache;
  StatementResolver statements(cache, false, 100);
  model::Sample sample;
  MapActivity(rows, statements, sample);
  MapLockWaits(rows, statements, sample);
  ASSERT_EQ(sample.lock_waits.size(), 2u);
  const model::LockWait& a = sample.lock_waits[0];
  EXPECT_EQ(a.waiter_pid, 31);
  EXPECT_EQ(a.blocker_pid, 30);
  EXPECT_EQ(a.wait_event, "Lock:transactionid");
  EXPECT_EQ(a.waiter_statement, "update t set v = $1 where id = $2");
  EXPECT_DOUBLE_EQ(a.wait_seconds, 12.5);
  EXPECT_EQ(a.blocker_state, "idle in transaction");
  EXPECT_EQ(a.blocker_statement, "update t set v = $1 where id = $2");
  EXPECT_EQ(a.blocker_user, "app");
  EXPECT_EQ(a.blocker_host, "10.1.2.3");
  EXPECT_EQ(a.blocker_application, "psql");
  EXPECT_DOUBLE_EQ(a.blocker_xact_seconds, 200);
  EXPECT_DOUBLE_EQ(a.blocker_state_seconds, 180);
  // 31 comes first in 32's list but waits itself: the blocker named is 30.
  const model::LockWait& b = sample.lock_waits[1];
  EXPECT_EQ(b.waiter_pid, 32);
  EXPECT_EQ(b.blocker_pid, 30);
  EXPECT_EQ(b.wait_event, "Lock:tuple");
  // The same statement text as the load dimension of that session.
  for (const auto& s : sample.active) {
    if (s.pid != 32) continue;
    EXPECT_EQ(s.dims[static_cast<int>(model::Group::kSqlTokenized)][model::dim::kTokStatement], b.waiter_statement);
  }
}

TEST(LockWaitTest, WaiterOnlyBlockedByAnotherWaiterPointsAtItSoChainsCanBeWalked) {
  ActivityRow holder = Client(40, "idle in transaction", "lock table t", "Client", "ClientRead");
  ActivityRow mid = Client(41, "active", "lock table u", "Lock", "relation", {40});
  ActivityRow tail = Client(42, "active", "select * from u", "Lock", "relation", {41});
  sql::NormalizerCache cache;
  StatementResolver statements(cache, false, 100);
  model::Sample sample;
  MapLockWaits({holder, mid, tail}, statements, sample);
  ASSERT_EQ(sample.lock_waits.size(), 2u);
  EXPECT_EQ(sample.lock_waits[1].waiter_pid, 42);
  EXPECT_EQ(sample.lock_waits[1].blocker_pid, 41);
  EXPECT_EQ(sample.lock_waits[1].blocker_state, "active");
  EXPECT_EQ(sample.lock_waits[1].blocker_host, "local");
}

TEST(LockWaitTest, MissingBlockersPreparedTransactionsAndReleasedLocks) {
  ActivityRow waiter = Client(50, "active", "select pg_advisory_lock(1)", "Lock", "advisory", {77});
  ActivityRow on_prepared = Client(51, "active", "update t set v = 1", "Lock", "transactionid", {0});
  ActivityRow released = Client(52, "active", "update t set v = 1", "Lock", "transactionid", {});
  const std::vector<ActivityRow> rows = {waiter, on_prepared, released};
  EXPECT_EQ(MissingBlockers(rows), std::vector<int64_t>{77});
  sql::NormalizerCache cache;
  StatementResolver statements(cache, false, 100);
  model::Sample sample;
  MapLockWaits(rows, statements, sample);
  ASSERT_EQ(sample.lock_waits.size(), 2u);
  EXPECT_EQ(sample.lock_waits[0].blocker_pid, 77);
  EXPECT_EQ(sample.lock_waits[0].blocker_state, "");  // unknown: it left before the second read
  EXPECT_EQ(sample.lock_waits[1].blocker_pid, 0);
  EXPECT_EQ(sample.lock_waits[1].blocker_state, "prepared transaction");
}

}  // namespace
}  // namespace dbinsight::collect::postgres

// Unit tests of the MySQL/MariaDB session mapping (activity.h) and the
// digest learning (digest_resolver.h): golden snapshots of real-looking rows
// (testdata/<case>.snapshot -> <case>.expected; DBI_UPDATE_GOLDEN=1 rewrites
// the expected files) plus the individual rules, each stated on its own.
#include "collect/mysql/activity.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace dbinsight::collect::mysql {
namespace {

using model::Group;
const std::filesystem::path kTestdata = MYSQL_TESTDATA_DIR;

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> f;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}

std::optional<std::string> Field(const std::string& s) {
  if (s == "\\N") return std::nullopt;
  return s;
}
std::optional<int64_t> IntField(const std::string& s) {
  if (s == "\\N") return std::nullopt;
  return std::stoll(s);
}

// Reads a testdata/<case>.snapshot file (format in its header comments).
Snapshot ReadSnapshot(const std::filesystem::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in) << p;
  Snapshot snap;
  std::string section, line;
  const std::map<std::string, size_t> kFields = {{"threads", 7},     {"statements", 8}, {"history", 8},
                                                 {"waits", 4},       {"trx", 2},        {"processlist", 7},
                                                 {"program_names", 2}};
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line == "mode processlist") {
      snap.performance_schema = false;
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      EXPECT_TRUE(kFields.count(section)) << "unknown section " << line;
      continue;
    }
    const std::vector<std::string> f = SplitTabs(line);
    EXPECT_EQ(f.size(), kFields.at(section)) << "bad " << section << " row: " << line;
    if (f.size() != kFields.at(section)) continue;
    if (section == "threads") {
      snap.threads.push_back({std::stoll(f[0]), std::stoll(f[1]), Field(f[2]), Field(f[3]), Field(f[4]),
                              Field(f[5]), Field(f[6])});
    } else if (section == "statements" || section == "history") {
      StatementRow s{std::stoll(f[0]), std::stoll(f[1]), IntField(f[2]),  std::stoi(f[3]),
                     Field(f[4]),      Field(f[5]),      Field(f[6]),     Field(f[7])};
      (section == "history" ? snap.history : snap.statements).push_back(std::move(s));
    } else if (section == "waits") {
      snap.waits.push_back({std::stoll(f[0]), std::stoll(f[1]), IntField(f[2]), f[3]});
    } else if (section == "trx") {
      snap.trx.push_back({std::stoll(f[0]), f[1]});
    } else if (section == "processlist") {
      snap.processlist.push_back(
          {std::stoll(f[0]), Field(f[1]), Field(f[2]), Field(f[3]), Field(f[4]), Field(f[5]), Field(f[6])});
    } else {
      snap.program_names.push_back({std::stoll(f[0]), f[1]});
    }
  }
  return snap;
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

const std::string& Dim(const model::SessionRow& r, Group g, int i) {
  return r.dims[static_cast<int>(g)].at(static_cast<size_t>(i));
}

const model::SessionRow* Find(const model::Sample& s, int64_t pid) {
  for (const auto& r : s.active)
    if (r.pid == pid) return &r;
  return nullptr;
}

class MySqlActivityTest : public ::testing::Test {
 protected:
  model::Sample Map(const Snapshot& snap) {
    model::Sample out;
    MapActivity(snap, resolver_, out);
    return out;
  }
  model::Sample MapFile(const std::string& name) { return Map(ReadSnapshot(kTestdata / (name + ".snapshot"))); }

  void CheckGolden(const std::string& name) {
    const std::string got = Render(MapFile(name));
    const auto expected_path = kTestdata / (name + ".expected");
    if (std::getenv("DBI_UPDATE_GOLDEN")) {
      std::ofstream(expected_path) << got;
      return;
    }
    std::ifstream in(expected_path);
    ASSERT_TRUE(in) << expected_path << " missing; run with DBI_UPDATE_GOLDEN=1";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(got, want.str()) << "golden " << name << " differs; DBI_UPDATE_GOLDEN=1 rewrites it";
  }

  sql::NormalizerCache cache_;
  DigestResolver resolver_{cache_, /*store_literals=*/false, /*max_digests=*/100};
};

TEST_F(MySqlActivityTest, GoldenPerformanceSchema) { CheckGolden("pfs_ground_truth"); }
TEST_F(MySqlActivityTest, GoldenProcesslistFallback) { CheckGolden("processlist_fallback"); }

TEST_F(MySqlActivityTest, GroundTruthCountsByWaitWithPerformanceSchema) {
  const model::Sample s = MapFile("pfs_ground_truth");
  std::map<std::string, int> by_wait;
  for (const auto& r : s.active) ++by_wait[Dim(r, Group::kWaitEvent, model::dim::kWaitName)];
  EXPECT_EQ(by_wait["wait/synch/cond/sql/Item_func_sleep::cond"], 3);
  EXPECT_EQ(by_wait["wait/lock/innodb/row_lock"], 2);
  // Sleep (the holder), the thread back in its idle wait, Daemon, an idle
  // binlog dump and a login are not load: 3 + 2 + 4 others.
  EXPECT_EQ(s.active.size(), 9u) << Render(s);
  // The waiters' statement is named by the digest of the holder's finished
  // UPDATE (same in-house normalization).
  const auto* waiter = Find(s, 11);
  ASSERT_NE(waiter, nullptr);
  EXPECT_EQ(Dim(*waiter, Group::kSqlTokenized, model::dim::kTokDbId), "122c2a097400a1f5b1649d64bef34678");
  EXPECT_EQ(s.idle_in_transaction, 1) << "the holder; the trx without a session is not counted";
  EXPECT_EQ(Find(s, 10), nullptr);
  EXPECT_EQ(Find(s, 17), nullptr);
  EXPECT_EQ(Find(s, 18), nullptr);
  EXPECT_EQ(Find(s, 19), nullptr);
  EXPECT_EQ(Find(s, 20), nullptr);
}

TEST_F(MySqlActivityTest, WaitTypeIsTheEventClass) {
  const model::Sample s = MapFile("pfs_ground_truth");
  const auto* sleeper = Find(s, 8);
  ASSERT_NE(sleeper, nullptr);
  EXPECT_EQ(Dim(*sleeper, Group::kWaitEvent, model::dim::kWaitType), "synch");
  EXPECT_EQ(Dim(*sleeper, Group::kWaitEventType, 0), "synch");
  // Nested waits: the most recent in progress (the mutex inside the table IO).
  const auto* join = Find(s, 13);
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(Dim(*join, Group::kWaitEvent, 0), "wait/synch/mutex/innodb/buf_pool_mutex");
}

TEST_F(MySqlActivityTest, FinishedWaitCountsAsCpu) {
  const model::Sample s = MapFile("pfs_ground_truth");
  const auto* r = Find(s, 14);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Dim(*r, Group::kWaitEvent, model::dim::kWaitName), "CPU");
  EXPECT_EQ(Dim(*r, Group::kWaitEvent, model::dim::kWaitType), "CPU");
  EXPECT_EQ(Dim(*r, Group::kWaitEventType, 0), "CPU");
}

TEST_F(MySqlActivityTest, LockWaitOverridesTableIo) {
  const model::Sample s = MapFile("pfs_ground_truth");
  for (int64_t pid : {11, 12}) {
    const auto* r = Find(s, pid);
    ASSERT_NE(r, nullptr) << pid;
    EXPECT_EQ(Dim(*r, Group::kWaitEvent, model::dim::kWaitName), "wait/lock/innodb/row_lock");
    EXPECT_EQ(Dim(*r, Group::kWaitEvent, model::dim::kWaitType), "lock");
    EXPECT_EQ(Dim(*r, Group::kWaitEventType, 0), "lock");
  }
  // Not in LOCK WAIT: the same table-IO wait stays what P_S says.
  Snapshot snap = ReadSnapshot(kTestdata / "pfs_ground_truth.snapshot");
  snap.trx.clear();
  const model::Sample without = Map(snap);
  const auto* r = Find(without, 11);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Dim(*r, Group::kWaitEvent, 0), "wait/io/table/sql/handler");
  EXPECT_EQ(Dim(*r, Group::kWaitEvent, 1), "io");
  EXPECT_EQ(without.idle_in_transaction, 0);
}

TEST_F(MySqlActivityTest, PreparedStatementTextFromProcesslistInfo) {
  const model::Sample s = MapFile("pfs_ground_truth");
  const auto* r = Find(s, 15);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokStatement), "SELECT c FROM sbtest1 WHERE id=?");
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokDbId).substr(0, 3), "pi-");
  EXPECT_EQ(Dim(*r, Group::kWaitEvent, 0), "CPU");
  EXPECT_EQ(Dim(*r, Group::kUser, model::dim::kUserName), "sb");
  EXPECT_EQ(Dim(*r, Group::kHost, model::dim::kHostName), "10.0.0.5");
  EXPECT_EQ(Dim(*r, Group::kDb, 0), "sbtest");
  // Without the processlist row the session still counts, without SQL.
  Snapshot snap = ReadSnapshot(kTestdata / "pfs_ground_truth.snapshot");
  snap.processlist.clear();
  const auto* bare = Find(Map(snap), 15);
  ASSERT_NE(bare, nullptr);
}

TEST_F(MySqlActivityTest, DigestLearnedFromHistoryNamesTheRunningStatement) {
  const model::Sample s = MapFile("pfs_ground_truth");
  const auto* r = Find(s, 16);
  ASSERT_NE(r, nullptr);
  // The outer statement (nesting level 0) is the session's, learned from the
  // finished "id = 5" twin in its history.
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokStatement), "SELECT `v` FROM `acct` WHERE ID = ?");
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokDbId), "a6f1e7e4b1c2d3e4f5a6b7c8d9e0f1a2");
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokId), sql::StableId("SELECT `v` FROM `acct` WHERE ID = ?"));
  const TokenizedStatement stats_side =
      DigestResolver::FromDigest("a6f1e7e4b1c2d3e4f5a6b7c8d9e0f1a2", "SELECT `v` FROM `acct` WHERE ID = ? ");
  EXPECT_EQ(Dim(*r, Group::kSqlTokenized, model::dim::kTokId), stats_side.id);
  EXPECT_EQ(Dim(*r, Group::kSql, model::dim::kSqlStatement), stats_side.text) << "no literal stored";
  EXPECT_EQ(Dim(*r, Group::kSql, model::dim::kSqlTokenizedId), stats_side.id);
  // Unlearned statements keep the in-house digest and a generated db_id.
  const auto* sleeper = Find(s, 8);
  ASSERT_NE(sleeper, nullptr);
  EXPECT_EQ(Dim(*sleeper, Group::kSqlTokenized, model::dim::kTokStatement), "select sleep(?)");
  const std::string& id = Dim(*sleeper, Group::kSqlTokenized, model::dim::kTokId);
  EXPECT_EQ(id, sql::StableId("select sleep(?)"));
  EXPECT_EQ(Dim(*sleeper, Group::kSqlTokenized, model::dim::kTokDbId),
            GeneratedDbId(id));
}

TEST_F(MySqlActivityTest, DigestMappingLearnedOnceThenUsedLater) {
  DigestResolver r(cache_, false, 100);
  const StatementDims before = r.Resolve("SELECT v FROM acct WHERE id = 900;");
  EXPECT_EQ(before.tokenized_text, "SELECT v FROM acct WHERE id = ?");
  EXPECT_FALSE(r.Knows("SELECT v FROM acct WHERE id = 1"));
  r.Learn("SELECT v FROM acct WHERE id = 1", "00112233445566778899aabbccddeeff", "SELECT `v` FROM `acct` WHERE ID = ? ");
  EXPECT_TRUE(r.Knows("SELECT v FROM acct WHERE id = 2"));
  const StatementDims after = r.Resolve("SELECT v FROM acct WHERE id = 900;");
  EXPECT_EQ(after.tokenized_db_id, "00112233445566778899aabbccddeeff");
  EXPECT_EQ(after.tokenized_text, "SELECT `v` FROM `acct` WHERE ID = ?");
  EXPECT_NE(after.tokenized_id, before.tokenized_id);
  // A finished statement of another spelling does not match.
  EXPECT_EQ(r.Resolve("select v from acct where id = 3").tokenized_db_id.substr(0, 3), "pi-");
}

TEST_F(MySqlActivityTest, DigestMapIsBounded) {
  DigestResolver r(cache_, false, 10);
  for (int i = 0; i < 100; ++i) {
    const std::string sql = "select c" + std::to_string(i) + " from t where id = 1";
    r.Learn(sql, "d" + std::to_string(i), "SELECT `c` FROM t WHERE ID = ? ");
    EXPECT_LE(r.learned(), 10u);
  }
  EXPECT_TRUE(r.Knows("select c99 from t where id = 5")) << "the most recent survive";
  EXPECT_FALSE(r.Knows("select c0 from t where id = 5"));
}

TEST_F(MySqlActivityTest, StoreLiteralsKeepsRawTextInDbSql) {
  DigestResolver r(cache_, /*store_literals=*/true, 100);
  r.Learn("select v from acct where id = 1", "00112233445566778899aabbccddeeff", "SELECT `v` FROM `acct` WHERE ID = ? ");
  const StatementDims d = r.Resolve("select v from acct where id = 42");
  EXPECT_EQ(d.sql_text, "select v from acct where id = 42");
  EXPECT_EQ(d.sql_id, sql::StableId("select v from acct where id = 42"));
  EXPECT_EQ(d.sql_db_id, GeneratedDbId(d.sql_id));
  EXPECT_EQ(d.tokenized_db_id, "00112233445566778899aabbccddeeff");
}

TEST_F(MySqlActivityTest, ProcesslistFallbackUsesThreadStates) {
  const model::Sample s = MapFile("processlist_fallback");
  std::map<std::string, int> by_wait;
  for (const auto& r : s.active) {
    ++by_wait[Dim(r, Group::kWaitEvent, model::dim::kWaitName)];
    const std::string& name = Dim(r, Group::kWaitEvent, 0);
    const std::string& type = Dim(r, Group::kWaitEvent, 1);
    if (name == "wait/lock/innodb/row_lock") {
      EXPECT_EQ(type, "lock");
    } else if (name == "CPU") {
      EXPECT_EQ(type, "CPU");
    } else {
      EXPECT_EQ(type, "state") << name;
    }
    EXPECT_EQ(Dim(r, Group::kApplication, 0), "");
    EXPECT_EQ(Dim(r, Group::kSessionType, 0), "FOREGROUND");
  }
  EXPECT_EQ(by_wait["User sleep"], 3);
  EXPECT_EQ(by_wait["wait/lock/innodb/row_lock"], 2);
  EXPECT_EQ(by_wait["Sending data"], 2);  // the join and the prepared statement
  EXPECT_EQ(by_wait["CPU"], 1);
  EXPECT_EQ(s.active.size(), 8u) << Render(s);
  EXPECT_EQ(s.idle_in_transaction, 1);
  const auto* tcp = Find(s, 9);
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(Dim(*tcp, Group::kHost, model::dim::kHostId), "127.0.0.1");
  const auto* v6 = Find(s, 14);
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(Dim(*v6, Group::kHost, model::dim::kHostName), "::1");
  const auto* prepared = Find(s, 15);
  ASSERT_NE(prepared, nullptr);
  EXPECT_EQ(Dim(*prepared, Group::kSqlTokenized, model::dim::kTokStatement), "SELECT c FROM sbtest1 WHERE id=?");
}

TEST(MySqlActivityRulesTest, ActiveCommands) {
  using S = std::optional<std::string>;
  EXPECT_TRUE(IsActive(S("Query"), S("User sleep")));
  EXPECT_TRUE(IsActive(S("Execute"), S()));
  EXPECT_TRUE(IsActive(S("Killed"), S()));
  EXPECT_FALSE(IsActive(S("Sleep"), S()));
  EXPECT_FALSE(IsActive(S("Daemon"), S("InnoDB purge worker")));
  EXPECT_FALSE(IsActive(S(), S("login")));
  EXPECT_FALSE(IsActive(S(""), S()));
  EXPECT_FALSE(IsActive(S("Binlog Dump GTID"), S("Master has sent all binlog to slave; waiting for more updates")));
  EXPECT_TRUE(IsActive(S("Binlog Dump"), S("Sending binlog event to slave")));
  EXPECT_FALSE(IsActive(S("Slave_IO"), S("Waiting for master to send event")));
  EXPECT_TRUE(IsActive(S("Slave_IO"), S("Queueing master event to the relay log")));
  EXPECT_FALSE(IsActive(S("Slave_SQL"), S("Slave has read all relay log; waiting for more updates")));
  EXPECT_TRUE(IsActive(S("Slave_SQL"), S("Executing")));
}

TEST_F(MySqlActivityTest, LockWaitsNameTheHolderAndTakeTheWaitersDimensions) {
  const Snapshot snap = ReadSnapshot(kTestdata / "pfs_ground_truth.snapshot");
  model::Sample s = Map(snap);
  EXPECT_TRUE(SawLockWait(snap, s));
  // 12 queues behind 11 for the row 10 holds: INNODB_LOCK_WAITS lists both.
  const std::vector<InnodbLockWaitRow> waits = {{11, 10, 4.5, 200, std::nullopt},
                                                {12, 11, 3.0, 5, std::nullopt},
                                                {12, 10, 3.0, 200, std::nullopt},
                                                {99, 10, 0.1, 200, "UPDATE acct SET v = v + 3 WHERE id = 42"}};
  EXPECT_EQ(BlockerIds(waits), (std::vector<int64_t>{10, 11}));
  BlockerRow holder;
  holder.id = 10;
  holder.user = "app";
  holder.host = "10.1.2.3:51234";
  holder.command = "Sleep";
  holder.time = 180;
  holder.sql = "UPDATE acct SET v = v + 1 WHERE id = 42";
  holder.application = "batch";
  MapLockWaits(waits, {holder}, resolver_, s);
  ASSERT_EQ(s.lock_waits.size(), 3u);
  for (const model::LockWait& w : s.lock_waits) {
    EXPECT_EQ(w.blocker_pid, 10) << w.waiter_pid;
    EXPECT_EQ(w.blocker_state, "Sleep");
    EXPECT_EQ(w.blocker_user, "app");
    EXPECT_EQ(w.blocker_host, "10.1.2.3");
    EXPECT_EQ(w.blocker_application, "batch");
    EXPECT_EQ(w.blocker_statement, "UPDATE acct SET v = v + ? WHERE id = ?");
    EXPECT_DOUBLE_EQ(w.blocker_state_seconds, 180);
    EXPECT_DOUBLE_EQ(w.blocker_xact_seconds, 200);
    EXPECT_EQ(w.wait_event, "wait/lock/innodb/row_lock");
    // A sampled waiter's statement is its session row's (here the server digest text).
    const model::SessionRow* row = Find(s, w.waiter_pid);
    EXPECT_EQ(w.waiter_statement, row ? Dim(*row, Group::kSqlTokenized, model::dim::kTokStatement)
                                      : "UPDATE acct SET v = v + ? WHERE id = ?");
  }
  EXPECT_EQ(s.lock_waits[0].waiter_pid, 11);
  EXPECT_DOUBLE_EQ(s.lock_waits[0].wait_seconds, 4.5);
  EXPECT_EQ(s.lock_waits[1].waiter_pid, 12);
  // 99 began waiting after the session read: its text comes from INNODB_TRX.
  EXPECT_EQ(s.lock_waits[2].waiter_pid, 99);
  EXPECT_EQ(s.lock_waits[0].waiter_statement, "UPDATE `acct` SET `v` = `v` + ? WHERE ID = ?");
}

TEST_F(MySqlActivityTest, LockWaitOnlyBehindAnotherWaiterPointsAtIt) {
  model::Sample s = MapFile("pfs_ground_truth");
  MapLockWaits({{11, 10, 1, 1, std::nullopt}, {12, 11, 1, 1, std::nullopt}}, {}, resolver_, s);
  ASSERT_EQ(s.lock_waits.size(), 2u);
  EXPECT_EQ(s.lock_waits[1].blocker_pid, 11);
  EXPECT_EQ(s.lock_waits[1].blocker_state, "");  // no PROCESSLIST row read for it
}

TEST_F(MySqlActivityTest, NoLockWaitNoLockQuery) {
  Snapshot snap = ReadSnapshot(kTestdata / "pfs_ground_truth.snapshot");
  snap.trx.clear();
  EXPECT_FALSE(SawLockWait(snap, Map(snap)));
}

TEST(MySqlActivityRulesTest, WaitClassAndHost) {
  EXPECT_EQ(WaitClass("wait/synch/cond/sql/Item_func_sleep::cond"), "synch");
  EXPECT_EQ(WaitClass("wait/io/table/sql/handler"), "io");
  EXPECT_EQ(WaitClass("wait/lock/table/sql/handler"), "lock");
  EXPECT_EQ(WaitClass("idle"), "idle");
  EXPECT_EQ(HostWithoutPort("127.0.0.1:58414"), "127.0.0.1");
  EXPECT_EQ(HostWithoutPort("::1:58414"), "::1");
  EXPECT_EQ(HostWithoutPort("localhost"), "localhost");
  EXPECT_EQ(HostWithoutPort("db.example.com:3306"), "db.example.com");
  EXPECT_EQ(HostWithoutPort("host:"), "host:");
}

}  // namespace
}  // namespace dbinsight::collect::mysql

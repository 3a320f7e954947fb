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

}  // namespace
}  // namespace dbinsight::collect::postgres

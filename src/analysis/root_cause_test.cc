// Root-cause analysis over a real store with known seconds of samples (and
// per-SQL statistics): the episodes, shares, findings and their order are
// checked against what was written.
#include "analysis/root_cause.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "store/metric_store.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::analysis {
namespace {

const std::string kUpdate = "update accounts set balance = balance + $1 where id = $2";
const std::string kSelect = "select * from accounts where id = $1";
const std::string kReport = "select region, sum(amount) from orders group by region";

class RootCauseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-root-cause");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    auto s = store::Store::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s.value());
    auto m = store::MetricStore::Open({.directory = tmp_->path().string()}, clock_);
    ASSERT_TRUE(m.ok());
    metrics_ = std::move(m.value());
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
  }

  // Seconds [from, to) relative to t0_, each with these sessions.
  // lock_waits: the second's lock waits, given its offset from `from`.
  using LockWaitsAt = std::function<std::vector<model::LockWait>(int)>;
  void Sessions(int from, int to, const std::vector<testing::SessionSpec>& sessions, int idle_in_transaction = 0,
                const LockWaitsAt& lock_waits = {}) {
    for (int i = from; i < to; ++i) {
      model::Sample smp{"pg1", FromEpochSeconds(static_cast<double>(t0_ + i)), {}, idle_in_transaction};
      for (const auto& spec : sessions) smp.active.push_back(testing::MakeSessionRow(spec));
      if (lock_waits) smp.lock_waits = lock_waits(i - from);
      ASSERT_TRUE(store_->AppendSample(smp).ok());
    }
  }
  static std::vector<testing::SessionSpec> Times(int n, testing::SessionSpec spec) { return {size_t(n), spec}; }

  // One 60-s statistics interval ending at t0_+end for each statement:
  // (text, calls, total ms, rows).
  void Stats(int end, const std::vector<std::tuple<std::string, double, double, double>>& statements) {
    model::StatementStatsSample s{"pg1",
                                  FromEpochSeconds(static_cast<double>(t0_ + end - 60)),
                                  FromEpochSeconds(static_cast<double>(t0_ + end)),
                                  {}};
    for (const auto& [text, calls, ms, rows] : statements)
      s.statements.push_back({"T" + text, "D" + text, text, {{"calls", calls}, {"rows", rows}, {"total_time", ms}}});
    ASSERT_TRUE(metrics_->AppendStatementSample(s).ok());
  }

  Report Analyze(int from, int to, int vcpus = 2) {
    model::InstanceInfo info;
    info.id = "pg1";
    info.engine = "postgres";
    info.vcpus = vcpus;
    auto r = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_ + from)),
                           FromEpochSeconds(static_cast<double>(t0_ + to)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : Report{};
  }

  static const Finding* Supporting(const Finding& f, const std::string& type) {
    for (const Finding& s : f.supporting)
      if (s.type == type) return &s;
    return nullptr;
  }

  const int64_t t0_ = 1700000000 - 1700000000 % 3600 + 2 * 86400;
  std::unique_ptr<testing::TempDir> tmp_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
};

TEST_F(RootCauseTest, LockEpisodeNamesTheStatementAndTheLockWait) {
  Sessions(0, 200, {});
  // Two minutes: 4 sessions queue on a row lock running the UPDATE, one runs
  // a SELECT on CPU; load 5 on 2 vCPUs.
  auto busy = Times(4, {.wait = "Lock:transactionid", .sql = kUpdate, .user = "billing", .application = "api"});
  busy.push_back({.wait = "CPU", .sql = kSelect});
  Sessions(200, 320, busy, 1);
  Sessions(320, 600, {});
  Report r = Analyze(0, 600);
  ASSERT_EQ(r.episodes.size(), 1u);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].start), t0_ + 200);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].end), t0_ + 320);
  EXPECT_DOUBLE_EQ(r.episodes[0].average_load, 5);
  EXPECT_EQ(r.threshold, 2);
  ASSERT_FALSE(r.episodes[0].by_sql.empty());
  EXPECT_EQ(r.episodes[0].by_sql[0].key, kUpdate);
  EXPECT_DOUBLE_EQ(r.episodes[0].by_sql[0].fraction, 0.8);
  EXPECT_EQ(r.episodes[0].by_user[0].key, "billing");
  EXPECT_EQ(r.episodes[0].by_wait_type[0].key, "Lock");

  ASSERT_FALSE(r.findings.empty());
  const Finding& top = r.findings[0];
  EXPECT_EQ(top.type, "LockWaits");
  EXPECT_TRUE(top.causal);
  EXPECT_EQ(top.severity, Severity::kHigh);
  EXPECT_NE(top.summary.find("Load 5.0 on 2 vCPUs"), std::string::npos) << top.summary;
  EXPECT_NE(top.summary.find("80% is `" + kUpdate + "` waiting on Lock:transactionid"), std::string::npos)
      << top.summary;
  std::string recs;
  for (const auto& rec : top.recommendations) recs += rec.text;
  EXPECT_NE(recs.find("idle_in_transaction_session_timeout"), std::string::npos);
  EXPECT_NE(recs.find("pg_blocking_pids"), std::string::npos);
  bool idle_evidence = false;
  for (const Evidence& e : top.evidence)
    idle_evidence |= e.display_name == "Sessions idle in a transaction" && e.value == 1;
  EXPECT_TRUE(idle_evidence);
  EXPECT_TRUE(r.lock_chains.empty());  // none stored: the generic way to find the blocker
  EXPECT_NE(r.Render(TextFormat::kPlainText).find("Lock chains: none"), std::string::npos);

  // The stored form reads back to the same report.
  auto back = Report::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), r.ToJson());
  EXPECT_NE(r.Render(TextFormat::kPlainText).find("\"" + kUpdate + "\" waiting on Lock:transactionid"),
            std::string::npos);
  EXPECT_NE(r.Render(TextFormat::kMarkdown).find("# Root-cause report: pg1"), std::string::npos);
}

const std::string kBlockerSql = "update accounts set flag = $1 where id = $2";

// Waiter pid 100+k on Lock:transactionid behind `root`, k < direct; one more
// (pid 200) on Lock:tuple behind waiter 100. `t` seconds into the episode.
std::vector<model::LockWait> Chain(int t, int64_t root, const std::string& state, int direct = 3) {
  std::vector<model::LockWait> out;
  model::LockWait w{.blocker_pid = root,
                    .waiter_statement = kUpdate,
                    .wait_event = "Lock:transactionid",
                    .wait_seconds = static_cast<double>(t),
                    .blocker_state = state,
                    .blocker_statement = kBlockerSql,
                    .blocker_user = "batch",
                    .blocker_host = "10.1.2.3",
                    .blocker_application = "loader",
                    .blocker_xact_seconds = 100.0 + t,
                    .blocker_state_seconds = 60.0 + t};
  for (int k = 0; k < direct; ++k) {
    w.waiter_pid = 100 + k;
    out.push_back(w);
  }
  out.push_back({.waiter_pid = 200,
                 .blocker_pid = 100,
                 .waiter_statement = kUpdate,
                 .wait_event = "Lock:tuple",
                 .wait_seconds = t / 2.0,
                 .blocker_state = "active",
                 .blocker_statement = kUpdate});
  return out;
}

TEST(LockChainsTest, WaitersBehindOtherWaitersCountForTheRoot) {
  std::vector<model::LockWaitSample> samples;
  for (int t = 0; t < 10; ++t) samples.push_back({FromEpochSeconds(1000.0 + t), Chain(t, 4242, "idle in transaction")});
  // A second, smaller chain in the last two samples; and a deadlock cycle.
  samples[8].waits.push_back({.waiter_pid = 300, .blocker_pid = 77, .wait_event = "Lock:relation"});
  samples[9].waits.push_back({.waiter_pid = 301, .blocker_pid = 77, .wait_event = "Lock:relation"});
  samples[9].waits.push_back({.waiter_pid = 400, .blocker_pid = 401, .wait_event = "Lock:transactionid"});
  samples[9].waits.push_back({.waiter_pid = 401, .blocker_pid = 400, .wait_event = "Lock:transactionid"});
  const std::vector<LockChain> chains = BuildLockChains(samples);
  ASSERT_EQ(chains.size(), 4u);
  const LockChain& c = chains[0];
  EXPECT_EQ(c.blocker_pid, 4242);
  EXPECT_EQ(c.blocker_state, "idle in transaction");
  EXPECT_EQ(c.blocker_statement, kBlockerSql);
  EXPECT_EQ(c.blocker_user, "batch");
  EXPECT_DOUBLE_EQ(c.blocker_xact_seconds, 109);  // as last seen
  EXPECT_DOUBLE_EQ(c.blocker_state_seconds, 69);
  EXPECT_EQ(c.max_waiters, 4);
  EXPECT_EQ(c.distinct_waiters, 4);
  EXPECT_DOUBLE_EQ(c.waiter_samples, 40);
  EXPECT_DOUBLE_EQ(c.longest_wait_seconds, 9);
  EXPECT_EQ(ToEpochSeconds(c.first_seen), 1000);
  EXPECT_EQ(ToEpochSeconds(c.last_seen), 1009);
  ASSERT_EQ(c.waiters.size(), 2u);
  EXPECT_EQ(c.waiters[0].wait_event, "Lock:transactionid");
  EXPECT_EQ(c.waiters[0].sessions, 3);
  EXPECT_EQ(c.waiters[1].wait_event, "Lock:tuple");
  EXPECT_EQ(c.waiters[1].sessions, 1);
  EXPECT_DOUBLE_EQ(c.waiters[1].longest_wait_seconds, 4.5);
  EXPECT_EQ(chains[1].blocker_pid, 77);
  EXPECT_EQ(chains[1].max_waiters, 1);
  EXPECT_EQ(chains[1].distinct_waiters, 2);
  // The cycle: each waiter is rooted where its walk closes the loop.
  EXPECT_EQ(chains[2].waiter_samples + chains[3].waiter_samples, 2);
  EXPECT_TRUE(BuildLockChains({}).empty());
}

TEST_F(RootCauseTest, LockEpisodeNamesTheRootBlockerAndWhatToDoAboutIt) {
  Sessions(0, 200, {});
  auto busy = Times(4, {.wait = "Lock:transactionid", .sql = kUpdate, .user = "billing", .application = "api"});
  busy.push_back({.wait = "CPU", .sql = kSelect});
  Sessions(200, 320, busy, 1, [](int t) { return Chain(t, 4242, "idle in transaction"); });
  Sessions(320, 600, {});
  Report r = Analyze(0, 600);
  ASSERT_FALSE(r.findings.empty());
  const Finding& top = r.findings[0];
  EXPECT_EQ(top.type, "LockWaits");
  EXPECT_NE(top.summary.find("waiting on Lock:transactionid, blocked by pid 4242 (idle in transaction for 3 min, "
                             "user batch, host 10.1.2.3, application loader) whose last statement is `" +
                             kBlockerSql + "`."),
            std::string::npos)
      << top.summary;
  ASSERT_FALSE(top.recommendations.empty());
  EXPECT_EQ(top.recommendations[0].id, "lock-idle-blocker");
  EXPECT_NE(top.recommendations[0].text.find("pg_terminate_backend(4242)"), std::string::npos);
  EXPECT_NE(top.recommendations[0].text.find("idle_in_transaction_session_timeout"), std::string::npos);
  std::map<std::string, double> evidence;
  for (const Evidence& e : top.evidence)
    if (e.dimensions.count("blocker.pid") && e.dimensions.at("blocker.pid") == "4242") evidence[e.metric] = e.value;
  EXPECT_EQ(evidence["lock_chain.waiters.max"], 4);
  EXPECT_EQ(evidence["lock_chain.waiters.distinct"], 4);
  EXPECT_EQ(evidence["lock_chain.wait_seconds.max"], 119);
  EXPECT_EQ(evidence["lock_chain.blocker.transaction_seconds"], 219);

  ASSERT_EQ(r.lock_chains.size(), 1u);
  EXPECT_EQ(r.lock_chains[0].blocker_pid, 4242);
  EXPECT_EQ(ToEpochSeconds(r.lock_chains[0].first_seen), t0_ + 200);
  auto back = Report::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), r.ToJson());
  const std::string text = r.Render(TextFormat::kPlainText);
  EXPECT_NE(text.find("blocker pid 4242 (idle in transaction, user batch, host 10.1.2.3, application loader)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("4 session(s) waited (4 at most at once), longest wait 119 s"), std::string::npos) << text;
  EXPECT_NE(text.find("1 x \"" + kUpdate + "\" on Lock:tuple"), std::string::npos) << text;
  EXPECT_NE(r.Render(TextFormat::kMarkdown).find("## Lock chains"), std::string::npos);
}

TEST_F(RootCauseTest, ActiveBlockerPointsAtItsStatementAndMariaDbSleepAtItsTimeouts) {
  Sessions(0, 60, {});
  Sessions(60, 120, Times(3, {.wait = "Lock:transactionid", .sql = kUpdate}), 0,
           [](int t) { return Chain(t, 4242, "active", 2); });
  Report r = Analyze(0, 120);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_NE(r.findings[0].summary.find("blocked by pid 4242 (active for 2 min, user batch, host 10.1.2.3, "
                                       "application loader) running `" +
                                       kBlockerSql + "`"),
            std::string::npos)
      << r.findings[0].summary;
  ASSERT_FALSE(r.findings[0].recommendations.empty());
  EXPECT_EQ(r.findings[0].recommendations[0].id, "lock-active-blocker");
  EXPECT_NE(r.findings[0].recommendations[0].text.find(kBlockerSql), std::string::npos);

  Sessions(200, 260, Times(3, {.wait = "wait/lock/innodb/row_lock", .sql = kUpdate}), 0,
           [](int t) { return Chain(t, 17, "Sleep", 3); });
  model::InstanceInfo info{.id = "pg1", .engine = "mariadb", .vcpus = 2};
  auto m = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_ + 140)),
                         FromEpochSeconds(static_cast<double>(t0_ + 260)));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_FALSE(m->findings.empty());
  EXPECT_NE(m->findings[0].summary.find("blocked by pid 17 (idle in transaction (Sleep) for"), std::string::npos)
      << m->findings[0].summary;
  EXPECT_EQ(m->findings[0].recommendations[0].id, "lock-idle-blocker");
  EXPECT_NE(m->findings[0].recommendations[0].text.find("KILL 17"), std::string::npos);
  EXPECT_NE(m->findings[0].recommendations[0].text.find("innodb_lock_wait_timeout"), std::string::npos);
}

TEST_F(RootCauseTest, CpuEpisodeRecommendsTheTopCpuStatements) {
  Sessions(0, 100, {});
  Sessions(100, 160, Times(3, {.wait = "CPU", .sql = kReport}));
  Sessions(160, 300, {});
  Report r = Analyze(0, 300);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].type, "HighCPU");
  EXPECT_EQ(r.findings[0].severity, Severity::kHigh);
  EXPECT_NE(r.findings[0].summary.find("100% is `" + kReport + "` running on CPU"), std::string::npos)
      << r.findings[0].summary;
  ASSERT_FALSE(r.findings[0].recommendations.empty());
  EXPECT_EQ(r.findings[0].recommendations[0].id, "cpu-top-statements");
  EXPECT_NE(r.findings[0].recommendations[0].text.find(kReport), std::string::npos);
}

TEST_F(RootCauseTest, ScanningStatementGetsIndexAdviceFirstAndKeepsItInJson) {
  Sessions(0, 100, {});
  Sessions(100, 160, Times(3, {.wait = "CPU", .sql = kReport}));
  Sessions(160, 300, {});
  model::InstanceInfo info{.id = "pg1", .engine = "postgres", .vcpus = 2};
  std::vector<std::string> asked;
  IndexAdvisor advisor = [&](const std::string& statement, const std::string&) {
    asked.push_back(statement);
    model::IndexAdvice a;
    a.table = "app.events";
    a.columns = {"account_id"};
    a.create_index = "CREATE INDEX CONCURRENTLY ON app.events (account_id);";
    a.basis = "hypopg";
    a.cost_before = 4480;
    a.cost_after = 19;
    return Result<std::vector<model::IndexAdvice>>(std::vector<model::IndexAdvice>{a});
  };
  auto r = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_)),
                         FromEpochSeconds(static_cast<double>(t0_ + 300)), {}, advisor);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(asked, (std::vector<std::string>{kReport}));  // once per statement
  const Finding& f = r->findings.at(0);
  ASSERT_EQ(f.index_advice.size(), 1u);
  EXPECT_EQ(f.recommendations.at(0).id, "index-advice");
  EXPECT_NE(f.recommendations[0].text.find("from 4480 to 19"), std::string::npos) << f.recommendations[0].text;
  auto back = Report::FromJson(r->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->findings.at(0).index_advice.at(0).create_index, f.index_advice[0].create_index);
  EXPECT_EQ(back->findings[0].index_advice[0].cost_after, 19);

  // An advisor that fails says why and never fails the report.
  IndexAdvisor broken = [](const std::string&, const std::string&) {
    return Result<std::vector<model::IndexAdvice>>(Status::Unavailable("connection refused"));
  };
  auto b = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_)),
                         FromEpochSeconds(static_cast<double>(t0_ + 300)), {}, broken);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->findings.at(0).index_advice.empty());
  EXPECT_EQ(b->findings[0].recommendations.back().id, "index-advice-unavailable");
  EXPECT_NE(b->findings[0].recommendations.back().text.find("connection refused"), std::string::npos);
}

TEST_F(RootCauseTest, QuietWindowHasNoHighSeverityFinding) {
  Sessions(0, 600, {{.wait = "CPU", .sql = kSelect}});
  Report r = Analyze(0, 600);
  EXPECT_TRUE(r.episodes.empty());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].type, "NoHighLoad");
  EXPECT_EQ(r.findings[0].severity, Severity::kLow);
  EXPECT_DOUBLE_EQ(r.average_load, 1);
}

TEST_F(RootCauseTest, ShortSpikesAreNoEpisodeAndNearbyOnesMerge) {
  Sessions(0, 100, {});
  Sessions(100, 105, Times(4, {.wait = "CPU", .sql = kSelect}));  // 5 s: below min_high
  Sessions(105, 200, {});
  Sessions(200, 210, Times(4, {.wait = "IO:DataFileRead", .sql = kReport}));
  Sessions(210, 240, {});  // 30 s apart: the same episode
  Sessions(240, 250, Times(4, {.wait = "IO:DataFileRead", .sql = kReport}));
  Sessions(250, 400, {});
  Report r = Analyze(0, 400);
  ASSERT_EQ(r.episodes.size(), 1u);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].start), t0_ + 200);
  EXPECT_EQ(ToEpochSeconds(r.episodes[0].end), t0_ + 250);
  EXPECT_EQ(r.episodes[0].high_seconds, 20);
  EXPECT_EQ(r.findings[0].type, "IOWaits");
  // Average 80/50 = 1.6 is below 2 vCPUs: the peak alone makes it MEDIUM.
  EXPECT_EQ(r.findings[0].severity, Severity::kMedium);
}

TEST_F(RootCauseTest, MariaDbWaitNamesClassifyToo) {
  Sessions(0, 60, {});
  Sessions(60, 120, Times(3, {.wait = "wait/lock/innodb/row_lock", .sql = kUpdate}));
  model::InstanceInfo info;
  info.id = "pg1";
  info.engine = "mariadb";
  info.vcpus = 2;
  auto r = AnalyzeWindow(*engine_, info, FromEpochSeconds(static_cast<double>(t0_)),
                         FromEpochSeconds(static_cast<double>(t0_ + 120)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->findings.empty());
  EXPECT_EQ(r->findings[0].type, "LockWaits");
  std::string recs;
  for (const auto& rec : r->findings[0].recommendations) recs += rec.text;
  EXPECT_NE(recs.find("innodb_lock_wait_timeout"), std::string::npos);
}

TEST_F(RootCauseTest, RegressionAgainstTheDayBeforeAndNewStatements) {
  const int day = 86400;
  // The day before: the SELECT ran 10 calls/s at 1 ms per call, 1 row each.
  Sessions(-day, -day + 180, {{.wait = "CPU", .sql = kSelect}});
  for (int end = -day + 60; end <= -day + 180; end += 60) Stats(end, {{kSelect, 600, 600, 600}});
  // Today: 10 ms per call and 3 sessions on it, plus a new report query.
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  auto both = Times(3, {.wait = "CPU", .sql = kSelect});
  both.push_back({.wait = "CPU", .sql = kReport});
  Sessions(120, 180, both);
  for (int end = 60; end <= 240; end += 60) Stats(end, {{kSelect, 600, 6000, 600}, {kReport, 6, 3000, 10}});
  Report r = Analyze(0, 180);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_EQ(r.episodes[0].statements.size(), 2u);
  const StatementCheck& select = r.episodes[0].statements[0];
  EXPECT_EQ(select.statement, kSelect);
  EXPECT_EQ(select.comparison, "compared");
  ASSERT_TRUE(select.latency_ms_per_call && select.prev_latency_ms_per_call);
  EXPECT_DOUBLE_EQ(*select.latency_ms_per_call, 10);
  EXPECT_DOUBLE_EQ(*select.prev_latency_ms_per_call, 1);
  EXPECT_DOUBLE_EQ(*select.calls_per_sec, 10);
  EXPECT_EQ(r.episodes[0].statements[1].comparison, "new");

  ASSERT_FALSE(r.findings.empty());
  const Finding* regression = Supporting(r.findings[0], "SQLRegression");
  ASSERT_NE(regression, nullptr);
  EXPECT_EQ(regression->severity, Severity::kMedium);
  EXPECT_NE(regression->summary.find("latency per call 10.0 ms vs 1.0 ms the day before (10.0x)"), std::string::npos)
      << regression->summary;
  const Finding* fresh = Supporting(r.findings[0], "NewSQL");
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(fresh->summary.find(kReport), std::string::npos);
}

TEST_F(RootCauseTest, InWindowRegressionAndConnectionsNeedNoHighLoad) {
  // One session (below 2 vCPUs): no episode. The SELECT runs 1 ms per call
  // for 5 minutes, then 30 ms; connections climb to 90 of 100 in minute 8.
  Sessions(0, 600, {{.wait = "CPU", .sql = kSelect}});
  for (int end = 60; end <= 600; end += 60) Stats(end, {{kSelect, 600, end <= 300 ? 600 : 18000, 600}});
  for (int i = 0; i < 600; ++i) {
    const double conns = i >= 420 && i < 480 ? 90 : 20;
    ASSERT_TRUE(metrics_
                    ->AppendMetricSample({"pg1",
                                          FromEpochSeconds(static_cast<double>(t0_ + i)),
                                          {{"db.User.numbackends", conns}, {"db.User.max_connections", 100}}})
                    .ok());
  }
  Report r = Analyze(0, 600);
  EXPECT_TRUE(r.episodes.empty());
  ASSERT_EQ(r.findings.size(), 2u);
  const Finding& slow = r.findings[0];  // HIGH: 30x
  EXPECT_EQ(slow.type, "SQLRegression");
  EXPECT_TRUE(slow.causal);
  EXPECT_EQ(slow.severity, Severity::kHigh);
  EXPECT_NE(slow.summary.find("30.0 ms per call at its end against 1.0 ms at its start (30x)"), std::string::npos)
      << slow.summary;
  EXPECT_NEAR(ToEpochSeconds(slow.start), static_cast<double>(t0_ + 300), 60) << slow.summary;
  const Finding& conns = r.findings[1];
  EXPECT_EQ(conns.type, "ConnectionsNearLimit");
  EXPECT_EQ(conns.severity, Severity::kMedium);
  EXPECT_NE(conns.summary.find("reached 90 of max_connections 100 (90%)"), std::string::npos) << conns.summary;
}

TEST_F(RootCauseTest, LongLockWaitsWithoutHighLoadNameTheBlocker) {
  // One waiter (load 1 on 2 vCPUs: no episode), waiting 120 s behind pid 4242.
  Sessions(0, 100, {});
  Sessions(100, 220, {{.wait = "Lock:transactionid", .sql = kUpdate}}, 1,
           [](int t) { return std::vector<model::LockWait>{Chain(t, 4242, "idle in transaction").front()}; });
  Report r = Analyze(0, 300);
  EXPECT_TRUE(r.episodes.empty());
  ASSERT_FALSE(r.findings.empty());
  const Finding& top = r.findings[0];
  EXPECT_EQ(top.type, "LockWaits");
  EXPECT_EQ(top.severity, Severity::kHigh);  // 30 s or more
  EXPECT_NE(top.summary.find("Sessions waited on locks for up to 119 s"), std::string::npos) << top.summary;
  EXPECT_NE(top.summary.find("blocked by pid 4242 (idle in transaction"), std::string::npos) << top.summary;
  ASSERT_FALSE(top.recommendations.empty());
  EXPECT_EQ(top.recommendations[0].id, "lock-idle-blocker");
}

TEST_F(RootCauseTest, WeekBeforeWhenTheDayBeforeHasNoStatistics) {
  const int week = 7 * 86400;
  // A weekly job: nothing the day before; a week before the SELECT took 1 ms.
  Sessions(-week, -week + 180, {{.wait = "CPU", .sql = kSelect}});
  for (int end = -week + 60; end <= -week + 180; end += 60) Stats(end, {{kSelect, 600, 600, 600}});
  Sessions(0, 180, Times(3, {.wait = "CPU", .sql = kSelect}));
  for (int end = 60; end <= 240; end += 60) Stats(end, {{kSelect, 600, 6000, 600}});
  Report r = Analyze(0, 180);
  ASSERT_EQ(r.episodes.size(), 1u);
  const StatementCheck& select = r.episodes[0].statements.at(0);
  EXPECT_EQ(select.comparison, "compared");
  EXPECT_EQ(select.offset_hours, 168);
  EXPECT_DOUBLE_EQ(select.prev_latency_ms_per_call.value_or(0), 1);
  const Finding* regression = Supporting(r.findings.at(0), "SQLRegression");
  ASSERT_NE(regression, nullptr);
  EXPECT_NE(regression->summary.find("changed since the week before: latency per call 10.0 ms vs 1.0 ms the week "
                                     "before (10.0x)"),
            std::string::npos)
      << regression->summary;
  auto back = Report::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->episodes.at(0).statements.at(0).offset_hours, 168);
}

TEST_F(RootCauseTest, DayBeforeWithoutSampledLoadComparesCallsWeighted) {
  const int day = 86400;
  // The day before the SELECT ran too fast to be sampled: statistics only.
  // 600 calls at 1 ms, then 60 calls at 10 ms: 1200 ms / 660 calls.
  Stats(-day + 60, {{kSelect, 600, 600, 600}});
  Stats(-day + 120, {{kSelect, 60, 600, 60}});
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  for (int end = 60; end <= 180; end += 60) Stats(end, {{kSelect, 600, 6000, 600}});
  Report r = Analyze(0, 120);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.episodes[0].statements.empty());
  const StatementCheck& c = r.episodes[0].statements[0];
  EXPECT_EQ(c.comparison, "compared");
  ASSERT_TRUE(c.prev_latency_ms_per_call.has_value());
  EXPECT_DOUBLE_EQ(*c.prev_latency_ms_per_call, 1200.0 / 660);
  EXPECT_NE(Supporting(r.findings[0], "SQLRegression"), nullptr);
}

TEST_F(RootCauseTest, UnknownStatisticsWithoutHistoryAreNotNew) {
  Sessions(0, 120, Times(3, {.wait = "CPU", .sql = kSelect}));
  Stats(60, {{kSelect, 600, 600, 600}});
  Report r = Analyze(0, 120);
  ASSERT_EQ(r.episodes.size(), 1u);
  ASSERT_FALSE(r.episodes[0].statements.empty());
  EXPECT_EQ(r.episodes[0].statements[0].comparison, "no-history");
  EXPECT_EQ(Supporting(r.findings[0], "NewSQL"), nullptr);
}

TEST_F(RootCauseTest, EndBeforeStartIsInvalid) {
  model::InstanceInfo info;
  info.id = "pg1";
  EXPECT_FALSE(AnalyzeWindow(*engine_, info, FromEpochSeconds(10), FromEpochSeconds(5)).ok());
}

}  // namespace
}  // namespace dbinsight::analysis

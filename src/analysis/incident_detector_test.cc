// IncidentDetector and its kinds' rules on scripted second-by-second inputs:
// when each kind opens and closes, that none flaps around its line or runs
// across a gap, and what each summary says.
#include "analysis/incident_detector.h"

#include <gtest/gtest.h>

#include <functional>

namespace dbinsight::analysis {
namespace {

constexpr int64_t kT0 = 1700000000;  // 2023-11-14 22:13:20 UTC

WallTime T(double i) { return FromEpochSeconds(static_cast<double>(kT0) + i); }

LiveSecond At(int i, double load, const std::string& sql = "select pg_sleep($1)",
              const std::string& wait = "Timeout:PgSleep") {
  LiveSecond s;
  s.time = T(i);
  s.load = load;
  if (load > 0) {
    s.statements[sql] = load;
    s.waits[wait] = load;
  }
  return s;
}

HighLoadOptions Fast() {
  HighLoadOptions o;
  o.run.close_after = std::chrono::seconds(10);
  return o;
}

using Changes = std::vector<std::pair<int, IncidentChange>>;

// Feeds reading(i) for i in [0, n) (current() is the incident closed by the
// last one, if any: the next reading forgets it); returns the seconds at which an incident opened or closed.
Changes Feed(IncidentDetector& d, int n, const std::function<Reading(int)>& reading) {
  Changes changes;
  for (int i = 0; i < n; ++i) {
    IncidentChange c = d.Observe(reading(i));
    if (c == IncidentChange::kOpened || c == IncidentChange::kClosed) changes.push_back({i, c});
  }
  return changes;
}

Changes FeedLoads(IncidentDetector& d, const std::vector<double>& loads, double vcpus = 2) {
  return Feed(d, static_cast<int>(loads.size()),
              [&](int i) { return HighLoadReading(At(i, loads[i]), vcpus, Fast()); });
}

const std::pair<int, IncidentChange> Opened(int i) { return {i, IncidentChange::kOpened}; }
const std::pair<int, IncidentChange> Closed(int i) { return {i, IncidentChange::kClosed}; }

// --- high-load -----------------------------------------------------------------

TEST(HighLoadTest, OpensAfterTheSustainedRunAndClosesAfterTheQuietOne) {
  IncidentDetector d(Fast().run);
  std::vector<double> loads(3, 0.5);
  loads.insert(loads.end(), 20, 4.0);                                // seconds 3..22 above 2 vCPUs
  loads.insert(loads.end(), 10, 0.5);                                // 23..32 quiet: the last one closes it
  EXPECT_EQ(FeedLoads(d, loads), (Changes{Opened(7), Closed(32)}));  // the 5th high second, the 10th quiet
  const Incident& incident = *d.current();
  EXPECT_EQ(incident.kind, "high-load");
  EXPECT_EQ(ToEpochSeconds(incident.opened), kT0 + 3);
  EXPECT_EQ(ToEpochSeconds(*incident.closed), kT0 + 23);
  EXPECT_DOUBLE_EQ(incident.Average(), 4.0);  // the quiet tail is not part of it
  EXPECT_EQ(incident.Summary(),
            "Load 4.0 (peak 4.0) on 2 vCPUs from 22:13:23 to 22:13:43 UTC; 100% is `select pg_sleep($1)`, "
            "100% waits on Timeout:PgSleep");
}

TEST(HighLoadTest, ShortSpikesNeverOpen) {
  IncidentDetector d(Fast().run);
  // Four seconds high, one low, four high...: never five in a row.
  std::vector<double> loads;
  for (int k = 0; k < 10; ++k) loads.insert(loads.end(), {5, 5, 5, 5, 1});
  EXPECT_TRUE(FeedLoads(d, loads).empty());
}

TEST(HighLoadTest, HoveringAtTheLineDoesNotFlap) {
  IncidentDetector d(Fast().run);
  std::vector<double> loads(6, 3.0);  // opens at second 4
  // Then it hovers around 2 (between the close line 1.6 and the open line):
  // it stays open, and short dips below 1.6 do not close it.
  for (int k = 0; k < 10; ++k) loads.insert(loads.end(), {2.1, 1.9, 1.7, 1.0, 2.2, 1.2});
  EXPECT_EQ(FeedLoads(d, loads), (Changes{Opened(4)}));
  EXPECT_FALSE(d.current()->closed.has_value());
}

TEST(HighLoadTest, ReopensAsANewIncidentAfterClosing) {
  IncidentDetector d(Fast().run);
  std::vector<double> loads(5, 2.0);
  loads.insert(loads.end(), 10, 0.0);
  loads.insert(loads.end(), 5, 2.0);
  EXPECT_EQ(FeedLoads(d, loads, 1), (Changes{Opened(4), Closed(14), Opened(19)}));
  EXPECT_EQ(ToEpochSeconds(d.current()->opened), kT0 + 15);
}

TEST(HighLoadTest, AGapRestartsTheRun) {
  IncidentDetector d(Fast().run);
  auto observe = [&](int i) { return d.Observe(HighLoadReading(At(i, 4), 2, Fast())); };
  // Three high seconds, 10 s unsampled, three high: no five in a row.
  for (int i : {0, 1, 2, 13, 14, 15}) EXPECT_EQ(observe(i), IncidentChange::kNone) << i;
  EXPECT_EQ(observe(16), IncidentChange::kNone);
  EXPECT_EQ(observe(17), IncidentChange::kOpened);
  // Seconds out of order are ignored.
  EXPECT_EQ(observe(10), IncidentChange::kNone);
  EXPECT_EQ(observe(17), IncidentChange::kNone);
}

TEST(HighLoadTest, SummaryNamesTheDominantStatementAndWait) {
  IncidentDetector d(Fast().run);
  for (int i = 0; i < 6; ++i) {
    LiveSecond s = At(i, 10);
    s.statements = {{"update accounts set balance = balance + $1 where id = $2", 7.5}, {"select $1", 2.5}};
    s.waits = {{"Lock:transactionid", 7}, {"CPU", 3}};
    d.Observe(HighLoadReading(s, 4, Fast()));
  }
  ASSERT_TRUE(d.current().has_value());
  EXPECT_EQ(d.current()->Summary(),
            "Load 10.0 (peak 10.0) on 4 vCPUs since 22:13:20 UTC; 75% is `update accounts set balance = balance + $1 "
            "where id = $2`, 70% waits on Lock:transactionid");
}

// --- lock-chain ------------------------------------------------------------------

model::LockWait Wait(double seconds, int64_t blocker = 4242) {
  model::LockWait w;
  w.waiter_pid = 100;
  w.blocker_pid = blocker;
  w.waiter_statement = "update lg_accounts set balance = balance + $1 where id = $2";
  w.wait_event = "Lock:transactionid";
  w.wait_seconds = seconds;
  w.blocker_state = "idle in transaction";
  w.blocker_statement = "update lg_accounts set balance = balance - $1 where id = $2";
  w.blocker_user = "batch";
  w.blocker_host = "10.1.2.3";
  w.blocker_application = "psql";
  w.blocker_xact_seconds = 200;
  w.blocker_state_seconds = 180;
  return w;
}

TEST(LockChainTest, OpensWithinSecondsOfTheChainAndNamesTheBlocker) {
  LockChainOptions o;
  IncidentDetector d(o.run);
  // A chain starts at second 2: two sessions wait, the first since second 2.
  auto waits = [](int i) -> std::vector<model::LockWait> {
    if (i < 2 || i >= 40) return {};
    return {Wait(i - 2 + 0.5), Wait((i - 2) / 2.0)};
  };
  const Changes changes = Feed(d, 50, [&](int i) { return LockChainReading(T(i), waits(i), o); });
  // The longest wait reaches 3 s at second 5 (3.5 s); two seconds in a row at second 6:
  // 4 s after the chain began, 5 s with the second it takes to read it.
  // The last waits are at second 39; 10 quiet seconds close it at 49.
  EXPECT_EQ(changes, (Changes{Opened(6), Closed(49)}));
  const Incident& incident = *d.current();
  EXPECT_EQ(incident.kind, "lock-chain");
  EXPECT_EQ(ToEpochSeconds(incident.opened), kT0 + 5);
  EXPECT_EQ(ToEpochSeconds(*incident.closed), kT0 + 40);
  EXPECT_DOUBLE_EQ(incident.peak, 37.5);
  EXPECT_EQ(incident.Summary(),
            "Lock chain from 22:13:25 to 22:14:00 UTC: 2 sessions wait (longest 38 s, on Lock:transactionid, "
            "`update lg_accounts set balance = balance + $1 where id = $2`), blocked by pid 4242 (idle in "
            "transaction for 3 min, transaction open 3 min, user batch, host 10.1.2.3, application psql, last "
            "`update lg_accounts set balance = balance - $1 where id = $2`)");
}

TEST(LockChainTest, ShortWaitsNeverOpenAndARetryingWaiterDoesNotFlap) {
  LockChainOptions o;
  IncidentDetector d(o.run);
  // Waits of up to 2.5 s, over and over (a busy OLTP row): never an incident.
  EXPECT_TRUE(Feed(d, 60, [&](int i) { return LockChainReading(T(i), {Wait((i % 6) * 0.5)}, o); }).empty());
  // A stuck chain whose waiter times out every 8 s and retries: its wait
  // restarts from 0 but never disappears, so one incident stays open.
  IncidentDetector stuck(o.run);
  const Changes changes = Feed(stuck, 60, [&](int i) { return LockChainReading(T(i), {Wait(i % 8)}, o); });
  EXPECT_EQ(changes, (Changes{Opened(4)}));
}

TEST(LockChainTest, NamesTheHeadOfTheChainNotAWaiterQueuedBeforeIt) {
  LockChainOptions o;
  // PostgreSQL's tuple-lock queue: 102 and 103 wait (longest) for 101, which
  // waits for 4242, idle in transaction.
  model::LockWait first = Wait(4);
  first.waiter_pid = 101;
  model::LockWait queued = Wait(6, 101);
  queued.waiter_pid = 102;
  queued.wait_event = "Lock:tuple";
  queued.blocker_state = "active";
  model::LockWait third = queued;
  third.waiter_pid = 103;
  third.wait_seconds = 5;
  const Reading r = LockChainReading(T(0), {queued, first, third}, o);
  EXPECT_EQ(r.level, Level::kAbove);
  EXPECT_DOUBLE_EQ(r.value, 6);
  const auto& e = std::get<LockChainEvidence>(r.evidence);
  EXPECT_EQ(e.waiters, 3);
  EXPECT_EQ(e.longest.blocker_pid, 4242);
  EXPECT_EQ(e.longest.wait_event, "Lock:transactionid");
  EXPECT_EQ(e.longest.blocker_state, "idle in transaction");
  // A deadlock (a cycle) ends the walk instead of looping.
  model::LockWait a = Wait(5, 2), b = Wait(5, 1);
  a.waiter_pid = 1;
  b.waiter_pid = 2;
  EXPECT_EQ(LockChainReading(T(0), {a, b}, o).level, Level::kAbove);
}

TEST(LockChainTest, AGapRestartsTheRun) {
  LockChainOptions o;
  IncidentDetector d(o.run);
  EXPECT_EQ(d.Observe(LockChainReading(T(0), {Wait(5)}, o)), IncidentChange::kNone);
  // Four seconds unsampled (more than max_gap 3 s): the run starts again.
  EXPECT_EQ(d.Observe(LockChainReading(T(5), {Wait(10)}, o)), IncidentChange::kNone);
  EXPECT_EQ(d.Observe(LockChainReading(T(6), {Wait(11)}, o)), IncidentChange::kOpened);
}

// --- connections -----------------------------------------------------------------

TEST(ConnectionsTest, OpensNearTheLimitClosesWellBelowItAndNamesWhoIsActive) {
  ConnectionsOptions o;
  o.run.close_after = std::chrono::seconds(10);
  IncidentDetector d(o.run);
  LiveSecond active;
  active.users = {{"app", 3}, {"batch", 1}};
  active.applications = {{"web", 2}};
  auto connections = [](int i) -> double {
    if (i < 3) return 5;
    if (i < 30) return 54;               // 90% of 60 from second 3
    if (i < 50) return i % 2 ? 45 : 50;  // 75-83%: between the lines, or above for a second
    return 10;
  };
  const Changes changes = Feed(d, 60, [&](int i) { return ConnectionsReading(T(i), connections(i), 60, active, o); });
  EXPECT_EQ(changes, (Changes{Opened(7), Closed(59)}));
  const Incident& incident = *d.current();
  EXPECT_EQ(incident.kind, "connections");
  EXPECT_EQ(ToEpochSeconds(incident.opened), kT0 + 3);
  EXPECT_EQ(incident.Summary(),
            "Connections 50/60 (83%, peak 54) from 22:13:23 to 22:14:10 UTC; active sessions mostly user app (75%), "
            "application web (100%)");
}

TEST(ConnectionsTest, AnUnknownLimitNeverOpens) {
  ConnectionsOptions o;
  IncidentDetector d(o.run);
  EXPECT_TRUE(Feed(d, 30, [&](int i) { return ConnectionsReading(T(i), 500, 0, {}, o); }).empty());
}

// --- latency-regression ------------------------------------------------------------

constexpr const char* kSql = "select count(*) as regressed_rows, sum(v) from lg_regress where bucket = $1";

StatementInterval Interval(double end, double ms, double calls = 100, const std::string& id = "s1",
                           const std::string& sql = kSql) {
  return {id, sql, T(end), calls, ms};
}

TEST(LatencyRegressionTest, OpensWithinTwoIntervalsOfTheChangeAndNamesTheStatement) {
  LatencyRegressionOptions o;
  o.run.close_after = std::chrono::seconds(10);
  const auto interval = std::chrono::seconds(2);
  LatencyRegressionRule rule(o, interval);
  IncidentDetector d(o.run);
  // Intervals end every 2 s; the statement turns slow at second 60 and
  // recovers at second 100. Another statement stays fast and never counts.
  auto ms = [](int end) { return end > 60 && end <= 100 ? 40.0 : 0.5; };
  Changes changes;
  for (int end = 2; end <= 110; end += 2) {  // the last one closes it
    const IncidentChange c =
        d.Observe(rule.Observe(T(end), {Interval(end, ms(end)), Interval(end, 0.2, 500, "s2", "select $1")}));
    if (c == IncidentChange::kOpened || c == IncidentChange::kClosed) changes.push_back({end, c});
  }
  // The first slow interval ends at 62, the second at 64: a 4-s run.
  // Back to normal from the interval ending at 102 (it starts at 100); 10 s later.
  EXPECT_EQ(changes, (Changes{Opened(64), Closed(110)}));
  const Incident& incident = *d.current();
  EXPECT_EQ(incident.kind, "latency-regression");
  EXPECT_EQ(ToEpochSeconds(incident.opened), kT0 + 60);
  EXPECT_EQ(ToEpochSeconds(*incident.closed), kT0 + 100);
  EXPECT_DOUBLE_EQ(incident.Average(), 40);
  EXPECT_EQ(incident.Summary(),
            std::string("`") + kSql +
                "` takes 40.0 ms per call (100 calls in the last interval) against 0.5 ms before (80x) from "
                "22:14:20 to 22:15:00 UTC");
}

TEST(LatencyRegressionTest, SmallFewOrNoisyChangesNeverOpen) {
  LatencyRegressionOptions o;
  LatencyRegressionRule rule(o, std::chrono::seconds(2));
  IncidentDetector d(o.run);
  for (int end = 2; end <= 200; end += 2) {
    std::vector<StatementInterval> in = {
        Interval(end, end > 50 ? 1.5 : 0.3, 100, "tiny"),  // 5x, but 1.2 ms more: not worth a page
        Interval(end, end > 50 ? 300 : 10, 3, "rare"),     // 30x over 3 calls: too few to tell
        Interval(end, end % 4 ? 20 : 12, 100, "noisy"),    // swings under 3x of its own mean
    };
    EXPECT_EQ(d.Observe(rule.Observe(T(end), in)), IncidentChange::kNone) << end;
  }
}

TEST(LatencyRegressionTest, ALastingRegressionStaysOpenAgainstTheBaselineBeforeIt) {
  LatencyRegressionOptions o;
  o.baseline = std::chrono::seconds(120);
  LatencyRegressionRule rule(o, std::chrono::seconds(2));
  IncidentDetector d(o.run);
  Changes changes;
  // Slow from second 100 for a minute: its own slow intervals never enter the
  // baseline, so it stays open as long as the window keeps fast ones.
  for (int end = 2; end <= 160; end += 2) {
    const IncidentChange c = d.Observe(rule.Observe(T(end), {Interval(end, end > 100 ? 30 : 1)}));
    if (c == IncidentChange::kOpened || c == IncidentChange::kClosed) changes.push_back({end, c});
  }
  EXPECT_EQ(changes, (Changes{Opened(104)}));
  EXPECT_NE(d.current()->Summary().find("against 1.0 ms before (30x)"), std::string::npos) << d.current()->Summary();
}

TEST(LatencyRegressionTest, BackfilledHistoryIsTheBaselineOfAStatementSeenLate) {
  LatencyRegressionOptions o;
  LatencyRegressionRule rule(o, std::chrono::seconds(2));
  EXPECT_FALSE(rule.Knows("s1"));
  std::vector<StatementInterval> history;
  for (int end = 2; end <= 60; end += 2) history.push_back(Interval(end, 0.5));
  rule.Backfill(history);
  EXPECT_TRUE(rule.Knows("s1"));
  const Reading r = rule.Observe(T(62), {Interval(62, 25)});
  EXPECT_EQ(r.level, Level::kAbove);
  EXPECT_EQ(ToEpochSeconds(r.time), kT0 + 60);
  EXPECT_DOUBLE_EQ(std::get<RegressionEvidence>(r.evidence).baseline_ms, 0.5);
}

TEST(LatencyRegressionTest, JitteringIntervalsAreNotGaps) {
  LatencyRegressionOptions o;
  LatencyRegressionRule rule(o, std::chrono::seconds(2));
  IncidentDetector d(o.run);
  std::vector<StatementInterval> history;
  for (int end = 2; end <= 60; end += 2) history.push_back(Interval(end, 0.5));
  rule.Backfill(history);
  // Ends at 63, 64 (one second after: overlaps), 67 (a second late).
  EXPECT_EQ(d.Observe(rule.Observe(T(63), {Interval(63, 25)})), IncidentChange::kNone);
  EXPECT_EQ(d.Observe(rule.Observe(T(64), {Interval(64, 25)})), IncidentChange::kNone);
  EXPECT_EQ(d.Observe(rule.Observe(T(67), {Interval(67, 25)})), IncidentChange::kOpened);
  EXPECT_EQ(ToEpochSeconds(d.current()->opened), kT0 + 61);
}

}  // namespace
}  // namespace dbinsight::analysis

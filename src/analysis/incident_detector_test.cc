// IncidentDetector on scripted second-by-second loads: when it opens and
// closes, that it does not flap, and what its summary says.
#include "analysis/incident_detector.h"

#include <gtest/gtest.h>

namespace dbinsight::analysis {
namespace {

constexpr int64_t kT0 = 1700000000;  // 2023-11-14 22:13:20 UTC

LiveSecond At(int i, double load, const std::string& sql = "select pg_sleep($1)",
              const std::string& wait = "Timeout:PgSleep") {
  LiveSecond s;
  s.time = FromEpochSeconds(kT0 + i);
  s.load = load;
  if (load > 0) {
    s.statements[sql] = load;
    s.waits[wait] = load;
  }
  return s;
}

IncidentOptions Fast() {
  IncidentOptions o;
  o.open_after = std::chrono::seconds(5);
  o.close_after = std::chrono::seconds(10);
  return o;
}

// Feeds loads[i] at second i; returns the seconds at which each change happened.
std::vector<std::pair<int, IncidentChange>> Feed(IncidentDetector& d, const std::vector<double>& loads) {
  std::vector<std::pair<int, IncidentChange>> changes;
  for (size_t i = 0; i < loads.size(); ++i) {
    IncidentChange c = d.Observe(At(static_cast<int>(i), loads[i]));
    if (c == IncidentChange::kOpened || c == IncidentChange::kClosed) changes.push_back({static_cast<int>(i), c});
  }
  return changes;
}

TEST(IncidentDetectorTest, OpensAfterTheSustainedRunAndClosesAfterTheQuietOne) {
  IncidentDetector d(2, Fast());
  std::vector<double> loads(3, 0.5);
  loads.insert(loads.end(), 20, 4.0);  // seconds 3..22 above 2 vCPUs
  loads.insert(loads.end(), 10, 0.5);  // 23..32 quiet: the last one closes it
  auto changes = Feed(d, loads);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], std::make_pair(7, IncidentChange::kOpened));   // the 5th high second
  EXPECT_EQ(changes[1], std::make_pair(32, IncidentChange::kClosed));  // the 10th quiet one
  const Incident& incident = *d.current();
  EXPECT_EQ(ToEpochSeconds(incident.opened), kT0 + 3);
  EXPECT_EQ(ToEpochSeconds(*incident.closed), kT0 + 23);
  EXPECT_DOUBLE_EQ(incident.AverageLoad(), 4.0);  // the quiet tail is not part of it
  EXPECT_EQ(incident.Summary(),
            "Load 4.0 (peak 4.0) on 2 vCPUs from 22:13:23 to 22:13:43 UTC; 100% is `select pg_sleep($1)`, "
            "100% waits on Timeout:PgSleep");
}

TEST(IncidentDetectorTest, ShortSpikesNeverOpen) {
  IncidentDetector d(2, Fast());
  // Four seconds high, one low, four high...: never five in a row.
  std::vector<double> loads;
  for (int k = 0; k < 10; ++k) loads.insert(loads.end(), {5, 5, 5, 5, 1});
  EXPECT_TRUE(Feed(d, loads).empty());
}

TEST(IncidentDetectorTest, HoveringAtTheLineDoesNotFlap) {
  IncidentDetector d(2, Fast());
  std::vector<double> loads(6, 3.0);  // opens at second 4
  // Then it hovers around 2 (between the close line 1.6 and the open line):
  // it stays open, and short dips below 1.6 do not close it.
  for (int k = 0; k < 10; ++k) loads.insert(loads.end(), {2.1, 1.9, 1.7, 1.0, 2.2, 1.2});
  auto changes = Feed(d, loads);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second, IncidentChange::kOpened);
  EXPECT_FALSE(d.current()->closed.has_value());
}

TEST(IncidentDetectorTest, ReopensAsANewIncidentAfterClosing) {
  IncidentDetector d(1, Fast());
  std::vector<double> loads(5, 2.0);
  loads.insert(loads.end(), 10, 0.0);
  loads.insert(loads.end(), 5, 2.0);
  auto changes = Feed(d, loads);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[2], std::make_pair(19, IncidentChange::kOpened));
  EXPECT_EQ(ToEpochSeconds(d.current()->opened), kT0 + 15);
}

TEST(IncidentDetectorTest, AGapRestartsTheRun) {
  IncidentDetector d(2, Fast());
  // Three high seconds, 10 s unsampled, three high: no five in a row.
  for (int i : {0, 1, 2, 13, 14, 15}) EXPECT_EQ(d.Observe(At(i, 4)), IncidentChange::kNone) << i;
  EXPECT_EQ(d.Observe(At(16, 4)), IncidentChange::kNone);
  EXPECT_EQ(d.Observe(At(17, 4)), IncidentChange::kOpened);
  // Seconds out of order are ignored.
  EXPECT_EQ(d.Observe(At(10, 4)), IncidentChange::kNone);
}

TEST(IncidentDetectorTest, SummaryNamesTheDominantStatementAndWait) {
  IncidentDetector d(4, Fast());
  for (int i = 0; i < 6; ++i) {
    LiveSecond s = At(i, 10);
    s.statements = {{"update accounts set balance = balance + $1 where id = $2", 7.5}, {"select $1", 2.5}};
    s.waits = {{"Lock:transactionid", 7}, {"CPU", 3}};
    d.Observe(s);
  }
  ASSERT_TRUE(d.current().has_value());
  EXPECT_EQ(d.current()->Summary(),
            "Load 10.0 (peak 10.0) on 4 vCPUs since 22:13:20 UTC; 75% is `update accounts set balance = balance + $1 "
            "where id = $2`, 70% waits on Lock:transactionid");
}

}  // namespace
}  // namespace dbinsight::analysis

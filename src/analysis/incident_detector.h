// IncidentDetector: opens an incident within seconds of a sustained problem
// on the live sample stream, keeps it up to date while it lasts and closes
// it when it is over. Four kinds, each a rule that reads its input into a
// Reading (where it stands against the kind's two lines, plus the evidence a
// DBA acts on), and one shared hysteresis over the readings: an incident
// opens after `open_after` seconds in a row above the open line and closes
// only after `close_after` seconds in a row at or below the close line;
// between the lines nothing changes, so a condition that hovers at its line
// does not flap. Time not covered by a reading (a gap) is neither: a gap
// longer than max_gap restarts either run.
//   high-load           DB load above vCPUs x open_factor (each sampled second)
//   lock-chain          a session waiting for a lock for min_wait or more
//   connections         connections at open_fraction of max_connections or more
//   latency-regression  a statement's latency per call ratio x its own baseline
//                       (each per-SQL statistics interval; LatencyRegressionRule)
// Pure: time is the readings' time. One detector per (instance, kind); not
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "model/sample.h"

namespace dbinsight::analysis {

// The run lengths of one kind; the defaults are high-load's.
struct RunOptions {
  bool enabled = true;
  std::chrono::seconds open_after{5};
  std::chrono::seconds close_after{30};
  std::chrono::seconds max_gap{3};
};

// Default: open after 5 s above the vCPUs (so within 10 s of a sustained
// condition, sampling delay included); close after 30 s at or below 80% of
// them.
struct HighLoadOptions {
  RunOptions run;
  double open_factor = 1.0;
  double close_factor = 0.8;
};

// Default: open when a session has waited 3 s or more, for 2 s in a row:
// lock waits of milliseconds are normal, one still there after 5 s is a chain
// that does not resolve by itself, and 3 + 2 s plus a second of read delay
// keeps the promise of 10 s. Closes after 10 s without any lock wait (a
// waiter that timed out and retries is still "between").
struct LockChainOptions {
  RunOptions run{true, std::chrono::seconds(2), std::chrono::seconds(10), std::chrono::seconds(3)};
  std::chrono::seconds min_wait{3};
};

// Default: open at 80% of max_connections for 5 s (the headroom for a burst
// is gone; at 100% new sessions fail), close at or below 70% for 30 s.
struct ConnectionsOptions {
  RunOptions run;
  double open_fraction = 0.8;
  double close_fraction = 0.7;
};

// Default: a statement whose mean latency per call is 3x its baseline and at
// least 2 ms more, over at least 10 calls in a per-SQL statistics interval,
// for 4 s (at statements_interval 60 s: one interval; at 2 s: two); closes
// when it is back under 1.5x for 30 s. The baseline is its mean over the
// previous 10 minutes, leaving out intervals that were themselves regressed.
struct LatencyRegressionOptions {
  RunOptions run{true, std::chrono::seconds(4), std::chrono::seconds(30), std::chrono::seconds(3)};
  double ratio = 3.0;
  double close_ratio = 1.5;
  double min_increase_ms = 2.0;
  double min_calls = 10;
  std::chrono::seconds baseline{600};
};

struct IncidentOptions {
  bool enabled = true;  // all live detection
  HighLoadOptions high_load;
  LockChainOptions lock_chain;
  ConnectionsOptions connections;
  LatencyRegressionOptions latency_regression;
};

// Where a reading stands against its kind's lines.
enum class Level { kClear, kBetween, kAbove };

// --- evidence: what each kind's summary names --------------------------------

// high-load: load accumulated by wait event and statement, for shares.
struct LoadEvidence {
  double vcpus = 0;
  std::map<std::string, double> waits;       // wait event -> load
  std::map<std::string, double> statements;  // tokenized SQL -> load
};

// lock-chain, of the latest reading above the line: the wait directly
// behind the head of the chain the longest wait is in (following blockers
// that wait themselves), with the head as its blocker, and how many sessions
// waited then. The longest wait's seconds are the reading's value.
struct LockChainEvidence {
  model::LockWait longest;
  int waiters = 0;
};

// connections: the latest count above the line, the limit, and the load of
// active sessions by user and application (idle sessions are not sampled).
struct ConnectionsEvidence {
  double connections = 0;
  double limit = 0;
  std::map<std::string, double> users;
  std::map<std::string, double> applications;
};

// latency-regression: the worst statement of the latest interval above the
// line, its latency then and its baseline.
struct RegressionEvidence {
  std::string statement_id;
  std::string statement;  // tokenized SQL
  double baseline_ms = 0;
  double current_ms = 0;
  double calls = 0;  // in that interval
};

using IncidentEvidence = std::variant<LoadEvidence, LockChainEvidence, ConnectionsEvidence, RegressionEvidence>;

// "high-load", "lock-chain", "connections", "latency-regression".
std::string_view KindName(const IncidentEvidence& evidence);

// One kind's observation of a span of time, as its rule read it.
struct Reading {
  WallTime time;  // the start of the span
  std::chrono::seconds span{1};
  Level level = Level::kClear;
  // The kind's measure: load; the longest lock wait in seconds; connections;
  // the statement's latency in ms per call.
  double value = 0;
  IncidentEvidence evidence;
};

struct Incident {
  std::string kind;
  WallTime opened;      // the start of the run that opened it
  WallTime last_above;  // the latest reading above the open line
  std::optional<WallTime> closed;
  double peak = 0;           // of Reading::value
  double value_seconds = 0;  // value x span summed, for the average
  double seconds = 0;
  IncidentEvidence evidence;

  double Average() const { return seconds > 0 ? value_seconds / seconds : 0; }
  // The sentence a DBA acts on (closed: "from .. to .." instead of "since"):
  //   high-load: "Load 4.0 (peak 4.2) on 2 vCPUs since 07:20:05 UTC; 96% is
  //     `select pg_sleep($1)`, 100% waits on Timeout:PgSleep"
  //   lock-chain: "Lock chain since ..: 3 sessions wait (longest 12 s, on
  //     Lock:transactionid, `update ...`), blocked by pid 4242 (idle in
  //     transaction for 3 min, user batch, host 10.1.2.3, application psql;
  //     last `update ...`)"
  //   connections: "Connections 54/60 (90%, peak 56) since ..; active
  //     sessions mostly user app (80%), application web (75%)"
  //   latency-regression: "`select ...` takes 45.2 ms per call (60 calls in
  //     the last interval) against 0.3 ms before (151x) since .."
  std::string Summary() const;
};

// The unit of a kind's measure (Reading::value, Incident::peak): "Sessions",
// "Seconds", "Connections", "Milliseconds per call"; "" for an unknown kind.
std::string_view KindUnit(std::string_view kind);

enum class IncidentChange { kNone, kOpened, kUpdated, kClosed };

class IncidentDetector {
 public:
  explicit IncidentDetector(RunOptions options) : options_(options) {}

  // Feeds the next reading (times strictly increasing; an older or repeated
  // one is ignored). kOpened on the reading that opens an incident, kClosed
  // on the one that closes it, kUpdated for those in between, kNone
  // otherwise.
  IncidentChange Observe(const Reading& reading);

  // The open incident, or the one just closed by the latest Observe().
  const std::optional<Incident>& current() const { return current_; }

 private:
  const RunOptions options_;
  std::optional<WallTime> last_end_;   // end of the latest reading's span
  std::optional<WallTime> run_start_;  // start of the current run (above while closed, clear while open)
  // The run so far: readings above the line before an incident opens, quiet
  // ones while it may be closing; folded into the incident when the run
  // decides so.
  std::vector<Reading> pending_;
  std::optional<Incident> current_;
};

// --- the rules: input -> Reading ----------------------------------------------

// One sampled second of an instance: total load and, for the explanation,
// the load of its top wait events, statements, users and applications.
struct LiveSecond {
  WallTime time;
  double load = 0;
  std::map<std::string, double> waits;         // wait event -> load
  std::map<std::string, double> statements;    // tokenized SQL -> load
  std::map<std::string, double> users;         // user name -> load
  std::map<std::string, double> applications;  // application name -> load
};

Reading HighLoadReading(const LiveSecond& second, double vcpus, const HighLoadOptions& o);
// `waits`: the lock waits of that sampled second (none: clear).
Reading LockChainReading(WallTime second, const std::vector<model::LockWait>& waits, const LockChainOptions& o);
// `active`: the second's load, for who the active sessions are. A limit of 0
// (unknown) reads as clear.
Reading ConnectionsReading(WallTime second, double connections, double limit, const LiveSecond& active,
                           const ConnectionsOptions& o);

// One statement's per-SQL statistics over one interval.
struct StatementInterval {
  std::string id;         // db.sql_tokenized.id
  std::string statement;  // tokenized SQL
  WallTime end;           // when the interval's statistics were read
  double calls = 0;
  double ms_per_call = 0;
};

// The latency-regression rule: keeps each statement's recent intervals (the
// baseline window) and reads every new interval against them. An interval
// that is itself above the line stays out of later baselines, so a regression
// that lasts does not become its own baseline until the whole window is
// regressed. Not thread-safe.
class LatencyRegressionRule {
 public:
  // `interval`: the instance's statements_interval, the span of a reading.
  LatencyRegressionRule(LatencyRegressionOptions options, std::chrono::seconds interval);

  // Adds intervals of a statement to its history without a reading (older
  // than any fed to Observe: the baseline of a statement seen for the first
  // time). Oldest first.
  void Backfill(const std::vector<StatementInterval>& intervals);
  bool Knows(const std::string& id) const { return history_.count(id) > 0; }

  // The statements' intervals that ended at `end` (those that ran): the
  // reading of the worst of them, clear when none regressed.
  Reading Observe(WallTime end, const std::vector<StatementInterval>& intervals);

 private:
  struct Point {
    WallTime end;
    double calls = 0;
    double total_ms = 0;
    bool regressed = false;
  };
  struct Judged {
    Level level = Level::kClear;
    double baseline_ms = 0;
    double ratio = 0;
  };
  // Judges `interval` against its statement's history, then adds it.
  Judged Add(const StatementInterval& interval);

  const LatencyRegressionOptions options_;
  const std::chrono::seconds interval_;
  std::map<std::string, std::deque<Point>> history_;  // statement id -> intervals, oldest first
};

}  // namespace dbinsight::analysis

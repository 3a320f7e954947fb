// Root-cause analysis of one instance over one window, from what dbinsight
// stores: the periods of high DB load merged into episodes, what each
// episode's load was made of (SQL, wait event and type, user, host,
// application, database), per-SQL statistics with a check against the same
// window the day (or week) before, and counter/OS evidence. The result is a list of
// findings, most important first, each with a severity, a one-sentence
// summary a DBA can act on, the numbers behind it (and the series to plot)
// and recommendations by cause. docs/analysis.md, "Root-cause reports".
//
// Pure over pi::QueryEngine, which must outlive the call; thread-safe (the
// engine is). Report values are plain data; ToJson/FromJson round-trip them
// for the report store.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/index_advice.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/instance.h"
#include "pi/query_engine.h"

namespace dbinsight::analysis {

struct RootCauseOptions {
  // The instance's own baseline: the median of its 5-minute load averages over
  // this long before the window. Default 24 h: a day covers the daily cycle
  // without reading a week of rollups for every report.
  std::chrono::hours baseline_window{24};
  // Fewer 5-minute points than this (an instance monitored for under an hour)
  // means no baseline: only the vCPU rule applies. Default 12.
  int baseline_min_points = 12;
  // Load counts as high above min(vCPUs, max(baseline_factor x baseline,
  // baseline + baseline_margin)). Defaults 2 and 1.0 session: twice the usual
  // load, and never for one more active session alone.
  double baseline_factor = 2.0;
  double baseline_margin = 1.0;
  // High periods closer than this merge into one episode. Default 60 s: a
  // lock queue that drains for a moment is still one incident.
  std::chrono::seconds merge_gap{60};
  // Episodes with less time above the threshold are dropped. Default 10 s: a
  // single busy second is not worth a DBA's time.
  std::chrono::seconds min_high{10};
  // At most this many episodes are analyzed, the largest by load-seconds
  // above the threshold. Default 3.
  int max_episodes = 3;
  // Statements checked against the previous day, per episode. Default 5.
  int top_statements = 5;
  // Where the regression check looks: the first of these offsets whose
  // window held any per-SQL statistics. Default the day before, else the week
  // before (a weekly job; an instance monitored for a few days only).
  std::vector<std::chrono::hours> regression_offsets{std::chrono::hours(24), std::chrono::hours(24 * 7)};
};

enum class Severity { kLow = 1, kMedium = 2, kHigh = 3 };
enum class TextFormat { kPlainText, kMarkdown };

// One number behind a finding, and the series to plot for it: `metric` with
// `filter` (a PI GetResourceMetrics query). `dimensions` name what the value
// is about (a statement, a wait event).
struct Evidence {
  std::string metric;        // "db.load.avg", "os.cpuUtilization.total.avg", "db.sql_tokenized.stats.calls_per_sec.avg"
  std::string display_name;  // what a reader sees: "DB load of the statement"
  std::map<std::string, std::string> dimensions;
  std::map<std::string, std::string> filter;
  double value = 0;
  std::optional<double> baseline;  // the same metric in the comparison window, when known
};

struct Recommendation {
  std::string id;    // stable per kind: "lock-find-blocker", "io-index-candidates"...
  std::string text;  // markdown (statements in backticks)
};

struct Finding {
  std::string id;       // "finding-<episode>-<n>", unique in the report
  std::string type;     // LockWaits, IOWaits, HighCPU, HighDBLoad, DominatingSQL, SQLRegression, NewSQL,
                        // HighCPUUtilization, IOLatency, TempFiles, LowBufferCacheHit, ConnectionsNearLimit, NoHighLoad
  bool causal = false;  // the cause of an episode (PI Context CAUSAL), else context (CONTEXTUAL)
  Severity severity = Severity::kLow;
  WallTime start;
  WallTime end;
  std::string summary;  // one sentence, markdown (statements in backticks)
  std::vector<Evidence> evidence;
  std::vector<Recommendation> recommendations;
  // The indexes its statement lacks, when an IndexAdvisor was given and the
  // finding is about a statement that scans (CPU, I/O) or regressed.
  std::vector<model::IndexAdvice> index_advice;
  std::vector<Finding> supporting;  // contextual findings about the same episode
};

// A dimension value's share of an episode's load.
struct Share {
  std::string key;  // the statement text, wait event name, user name...
  std::string id;   // db.sql_tokenized.id for statements; empty otherwise
  double load = 0;  // average active sessions over the episode
  double fraction = 0;
};

// Per-SQL statistics of one statement (db.sql_tokenized.stats.*), now and in
// the same window one of regression_offsets earlier.
struct StatementCheck {
  std::string id;  // db.sql_tokenized.id
  std::string statement;
  double load = 0;
  double fraction = 0;
  std::optional<double> calls_per_sec, latency_ms_per_call, rows_per_call, blocks_per_call;
  std::optional<double> prev_calls_per_sec, prev_latency_ms_per_call, prev_rows_per_call;
  // "compared": both windows have statistics. "new": statistics were stored
  // then, but none for this statement. "no-history": nothing was stored at
  // any offset. "no-statistics": none now either (pg_stat_statements or
  // performance_schema off).
  std::string comparison;
  int offset_hours = 24;  // which window "then" was: 24 (the day before) or 168 (the week before)
};

struct Episode {
  WallTime start;
  WallTime end;
  double average_load = 0;
  double peak_load = 0;
  double high_seconds = 0;  // time above the threshold
  std::vector<Share> by_sql, by_wait_event, by_wait_type, by_user, by_host, by_application, by_database;
  std::vector<StatementCheck> statements;
};

// The sessions of one statement on one wait event queued behind a chain's root.
struct LockChainWaiters {
  std::string statement;   // tokenized
  std::string wait_event;  // Lock:transactionid, wait/lock/innodb/row_lock...
  int sessions = 0;        // distinct sessions over the window
  double longest_wait_seconds = 0;
};

// One lock chain: a root blocker (a session that holds locks others wait
// for and does not wait itself) and every session waiting on it, directly or
// behind another waiter, seen over a window. Built from Sample::lock_waits
// (BuildLockChains); the blocker's facts are the last seen.
struct LockChain {
  int64_t blocker_pid = 0;
  std::string blocker_state;      // "idle in transaction", "active"; MariaDB/MySQL: its COMMAND ("Sleep", "Query")
  std::string blocker_statement;  // its current or last statement, tokenized ("" if unknown)
  std::string blocker_user;
  std::string blocker_host;
  std::string blocker_application;
  double blocker_xact_seconds = 0;   // age of its transaction when last seen
  double blocker_state_seconds = 0;  // time in its state when last seen
  int max_waiters = 0;               // most sessions waiting on it in one sample
  int distinct_waiters = 0;          // sessions that waited on it over the window
  double waiter_samples = 0;         // sum over samples of its waiters: its weight
  double longest_wait_seconds = 0;
  std::vector<LockChainWaiters> waiters;  // most sessions first
  WallTime first_seen;
  WallTime last_seen;
};

// The chains of a series of samples, the heaviest (waiter_samples) first.
// Each wait's root is found by following blocker_pid through the waiters of
// the same sample (a blocker that itself waits is not a root); a cycle (a
// deadlock the server has not broken yet) is rooted at the blocker closing it.
std::vector<LockChain> BuildLockChains(const std::vector<model::LockWaitSample>& samples);

// Whether a blocker state means idle inside an open transaction: PostgreSQL
// "idle in transaction" (also "(aborted)"), MariaDB/MySQL "Sleep" (a session
// only blocks while its transaction is open).
bool IsIdleBlocker(const std::string& state);

struct Report {
  std::string instance_id;
  std::string engine;
  int vcpus = 0;
  WallTime start;
  WallTime end;
  int period_seconds = 1;  // of the load series episodes were found in
  double average_load = 0;
  double peak_load = 0;
  std::optional<double> baseline;  // median 5-minute load before the window
  double threshold = 0;            // load above this was high
  std::string threshold_reason;    // "2 vCPUs", "2 x baseline 0.4"...
  std::vector<Episode> episodes;
  int episodes_skipped = 0;  // beyond max_episodes
  // Findings by severity, then load: the first names the dominant cause.
  std::vector<Finding> findings;
  // Who blocked whom in the window (BuildLockChains over the stored lock
  // waits), the heaviest first; empty when no session waited on a lock.
  std::vector<LockChain> lock_chains;

  std::string ToJson() const;
  static Result<Report> FromJson(const std::string& text);
  // The whole report for a terminal (plain text) or a document (markdown).
  std::string Render(TextFormat format) const;
};

// A finding's summary, evidence and recommendations as one text: PI's
// Insight Description.
std::string DescribeFinding(const Finding& finding, TextFormat format);
const char* SeverityName(Severity s);  // "LOW", "MEDIUM", "HIGH"
// Report texts are markdown; plain text shows statements in double quotes
// instead of backticks.
std::string InFormat(const std::string& markdown, TextFormat format);

// Analyzes [start, end) of `instance` (id, engine and vcpus are read).
// InvalidArgument when end is not after start or the engine rejects the
// window (unknown instance).
// With an advisor, the statements of CPU and I/O findings and of
// regressions get index advice (analysis/index_advice.h); its failures become
// a recommendation saying why, never a failed report.
Result<Report> AnalyzeWindow(const pi::QueryEngine& engine, const model::InstanceInfo& instance, WallTime start,
                             WallTime end, const RootCauseOptions& options = {}, const IndexAdvisor& advisor = {});

}  // namespace dbinsight::analysis

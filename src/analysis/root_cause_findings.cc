// The findings of a root-cause report: an episode's cause with its evidence
// and recommendations by cause (lock, I/O, CPU, contention), statement
// regressions against the day (or week) before, and counter evidence.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/markdown.h"
#include "analysis/root_cause_internal.h"

namespace dbinsight::analysis::internal {
namespace {

constexpr const char* kIdleInTransaction = "db.state.idle_in_transaction_count.avg";
constexpr int kSummaryStatementChars = 80;

std::string Hms(WallTime t) {
  return fmt::format("{:%H:%M:%S}", fmt::gmtime(static_cast<time_t>(std::floor(ToEpochSeconds(t)))));
}

std::string Percent(double fraction) { return fmt::format("{:.0f}%", 100 * fraction); }

Evidence LoadOf(const std::string& name, const std::map<std::string, std::string>& dims,
                const std::map<std::string, std::string>& filter, double value) {
  return {kLoad, name, dims, filter, value, std::nullopt};
}

// "45 s", "3 min", "2.5 h".
std::string Duration(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 90 * 60) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// "pid 4242 (idle in transaction for 3 min, user batch, host 10.1.2.3,
// application app) whose last statement is `...`".
std::string DescribeBlocker(const LockChain& c) {
  std::string state = c.blocker_state.empty()      ? "state unknown"
                      : c.blocker_state == "Sleep" ? "idle in transaction (Sleep)"
                                                   : c.blocker_state;
  const double in_state = c.blocker_state_seconds > 0 ? c.blocker_state_seconds : c.blocker_xact_seconds;
  std::string facts = state + (in_state > 0 ? " for " + Duration(in_state) : "");
  if (!c.blocker_user.empty()) facts += ", user " + c.blocker_user;
  if (!c.blocker_host.empty()) facts += ", host " + c.blocker_host;
  if (!c.blocker_application.empty()) facts += ", application " + c.blocker_application;
  std::string out = fmt::format("pid {} ({})", c.blocker_pid, facts);
  if (!c.blocker_statement.empty())
    out += fmt::format(" {} {}", IsIdleBlocker(c.blocker_state) ? "whose last statement is" : "running",
                       CodeSpan(Clip(c.blocker_statement, kSummaryStatementChars)));
  return out;
}

// What to do about the root blocker, by its state.
Recommendation BlockerRecommendation(const LockChain& c, bool mysql) {
  const std::string who = fmt::format("pid {}{}{}", c.blocker_pid,
                                      c.blocker_application.empty() ? "" : ", application " + c.blocker_application,
                                      c.blocker_host.empty() ? "" : ", host " + c.blocker_host);
  if (IsIdleBlocker(c.blocker_state)) {
    return {"lock-idle-blocker",
            fmt::format("The blocker ({}) held its transaction open for {} while doing nothing: the application "
                        "opened a transaction and stopped talking. If it is abandoned, end it ({}); fix the "
                        "application to commit or roll back before waiting on anything else. {}",
                        who, Duration(c.blocker_xact_seconds),
                        mysql ? fmt::format("`KILL {}`", c.blocker_pid)
                              : fmt::format("`SELECT pg_terminate_backend({})`", c.blocker_pid),
                        mysql ? "Lower `innodb_lock_wait_timeout` (default 50 s) so waiters fail fast, and set "
                                "`wait_timeout` so abandoned sessions close and release their locks."
                              : "Set `idle_in_transaction_session_timeout` (e.g. 60s) so an abandoned transaction "
                                "releases its locks.")};
  }
  const std::string stmt =
      c.blocker_statement.empty() ? "its statement" : CodeSpan(Clip(c.blocker_statement, kSummaryStatementChars));
  return {"lock-active-blocker",
          fmt::format("The blocker ({}) was itself busy running {} inside a {} transaction: make that statement "
                      "faster (check its plan) or its transaction shorter, or move it out of peak hours; the "
                      "waiters queue for as long as it runs.",
                      who, stmt, Duration(c.blocker_xact_seconds))};
}

std::vector<Recommendation> CauseRecommendations(WaitClass cls, const std::string& engine, const Episode& e,
                                                 const StatementCheck* top, const LockChain* blocker) {
  const bool mysql = IsMySql(engine);
  std::vector<Recommendation> out;
  const std::string stmt = top ? CodeSpan(Clip(top->statement, kSummaryStatementChars)) : "the top statement";
  switch (cls) {
    case WaitClass::kLock:
      if (blocker) {
        out.push_back(BlockerRecommendation(*blocker, mysql));
      } else {
        out.push_back({"lock-find-blocker",
                       mysql ? "Find the blocking transaction while it happens: `SELECT * FROM "
                               "information_schema.INNODB_LOCK_WAITS` joined to `INNODB_TRX` (trx_mysql_thread_id, "
                               "trx_query, trx_started) shows who holds the row locks; KILL the blocker if it is "
                               "abandoned."
                             : "Find the blocker while it happens: `SELECT pid, pg_blocking_pids(pid), state, query "
                               "FROM pg_stat_activity WHERE wait_event_type = 'Lock'`; a blocker `idle in "
                               "transaction` is an application that opened a transaction and stopped talking."});
      }
      out.push_back(
          {"lock-timeouts", mysql ? "Bound the damage: lower `innodb_lock_wait_timeout` (default 50 s) for this "
                                    "workload and make the application retry; set `wait_timeout` so abandoned sessions "
                                    "release their locks."
                                  : "Bound the damage: set `idle_in_transaction_session_timeout` (e.g. 60s) so an "
                                    "abandoned transaction releases its locks, and `lock_timeout` for " +
                                        stmt + " so it fails fast instead of queueing."});
      out.push_back({"lock-short-transactions",
                     "Keep the transactions around " + stmt +
                         " short: commit before calling other services, and update hot rows in a consistent order "
                         "to avoid queues and deadlocks."});
      break;
    case WaitClass::kIo: {
      const bool scan_heavy = top && ((top->blocks_per_call && top->rows_per_call &&
                                       *top->blocks_per_call > 100 * std::max(1.0, *top->rows_per_call)) ||
                                      (mysql && top->rows_per_call && *top->rows_per_call > 10000));
      if (scan_heavy) {
        out.push_back(
            {"io-index-candidates",
             fmt::format("{} reads {} per call: it scans. Index the columns of its WHERE and JOIN "
                         "clauses; {}",
                         stmt,
                         mysql ? fmt::format("{:.0f} rows examined", top->rows_per_call.value_or(0))
                               : fmt::format("{:.0f} blocks for {:.1f} rows", top->blocks_per_call.value_or(0),
                                             top->rows_per_call.value_or(0)),
                         mysql ? "`performance_schema.table_io_waits_summary_by_index_usage` rows with "
                                 "`INDEX_NAME IS NULL` name the tables read without an index."
                               : "`pg_stat_user_tables` (seq_scan, seq_tup_read) names the tables it scans.")});
        out.push_back({"io-explain", "Check the plan: `EXPLAIN " + std::string(mysql ? "" : "(ANALYZE, BUFFERS) ") +
                                         "` " + stmt + " with representative values (dbinsight does not run it)."});
      }
      out.push_back(
          {"io-cache", mysql ? "If the working set outgrew memory, raise `innodb_buffer_pool_size` (reads from disk "
                               "per second: db.Cache.Innodb_buffer_pool_reads)."
                             : "If the working set outgrew memory, raise `shared_buffers` (and check the storage's "
                               "latency: os.diskIO.await)."});
      break;
    }
    case WaitClass::kCpu: {
      std::string list;
      for (size_t i = 0; i < e.statements.size() && i < 3; ++i) {
        const StatementCheck& c = e.statements[i];
        list +=
            fmt::format("{}{} ({} of the load{})", i ? "; " : "", CodeSpan(Clip(c.statement, 60)), Percent(c.fraction),
                        c.calls_per_sec ? fmt::format(", {:.1f} calls/s", *c.calls_per_sec) : "");
      }
      out.push_back({"cpu-top-statements",
                     "Tune the statements that use the CPU" + (list.empty() ? "" : ": " + list) +
                         ". Fewer calls (caching, batching) or less work per call (indexes, smaller result sets)."});
      out.push_back(
          {"cpu-capacity", "If the load is legitimate and stays above the vCPU count, the instance needs more vCPUs."});
      break;
    }
    case WaitClass::kContention:
      out.push_back({"contention",
                     "Sessions contend on shared structures: look for many sessions on the same rows or pages, "
                     "too few buffers, or too many connections; a connection pooler bounds concurrency."});
      break;
    case WaitClass::kOther:
      out.push_back({"other-wait",
                     "Check what the sessions waiting on this event are doing (the top statement "
                     "and its application)."});
      break;
  }
  return out;
}

const char* CauseType(WaitClass cls) {
  switch (cls) {
    case WaitClass::kLock:
      return "LockWaits";
    case WaitClass::kIo:
      return "IOWaits";
    case WaitClass::kCpu:
      return "HighCPU";
    default:
      return "HighDBLoad";
  }
}

struct CounterEvidence {
  std::string metric;  // with .avg
  double during = 0;
  std::optional<double> before;
};

// The episode's mean of each stored counter among `bases`, and that of the
// hour before it. Counters not stored (or without points then) are absent.
Result<std::map<std::string, CounterEvidence>> Counters(const Reader& r, const std::set<std::string>& stored,
                                                        const std::vector<std::string>& bases, const Episode& e,
                                                        int period) {
  std::map<std::string, CounterEvidence> out;
  for (const std::string& base : bases) {
    if (!stored.count(base)) continue;
    const std::string metric = base + ".avg";
    auto during = r.Points(metric, e.start, e.end, period);
    if (!during.ok()) return during.status();
    if (during->empty()) continue;
    auto before = r.Points(metric, e.start - std::chrono::hours(1), e.start, 60);
    if (!before.ok()) return before.status();
    CounterEvidence c{metric, Mean(during.value()), std::nullopt};
    if (!before->empty()) c.before = Mean(before.value());
    out.emplace(base, std::move(c));
  }
  return out;
}

}  // namespace

// The statement check's own finding (regression, new statement), if any.
std::optional<Finding> StatementFinding(const StatementCheck& c, const Episode& e, const StatNames& names) {
  const std::string then = c.offset_hours == 24    ? "the day before"
                           : c.offset_hours == 168 ? "the week before"
                                                   : fmt::format("{} h before", c.offset_hours);
  std::vector<std::string> changes;
  Finding f;
  f.start = e.start;
  f.end = e.end;
  const std::map<std::string, std::string> dims = {{kSqlText, c.statement}};
  const std::map<std::string, std::string> filter = {{kSqlId, c.id}};
  auto ratio = [&](const char* what, const std::string& metric, const std::optional<double>& now,
                   const std::optional<double>& before, const char* unit) {
    if (!now || !before) return;
    f.evidence.push_back({metric, what, dims, filter, *now, *before});
    if (*before > 0 && *now >= 2 * *before)
      changes.push_back(
          fmt::format("{} {:.1f}{} vs {:.1f}{} {} ({:.1f}x)", what, *now, unit, *before, unit, then, *now / *before));
  };
  if (c.comparison == "compared") {
    ratio("latency per call", names.latency, c.latency_ms_per_call, c.prev_latency_ms_per_call, " ms");
    ratio("calls per second", names.calls, c.calls_per_sec, c.prev_calls_per_sec, "");
    ratio("rows per call", names.rows, c.rows_per_call, c.prev_rows_per_call, "");
    if (changes.empty()) return std::nullopt;
    f.type = "SQLRegression";
    f.summary =
        fmt::format("{} ({} of the load) changed since {}: {}.", CodeSpan(Clip(c.statement, kSummaryStatementChars)),
                    Percent(c.fraction), then, fmt::join(changes, "; "));
    f.recommendations.push_back(
        {"sql-regression",
         "Compare its plan now with the expected one (a changed plan, stale statistics after bulk "
         "changes, or data growth), and check what calls it more often (a deploy, a retry loop)."});
  } else if (c.comparison == "new") {
    f.type = "NewSQL";
    f.summary = fmt::format("{} ({} of the load) did not run in the same window {}.",
                            CodeSpan(Clip(c.statement, kSummaryStatementChars)), Percent(c.fraction), then);
    f.recommendations.push_back(
        {"sql-new", "A new statement: check which release or job introduced it and whether it is expected."});
  } else {
    return std::nullopt;
  }
  f.severity = c.fraction >= 0.2 ? Severity::kMedium : Severity::kLow;
  return f;
}

namespace {

// The connection count and its limit, by engine.
std::pair<std::string, std::string> ConnectionNames(const std::string& engine) {
  if (IsMySql(engine)) return {"db.Users.Threads_connected", "db.Users.max_connections"};
  return {"db.User.numbackends", "db.User.max_connections"};
}

// A lock wait this long is no normal OLTP queueing: the live detector's
// default (incidents: lock_chain.min_wait).
constexpr double kLongLockWaitSeconds = 3;

constexpr const char* kConnectionsAdvice =
    "Put a connection pooler (PgBouncer, ProxySQL) in front, or find the client that leaks connections; "
    "raising max_connections costs memory per connection.";

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// A top statement whose latency per call at the end of the window is far
// above its latency at the start: a plan that changed (a dropped index,
// statistics after a bulk change) while the load may stay small.
Result<std::optional<Finding>> InWindowRegression(const Reader& r, const Report& report, const StatNames& names,
                                                  const pi::DimensionMap& key) {
  const std::string id = key.count(kSqlId) ? key.at(kSqlId) : "", sql = key.count(kSqlText) ? key.at(kSqlText) : "";
  if (id.empty() || names.latency.empty()) return std::optional<Finding>();
  auto points = r.Points(names.latency, report.start, report.end, report.period_seconds, {{kSqlId, id}});
  if (!points.ok()) return points.status();
  const double t0 = ToEpochSeconds(report.start), t1 = ToEpochSeconds(report.end), third = (t1 - t0) / 3;
  std::vector<double> first, last;
  for (const pi::DataPoint& p : points.value()) {
    if (p.timestamp < t0 + third) first.push_back(p.value);
    if (p.timestamp >= t1 - third) last.push_back(p.value);
  }
  if (first.size() < 2 || last.size() < 2) return std::optional<Finding>();
  const double before = Median(first), after = Median(last);
  // The live detector's rule (incidents: latency_regression): 3x and 2 ms more.
  if (before <= 0 || after < 3 * before || after - before < 2) return std::optional<Finding>();
  double since = t0;
  for (const pi::DataPoint& p : points.value())
    if (p.value >= std::sqrt(before * after) && p.timestamp >= t0 + third / 2) {
      since = p.timestamp;
      break;
    }
  Finding f;
  f.type = "SQLRegression";
  f.causal = true;
  f.severity = after >= 10 * before ? Severity::kHigh : Severity::kMedium;
  f.start = FromEpochSeconds(since);
  f.end = report.end;
  f.summary = fmt::format(
      "{} got slower during the window: {:.1f} ms per call at its end against {:.1f} ms at its start ({:.0f}x), "
      "since about {} UTC.",
      CodeSpan(Clip(sql, kSummaryStatementChars)), after, before, after / before, Hms(f.start));
  f.evidence.push_back({names.latency, "Latency per call (ms)", {{kSqlText, sql}}, {{kSqlId, id}}, after, before});
  f.recommendations.push_back(
      {"sql-regression-plan",
       "A latency that jumps at one moment is usually a changed plan: a dropped or invalid index, statistics "
       "after a bulk change, a parameter that now selects many rows. Compare its plan with the expected one "
       "(`EXPLAIN`) and look for DDL or data loads at that time."});
  return std::optional<Finding>(std::move(f));
}

}  // namespace

Result<std::vector<Finding>> WindowFindings(const Reader& r, const model::InstanceInfo& inst, const Report& report,
                                            const std::set<std::string>& stored, const StatNames& names) {
  std::vector<Finding> out;
  auto keys = r.Keys("db.sql_tokenized", report.start, report.end, report.period_seconds, 5);
  if (!keys.ok()) return keys.status();
  for (const auto& k : keys->keys) {
    auto f = InWindowRegression(r, report, names, k.dimensions);
    if (!f.ok()) return f.status();
    if (*f) out.push_back(std::move(**f));
  }
  if (!report.lock_chains.empty() && report.lock_chains.front().longest_wait_seconds >= kLongLockWaitSeconds) {
    const LockChain& c = report.lock_chains.front();
    Finding f;
    f.type = "LockWaits";
    f.causal = true;
    f.severity = c.longest_wait_seconds >= 30 ? Severity::kHigh : Severity::kMedium;
    f.start = c.first_seen;
    f.end = c.last_seen;
    const LockChainWaiters* w = c.waiters.empty() ? nullptr : &c.waiters.front();
    f.summary = fmt::format(
        "Sessions waited on locks for up to {:.0f} s from {} to {} UTC: {} session(s){}, blocked by {}.",
        c.longest_wait_seconds, Hms(c.first_seen), Hms(c.last_seen), c.distinct_waiters,
        w ? fmt::format(" running {} on {}", CodeSpan(Clip(w->statement, kSummaryStatementChars)), w->wait_event) : "",
        DescribeBlocker(c));
    f.evidence.push_back({"lock_chain.wait_seconds.max",
                          "Longest wait behind the blocker (s)",
                          {{"blocker.pid", std::to_string(c.blocker_pid)}},
                          {},
                          c.longest_wait_seconds,
                          std::nullopt});
    f.recommendations = CauseRecommendations(WaitClass::kLock, inst.engine, Episode{}, nullptr, &c);
    out.push_back(std::move(f));
  }
  const auto [conns_name, limit_name] = ConnectionNames(inst.engine);
  if (stored.count(conns_name) && stored.count(limit_name)) {
    auto conns = r.Points(conns_name + ".avg", report.start, report.end, report.period_seconds);
    if (!conns.ok()) return conns.status();
    auto limit = r.Points(limit_name + ".avg", report.start, report.end, report.period_seconds);
    if (!limit.ok()) return limit.status();
    // Each second against the limit then: max_connections can change (SET GLOBAL, a restart).
    std::map<double, double> limit_at;
    for (const pi::DataPoint& p : limit.value()) limit_at[p.timestamp] = p.value;
    const pi::DataPoint* peak = nullptr;
    double max = 0;
    for (const pi::DataPoint& p : conns.value()) {
      auto l = limit_at.find(p.timestamp);
      if (l == limit_at.end() || l->second <= 0) continue;
      if (!peak || p.value / l->second > peak->value / max) {
        peak = &p;
        max = l->second;
      }
    }
    if (peak && peak->value >= 0.8 * max) {
      Finding f;
      f.type = "ConnectionsNearLimit";
      f.causal = true;
      f.severity = peak->value >= 0.95 * max ? Severity::kHigh : Severity::kMedium;
      f.start = report.start;
      f.end = report.end;
      f.summary = fmt::format(
          "Connections reached {:.0f} of max_connections {:.0f} ({}) at {} UTC (average {:.0f} over the window); "
          "new sessions fail at the limit.",
          peak->value, max, Percent(peak->value / max), Hms(FromEpochSeconds(peak->timestamp)), Mean(conns.value()));
      f.evidence.push_back({conns_name + ".avg", "Connections (peak)", {}, {}, peak->value, std::nullopt});
      f.evidence.push_back({limit_name + ".avg", "max_connections", {}, {}, max, std::nullopt});
      f.recommendations.push_back({"connections", kConnectionsAdvice});
      out.push_back(std::move(f));
    }
  }
  return out;
}

Result<std::vector<Finding>> CounterFindings(const Reader& r, const model::InstanceInfo& inst,
                                             const std::set<std::string>& stored, const Episode& e, int period) {
  const bool mysql = IsMySql(inst.engine);
  const auto [conns_name, limit_name] = ConnectionNames(inst.engine);
  const std::string temp_name = mysql ? "db.Temp.Created_tmp_disk_tables" : "db.Temp.temp_bytes";
  const std::string hit_name = mysql ? "db.Cache.Innodb_buffer_pool_read_requests" : "db.Cache.blks_hit";
  const std::string miss_name = mysql ? "db.Cache.Innodb_buffer_pool_reads" : "db.IO.blks_read";
  auto counters = Counters(
      r, stored, {"os.cpuUtilization.total", "os.diskIO.await", temp_name, hit_name, miss_name, conns_name, limit_name},
      e, period);
  if (!counters.ok()) return counters.status();
  auto get = [&](const std::string& base) -> const CounterEvidence* {
    auto it = counters->find(base);
    return it == counters->end() ? nullptr : &it->second;
  };
  std::vector<Finding> out;
  auto add = [&](std::string type, Severity sev, std::string summary, std::vector<Evidence> ev, Recommendation rec) {
    out.push_back({"", std::move(type), false, sev, e.start, e.end, std::move(summary), std::move(ev), {rec}, {}});
  };
  auto ev = [](const CounterEvidence& c, const std::string& name) {
    return Evidence{c.metric, name, {}, {}, c.during, c.before};
  };
  auto before_text = [](const CounterEvidence& c, const char* format) {
    return c.before ? fmt::format(fmt::runtime(format), *c.before) : std::string();
  };
  if (const CounterEvidence* cpu = get("os.cpuUtilization.total"); cpu && cpu->during >= 80)
    add("HighCPUUtilization", cpu->during >= 95 ? Severity::kHigh : Severity::kMedium,
        fmt::format("Host CPU was {:.0f}% busy during the episode{}.", cpu->during,
                    before_text(*cpu, " ({:.0f}% the hour before)")),
        {ev(*cpu, "CPU utilization (%)")},
        {"cpu-host",
         "The host is CPU-bound: tune the top CPU statements or add vCPUs; check other processes on "
         "the host (os process list)."});
  if (const CounterEvidence* await = get("os.diskIO.await");
      await && await->during >= 10 && (!await->before || await->during >= 2 * *await->before))
    add("IOLatency", Severity::kMedium,
        fmt::format("Disk requests took {:.1f} ms on average during the episode{}.", await->during,
                    before_text(*await, " ({:.1f} ms the hour before)")),
        {ev(*await, "Disk await (ms)")},
        {"io-latency",
         "Storage is slow or saturated: check the device's IOPS/throughput limits and what else "
         "writes to it (checkpoints, backups)."});
  if (const CounterEvidence* temp = get(temp_name); temp && temp->during > 0)
    add("TempFiles", Severity::kLow,
        mysql ? fmt::format("{:.1f} temporary tables per second went to disk during the episode.", temp->during)
              : fmt::format("Sorts and hashes spilled {:.0f} KB/s to temporary files during the episode.",
                            temp->during / 1024),
        {ev(*temp, mysql ? "Temporary disk tables per second" : "Temporary file bytes per second")},
        {"temp-files", mysql ? "Raise `tmp_table_size`/`max_heap_table_size` or avoid the large GROUP BY/ORDER BY "
                               "that needs them."
                             : "Raise `work_mem` for the sessions that sort or hash large sets, or add an index "
                               "that returns rows in order."});
  const CounterEvidence* hit = get(hit_name);
  const CounterEvidence* miss = get(miss_name);
  if (hit && miss) {
    // InnoDB's read requests include the misses; PostgreSQL's hits do not.
    const double total = mysql ? hit->during : hit->during + miss->during;
    const double ratio = total > 0 ? std::clamp(1 - miss->during / total, 0.0, 1.0) : 1;
    if (total > 0 && ratio < 0.99)
      add("LowBufferCacheHit", ratio < 0.9 ? Severity::kMedium : Severity::kLow,
          fmt::format("Buffer cache hit ratio was {:.1f}% during the episode.", 100 * ratio),
          {Evidence{"buffer_cache_hit_ratio", "Buffer cache hit ratio (%)", {}, {}, 100 * ratio, std::nullopt},
           ev(*hit, "Cache hits per second"), ev(*miss, "Reads from disk per second")},
          {"cache-size", mysql ? "Raise `innodb_buffer_pool_size` if memory allows, or reduce scans."
                               : "Raise `shared_buffers` if memory allows, or reduce scans (index candidates)."});
  }
  const CounterEvidence* conns = get(conns_name);
  const CounterEvidence* limit = get(limit_name);
  if (conns && limit && limit->during > 0 && conns->during >= 0.8 * limit->during)
    add("ConnectionsNearLimit", conns->during >= 0.95 * limit->during ? Severity::kHigh : Severity::kMedium,
        fmt::format("{:.0f} of max_connections {:.0f} connections were in use.", conns->during, limit->during),
        {ev(*conns, "Connections"), ev(*limit, "max_connections")}, {"connections", kConnectionsAdvice});
  return out;
}

Result<Finding> EpisodeFinding(const Reader& r, const model::InstanceInfo& inst, const Report& report, const Episode& e,
                               const StatNames& names, const std::vector<LockChain>& chains) {
  // The dominant (statement, wait event) pair, from the SQL keys partitioned
  // by wait event.
  auto parts = r.Keys("db.sql_tokenized", e.start, e.end, report.period_seconds, 10, "db.wait_event");
  if (!parts.ok()) return parts.status();
  std::string sql, sql_id, wait = e.by_wait_event.empty() ? "" : e.by_wait_event.front().key;
  double pair_load = 0;
  for (const auto& k : parts->keys) {
    for (size_t i = 0; i < k.partitions.size() && i < parts->partition_keys.size(); ++i) {
      if (k.partitions[i] <= pair_load) continue;
      pair_load = k.partitions[i];
      sql = k.dimensions.count(kSqlText) ? k.dimensions.at(kSqlText) : "";
      sql_id = k.dimensions.count(kSqlId) ? k.dimensions.at(kSqlId) : "";
      wait = parts->partition_keys[i].count(kWaitName) ? parts->partition_keys[i].at(kWaitName) : "";
    }
  }
  const WaitClass cls = Classify(wait);
  const double share = e.average_load > 0 ? pair_load / e.average_load : 0;
  Finding f;
  f.type = CauseType(cls);
  f.causal = true;
  f.start = e.start;
  f.end = e.end;
  const bool above_cpus = inst.vcpus > 0 && e.average_load > inst.vcpus;
  f.severity = above_cpus ? Severity::kHigh : Severity::kMedium;
  const std::string on = inst.vcpus > 0 ? fmt::format(" on {} vCPUs", inst.vcpus) : "";
  const std::string when = fmt::format("from {} to {} UTC", Hms(e.start), Hms(e.end));
  const LockChain* blocker = cls == WaitClass::kLock && !chains.empty() ? &chains.front() : nullptr;
  std::string blocked_by;
  if (blocker) {
    blocked_by = ", blocked by " + DescribeBlocker(*blocker);
    if (chains.size() > 1)
      blocked_by += fmt::format(" (and {} other blocker{})", chains.size() - 1, chains.size() > 2 ? "s" : "");
  }
  if (!sql.empty()) {
    f.summary = fmt::format("Load {:.1f}{} {}; {} is {} {}{}.", e.average_load, on, when, Percent(share),
                            CodeSpan(Clip(sql, kSummaryStatementChars)),
                            cls == WaitClass::kCpu ? "running on CPU" : "waiting on " + wait, blocked_by);
  } else {
    const double wshare = e.by_wait_event.empty() ? 0 : e.by_wait_event.front().fraction;
    f.summary = fmt::format("Load {:.1f}{} {}; {} is {}{}.", e.average_load, on, when, Percent(wshare),
                            cls == WaitClass::kCpu ? "on CPU" : "waiting on " + wait, blocked_by);
  }
  f.evidence.push_back(LoadOf("DB load (average active sessions)", {}, {}, e.average_load));
  f.evidence.push_back(LoadOf("Peak DB load", {}, {}, e.peak_load));
  if (report.baseline) f.evidence.back().baseline = report.baseline;
  if (!sql.empty())
    f.evidence.push_back(LoadOf("DB load of the statement on this wait", {{kSqlText, sql}, {kWaitName, wait}},
                                {{kSqlId, sql_id}, {kWaitName, wait}}, pair_load));
  for (const Share& s : e.by_wait_event)
    f.evidence.push_back(LoadOf("DB load by wait event", {{kWaitName, s.key}}, {{kWaitName, s.key}}, s.load));
  if (cls == WaitClass::kLock) {
    // Sessions idle in a transaction are the usual holders of the locks.
    auto idle = r.Points(kIdleInTransaction, e.start, e.end, report.period_seconds);
    if (!idle.ok()) return idle.status();
    if (!idle->empty())
      f.evidence.push_back({kIdleInTransaction, "Sessions idle in a transaction", {}, {}, Mean(idle.value()), {}});
  }
  if (blocker) {
    // Not series PI can plot: the root blocker's facts as the report saw them.
    std::map<std::string, std::string> who = {{"blocker.pid", std::to_string(blocker->blocker_pid)}};
    for (const auto& [k, v] : {std::pair{"blocker.state", &blocker->blocker_state},
                               {"blocker.statement", &blocker->blocker_statement},
                               {"blocker.user", &blocker->blocker_user},
                               {"blocker.host", &blocker->blocker_host},
                               {"blocker.application", &blocker->blocker_application}})
      if (!v->empty()) who[k] = *v;
    auto add = [&](const char* metric, const char* name, double value) {
      f.evidence.push_back({metric, name, who, {}, value, std::nullopt});
    };
    add("lock_chain.waiters.max", "Sessions waiting on the blocker at once (most)", blocker->max_waiters);
    add("lock_chain.waiters.distinct", "Sessions that waited on the blocker", blocker->distinct_waiters);
    add("lock_chain.wait_seconds.max", "Longest wait behind the blocker (s)", blocker->longest_wait_seconds);
    add("lock_chain.blocker.transaction_seconds", "Age of the blocker's transaction (s)",
        blocker->blocker_xact_seconds);
  }
  const StatementCheck* top = nullptr;
  for (const StatementCheck& c : e.statements)
    if (c.id == sql_id) top = &c;
  if (top && top->calls_per_sec) {
    const std::map<std::string, std::string> dims = {{kSqlText, sql}}, filter = {{kSqlId, sql_id}};
    f.evidence.push_back({names.calls, "Calls per second", dims, filter, *top->calls_per_sec, top->prev_calls_per_sec});
    if (top->latency_ms_per_call)
      f.evidence.push_back({names.latency, "Latency per call (ms)", dims, filter, *top->latency_ms_per_call,
                            top->prev_latency_ms_per_call});
    if (top->rows_per_call)
      f.evidence.push_back({names.rows, "Rows per call", dims, filter, *top->rows_per_call, top->prev_rows_per_call});
  }
  f.recommendations = CauseRecommendations(cls, inst.engine, e, top, blocker);
  return f;
}

}  // namespace dbinsight::analysis::internal

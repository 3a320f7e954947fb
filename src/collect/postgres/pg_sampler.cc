#include "collect/postgres/pg_sampler.h"

#include <charconv>
#include <cstdlib>
#include <vector>

#include "collect/postgres/activity.h"
#include "collect/postgres/counters.h"
#include "common/log.h"

namespace dbinsight::collect::postgres {

namespace {

// Column order of ActivityQuery().
enum Col {
  kPid,
  kLeaderPid,
  kBackendType,
  kQueryId,
  kWaitEventType,
  kWaitEvent,
  kState,
  kUsesysid,
  kUsename,
  kClientAddr,
  kApplicationName,
  kDatname,
  kQuery,
  kBlockingPids,
  kLockWaitSeconds,
  kXactSeconds,
  kStateSeconds,
  kColCount
};

// The per-sample ActivityQuery() condition: every session but idle ones and
// the sampler's own.
constexpr std::string_view kNotIdle = "pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'";

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

PgSampler::PgSampler(std::string instance_id, dbconn::ConnectOptions connect,
                     const SamplerOptions& options, sql::NormalizerCache& normalizer)
    : instance_id_(std::move(instance_id)),
      connect_(std::move(connect)),
      statements_(normalizer, options.store_literals, options.max_tracked_statements),
      max_statements_per_read_(options.max_statements_per_read) {
  connect_.connect_timeout = options.connect_timeout;
  connect_.statement_timeout = options.query_timeout;
}

PgSampler::~PgSampler() = default;

std::string PgSampler::ActivityQuery(int server_version, std::string_view where) {
  // leader_pid arrived in 13, query_id and pg_locks.waitstart in 14. host()
  // drops the /32 an inet could print. Idle sessions are filtered here (they
  // are most rows on a busy server); everything else is decided in
  // activity.cc. pg_blocking_pids() and the pg_locks lookup each lock every
  // lock-manager partition, so they run only for sessions waiting on a
  // heavyweight lock (a CASE evaluates its branch lazily): a server where
  // nothing waits pays nothing for them.
  std::string q = "SELECT pid, ";
  q += server_version >= 130000 ? "leader_pid" : "NULL::int";
  q += ", backend_type, ";
  q += server_version >= 140000 ? "query_id" : "NULL::bigint";
  q += ", wait_event_type, wait_event, state, usesysid, usename, host(client_addr), "
       "application_name, datname, query, "
       "CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END, "
       "CASE WHEN wait_event_type = 'Lock' THEN extract(epoch FROM now() - ";
  q += server_version >= 140000 ? "coalesce((SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND "
                                  "NOT l.granted), state_change)"
                                : "state_change";
  q += ")::float8 END, extract(epoch FROM now() - xact_start)::float8, "
       "extract(epoch FROM now() - state_change)::float8 FROM pg_stat_activity a WHERE ";
  q += where;
  return q;
}

Status PgSampler::EnsureConnected() {
  if (conn_ && conn_->Healthy()) return Status::Ok();
  conn_.reset();
  auto c = dbconn::PgConnection::Connect(connect_);
  if (!c.ok()) return c.status();
  conn_ = std::move(c).value();
  query_ = ActivityQuery(conn_->ServerVersion(), kNotIdle);
  counters_query_ = CountersQuery(conn_->ServerVersion());
  pgss_usable_ = true;
  // data_directory needs pg_read_all_settings (part of pg_monitor); without
  // it os.* disk metrics are skipped, nothing else.
  auto facts = conn_->Query(
      "SELECT current_setting('server_version'), current_setting('data_directory', true), "
      "CASE WHEN NOT pg_is_in_recovery() THEN 'primary' "
      "WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 'replica' ELSE 'standby' END, "
      "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')");
  if (facts.ok() && facts->rows() == 1) {
    facts_.version = std::string(facts->Get(0, 0));
    facts_.data_directory = std::string(facts->Get(0, 1));
    facts_.role = std::string(facts->Get(0, 2));
    const bool pgss = facts->Get(0, 3) == "t";
    facts_.features = {{"SQL_TEXT", "ENABLED"}, {"SQL_STATISTICS", pgss ? "ENABLED" : "DISABLED"}};
  }
  // Texts this long were cut by the server; their full digest is looked up.
  auto limit = conn_->Query("SELECT setting FROM pg_settings WHERE name = 'track_activity_query_size'");
  size_t bytes = 0;
  if (limit.ok() && limit->rows() == 1) bytes = static_cast<size_t>(ParseInt(limit->Get(0, 0)).value_or(0));
  statements_.SetFullTextLookup([this](int64_t id) { return FullText(id); }, bytes);
  return Status::Ok();
}

std::optional<std::string> PgSampler::FullText(int64_t query_id) {
  if (!conn_ || !pgss_usable_) return std::nullopt;
  auto r = conn_->Query("SELECT query FROM pg_stat_statements WHERE queryid = " + std::to_string(query_id) +
                        " LIMIT 1");
  if (!r.ok()) {
    // Missing extension or privilege: keep the cut text, say so once.
    log::Warn("instance {}: statements longer than track_activity_query_size stay truncated: {}", instance_id_,
              r.status().message());
    pgss_usable_ = false;
    return std::nullopt;
  }
  if (r->rows() == 0 || r->IsNull(0, 0)) return std::nullopt;
  return std::string(r->Get(0, 0));
}

void PgSampler::Reset() { conn_.reset(); }

Result<model::Readings> PgSampler::ReadCounters(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  auto res = conn_->Query(counters_query_);
  if (!res.ok()) return Status(res.status().code(), "counters: " + res.status().message());
  return MapCounters(*res, now, facts_.role);
}

namespace {

// pg_stat_statements columns summed per query_id, named as the PI metrics
// db.sql_tokenized.stats.<name>_per_sec (model/metric_catalog_postgres.cc).
constexpr std::string_view kStatColumns[][2] = {
    {"calls", "calls"},
    {"total_time", "total_exec_time"},
    {"rows", "rows"},
    {"shared_blks_hit", "shared_blks_hit"},
    {"shared_blks_read", "shared_blks_read"},
    {"shared_blks_dirtied", "shared_blks_dirtied"},
    {"shared_blks_written", "shared_blks_written"},
    {"local_blks_hit", "local_blks_hit"},
    {"local_blks_read", "local_blks_read"},
    {"temp_blks_read", "temp_blks_read"},
    {"temp_blks_written", "temp_blks_written"},
    {"blk_read_time", "blk_read_time"},
    {"blk_write_time", "blk_write_time"},
};

}  // namespace

Result<model::StatementReadings> PgSampler::ReadStatements(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  // showtext => false: texts live in a file the server would read whole for
  // every call. Numbers alone cost ~10 ms of server time per 1000 entries
  // (bench/README.md, "Per-SQL statistics at scale"); summing as float8
  // halves that against exact numeric sums of bigints. Entries of several
  // users/databases with one query_id are one statement to us.
  std::string q = "SELECT queryid";
  for (const auto& c : kStatColumns) q += ", sum(" + std::string(c[1]) + "::float8)";
  q += " FROM pg_stat_statements(false) WHERE queryid IS NOT NULL GROUP BY queryid ORDER BY sum(total_exec_time) "
       "DESC LIMIT " + std::to_string(max_statements_per_read_);
  auto res = conn_->Query(q);
  if (!res.ok()) return Status(res.status().code(), "pg_stat_statements: " + res.status().message());
  model::StatementReadings out;
  out.time = now;
  auto info = conn_->Query("SELECT dealloc::float8, extract(epoch FROM stats_reset)::float8 FROM pg_stat_statements_info");
  if (info.ok() && info->rows() == 1) {
    out.evicted = std::strtod(std::string(info->Get(0, 0)).c_str(), nullptr);
    out.reset_epoch = std::strtod(std::string(info->Get(0, 1)).c_str(), nullptr);
  }
  const dbconn::QueryResult& r = *res;
  // At the cap the view may hold more: a statement not seen before may just
  // have entered the top N (StatementDeltas only baselines it then).
  out.complete = static_cast<size_t>(r.rows()) < max_statements_per_read_;
  std::vector<int64_t> unknown;
  out.statements.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    model::StatementCounters s;
    const int64_t id = ParseInt(r.Get(i, 0)).value_or(0);
    s.tokenized_db_id = std::to_string(id);
    for (size_t c = 0; c < std::size(kStatColumns); ++c) {
      const int col = static_cast<int>(c) + 1;
      s.counters.emplace_back(std::string(kStatColumns[c][0]),
                              r.IsNull(i, col) ? 0.0 : std::strtod(std::string(r.Get(i, col)).c_str(), nullptr));
    }
    if (!statements_.Knows(id)) unknown.push_back(id);
    out.statements.push_back(std::move(s));
  }
  if (!unknown.empty()) FetchTexts(unknown);
  // Cheapest first, so the most expensive statements are the most recently
  // seen names, the last the resolver would forget.
  for (auto it = out.statements.rbegin(); it != out.statements.rend(); ++it) {
    model::StatementCounters& s = *it;
    if (auto dims = statements_.Known(ParseInt(s.tokenized_db_id).value_or(0))) {
      s.tokenized_id = std::move(dims->tokenized_id);
      s.statement = std::move(dims->tokenized_text);
    }
  }
  // dealloc counts the times the server, at pg_stat_statements.max entries,
  // evicted the least-executed ones to make room: rising means full (no
  // second pass over the view to count entries, which costs ~30 ms at 12k).
  if (previous_dealloc_ && out.evicted > *previous_dealloc_) {
    out.full = true;
    out.warning = "pg_stat_statements is full (pg_stat_statements.max reached) and evicts the least-executed "
                  "statements; raise pg_stat_statements.max (restart needed) so per-SQL statistics stay complete";
  }
  previous_dealloc_ = out.evicted;
  return out;
}

void PgSampler::FetchTexts(const std::vector<int64_t>& query_ids) {
  std::string list;
  for (size_t i = 0; i < query_ids.size() && i < kMaxTextsPerRead; ++i)
    list += (i ? "," : "") + std::to_string(query_ids[i]);
  auto r = conn_->Query("SELECT DISTINCT ON (queryid) queryid, query FROM pg_stat_statements WHERE queryid IN (" +
                        list + ")");
  if (!r.ok()) return;  // named next time
  for (int i = 0; i < r->rows(); ++i) {
    if (r->IsNull(i, 1) || r->Get(i, 1).empty()) continue;
    // pg_stat_statements keeps texts whole: no truncation lookup needed.
    statements_.ResolveFullText(ParseInt(r->Get(i, 0)).value_or(0), r->Get(i, 1));
  }
}

int PgSampler::BackendPidForTest() const { return conn_ ? conn_->BackendPid() : 0; }

Result<std::vector<ActivityRow>> PgSampler::ReadActivity(const std::string& query) {
  auto res = conn_->Query(query);
  if (!res.ok()) return Status(res.status().code(), "pg_stat_activity: " + res.status().message());
  const dbconn::QueryResult& r = *res;
  if (r.cols() != kColCount) return Status::Internal("pg_stat_activity: unexpected column count");

  auto text = [&r](int row, int col) -> std::optional<std::string> {
    if (r.IsNull(row, col)) return std::nullopt;
    return std::string(r.Get(row, col));
  };
  auto integer = [&r](int row, int col) -> std::optional<int64_t> {
    if (r.IsNull(row, col)) return std::nullopt;
    return ParseInt(r.Get(row, col));
  };
  auto real = [&r](int row, int col) -> std::optional<double> {
    if (r.IsNull(row, col)) return std::nullopt;
    return ParseDouble(r.Get(row, col));
  };
  std::vector<ActivityRow> rows(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    ActivityRow& a = rows[static_cast<size_t>(i)];
    a.pid = integer(i, kPid).value_or(0);
    a.leader_pid = integer(i, kLeaderPid);
    a.backend_type = std::string(r.Get(i, kBackendType));
    a.query_id = integer(i, kQueryId);
    a.wait_event_type = text(i, kWaitEventType);
    a.wait_event = text(i, kWaitEvent);
    a.state = text(i, kState);
    a.usesysid = text(i, kUsesysid);
    a.usename = text(i, kUsename);
    a.client_addr = text(i, kClientAddr);
    a.application_name = text(i, kApplicationName);
    a.datname = text(i, kDatname);
    a.query = text(i, kQuery);
    if (!r.IsNull(i, kBlockingPids)) a.blocking_pids = ParsePidArray(r.Get(i, kBlockingPids));
    a.lock_wait_seconds = real(i, kLockWaitSeconds);
    a.xact_seconds = real(i, kXactSeconds);
    a.state_seconds = real(i, kStateSeconds);
  }
  return rows;
}

Result<model::Sample> PgSampler::SampleOnce(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  auto rows = ReadActivity(query_);
  if (!rows.ok()) return rows.status();

  model::Sample sample;
  sample.instance_id = instance_id_;
  sample.time = now;
  MapActivity(*rows, statements_, sample);
  // A blocker that is plain idle (a session-level advisory lock) is not in
  // the snapshot: one more small read names it. Rare, and only while
  // something waits.
  std::vector<int64_t> missing = MissingBlockers(*rows);
  if (!missing.empty()) {
    std::string where = "pid IN (";
    for (size_t i = 0; i < missing.size(); ++i) where += (i ? "," : "") + std::to_string(missing[i]);
    auto more = ReadActivity(ActivityQuery(conn_->ServerVersion(), where + ")"));
    if (more.ok()) rows->insert(rows->end(), more->begin(), more->end());  // else those blockers stay unnamed
  }
  MapLockWaits(*rows, statements_, sample);
  return sample;
}

}  // namespace dbinsight::collect::postgres

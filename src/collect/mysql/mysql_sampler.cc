#include "collect/mysql/mysql_sampler.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <unordered_set>

#include "common/log.h"

namespace dbinsight::collect::mysql {

namespace {

// MySQL errors the sampler tells apart.
constexpr unsigned kAccessDenied = 1227;  // ER_SPECIFIC_ACCESS_DENIED_ERROR (needs SLAVE MONITOR...)

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string IdList(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

// Digests are 32 hex digits (MariaDB, MySQL 5.7) or 64 (MySQL 8); anything
// else is not put into SQL.
bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Status Prefixed(std::string_view what, const Status& s) { return Status(s.code(), std::string(what) + ": " + s.message()); }

// Column order of the statement queries (current and history).
constexpr char kStatementColumns[] =
    "THREAD_ID, EVENT_ID, END_EVENT_ID, NESTING_EVENT_LEVEL, EVENT_NAME, DIGEST, DIGEST_TEXT, SQL_TEXT";

std::vector<StatementRow> ParseStatements(const dbconn::MySqlResult& r) {
  std::vector<StatementRow> rows(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    StatementRow& s = rows[static_cast<size_t>(i)];
    s.thread_id = ParseInt(r.Get(i, 0)).value_or(0);
    s.event_id = ParseInt(r.Get(i, 1)).value_or(0);
    if (!r.IsNull(i, 2)) s.end_event_id = ParseInt(r.Get(i, 2));
    s.nesting_level = static_cast<int>(ParseInt(r.Get(i, 3)).value_or(0));
    s.event_name = r.Cell(i, 4);
    s.digest = r.Cell(i, 5);
    s.digest_text = r.Cell(i, 6);
    s.sql_text = r.Cell(i, 7);
  }
  return rows;
}

// events_statements_summary_by_digest columns, summed over schemas per
// digest, named as the PI metrics db.sql_tokenized.stats.<name>_per_sec
// (model/metric_catalog_mysql.cc). P_S timers are picoseconds.
struct StatColumn {
  std::string_view name;
  std::string_view column;
  double scale;
};
constexpr double kPicosToMillis = 1e-9;
constexpr StatColumn kStatColumns[] = {
    {"count_star", "COUNT_STAR", 1},
    {"sum_timer_wait", "SUM_TIMER_WAIT", kPicosToMillis},
    {"sum_lock_time", "SUM_LOCK_TIME", kPicosToMillis},
    {"sum_rows_examined", "SUM_ROWS_EXAMINED", 1},
    {"sum_rows_sent", "SUM_ROWS_SENT", 1},
    {"sum_rows_affected", "SUM_ROWS_AFFECTED", 1},
    {"sum_select_full_join", "SUM_SELECT_FULL_JOIN", 1},
    {"sum_select_scan", "SUM_SELECT_SCAN", 1},
    {"sum_no_index_used", "SUM_NO_INDEX_USED", 1},
    {"sum_sort_rows", "SUM_SORT_ROWS", 1},
    {"sum_created_tmp_tables", "SUM_CREATED_TMP_TABLES", 1},
    {"sum_created_tmp_disk_tables", "SUM_CREATED_TMP_DISK_TABLES", 1},
};

}  // namespace

MySqlSampler::MySqlSampler(std::string instance_id, dbconn::MySqlConnectOptions connect,
                           const SamplerOptions& options, sql::NormalizerCache& normalizer)
    : instance_id_(std::move(instance_id)),
      connect_(std::move(connect)),
      max_statements_per_read_(options.max_statements_per_read),
      max_tracked_(std::max<size_t>(options.max_tracked_statements, 2)),
      statements_(normalizer, options.store_literals, options.max_tracked_statements) {
  connect_.connect_timeout = options.connect_timeout;
  connect_.read_timeout = options.query_timeout;
}

MySqlSampler::~MySqlSampler() = default;

void MySqlSampler::Reset() { conn_.reset(); }

uint64_t MySqlSampler::ConnectionIdForTest() const { return conn_ ? conn_->ThreadId() : 0; }

Status MySqlSampler::EnsureConnected() {
  if (conn_ && conn_->Healthy()) return Status::Ok();
  conn_.reset();
  auto c = dbconn::MySqlConnection::Connect(connect_);
  if (!c.ok()) return c.status();
  conn_ = std::move(c).value();
  Inspect();
  return Status::Ok();
}

void MySqlSampler::Inspect() {
  facts_.version = conn_->ServerVersion();
  history_checked_.clear();
  program_names_.clear();
  const bool was_pfs = pfs_;
  pfs_ = pfs_history_ = digests_ = false;
  std::string why;  // why performance_schema is not used
  auto vars = conn_->Query("SELECT @@datadir, @@performance_schema");
  if (vars.ok() && vars->rows() == 1) {
    std::string dir(vars->Get(0, 0));
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    facts_.data_directory = dir;
    if (vars->Get(0, 1) != "1") why = "performance_schema is OFF";
  } else {
    why = "cannot read @@performance_schema";
  }
  if (why.empty()) {
    // The monitoring user cannot enable consumers (UPDATE on setup_consumers
    // is an admin's job): use what is on.
    auto consumers = conn_->Query("SELECT NAME, ENABLED FROM performance_schema.setup_consumers");
    auto own = conn_->Query("SELECT THREAD_ID FROM performance_schema.threads WHERE PROCESSLIST_ID = CONNECTION_ID()");
    if (!consumers.ok() || !own.ok() || own->rows() != 1) {
      why = "performance_schema is not readable: " + (consumers.ok() ? own.status() : consumers.status()).message();
    } else {
      std::unordered_set<std::string> on;
      for (int i = 0; i < consumers->rows(); ++i)
        if (consumers->Get(i, 1) == "YES") on.emplace(consumers->Get(i, 0));
      for (const char* needed :
           {"global_instrumentation", "thread_instrumentation", "events_statements_current", "events_waits_current"}) {
        if (!on.count(needed)) why += std::string(why.empty() ? "" : ", ") + "consumer " + needed + " is off";
      }
      own_thread_id_ = ParseInt(own->Get(0, 0)).value_or(0);
      pfs_ = why.empty();
      pfs_history_ = pfs_ && on.count("events_statements_history") && on.count("statements_digest");
      auto size = conn_->Query("SELECT @@performance_schema_digests_size, "
                               "(SELECT COUNT(*) FROM performance_schema.events_statements_summary_by_digest)");
      digests_ = on.count("statements_digest") && size.ok() && size->rows() == 1;
      if (digests_) digests_size_ = ParseDouble(size->Get(0, 0)).value_or(0);
    }
  }
  if (pfs_ != was_pfs || !facts_.features.size()) {
    if (pfs_) {
      log::Info("instance {}: sampling sessions from performance_schema", instance_id_);
    } else {
      log::Warn("instance {}: sampling sessions from information_schema.PROCESSLIST ({}): wait events are thread "
                "states, statements have no server digest",
                instance_id_, why);
    }
  }
  std::optional<double> lag;
  facts_.role = ReadRole(&lag);
  facts_.features = {{"SQL_TEXT", "ENABLED"},
                     {"PERFORMANCE_SCHEMA", pfs_ ? "ENABLED" : "DISABLED"},
                     {"PROCESSLIST_FALLBACK", pfs_ ? "DISABLED" : "ENABLED"},
                     {"SQL_STATISTICS", digests_ ? "ENABLED" : "DISABLED"}};
}

std::string MySqlSampler::ReadRole(std::optional<double>* lag) {
  if (!role_readable_) return "";
  // REPLICA spelling since MariaDB 10.5.1 and MySQL 8.0.22.
  const bool replica_syntax = conn_->IsMariaDb() ? conn_->ServerVersionNumber() >= 100501
                                                 : conn_->ServerVersionNumber() >= 80022;
  auto r = conn_->Query(replica_syntax ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS");
  if (!r.ok()) {
    if (conn_->last_error() == kAccessDenied) {
      // Needs SLAVE MONITOR (MariaDB >= 10.5.9) or REPLICATION CLIENT: without
      // it the role stays unknown; say so once per sampler.
      log::Warn("instance {}: role unknown, SHOW REPLICA STATUS denied (GRANT SLAVE MONITOR): {}", instance_id_,
                r.status().message());
      role_readable_ = false;
    }
    return "";
  }
  if (r->rows() == 0) return "primary";
  for (const char* column : {"Seconds_Behind_Master", "Seconds_Behind_Source"}) {
    const int c = r->ColumnIndex(column);
    if (c >= 0 && !r->IsNull(0, c)) *lag = ParseDouble(r->Get(0, c));
  }
  return "replica";
}

Status MySqlSampler::ReadPerformanceSchema(Snapshot& snap) {
  // Sleeping sessions are most rows on a busy server and never load; the
  // idle-in-transaction count comes from INNODB_TRX instead.
  auto threads = conn_->Query(
      "SELECT THREAD_ID, PROCESSLIST_ID, PROCESSLIST_USER, PROCESSLIST_HOST, PROCESSLIST_DB, PROCESSLIST_COMMAND, "
      "PROCESSLIST_STATE FROM performance_schema.threads WHERE TYPE = 'FOREGROUND' AND PROCESSLIST_COMMAND <> "
      "'Sleep' AND THREAD_ID <> " +
      std::to_string(own_thread_id_));
  if (!threads.ok()) return Prefixed("performance_schema.threads", threads.status());
  std::vector<int64_t> thread_ids, processlist_ids;
  for (int i = 0; i < threads->rows(); ++i) {
    ThreadRow t;
    t.thread_id = ParseInt(threads->Get(i, 0)).value_or(0);
    t.processlist_id = ParseInt(threads->Get(i, 1)).value_or(0);
    t.user = threads->Cell(i, 2);
    t.host = threads->Cell(i, 3);
    t.db = threads->Cell(i, 4);
    t.command = threads->Cell(i, 5);
    t.state = threads->Cell(i, 6);
    if (!IsActive(t.command, t.state)) continue;
    thread_ids.push_back(t.thread_id);
    processlist_ids.push_back(t.processlist_id);
    snap.threads.push_back(std::move(t));
  }
  auto trx = conn_->Query("SELECT trx_mysql_thread_id, trx_state FROM information_schema.INNODB_TRX");
  if (!trx.ok()) return Prefixed("information_schema.INNODB_TRX", trx.status());
  for (int i = 0; i < trx->rows(); ++i)
    snap.trx.push_back({ParseInt(trx->Get(i, 0)).value_or(0), std::string(trx->Get(i, 1))});
  if (thread_ids.empty()) {
    history_checked_.clear();
    return Status::Ok();
  }

  const std::string ids = IdList(thread_ids);
  auto statements = conn_->Query(std::string("SELECT ") + kStatementColumns +
                                 " FROM performance_schema.events_statements_current WHERE THREAD_ID IN (" + ids + ")");
  if (!statements.ok()) return Prefixed("performance_schema.events_statements_current", statements.status());
  snap.statements = ParseStatements(*statements);
  auto waits = conn_->Query(
      "SELECT THREAD_ID, EVENT_ID, END_EVENT_ID, EVENT_NAME FROM performance_schema.events_waits_current "
      "WHERE THREAD_ID IN (" + ids + ")");
  if (!waits.ok()) return Prefixed("performance_schema.events_waits_current", waits.status());
  for (int i = 0; i < waits->rows(); ++i) {
    WaitRow w;
    w.thread_id = ParseInt(waits->Get(i, 0)).value_or(0);
    w.event_id = ParseInt(waits->Get(i, 1)).value_or(0);
    if (!waits->IsNull(i, 2)) w.end_event_id = ParseInt(waits->Get(i, 2));
    w.event_name = std::string(waits->Get(i, 3));
    snap.waits.push_back(std::move(w));
  }

  // Which threads need more: a statement without SQL_TEXT (binary-protocol
  // prepared statements) takes PROCESSLIST.INFO; a running statement whose
  // digest is unknown looks for a finished twin in its thread's history.
  std::unordered_map<int64_t, const StatementRow*> running_text;
  for (const StatementRow& s : snap.statements) {
    if (s.sql_text && !s.sql_text->empty()) running_text[s.thread_id] = &s;
  }
  std::vector<int64_t> need_info, need_history;
  std::unordered_map<int64_t, int64_t> checked;
  for (const ThreadRow& t : snap.threads) {
    auto it = running_text.find(t.thread_id);
    if (it == running_text.end()) {
      need_info.push_back(t.processlist_id);
      continue;
    }
    const StatementRow& s = *it->second;
    if (!pfs_history_ || s.end_event_id) continue;
    auto prev = history_checked_.find(t.thread_id);
    const bool done = prev != history_checked_.end() && prev->second == s.event_id;
    checked[t.thread_id] = s.event_id;
    if (!done && !statements_.Knows(*s.sql_text)) need_history.push_back(t.thread_id);
  }
  history_checked_ = std::move(checked);
  if (!need_info.empty()) {
    auto info = conn_->Query("SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE ID IN (" + IdList(need_info) +
                             ")");
    if (!info.ok()) return Prefixed("information_schema.PROCESSLIST", info.status());
    for (int i = 0; i < info->rows(); ++i) {
      ProcesslistRow p;
      p.id = ParseInt(info->Get(i, 0)).value_or(0);
      p.info = info->Cell(i, 1);
      snap.processlist.push_back(std::move(p));
    }
  }
  if (!need_history.empty()) {
    auto history = conn_->Query(std::string("SELECT ") + kStatementColumns +
                                " FROM performance_schema.events_statements_history WHERE THREAD_ID IN (" +
                                IdList(need_history) + ") AND DIGEST IS NOT NULL AND SQL_TEXT IS NOT NULL");
    if (!history.ok()) return Prefixed("performance_schema.events_statements_history", history.status());
    snap.history = ParseStatements(*history);
  }
  ReadProgramNames(processlist_ids, snap);
  return Status::Ok();
}

void MySqlSampler::ReadProgramNames(const std::vector<int64_t>& processlist_ids, Snapshot& snap) {
  std::vector<int64_t> unknown;
  for (int64_t id : processlist_ids)
    if (!program_names_.count(id)) unknown.push_back(id);
  if (!unknown.empty()) {
    // Connection ids are never reused while the server runs, so the cache
    // only grows; dropping it now and then bounds it.
    if (program_names_.size() > max_tracked_) program_names_.clear();
    auto r = conn_->Query(
        "SELECT PROCESSLIST_ID, ATTR_VALUE FROM performance_schema.session_connect_attrs WHERE ATTR_NAME = "
        "'program_name' AND PROCESSLIST_ID IN (" + IdList(unknown) + ")");
    // Unreadable attributes only cost the application name.
    if (r.ok()) {
      for (int64_t id : unknown) program_names_[id];
      for (int i = 0; i < r->rows(); ++i)
        program_names_[ParseInt(r->Get(i, 0)).value_or(0)] = std::string(r->Get(i, 1));
    }
  }
  for (int64_t id : processlist_ids) {
    auto it = program_names_.find(id);
    if (it != program_names_.end() && !it->second.empty()) snap.program_names.push_back({id, it->second});
  }
}

Status MySqlSampler::ReadProcesslist(Snapshot& snap) {
  auto r = conn_->Query(
      "SELECT ID, USER, HOST, DB, COMMAND, STATE, INFO FROM information_schema.PROCESSLIST "
      "WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Sleep'");
  if (!r.ok()) return Prefixed("information_schema.PROCESSLIST", r.status());
  for (int i = 0; i < r->rows(); ++i) {
    ProcesslistRow p;
    p.id = ParseInt(r->Get(i, 0)).value_or(0);
    p.user = r->Cell(i, 1);
    p.host = r->Cell(i, 2);
    p.db = r->Cell(i, 3);
    p.command = r->Cell(i, 4);
    p.state = r->Cell(i, 5);
    p.info = r->Cell(i, 6);
    snap.processlist.push_back(std::move(p));
  }
  auto trx = conn_->Query("SELECT trx_mysql_thread_id, trx_state FROM information_schema.INNODB_TRX");
  if (!trx.ok()) return Prefixed("information_schema.INNODB_TRX", trx.status());
  for (int i = 0; i < trx->rows(); ++i)
    snap.trx.push_back({ParseInt(trx->Get(i, 0)).value_or(0), std::string(trx->Get(i, 1))});
  return Status::Ok();
}

Result<model::Sample> MySqlSampler::SampleOnce(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  Snapshot snap;
  snap.performance_schema = pfs_;
  DBI_RETURN_IF_ERROR(pfs_ ? ReadPerformanceSchema(snap) : ReadProcesslist(snap));
  model::Sample sample;
  sample.instance_id = instance_id_;
  sample.time = now;
  MapActivity(snap, statements_, sample);
  if (SawLockWait(snap, sample)) DBI_RETURN_IF_ERROR(ReadLockWaits(snap, sample));
  return sample;
}

Status MySqlSampler::ReadLockWaits(const Snapshot& snap, model::Sample& sample) {
  // PROCESS is enough for all of it. NOW(6): the ages come from the server's
  // clock, as the trx timestamps do.
  auto r = conn_->Query(
      "SELECT r.trx_mysql_thread_id, b.trx_mysql_thread_id, "
      "TIMESTAMPDIFF(MICROSECOND, r.trx_wait_started, NOW(6)) / 1e6, "
      "TIMESTAMPDIFF(MICROSECOND, b.trx_started, NOW(6)) / 1e6, r.trx_query "
      "FROM information_schema.INNODB_LOCK_WAITS w "
      "JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id "
      "JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id");
  if (!r.ok()) return Prefixed("information_schema.INNODB_LOCK_WAITS", r.status());
  std::vector<InnodbLockWaitRow> waits;
  for (int i = 0; i < r->rows(); ++i) {
    InnodbLockWaitRow w;
    w.waiter_id = ParseInt(r->Get(i, 0)).value_or(0);
    w.blocker_id = ParseInt(r->Get(i, 1)).value_or(0);
    if (!r->IsNull(i, 2)) w.wait_seconds = ParseDouble(r->Get(i, 2));
    if (!r->IsNull(i, 3)) w.blocker_trx_seconds = ParseDouble(r->Get(i, 3));
    w.waiter_sql = r->Cell(i, 4);
    waits.push_back(std::move(w));
  }
  const std::vector<int64_t> ids = BlockerIds(waits);
  std::vector<BlockerRow> blockers;
  if (!ids.empty()) {
    auto p =
        conn_->Query("SELECT ID, USER, HOST, COMMAND, TIME, INFO FROM information_schema.PROCESSLIST WHERE ID IN (" +
                     IdList(ids) + ")");
    if (!p.ok()) return Prefixed("information_schema.PROCESSLIST", p.status());
    std::unordered_map<int64_t, size_t> index;
    for (int i = 0; i < p->rows(); ++i) {
      BlockerRow b;
      b.id = ParseInt(p->Get(i, 0)).value_or(0);
      b.user = p->Cell(i, 1);
      b.host = p->Cell(i, 2);
      b.command = p->Cell(i, 3);
      if (!p->IsNull(i, 4)) b.time = ParseDouble(p->Get(i, 4));
      b.sql = p->Cell(i, 5);
      index[b.id] = blockers.size();
      blockers.push_back(std::move(b));
    }
    if (snap.performance_schema) {
      // An idle blocker's INFO is NULL; P_S keeps its last statement (the
      // top-level one) in events_statements_current.
      auto last = conn_->Query(
          "SELECT t.PROCESSLIST_ID, s.SQL_TEXT FROM performance_schema.threads t "
          "JOIN performance_schema.events_statements_current s ON s.THREAD_ID = t.THREAD_ID "
          "WHERE t.PROCESSLIST_ID IN (" +
          IdList(ids) + ") AND s.NESTING_EVENT_LEVEL = 0 AND s.SQL_TEXT IS NOT NULL");
      if (last.ok()) {  // else INFO stays: the statement is only known while it runs
        for (int i = 0; i < last->rows(); ++i) {
          auto it = index.find(ParseInt(last->Get(i, 0)).value_or(0));
          if (it != index.end()) blockers[it->second].sql = std::string(last->Get(i, 1));
        }
      }
      Snapshot names;
      ReadProgramNames(ids, names);
      for (const ProgramNameRow& n : names.program_names) {
        auto it = index.find(n.processlist_id);
        if (it != index.end()) blockers[it->second].application = n.program_name;
      }
    }
  }
  MapLockWaits(waits, blockers, statements_, sample);
  return Status::Ok();
}

Result<GlobalStatus> MySqlSampler::ReadStatus(const std::string& where) {
  auto r = conn_->Query("SHOW GLOBAL STATUS" + where);
  if (!r.ok()) return Prefixed("SHOW GLOBAL STATUS", r.status());
  GlobalStatus status;
  for (int i = 0; i < r->rows(); ++i) AddStatus(status, r->Get(i, 0), r->Get(i, 1));
  return status;
}

Result<model::Readings> MySqlSampler::ReadCounters(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  auto status = ReadStatus("");
  if (!status.ok()) return status.status();
  CounterExtras extras;
  // max_connections is a variable, not a status, but the connections
  // detector needs the limit next to Threads_connected; it changes with SET
  // GLOBAL, so it is read each time, in the same round trip.
  auto trx = conn_->Query("SELECT COUNT(*), @@GLOBAL.max_connections FROM information_schema.INNODB_TRX");
  if (!trx.ok()) return Prefixed("information_schema.INNODB_TRX", trx.status());
  extras.active_transactions = ParseDouble(trx->Get(0, 0));
  AddStatus(*status, "max_connections", trx->Get(0, 1));
  // The role can change (a replica promoted); SHOW REPLICA STATUS is cheap.
  if (role_readable_) facts_.role = ReadRole(&extras.seconds_behind_master);
  return MapCounters(*status, extras, now);
}

void MySqlSampler::FetchDigestTexts(const std::vector<std::string>& digests) {
  std::string list;
  for (size_t i = 0; i < digests.size() && i < kMaxTextsPerRead; ++i) list += (i ? ",'" : "'") + digests[i] + "'";
  auto r = conn_->Query(
      "SELECT DIGEST, DIGEST_TEXT FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST IN (" +
      list + ")");
  if (!r.ok()) return;  // named next time
  if (digest_texts_.size() + static_cast<size_t>(r->rows()) > max_tracked_) {
    // Forget the digests this read did not return; the read's own are named
    // again right after, and dropping them would refetch them every read.
    // (max_tracked_statements >= max_statements_per_read, so they fit.)
    std::erase_if(digest_texts_, [&](const auto& kv) { return kv.second.last_used < digest_generation_; });
  }
  for (int i = 0; i < r->rows(); ++i) {
    if (r->IsNull(i, 1)) continue;
    const std::string digest(r->Get(i, 0));
    digest_texts_[digest] = {DigestResolver::FromDigest(digest, r->Get(i, 1)), digest_generation_};
  }
}

Result<model::StatementReadings> MySqlSampler::ReadStatements(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  model::StatementReadings out;
  out.time = now;
  if (!digests_) {
    out.warning = "per-SQL statistics need performance_schema=ON (a restart) with the statements_digest consumer, "
                  "and SELECT on performance_schema for the monitoring user";
    return out;
  }
  auto status = ReadStatus(" WHERE Variable_name IN ('Uptime', 'Performance_schema_digest_lost')");
  if (!status.ok()) return status.status();
  auto stat = [&status](const char* name) {
    auto it = status->find(name);
    return it == status->end() ? 0.0 : ParseDouble(it->second).value_or(0);
  };
  const double uptime = stat("uptime");
  const double digest_lost = stat("performance_schema_digest_lost");

  // Entries of one digest in several schemas are one statement to us. Texts
  // are fetched apart, only for digests not named yet (FetchDigestTexts).
  std::string q = "SELECT DIGEST, MIN(FIRST_SEEN)";
  for (const StatColumn& c : kStatColumns) q += ", SUM(" + std::string(c.column) + ")";
  q += " FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST IS NOT NULL GROUP BY DIGEST "
       "ORDER BY SUM(SUM_TIMER_WAIT) DESC LIMIT " + std::to_string(max_statements_per_read_);
  auto res = conn_->Query(q);
  if (!res.ok()) return Prefixed("events_statements_summary_by_digest", res.status());
  auto count = conn_->Query("SELECT COUNT(*) FROM performance_schema.events_statements_summary_by_digest");
  if (!count.ok()) return Prefixed("events_statements_summary_by_digest", count.status());
  const double rows_in_table = ParseDouble(count->Get(0, 0)).value_or(0);

  // Resets: a restart (Uptime went down) or a TRUNCATE (a digest's count
  // went down, or its FIRST_SEEN moved). reset_epoch stays put otherwise,
  // so deltas are not restarted by jitter in now - Uptime.
  const double now_epoch = ToEpochSeconds(now);
  // A restart shows as Uptime going down, or, when the server came back
  // quickly and has run as long as before, as a later start time
  // (now - Uptime; Uptime has whole seconds, hence the margin).
  const double started = now_epoch - uptime;
  const bool restarted = previous_uptime_ && (uptime < *previous_uptime_ || started > previous_started_ + 1.5);
  if (reset_epoch_ == 0 || restarted) {
    // A reset must always move the epoch, even within the same second.
    reset_epoch_ = std::max(std::floor(started), reset_epoch_ == 0 ? 0.0 : reset_epoch_ + 1);
    previous_digests_.clear();
  }
  previous_uptime_ = uptime;
  previous_started_ = started;
  const dbconn::MySqlResult& r = *res;
  // At the cap the table may hold more: a digest not seen before may just
  // have entered the top N (StatementDeltas only baselines it then).
  out.complete = static_cast<size_t>(r.rows()) < max_statements_per_read_;
  std::unordered_map<std::string, PreviousDigest> seen;
  std::vector<std::string> unknown;
  bool truncated = false;
  ++digest_generation_;
  out.statements.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    model::StatementCounters s;
    s.tokenized_db_id = std::string(r.Get(i, 0));
    if (!IsHex(s.tokenized_db_id)) continue;
    for (size_t c = 0; c < std::size(kStatColumns); ++c) {
      const double v = ParseDouble(r.Get(i, static_cast<int>(c) + 2)).value_or(0) * kStatColumns[c].scale;
      s.counters.emplace_back(std::string(kStatColumns[c].name), v);
    }
    const double calls = s.counters[0].second;
    std::string first_seen(r.Get(i, 1));
    if (auto prev = previous_digests_.find(s.tokenized_db_id); prev != previous_digests_.end()) {
      // FIRST_SEEN moves on a TRUNCATE even when the count has caught up since.
      if (calls < prev->second.calls || first_seen != prev->second.first_seen) truncated = true;
    }
    seen[s.tokenized_db_id] = {calls, std::move(first_seen)};
    auto known = digest_texts_.find(s.tokenized_db_id);
    if (known == digest_texts_.end()) {
      unknown.push_back(s.tokenized_db_id);
    } else {
      known->second.last_used = digest_generation_;
    }
    out.statements.push_back(std::move(s));
  }
  if (truncated) reset_epoch_ = std::floor(now_epoch);
  previous_digests_ = std::move(seen);
  out.reset_epoch = reset_epoch_;
  if (!unknown.empty()) FetchDigestTexts(unknown);
  for (model::StatementCounters& s : out.statements) {
    if (auto it = digest_texts_.find(s.tokenized_db_id); it != digest_texts_.end()) {
      s.tokenized_id = it->second.tok.id;
      s.statement = it->second.tok.text;
    }
  }

  out.evicted = digest_lost;
  const bool lost_more = previous_digest_lost_ ? digest_lost > *previous_digest_lost_ : digest_lost > 0;
  previous_digest_lost_ = digest_lost;
  if (lost_more || (digests_size_ > 0 && rows_in_table >= digests_size_)) {
    out.full = true;
    out.warning = "performance_schema.events_statements_summary_by_digest is full (" +
                  std::to_string(static_cast<int64_t>(rows_in_table)) + " of performance_schema_digests_size=" +
                  std::to_string(static_cast<int64_t>(digests_size_)) + " rows, Performance_schema_digest_lost=" +
                  std::to_string(static_cast<int64_t>(digest_lost)) +
                  "): new statements are not tracked. Raise performance_schema_digests_size (restart needed), or "
                  "run TRUNCATE performance_schema.events_statements_summary_by_digest as a user with DROP on "
                  "performance_schema to start over";
  }
  return out;
}

}  // namespace dbinsight::collect::mysql

#include "collect/postgres/pg_sampler.h"

#include <charconv>
#include <vector>

#include "collect/postgres/activity.h"
#include "common/log.h"

namespace dbinsight::collect::postgres {

namespace {

// Column order of ActivityQuery().
enum Col {
  kPid, kLeaderPid, kBackendType, kQueryId, kWaitEventType, kWaitEvent, kState, kUsesysid,
  kUsename, kClientAddr, kApplicationName, kDatname, kQuery, kColCount
};

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

PgSampler::PgSampler(std::string instance_id, dbconn::ConnectOptions connect,
                     const SamplerOptions& options, sql::NormalizerCache& normalizer)
    : instance_id_(std::move(instance_id)),
      connect_(std::move(connect)),
      statements_(normalizer, options.store_literals, options.max_tracked_statements) {
  connect_.connect_timeout = options.connect_timeout;
  connect_.statement_timeout = options.query_timeout;
}

PgSampler::~PgSampler() = default;

std::string PgSampler::ActivityQuery(int server_version) {
  // leader_pid arrived in 13, query_id in 14. host() drops the /32 an inet
  // could print. Idle sessions are filtered here (they are most rows on a
  // busy server); everything else is decided in activity.cc.
  std::string q = "SELECT pid, ";
  q += server_version >= 130000 ? "leader_pid" : "NULL::int";
  q += ", backend_type, ";
  q += server_version >= 140000 ? "query_id" : "NULL::bigint";
  q += ", wait_event_type, wait_event, state, usesysid, usename, host(client_addr), "
       "application_name, datname, query FROM pg_stat_activity "
       "WHERE pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'";
  return q;
}

Status PgSampler::EnsureConnected() {
  if (conn_ && conn_->Healthy()) return Status::Ok();
  conn_.reset();
  auto c = dbconn::PgConnection::Connect(connect_);
  if (!c.ok()) return c.status();
  conn_ = std::move(c).value();
  query_ = ActivityQuery(conn_->ServerVersion());
  pgss_usable_ = true;
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

int PgSampler::BackendPidForTest() const { return conn_ ? conn_->BackendPid() : 0; }

Result<model::Sample> PgSampler::SampleOnce(WallTime now) {
  DBI_RETURN_IF_ERROR(EnsureConnected());
  auto res = conn_->Query(query_);
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
  }

  model::Sample sample;
  sample.instance_id = instance_id_;
  sample.time = now;
  MapActivity(rows, statements_, sample);
  return sample;
}

}  // namespace dbinsight::collect::postgres

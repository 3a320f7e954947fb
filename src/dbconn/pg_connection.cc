#include "dbconn/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/log.h"

namespace dbinsight::dbconn {

namespace {

// The extra time Query() waits beyond statement_timeout, so that the server's
// own timeout (a clean error, connection kept) normally fires first.
constexpr std::chrono::milliseconds kClientGrace{1000};

// libpq messages end in newlines and may span lines; log lines want one line.
std::string OneLine(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool LooksLikeConninfo(const std::string& s) {
  return s.find('=') != std::string::npos || s.rfind("postgres://", 0) == 0 ||
         s.rfind("postgresql://", 0) == 0;
}

// SQLSTATEs after which retrying on a new connection is the right move.
bool IsTransient(std::string_view sqlstate) {
  return sqlstate.substr(0, 2) == "08" || sqlstate.substr(0, 3) == "57P" || sqlstate == "57014" ||
         sqlstate == "53300";
}

enum class Wait { kReady, kTimeout, kError };

Wait WaitReadable(int fd, std::chrono::milliseconds limit) {
  if (fd < 0) return Wait::kError;
  pollfd p{fd, POLLIN, 0};
  const int timeout = limit.count() > 0 ? static_cast<int>(limit.count()) : -1;
  for (;;) {
    int n = ::poll(&p, 1, timeout);
    if (n > 0) return Wait::kReady;  // readable, hup or error: libpq reports which
    if (n == 0) return Wait::kTimeout;
    if (errno != EINTR) return Wait::kError;
  }
}

}  // namespace

void QueryResult::Deleter::operator()(pg_result* r) const { PQclear(r); }
void PgConnection::ConnDeleter::operator()(pg_conn* c) const { PQfinish(c); }
void PgConnection::CancelDeleter::operator()(pg_cancel* c) const { PQfreeCancel(c); }

QueryResult::QueryResult(pg_result* res) : res_(res) {}
QueryResult::QueryResult(QueryResult&&) noexcept = default;
QueryResult& QueryResult::operator=(QueryResult&&) noexcept = default;
QueryResult::~QueryResult() = default;

int QueryResult::rows() const { return PQntuples(res_.get()); }
int QueryResult::cols() const { return PQnfields(res_.get()); }
bool QueryResult::IsNull(int r, int c) const { return PQgetisnull(res_.get(), r, c) != 0; }

std::string_view QueryResult::Get(int r, int c) const {
  return std::string_view(PQgetvalue(res_.get(), r, c),
                          static_cast<size_t>(PQgetlength(res_.get(), r, c)));
}

int QueryResult::ColumnIndex(std::string_view name) const {
  // Not PQfnumber: it case-folds unquoted names.
  for (int c = 0; c < cols(); ++c)
    if (name == PQfname(res_.get(), c)) return c;
  return -1;
}

std::string_view QueryResult::ColumnName(int c) const { return PQfname(res_.get(), c); }

int64_t QueryResult::AffectedRows() const {
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

PgConnection::PgConnection(pg_conn* conn, const ConnectOptions& options)
    : conn_(conn),
      cancel_(PQgetCancel(conn)),
      password_(options.password),
      redacted_(log::RedactDsn(options.conninfo)) {}

PgConnection::~PgConnection() = default;

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::string& conninfo, std::chrono::milliseconds connect_timeout) {
  ConnectOptions o;
  o.conninfo = conninfo;
  o.connect_timeout = connect_timeout;
  return Connect(o);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const ConnectOptions& options) {
  const std::string redacted = log::RedactDsn(options.conninfo);
  if (LooksLikeConninfo(options.conninfo)) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(options.conninfo.c_str(), &err);
    if (parsed == nullptr) {
      std::string msg = err ? OneLine(err) : "out of memory";
      PQfreemem(err);
      return Status::InvalidArgument("bad PostgreSQL conninfo '" + redacted + "': " + msg);
    }
    PQconninfoFree(parsed);
  }

  const int64_t ms = options.connect_timeout.count();
  const std::string timeout_s = std::to_string(ms > 0 ? (ms + 999) / 1000 : 0);
  // Later keywords override what the expanded conninfo (first) sets.
  std::vector<const char*> keys = {"dbname", "connect_timeout", "fallback_application_name"};
  std::vector<const char*> values = {options.conninfo.c_str(), timeout_s.c_str(),
                                     options.application_name.c_str()};
  if (options.password) {
    keys.push_back("password");
    values.push_back(options.password->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  pg_conn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (raw == nullptr) return Status::ResourceExhausted("libpq: out of memory");
  std::unique_ptr<PgConnection> conn(new PgConnection(raw, options));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::Unavailable(conn->Scrub("connect to '" + redacted +
                                           "': " + OneLine(PQerrorMessage(raw))));
  }
  DBI_RETURN_IF_ERROR(conn->Apply(options));
  return conn;
}

Status PgConnection::Apply(const ConnectOptions& options) {
  if (options.statement_timeout.count() <= 0) return Status::Ok();
  // Bounds the SET itself too: a server that accepted us and then hangs.
  wait_limit_ = options.statement_timeout + kClientGrace;
  auto r = Query("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
  return r.ok() ? Status::Ok() : r.status();
}

std::string PgConnection::Scrub(std::string message) const {
  if (password_ && !password_->empty()) {
    for (size_t at = message.find(*password_); at != std::string::npos;
         at = message.find(*password_, at + 3)) {
      message.replace(at, password_->size(), "***");
    }
  }
  return message;
}

Status PgConnection::Error(std::string_view what) const {
  std::string detail = conn_ ? OneLine(PQerrorMessage(conn_.get())) : "connection closed";
  return Status::Unavailable(Scrub(std::string(what) + ": " + detail));
}

void PgConnection::Close() {
  conn_.reset();
  broken_ = true;
}

bool PgConnection::Healthy() const {
  return conn_ && !broken_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

int PgConnection::BackendPid() const { return conn_ ? PQbackendPID(conn_.get()) : 0; }
int PgConnection::ServerVersion() const { return conn_ ? PQserverVersion(conn_.get()) : 0; }

Status PgConnection::SendQuery(std::string_view sql) {
  if (!conn_) return Status::Unavailable("connection closed");
  if (!PQsendQuery(conn_.get(), std::string(sql).c_str())) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) broken_ = true;
    return Error("send query");
  }
  return Status::Ok();
}

bool PgConnection::Busy() {
  if (!conn_) return false;
  if (!PQconsumeInput(conn_.get())) broken_ = true;
  return PQisBusy(conn_.get()) != 0;
}

Result<QueryResult> PgConnection::AwaitResult() {
  if (!conn_) return Status::Unavailable("connection closed");
  return Collect();
}

Result<QueryResult> PgConnection::Query(std::string_view sql) {
  DBI_RETURN_IF_ERROR(SendQuery(sql));
  return Collect();
}

Result<QueryResult> PgConnection::Collect() {
  pg_conn* c = conn_.get();
  std::unique_ptr<pg_result, QueryResult::Deleter> last;
  Status error;
  for (;;) {
    while (PQisBusy(c)) {
      switch (WaitReadable(PQsocket(c), wait_limit_)) {
        case Wait::kReady: break;
        case Wait::kTimeout:
          // The server said nothing for longer than its own timeout allows:
          // hung or unreachable. Dropping the connection is the only safe reset.
          Close();
          return Status::Unavailable("no answer from server within " +
                                     std::to_string(wait_limit_.count()) +
                                     " ms; connection closed");
        case Wait::kError: {
          Status s = Error("wait for server");
          Close();
          return s;
        }
      }
      if (!PQconsumeInput(c)) {
        Status s = Error("read from server");
        broken_ = true;
        return s;
      }
    }
    pg_result* r = PQgetResult(c);
    if (r == nullptr) break;
    switch (PQresultStatus(r)) {
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        last.reset(r);
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        // COPY is not part of this client's protocol; the session state is
        // unknown from here on.
        PQclear(r);
        Close();
        return Status::InvalidArgument("COPY is not supported by PgConnection::Query");
      default: {
        if (error.ok()) {
          const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
          const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
          std::string sqlstate = state ? state : "";
          std::string msg = primary ? primary : OneLine(PQresultErrorMessage(r));
          if (msg.empty()) msg = OneLine(PQerrorMessage(c));
          msg = Scrub("query failed: " + msg + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
          error = (sqlstate.empty() || IsTransient(sqlstate)) ? Status::Unavailable(msg)
                                                              : Status::Internal(msg);
        }
        PQclear(r);
        break;
      }
    }
  }
  if (PQstatus(c) != CONNECTION_OK) {
    broken_ = true;
    if (error.ok()) return Error("connection lost");
    if (error.code() != StatusCode::kUnavailable) return Status::Unavailable(error.message());
  }
  if (!error.ok()) return error;
  if (!last) return Status::Internal("query returned no result");
  return QueryResult(last.release());
}

Status PgConnection::Cancel() {
  if (!cancel_) return Status::Unavailable("no cancel handle");
  char err[256] = {0};
  if (!PQcancel(cancel_.get(), err, sizeof(err))) {
    return Status::Unavailable("cancel failed: " + OneLine(err));
  }
  return Status::Ok();
}

}  // namespace dbinsight::dbconn

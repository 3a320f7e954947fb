// PgConnection: one RAII libpq client connection to a PostgreSQL server, and
// QueryResult, the rows of one completed query. libpq stays inside dbconn/:
// this header only forward-declares its structs.
//
// Ownership: a PgConnection owns its PGconn and closes it on destruction; a
// QueryResult owns its PGresult and the string_views it hands out point into
// it (valid while the QueryResult lives).
// Thread-safety: a PgConnection is used by one thread at a time, except
// Cancel(), which any thread may call at any time. QueryResult is immutable and
// safe to read from several threads.
// Error messages never contain the password (see log::RedactDsn).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct pg_conn;     // libpq's PGconn
struct pg_result;   // libpq's PGresult
struct pg_cancel;   // libpq's PGcancel

namespace dbinsight::dbconn {

struct ConnectOptions {
  // libpq keyword/value string or URI; any libpq option (sslmode, host lists,
  // options, ...) passes through. May contain a password; it is redacted from
  // every message.
  std::string conninfo;
  // Overrides any password in conninfo, so configs can keep secrets apart.
  std::optional<std::string> password;
  // Default: 3 s. Rounded up to whole seconds (libpq's unit; libpq treats 1 as
  // 2). Applies per address tried. Zero waits indefinitely.
  std::chrono::milliseconds connect_timeout{3000};
  // Default: 0 = no limit. When set, it is the server's statement_timeout for
  // this session, and Query() also gives up client-side when the server sends
  // nothing for statement_timeout + 1 s (a hung or unreachable server).
  std::chrono::milliseconds statement_timeout{0};
  // Default: "dbinsight". Sent as fallback_application_name, so an
  // application_name in conninfo wins.
  std::string application_name = "dbinsight";
};

class QueryResult {
 public:
  QueryResult(QueryResult&&) noexcept;
  QueryResult& operator=(QueryResult&&) noexcept;
  ~QueryResult();

  int rows() const;
  int cols() const;
  // REQUIRES: 0 <= r < rows(), 0 <= c < cols().
  bool IsNull(int r, int c) const;
  // Text form of the value; empty for NULL.
  std::string_view Get(int r, int c) const;
  // Column index by name, or -1.
  int ColumnIndex(std::string_view name) const;
  std::string_view ColumnName(int c) const;
  // Rows touched by INSERT/UPDATE/DELETE; 0 otherwise.
  int64_t AffectedRows() const;

 private:
  friend class PgConnection;
  explicit QueryResult(pg_result* res);
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

class PgConnection {
 public:
  // Opens a connection and applies the session settings. Unavailable when the
  // server cannot be reached or refuses us (bad password, too many clients);
  // InvalidArgument for a malformed conninfo.
  static Result<std::unique_ptr<PgConnection>> Connect(const ConnectOptions& options);
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       std::chrono::milliseconds connect_timeout);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs sql (one or more statements, simple protocol) and returns the last
  // result. Unavailable when the connection is lost or the query timed out
  // (the connection is then closed: Healthy() turns false); Internal for an
  // SQL error, with its SQLSTATE in the message.
  Result<QueryResult> Query(std::string_view sql);

  // False once the connection is known to be broken; cheap, no round trip.
  bool Healthy() const;
  // The server process serving this connection (pg_backend_pid()).
  int BackendPid() const;
  // e.g. 150018 for 15.18.
  int ServerVersion() const;

  // Asynchronous use (test harnesses holding sessions in a query): send now,
  // collect later with AwaitResult(). REQUIRES: no query in flight.
  Status SendQuery(std::string_view sql);
  // True while the sent query has not finished; reads whatever has arrived.
  bool Busy();
  // Blocks until the sent query finishes (bounded by statement_timeout as
  // Query() is) and returns its last result or error.
  Result<QueryResult> AwaitResult();
  // Asks the server to cancel the running query, if any. Thread-safe; does not
  // wait. The query then fails with SQLSTATE 57014.
  Status Cancel();

  // A redacted form of the conninfo, for log lines.
  const std::string& RedactedConninfo() const { return redacted_; }

 private:
  PgConnection(pg_conn* conn, const ConnectOptions& options);
  Status Error(std::string_view what) const;
  std::string Scrub(std::string message) const;
  Status Apply(const ConnectOptions& options);
  Result<QueryResult> Collect();
  void Close();

  struct ConnDeleter {
    void operator()(pg_conn* c) const;
  };
  struct CancelDeleter {
    void operator()(pg_cancel* c) const;
  };
  std::unique_ptr<pg_conn, ConnDeleter> conn_;
  // Created once at connect so Cancel() needs nothing from conn_ (libpq's
  // PQcancel is safe from other threads).
  std::unique_ptr<pg_cancel, CancelDeleter> cancel_;
  std::optional<std::string> password_;  // only to scrub it from messages
  std::string redacted_;
  std::chrono::milliseconds wait_limit_{0};  // 0 = wait forever
  bool broken_ = false;
};

}  // namespace dbinsight::dbconn

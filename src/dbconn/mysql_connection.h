// MySqlConnection: one RAII MariaDB Connector/C (libmariadb) client
// connection to a MariaDB or MySQL server, MySqlResult, the owned rows of one
// query, and ParseMySqlDsn() for mysql:// / mariadb:// URIs. libmariadb stays
// inside dbconn/: this header only forward-declares its handle.
//
// Ownership: a MySqlConnection owns its MYSQL handle and closes it on
// destruction. A MySqlResult owns copies of its cells (no libmariadb memory),
// so it outlives the connection.
// Thread-safety: a MySqlConnection is used by one thread at a time (to stop a
// query from elsewhere, run KILL QUERY <ThreadId()> on another connection).
// MySqlResult is immutable and safe to read from several threads.
// Error messages never contain the password.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct st_mysql;  // libmariadb's MYSQL

namespace dbinsight::dbconn {

struct MySqlConnectOptions {
  // TCP host name or address. "localhost" without a socket means the
  // client library's default unix socket, as the mysql tools do.
  std::string host = "127.0.0.1";
  // Default: 3306.
  int port = 3306;
  // Unix socket path; when set it is used instead of host/port.
  std::string socket;
  std::string user;
  // Empty: no password.
  std::string password;
  // Default database; empty for none (the sampler needs none).
  std::string database;
  // Default: 3 s. Rounded up to whole seconds (libmariadb's unit). Bounds the
  // TCP connect and the server's greeting.
  std::chrono::milliseconds connect_timeout{3000};
  // The query timeout. Default: 0 = no limit. When set, the server aborts a
  // statement running longer (MariaDB max_statement_time, MySQL
  // max_execution_time, SELECTs only), and the client gives up on a server
  // silent for read_timeout + 1 s (rounded up to whole seconds; a hung server
  // or network); the connection is then closed.
  std::chrono::milliseconds read_timeout{0};
  // Sent as the connection attribute program_name (what
  // performance_schema.session_connect_attrs shows). Default: "dbinsight".
  std::string program_name = "dbinsight";
};

// Parses "mysql://[user[:password]@]host[:port][/database][?key=value&...]"
// (scheme "mariadb://" too; host may be "[v6addr]"). Components are
// percent-decoded. Keys: socket (unix socket path; the host is then
// ignored), connect_timeout and read_timeout (seconds), program_name.
// Defaults as in MySqlConnectOptions. InvalidArgument naming the faulty part
// for anything else; messages never repeat the password.
Result<MySqlConnectOptions> ParseMySqlDsn(std::string_view uri);

// The rows of one statement, every cell in the text protocol's text form;
// nullopt is SQL NULL.
class MySqlResult {
 public:
  MySqlResult() = default;

  int rows() const { return rows_; }
  int cols() const { return static_cast<int>(names_.size()); }
  // REQUIRES: 0 <= r < rows(), 0 <= c < cols().
  bool IsNull(int r, int c) const { return !Cell(r, c).has_value(); }
  // Text form of the value; empty for NULL.
  std::string_view Get(int r, int c) const;
  const std::optional<std::string>& Cell(int r, int c) const {
    return cells_[static_cast<size_t>(r) * names_.size() + static_cast<size_t>(c)];
  }
  // Column index by exact (case-sensitive) name, or -1.
  int ColumnIndex(std::string_view name) const;
  const std::string& ColumnName(int c) const { return names_[static_cast<size_t>(c)]; }
  // Rows touched by INSERT/UPDATE/DELETE; 0 for a result set.
  int64_t AffectedRows() const { return affected_rows_; }

 private:
  friend class MySqlConnection;
  std::vector<std::string> names_;
  std::vector<std::optional<std::string>> cells_;  // row-major
  int rows_ = 0;
  int64_t affected_rows_ = 0;
};

class MySqlConnection {
 public:
  // Opens a connection (utf8mb4, LOCAL INFILE off, multi-statements on) and
  // applies the statement time limit. Unavailable when the server cannot be
  // reached or refuses us (bad password, too many connections, timeout).
  static Result<std::unique_ptr<MySqlConnection>> Connect(const MySqlConnectOptions& options);

  MySqlConnection(const MySqlConnection&) = delete;
  MySqlConnection& operator=(const MySqlConnection&) = delete;
  ~MySqlConnection();

  // Runs sql (one statement, or several separated by ';') and returns the
  // last statement's result. Unavailable when the connection is lost, the
  // server timed out or killed the statement, or the server is shutting down
  // (Healthy() turns false when the connection is gone); Internal for other
  // SQL errors (e.g. a missing privilege). Messages carry the server's error
  // number and SQLSTATE; last_error() has the number.
  Result<MySqlResult> Query(std::string_view sql);

  // One round trip. Unavailable (and unhealthy) when the server is gone.
  Status Ping();
  // False once the connection is known to be broken; cheap, no round trip.
  bool Healthy() const { return conn_ != nullptr && !broken_; }

  // Server version as the server reports it, e.g. "10.11.19-MariaDB-0+deb12u1-log".
  const std::string& ServerVersion() const { return version_; }
  // e.g. 101119 for 10.11.19.
  int ServerVersionNumber() const { return version_number_; }
  bool IsMariaDb() const { return version_.find("MariaDB") != std::string::npos; }
  // CONNECTION_ID() of this session (PROCESSLIST_ID in performance_schema).
  uint64_t ThreadId() const { return thread_id_; }
  // The server error number of the last failed Query()/Ping() (e.g. 1142 no
  // privilege, 1045 bad password, 2013 connection lost); 0 after success.
  unsigned last_error() const { return last_error_; }

 private:
  MySqlConnection(st_mysql* conn, const MySqlConnectOptions& options);
  // The current error of conn_ as a Status of the right code; marks the
  // connection broken when it is gone.
  Status Error(std::string_view what);
  std::string Scrub(std::string message) const;

  struct ConnDeleter {
    void operator()(st_mysql* c) const;
  };
  std::unique_ptr<st_mysql, ConnDeleter> conn_;
  std::string password_;  // only to scrub it from messages
  std::string version_;
  int version_number_ = 0;
  uint64_t thread_id_ = 0;
  unsigned last_error_ = 0;
  bool broken_ = false;
};

}  // namespace dbinsight::dbconn

// Session: one loadgen client connection to the target, whichever the engine
// (PostgreSQL through dbconn::PgConnection, MariaDB through
// dbconn::MySqlConnection), and Target, a parsed --target DSN.
//
// Ownership: a Session owns its connection and closes it on destruction.
// Thread-safety: a Session is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dbconn/mysql_connection.h"
#include "dbconn/pg_connection.h"

namespace dbinsight::loadgen {

enum class Engine { kPostgres, kMariaDb };

// "postgres" or "mariadb" (the names the ground-truth JSON uses).
std::string_view EngineName(Engine engine);

// The PostgreSQL schema / MariaDB database every scenario's tables live in.
inline constexpr std::string_view kSchema = "dbinsight_loadgen";
// application_name (PostgreSQL) / program_name (MariaDB) of every loadgen
// session, so tests and dashboards can tell them apart.
inline constexpr std::string_view kApplicationName = "dbinsight-loadgen";

struct Target {
  Engine engine = Engine::kPostgres;
  dbconn::ConnectOptions postgres;      // engine kPostgres
  dbconn::MySqlConnectOptions mariadb;  // engine kMariaDb
};

// mysql:// and mariadb:// URIs (dbconn::ParseMySqlDsn) select MariaDB; any
// other text is a libpq URI or keyword/value conninfo, checked when it is
// used. InvalidArgument for a malformed MariaDB URI or an empty DSN.
Result<Target> ParseTarget(std::string_view dsn);

class Session {
 public:
  // Connects with kApplicationName. Unavailable when the server refuses or
  // cannot be reached.
  static Result<std::unique_ptr<Session>> Connect(const Target& target);
  virtual ~Session() = default;

  // Runs one statement, discarding any rows.
  virtual Status Exec(std::string_view sql) = 0;
  // The first column of the first row as text; "" when no row or NULL.
  virtual Result<std::string> Scalar(std::string_view sql) = 0;
  // PostgreSQL backend pid / MariaDB connection id (CONNECTION_ID()).
  virtual int64_t Id() const = 0;
  // False once the connection is known to be broken.
  virtual bool Healthy() const = 0;
};

}  // namespace dbinsight::loadgen

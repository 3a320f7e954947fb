// PgCluster: a throwaway PostgreSQL 15 server for integration tests, started
// by scripts/pg-throwaway.sh (the one recipe shared with the demo and the
// python e2e tests) in a fresh /tmp directory on a free random port.
//
// Ownership: the test owns it; the destructor stops the server and removes
// its directory, also when the test failed. If the test process dies without
// unwinding, the script's watchdog (PG_THROWAWAY_OWNER_PID) cleans up within
// about a second.
// Thread-safety: const accessors and Exec() may be called from any thread;
// StopServer/StartServer/Restart from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dbconn/pg_connection.h"

namespace dbinsight::testing {

class PgCluster {
 public:
  struct Options {
    std::string monitor_password = "monitor-secret";
    std::string superuser_password = "postgres-secret";
    // Libraries preloaded after pg_stat_statements, comma-separated
    // (PG_THROWAWAY_PRELOAD), e.g. "pg_qualstats"; "" = the default cluster.
    std::string preload;
  };

  // Takes ~1-3 s (initdb + start). Internal with the script's output when it fails.
  static Result<std::unique_ptr<PgCluster>> Start(const Options& options);
  static Result<std::unique_ptr<PgCluster>> Start() { return Start(Options{}); }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  ~PgCluster();

  int port() const { return port_; }
  // The unix socket directory (also the cluster's directory).
  const std::string& socket_dir() const { return dir_; }
  // Superuser postgres over the unix socket (trust auth, no password).
  std::string SuperuserDsn(std::string_view dbname = "postgres") const;
  // Superuser postgres over TCP 127.0.0.1 with its password (scram-sha-256).
  std::string SuperuserTcpDsn(std::string_view dbname = "postgres") const;
  // Role monitor (LOGIN, IN ROLE pg_monitor) over TCP 127.0.0.1 with its
  // password in the DSN: the least-privilege setup a real deployment uses.
  std::string MonitorDsn(std::string_view dbname = "postgres") const;
  // Same, without the password (pass monitor_password() separately).
  std::string MonitorDsnWithoutPassword(std::string_view dbname = "postgres") const;
  const std::string& monitor_password() const { return options_.monitor_password; }

  // Runs sql as superuser on a short-lived connection.
  Result<dbconn::QueryResult> Exec(std::string_view sql, std::string_view dbname = "postgres") const;

  // Fast shutdown, keeping data and port; StartServer() brings it back. For
  // reconnect tests.
  Status StopServer();
  Status StartServer();
  Status Restart();

 private:
  PgCluster(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {}
  Status RunScript(const std::string& command, std::string* out) const;

  std::string dir_;
  Options options_;
  int port_ = 0;
};

}  // namespace dbinsight::testing

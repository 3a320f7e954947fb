// MariaDbCluster: a throwaway MariaDB 10.11 server for integration tests,
// started by scripts/mariadb-throwaway.sh (the one recipe shared with the demo
// and the python e2e tests) in a fresh /tmp directory on a free random port,
// with users root (socket only) and monitor (least privilege), database app.
//
// Ownership: the test owns it; the destructor stops the server and removes
// its directory, also when the test failed. If the test process dies without
// unwinding, the script's watchdog (MARIADB_THROWAWAY_OWNER_PID) cleans up
// within about a second.
// Thread-safety: const accessors and RootExec() may be called from any
// thread; StopServer/StartServer/Restart/Crash from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dbconn/mysql_connection.h"

namespace dbinsight::testing {

class MariaDbCluster {
 public:
  struct Options {
    std::string monitor_password = "monitor-secret";
    // false: performance_schema=OFF (the sampler's processlist fallback).
    bool performance_schema = true;
    // Extra my.cnf lines for [mariadbd], e.g. "performance_schema_digests_size=10".
    std::string extra_cnf;
  };

  // Takes ~1 s (copy of a cached pristine datadir + start; the first run on a
  // machine also runs mariadb-install-db). Internal when the script fails.
  static Result<std::unique_ptr<MariaDbCluster>> Start(const Options& options);
  static Result<std::unique_ptr<MariaDbCluster>> Start() { return Start(Options{}); }
  MariaDbCluster(const MariaDbCluster&) = delete;
  MariaDbCluster& operator=(const MariaDbCluster&) = delete;
  ~MariaDbCluster();

  int port() const { return port_; }
  const std::string& socket() const { return socket_; }
  const std::string& monitor_password() const { return options_.monitor_password; }
  // "mysql://monitor:<pw>@127.0.0.1:<port>/" (password percent-encoded).
  std::string MonitorDsn() const;
  // monitor over TCP 127.0.0.1, as a real deployment connects.
  dbconn::MySqlConnectOptions MonitorOptions() const;
  // root over the unix socket (no password), default database app.
  dbconn::MySqlConnectOptions RootOptions() const;

  // Runs sql (may be several statements) as root on a short-lived
  // connection; the last statement's result.
  Result<dbconn::MySqlResult> RootExec(std::string_view sql) const;

  // Clean shutdown keeping data and port; StartServer() brings it back.
  Status StopServer();
  Status StartServer();
  Status Restart();
  // kill -9 of the server, keeping data; StartServer() runs crash recovery.
  Status Crash();

 private:
  MariaDbCluster(std::string dir, const Options& options) : dir_(std::move(dir)), options_(options) {}
  Status RunScript(const std::string& command, std::string* out) const;

  std::string dir_;
  Options options_;
  int port_ = 0;
  std::string socket_;
};

}  // namespace dbinsight::testing

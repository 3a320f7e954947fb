// MySqlBackgroundSession: a MariaDB/MySQL session a test holds open while it
// runs a statement, e.g. three sessions inside SELECT SLEEP(30) or two blocked
// on a row lock, so a sampler has something to see. libmariadb has no
// asynchronous send in our wrapper, so the statement runs on a thread of its
// own; the test may Wait() for it, Cancel() it (KILL QUERY from a second
// connection), or just drop the object.
// Owned by the test. Cancel() and Running() may be called from any thread;
// the rest from the owning thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "dbconn/mysql_connection.h"

namespace dbinsight::testing {

class MySqlBackgroundSession {
 public:
  // Connects as `session` (errors are returned here), then runs sql (may be
  // several statements, e.g. "BEGIN; UPDATE ...", which leaves the session
  // idle in a transaction once Wait() returned) on a thread. `admin` is who
  // may KILL QUERY it (root).
  static Result<std::unique_ptr<MySqlBackgroundSession>> Start(const dbconn::MySqlConnectOptions& session,
                                                               std::string sql,
                                                               const dbconn::MySqlConnectOptions& admin);
  MySqlBackgroundSession(const MySqlBackgroundSession&) = delete;
  MySqlBackgroundSession& operator=(const MySqlBackgroundSession&) = delete;
  // Cancels a statement still running, then closes the connection.
  ~MySqlBackgroundSession();

  // Runs sql on the thread like Start() does. REQUIRES: Wait() returned
  // (no statement in flight).
  Status Send(std::string sql);

  // CONNECTION_ID() of the session (PROCESSLIST_ID / PROCESSLIST.ID).
  uint64_t connection_id() const { return connection_id_; }
  bool Running() const { return !done_.load(); }
  // Blocks until the statement finishes; its last result or error.
  Result<dbconn::MySqlResult> Wait();
  // KILL QUERY on the session: the statement fails with errno 1317.
  Status Cancel() { return Kill("KILL QUERY "); }
  // For follow-up statements once Wait() returned (e.g. "COMMIT").
  dbconn::MySqlConnection& connection() { return *conn_; }

 private:
  MySqlBackgroundSession(std::unique_ptr<dbconn::MySqlConnection> conn, dbconn::MySqlConnectOptions admin);
  // statement: "KILL QUERY " or "KILL CONNECTION ", run as admin_.
  Status Kill(const std::string& statement);

  std::unique_ptr<dbconn::MySqlConnection> conn_;
  const dbconn::MySqlConnectOptions admin_;
  const uint64_t connection_id_;
  std::optional<Result<dbconn::MySqlResult>> result_;  // written by thread_ before done_
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace dbinsight::testing

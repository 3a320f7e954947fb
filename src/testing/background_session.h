// BackgroundSession: a database session a test holds open while it runs a
// statement, e.g. three sessions inside pg_sleep(30) or two blocked on a row
// lock, so a sampler has something to see. It sends the statement without
// waiting; the test may Wait() for it, Cancel() it, or just drop the object.
// Owned by the test. Cancel() may be called from any thread; the rest from
// the owning thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dbconn/pg_connection.h"

namespace dbinsight::testing {

class BackgroundSession {
 public:
  // Connects to dsn and sends sql (may be several statements, e.g.
  // "begin; update ...", which leaves the session idle in transaction once
  // Wait() returned).
  static Result<std::unique_ptr<BackgroundSession>> Start(const std::string& dsn,
                                                          std::string_view sql);
  BackgroundSession(const BackgroundSession&) = delete;
  BackgroundSession& operator=(const BackgroundSession&) = delete;
  // Cancels a statement still running, then closes the connection.
  ~BackgroundSession();

  // The server process of this session.
  int pid() const { return conn_->BackendPid(); }
  bool Running() { return waiting_ && conn_->Busy(); }
  // Blocks until the statement finishes; its last result or error.
  Result<dbconn::QueryResult> Wait();
  Status Cancel() { return conn_->Cancel(); }
  // For follow-up statements once Wait() returned (e.g. "commit").
  dbconn::PgConnection& connection() { return *conn_; }

 private:
  explicit BackgroundSession(std::unique_ptr<dbconn::PgConnection> conn) : conn_(std::move(conn)) {}
  std::unique_ptr<dbconn::PgConnection> conn_;
  bool waiting_ = false;  // a sent statement's result not collected yet
};

}  // namespace dbinsight::testing

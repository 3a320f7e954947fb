#include "testing/background_session.h"

namespace dbinsight::testing {

Result<std::unique_ptr<BackgroundSession>> BackgroundSession::Start(const std::string& dsn,
                                                                    std::string_view sql) {
  auto conn = dbconn::PgConnection::Connect(dsn, std::chrono::seconds(10));
  if (!conn.ok()) return conn.status();
  std::unique_ptr<BackgroundSession> s(new BackgroundSession(std::move(conn).value()));
  DBI_RETURN_IF_ERROR(s->conn_->SendQuery(sql));
  s->waiting_ = true;
  return s;
}

BackgroundSession::~BackgroundSession() {
  if (waiting_ && conn_->Busy()) {
    // Without the cancel, the server would keep a pg_sleep running until it
    // next talks to the closed socket.
    (void)conn_->Cancel();
  }
}

Result<dbconn::QueryResult> BackgroundSession::Wait() {
  if (!waiting_) return Status::InvalidArgument("no statement in flight");
  waiting_ = false;
  return conn_->AwaitResult();
}

}  // namespace dbinsight::testing

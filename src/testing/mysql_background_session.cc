#include "testing/mysql_background_session.h"

namespace dbinsight::testing {

MySqlBackgroundSession::MySqlBackgroundSession(std::unique_ptr<dbconn::MySqlConnection> conn,
                                               dbconn::MySqlConnectOptions admin)
    : conn_(std::move(conn)), admin_(std::move(admin)), connection_id_(conn_->ThreadId()) {}

Result<std::unique_ptr<MySqlBackgroundSession>> MySqlBackgroundSession::Start(
    const dbconn::MySqlConnectOptions& session, std::string sql, const dbconn::MySqlConnectOptions& admin) {
  auto conn = dbconn::MySqlConnection::Connect(session);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<MySqlBackgroundSession> s(new MySqlBackgroundSession(std::move(conn).value(), admin));
  DBI_RETURN_IF_ERROR(s->Send(std::move(sql)));
  return s;
}

Status MySqlBackgroundSession::Send(std::string sql) {
  if (thread_.joinable()) return Status::InvalidArgument("a statement is in flight; Wait() first");
  done_.store(false);
  thread_ = std::thread([this, sql = std::move(sql)] {
    result_.emplace(conn_->Query(sql));
    done_.store(true);
  });
  return Status::Ok();
}

MySqlBackgroundSession::~MySqlBackgroundSession() {
  // Without the kill, the server would finish a SLEEP(30) before noticing the
  // closed socket, and the join below would wait for it. KILL CONNECTION, not
  // KILL QUERY: it also stops a statement the thread has not sent yet.
  if (Running()) (void)Kill("KILL CONNECTION ");
  if (thread_.joinable()) thread_.join();
}

Result<dbconn::MySqlResult> MySqlBackgroundSession::Wait() {
  if (thread_.joinable()) thread_.join();
  if (!result_) return Status::InvalidArgument("no statement in flight");
  Result<dbconn::MySqlResult> r = std::move(*result_);
  result_.reset();
  return r;
}

Status MySqlBackgroundSession::Kill(const std::string& statement) {
  auto admin = dbconn::MySqlConnection::Connect(admin_);
  if (!admin.ok()) return admin.status();
  auto r = (*admin)->Query(statement + std::to_string(connection_id_));
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace dbinsight::testing

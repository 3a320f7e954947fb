// Session over PgConnection / MySqlConnection (session.h): the two engines'
// clients behind the one interface the runner drives.
#include "loadgen/session.h"

namespace dbinsight::loadgen {
namespace {

int64_t SessionId(const dbconn::PgConnection& c) { return c.BackendPid(); }
int64_t SessionId(const dbconn::MySqlConnection& c) { return static_cast<int64_t>(c.ThreadId()); }

// Both connection types answer Query() with rows of text cells.
template <typename Conn>
class ConnSession final : public Session {
 public:
  explicit ConnSession(std::unique_ptr<Conn> conn) : conn_(std::move(conn)) {}
  Status Exec(std::string_view sql) override { return conn_->Query(sql).status(); }
  Result<std::string> Scalar(std::string_view sql) override {
    auto r = conn_->Query(sql);
    if (!r.ok()) return r.status();
    if (r->rows() == 0 || r->cols() == 0) return std::string();
    return std::string(r->Get(0, 0));
  }
  int64_t Id() const override { return SessionId(*conn_); }
  bool Healthy() const override { return conn_->Healthy(); }

 private:
  std::unique_ptr<Conn> conn_;
};

template <typename Conn, typename Options>
Result<std::unique_ptr<Session>> ConnectWith(const Options& options) {
  auto conn = Conn::Connect(options);
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<Session>(std::make_unique<ConnSession<Conn>>(std::move(conn).value()));
}

}  // namespace

std::string_view EngineName(Engine engine) { return engine == Engine::kPostgres ? "postgres" : "mariadb"; }

Result<Target> ParseTarget(std::string_view dsn) {
  if (dsn.empty()) return Status::InvalidArgument("--target: empty DSN");
  Target target;
  if (dsn.starts_with("mysql://") || dsn.starts_with("mariadb://")) {
    auto options = dbconn::ParseMySqlDsn(dsn);
    if (!options.ok()) return Status::InvalidArgument("--target: " + options.status().message());
    target.engine = Engine::kMariaDb;
    target.mariadb = std::move(options).value();
    // A program_name given in the URI wins, as application_name does in a conninfo.
    if (target.mariadb.program_name == dbconn::MySqlConnectOptions{}.program_name)
      target.mariadb.program_name = std::string(kApplicationName);
    return target;
  }
  target.postgres.conninfo = std::string(dsn);
  target.postgres.application_name = std::string(kApplicationName);
  return target;
}

Result<std::unique_ptr<Session>> Session::Connect(const Target& target) {
  if (target.engine == Engine::kPostgres) return ConnectWith<dbconn::PgConnection>(target.postgres);
  return ConnectWith<dbconn::MySqlConnection>(target.mariadb);
}

}  // namespace dbinsight::loadgen

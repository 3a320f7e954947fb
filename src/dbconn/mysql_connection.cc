#include "dbconn/mysql_connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <charconv>
#include <mutex>

namespace dbinsight::dbconn {

namespace {

// The extra time the client waits beyond the server's own statement limit,
// so that the server's clean error (connection kept) normally comes first.
constexpr std::chrono::milliseconds kClientGrace{1000};

// MariaDB's and MySQL's statement time limit errors (not in every header).
constexpr unsigned kMariaDbStatementTimeout = 1969;  // ER_STATEMENT_TIMEOUT
constexpr unsigned kMySqlStatementTimeout = 3024;    // ER_QUERY_TIMEOUT
constexpr unsigned kMariaDbConnectionKilled = 1927;  // ER_CONNECTION_KILLED
constexpr unsigned kMySqlIdleDisconnect = 4031;      // ER_CLIENT_INTERACTION_TIMEOUT

unsigned Seconds(std::chrono::milliseconds ms) {
  return static_cast<unsigned>((ms.count() + 999) / 1000);
}

// Errors after which the session is gone: the connection must be reopened.
bool IsConnectionGone(unsigned err) {
  // Every client-side error (CR_*) leaves the protocol state unknown.
  if (err >= CR_MIN_ERROR && err <= CR_MAX_ERROR) return true;
  return err == ER_SERVER_SHUTDOWN || err == ER_NORMAL_SHUTDOWN || err == kMariaDbConnectionKilled ||
         err == kMySqlIdleDisconnect;
}

// Errors worth retrying on a new connection or a later tick: the server is
// unreachable, overloaded, stopping, or stopped this statement.
bool IsTransient(unsigned err) {
  return IsConnectionGone(err) || err == ER_CON_COUNT_ERROR || err == ER_TOO_MANY_USER_CONNECTIONS ||
         err == ER_ACCESS_DENIED_ERROR || err == ER_QUERY_INTERRUPTED || err == kMariaDbStatementTimeout ||
         err == kMySqlStatementTimeout;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// what names the DSN part for the error message (never its value: it may be
// the password).
Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("MySQL DSN: bad percent-encoding in the " + std::string(what) +
                                     " (expected %XX with two hex digits)");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<int> ParseNumber(std::string_view s, std::string_view what, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) {
    // The value is not repeated: a malformed DSN may have put part of the
    // password here.
    return Status::InvalidArgument("MySQL DSN: " + std::string(what) + " is not a number in " +
                                   std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

void InitLibraryOnce() {
  // mysql_init() would do it implicitly, but that is not thread-safe.
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

Result<MySqlConnectOptions> ParseMySqlDsn(std::string_view uri) {
  MySqlConnectOptions o;
  std::string_view rest;
  for (std::string_view scheme : {"mysql://", "mariadb://"}) {
    if (uri.substr(0, scheme.size()) == scheme) rest = uri.substr(scheme.size());
  }
  if (rest.data() == nullptr) {
    return Status::InvalidArgument("MySQL DSN: must start with mysql:// or mariadb://");
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  // The authority ends at the first '/' after the user info (a password may
  // hold a '/' only percent-encoded, as in any URI).
  const size_t at = rest.rfind('@', rest.find('/'));
  const size_t slash = rest.find('/', at == std::string_view::npos ? 0 : at);
  if (slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  std::string_view hostport = rest;
  if (at != std::string_view::npos && at < rest.size()) {
    std::string_view userinfo = rest.substr(0, at);
    hostport = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon), "user name");
    if (!user.ok()) return user.status();
    o.user = std::move(user).value();
    if (colon != std::string_view::npos) {
      auto pw = PercentDecode(userinfo.substr(colon + 1), "password");
      if (!pw.ok()) return pw.status();
      o.password = std::move(pw).value();
    }
  }
  std::string_view host = hostport, port;
  if (hostport.substr(0, 1) == "[") {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("MySQL DSN: IPv6 host is missing its closing ']'");
    }
    host = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Status::InvalidArgument("MySQL DSN: unexpected text after the IPv6 host");
      port = after.substr(1);
    }
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  auto decoded_host = PercentDecode(host, "host");
  if (!decoded_host.ok()) return decoded_host.status();
  o.host = std::move(decoded_host).value();
  if (hostport.find(':') != std::string_view::npos && hostport.substr(0, 1) != "[" && port.empty()) {
    return Status::InvalidArgument("MySQL DSN: empty port after ':'");
  }
  if (!port.empty()) {
    auto p = ParseNumber(port, "port", 1, 65535);
    if (!p.ok()) return p.status();
    o.port = *p;
  }
  if (!path.empty()) {
    if (path.find('/') != std::string_view::npos) {
      return Status::InvalidArgument("MySQL DSN: the path must be a single database name");
    }
    auto db = PercentDecode(path, "database name");
    if (!db.ok()) return db.status();
    o.database = std::move(db).value();
  }
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("MySQL DSN: parameter '" + std::string(kv) + "' has no '=value'");
    }
    const std::string key(kv.substr(0, eq));
    auto value = PercentDecode(kv.substr(eq + 1), "parameter " + key);
    if (!value.ok()) return value.status();
    if (key == "socket") {
      o.socket = std::move(value).value();
    } else if (key == "connect_timeout" || key == "read_timeout") {
      auto secs = ParseNumber(*value, key, 0, 86400);
      if (!secs.ok()) return secs.status();
      (key == "connect_timeout" ? o.connect_timeout : o.read_timeout) = std::chrono::seconds(*secs);
    } else if (key == "program_name") {
      o.program_name = std::move(value).value();
    } else {
      return Status::InvalidArgument("MySQL DSN: unknown parameter '" + key +
                                     "' (known: socket, connect_timeout, read_timeout, program_name)");
    }
  }
  if (o.socket.empty() && o.host.empty()) {
    return Status::InvalidArgument("MySQL DSN: no host (and no ?socket=)");
  }
  return o;
}

std::string_view MySqlResult::Get(int r, int c) const {
  const auto& cell = Cell(r, c);
  return cell ? std::string_view(*cell) : std::string_view();
}

int MySqlResult::ColumnIndex(std::string_view name) const {
  for (size_t c = 0; c < names_.size(); ++c)
    if (names_[c] == name) return static_cast<int>(c);
  return -1;
}

void MySqlConnection::ConnDeleter::operator()(st_mysql* c) const { mysql_close(c); }

MySqlConnection::MySqlConnection(st_mysql* conn, const MySqlConnectOptions& options)
    : conn_(conn), password_(options.password) {}

MySqlConnection::~MySqlConnection() = default;

Result<std::unique_ptr<MySqlConnection>> MySqlConnection::Connect(const MySqlConnectOptions& options) {
  InitLibraryOnce();
  MYSQL* raw = mysql_init(nullptr);
  if (raw == nullptr) return Status::ResourceExhausted("libmariadb: out of memory");
  std::unique_ptr<MySqlConnection> conn(new MySqlConnection(raw, options));

  const unsigned connect_s = Seconds(options.connect_timeout);
  if (connect_s > 0) mysql_optionsv(raw, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
  if (options.read_timeout.count() > 0) {
    const unsigned io_s = Seconds(options.read_timeout + kClientGrace);
    mysql_optionsv(raw, MYSQL_OPT_READ_TIMEOUT, &io_s);
    mysql_optionsv(raw, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
  }
  const my_bool off = 0;
  mysql_optionsv(raw, MYSQL_OPT_LOCAL_INFILE, &off);
  mysql_optionsv(raw, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!options.program_name.empty()) {
    mysql_optionsv(raw, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", options.program_name.c_str());
  }
  const char* host = options.host.c_str();
  const char* socket = nullptr;
  if (!options.socket.empty()) {
    const unsigned protocol = MYSQL_PROTOCOL_SOCKET;
    mysql_optionsv(raw, MYSQL_OPT_PROTOCOL, &protocol);
    host = "localhost";
    socket = options.socket.c_str();
  }
  const std::string where = options.socket.empty()
                                ? "MySQL " + options.user + "@" + options.host + ":" + std::to_string(options.port)
                                : "MySQL " + options.user + "@" + options.socket;
  if (mysql_real_connect(raw, host, options.user.c_str(), options.password.c_str(),
                         options.database.empty() ? nullptr : options.database.c_str(),
                         static_cast<unsigned>(options.port), socket, CLIENT_MULTI_STATEMENTS) == nullptr) {
    Status s = conn->Error("connect to " + where);
    // Whatever failed (refused, bad password, too many connections, timeout),
    // the caller can only retry later.
    return Status::Unavailable(s.message());
  }
  conn->version_ = mysql_get_server_info(raw);
  conn->version_number_ = static_cast<int>(mysql_get_server_version(raw));
  conn->thread_id_ = mysql_thread_id(raw);

  if (options.read_timeout.count() > 0) {
    // The server's own limit stops a runaway statement cleanly and keeps the
    // connection; the client-side read timeout above is the backstop.
    std::string set;
    if (conn->IsMariaDb()) {
      set = "SET SESSION max_statement_time = " + std::to_string(options.read_timeout.count() / 1000) + "." +
            std::to_string(1000 + options.read_timeout.count() % 1000).substr(1);
    } else if (conn->version_number_ >= 50708) {
      set = "SET SESSION max_execution_time = " + std::to_string(options.read_timeout.count());
    }
    if (!set.empty()) {
      auto r = conn->Query(set);
      if (!r.ok()) return Status::Unavailable(r.status().message());
    }
  }
  return conn;
}

std::string MySqlConnection::Scrub(std::string message) const {
  if (!password_.empty()) {
    for (size_t at = message.find(password_); at != std::string::npos; at = message.find(password_, at + 3)) {
      message.replace(at, password_.size(), "***");
    }
  }
  return message;
}

Status MySqlConnection::Error(std::string_view what) {
  MYSQL* c = conn_.get();
  last_error_ = mysql_errno(c);
  std::string msg = std::string(what) + ": " + mysql_error(c) + " (errno " + std::to_string(last_error_) +
                    ", SQLSTATE " + mysql_sqlstate(c) + ")";
  if (IsConnectionGone(last_error_)) broken_ = true;
  msg = Scrub(std::move(msg));
  return IsTransient(last_error_) ? Status::Unavailable(std::move(msg)) : Status::Internal(std::move(msg));
}

Result<MySqlResult> MySqlConnection::Query(std::string_view sql) {
  if (!Healthy()) return Status::Unavailable("MySQL connection closed");
  MYSQL* c = conn_.get();
  if (mysql_real_query(c, sql.data(), static_cast<unsigned long>(sql.size())) != 0) return Error("query failed");
  MySqlResult out;
  for (;;) {
    MYSQL_RES* res = mysql_store_result(c);
    if (res != nullptr) {
      MySqlResult r;
      const unsigned ncols = mysql_num_fields(res);
      MYSQL_FIELD* fields = mysql_fetch_fields(res);
      for (unsigned i = 0; i < ncols; ++i) r.names_.emplace_back(fields[i].name, fields[i].name_length);
      r.cells_.reserve(static_cast<size_t>(mysql_num_rows(res)) * ncols);
      while (MYSQL_ROW row = mysql_fetch_row(res)) {
        const unsigned long* lengths = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < ncols; ++i) {
          if (row[i] == nullptr) {
            r.cells_.emplace_back(std::nullopt);
          } else {
            r.cells_.emplace_back(std::in_place, row[i], lengths[i]);
          }
        }
        ++r.rows_;
      }
      mysql_free_result(res);
      out = std::move(r);
    } else if (mysql_field_count(c) == 0) {
      out = MySqlResult();
      out.affected_rows_ = static_cast<int64_t>(mysql_affected_rows(c));
    } else {
      return Error("reading result");
    }
    const int next = mysql_next_result(c);
    if (next < 0) break;
    if (next > 0) return Error("query failed");
  }
  last_error_ = 0;
  return out;
}

Status MySqlConnection::Ping() {
  if (!Healthy()) return Status::Unavailable("MySQL connection closed");
  if (mysql_ping(conn_.get()) != 0) {
    Status s = Error("ping");
    broken_ = true;
    return Status::Unavailable(s.message());
  }
  last_error_ = 0;
  return Status::Ok();
}

}  // namespace dbinsight::dbconn

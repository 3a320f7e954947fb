#include "testing/mariadb_cluster.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/log.h"
#include "testing/script_runner.h"

namespace dbinsight::testing {

namespace {

constexpr char kScript[] = DBI_REPO_ROOT "/scripts/mariadb-throwaway.sh";

// The value of KEY in the script's KEY=value output ("" when absent). Our
// values (port, a /tmp path of safe characters) need no shell unquoting.
std::string EnvValue(const std::string& out, const std::string& key) {
  size_t at = out.rfind("\n" + key + "=");
  at = out.starts_with(key + "=") ? 0 : (at == std::string::npos ? at : at + 1);
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 1;
  return out.substr(begin, out.find('\n', begin) - begin);
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<MariaDbCluster>> MariaDbCluster::Start(const Options& options) {
  std::string tmpl = "/tmp/dbi-my-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return Status::Internal(std::string("mkdtemp: ") + std::strerror(errno));
  }
  std::unique_ptr<MariaDbCluster> cluster(new MariaDbCluster(buf.data(), options));
  std::string out;
  // On failure the destructor still runs the script's stop, which removes the dir.
  DBI_RETURN_IF_ERROR(cluster->RunScript("start", &out));
  cluster->port_ = std::atoi(EnvValue(out, "MYSQL_PORT").c_str());
  cluster->socket_ = EnvValue(out, "MYSQL_SOCKET");
  if (cluster->port_ <= 0 || cluster->socket_.empty()) {
    return Status::Internal("mariadb-throwaway.sh printed no MYSQL_PORT/MYSQL_SOCKET: " + out);
  }
  return cluster;
}

MariaDbCluster::~MariaDbCluster() {
  if (dir_.empty()) return;
  // An empty dir (start failed before the script marked it) is not the
  // script's to remove.
  if (std::filesystem::exists(dir_ + "/.mariadb-throwaway")) {
    Status s = RunScript("stop", nullptr);
    if (!s.ok()) log::Warn("MariaDbCluster teardown: {}", s.ToString());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status MariaDbCluster::RunScript(const std::string& command, std::string* out) const {
  auto r = testing::RunScript(kScript, {command, dir_},
                              {{"MONITOR_PASSWORD", options_.monitor_password},
                               {"MARIADB_PFS", options_.performance_schema ? "on" : "off"},
                               {"MARIADB_EXTRA_CNF", options_.extra_cnf},
                               {"MARIADB_THROWAWAY_OWNER_PID", std::to_string(::getpid())}});
  if (!r.ok()) return r.status();
  if (out) *out = std::move(r).value();
  return Status::Ok();
}

std::string MariaDbCluster::MonitorDsn() const {
  return "mysql://monitor:" + PercentEncode(options_.monitor_password) + "@127.0.0.1:" + std::to_string(port_) + "/";
}

dbconn::MySqlConnectOptions MariaDbCluster::MonitorOptions() const {
  dbconn::MySqlConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.user = "monitor";
  o.password = options_.monitor_password;
  return o;
}

dbconn::MySqlConnectOptions MariaDbCluster::RootOptions() const {
  dbconn::MySqlConnectOptions o;
  o.socket = socket_;
  o.user = "root";
  o.database = "app";
  o.program_name = "dbinsight-test-root";
  return o;
}

Result<dbconn::MySqlResult> MariaDbCluster::RootExec(std::string_view sql) const {
  auto conn = dbconn::MySqlConnection::Connect(RootOptions());
  if (!conn.ok()) return conn.status();
  return (*conn)->Query(sql);
}

Status MariaDbCluster::StopServer() { return RunScript("stop-server", nullptr); }
Status MariaDbCluster::StartServer() { return RunScript("start-server", nullptr); }
Status MariaDbCluster::Restart() { return RunScript("restart", nullptr); }
Status MariaDbCluster::Crash() { return RunScript("crash", nullptr); }

}  // namespace dbinsight::testing

#include "testing/pg_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/log.h"
#include "testing/script_runner.h"

namespace dbinsight::testing {

namespace {

constexpr char kScript[] = DBI_REPO_ROOT "/scripts/pg-throwaway.sh";

std::string Quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<std::unique_ptr<PgCluster>> PgCluster::Start(const Options& options) {
  std::string tmpl = "/tmp/dbi-pg-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return Status::Internal(std::string("mkdtemp: ") + std::strerror(errno));
  }
  ::chmod(buf.data(), 0755);  // the script chowns it to postgres
  std::unique_ptr<PgCluster> cluster(new PgCluster(buf.data(), options));
  std::string out;
  // On failure the destructor still runs the script's stop, which removes the dir.
  DBI_RETURN_IF_ERROR(cluster->RunScript("start", &out));
  size_t at = out.find("PGPORT=");
  if (at == std::string::npos) return Status::Internal("pg-throwaway.sh printed no PGPORT: " + out);
  cluster->port_ = std::atoi(out.c_str() + at + 7);
  return cluster;
}

PgCluster::~PgCluster() {
  if (dir_.empty()) return;
  Status s = RunScript("stop", nullptr);
  if (!s.ok()) log::Warn("PgCluster teardown: {}", s.ToString());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status PgCluster::RunScript(const std::string& command, std::string* out) const {
  auto result = testing::RunScript(kScript, {command, dir_},
                                   {{"MONITOR_PASSWORD", options_.monitor_password},
                                    {"SUPERUSER_PASSWORD", options_.superuser_password},
                                    {"PG_THROWAWAY_PRELOAD", options_.preload},
                                    {"PG_THROWAWAY_OWNER_PID", std::to_string(::getpid())}});
  if (!result.ok()) return result.status();
  if (out) *out = std::move(result).value();
  return Status::Ok();
}

std::string PgCluster::SuperuserDsn(std::string_view dbname) const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=" +
         Quote(dbname);
}

std::string PgCluster::SuperuserTcpDsn(std::string_view dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" +
         Quote(dbname) + " password=" + Quote(options_.superuser_password);
}

std::string PgCluster::MonitorDsnWithoutPassword(std::string_view dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=monitor dbname=" + Quote(dbname);
}

std::string PgCluster::MonitorDsn(std::string_view dbname) const {
  return MonitorDsnWithoutPassword(dbname) + " password=" + Quote(options_.monitor_password);
}

Result<dbconn::QueryResult> PgCluster::Exec(std::string_view sql, std::string_view dbname) const {
  auto conn = dbconn::PgConnection::Connect(SuperuserDsn(dbname), std::chrono::seconds(10));
  if (!conn.ok()) return conn.status();
  return (*conn)->Query(sql);
}

Status PgCluster::StopServer() { return RunScript("stop-server", nullptr); }
Status PgCluster::StartServer() { return RunScript("start-server", nullptr); }
Status PgCluster::Restart() { return RunScript("restart", nullptr); }

}  // namespace dbinsight::testing

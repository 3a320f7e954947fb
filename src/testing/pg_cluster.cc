#include "testing/pg_cluster.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/log.h"

extern char** environ;

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
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("MONITOR_PASSWORD=") || kv.starts_with("SUPERUSER_PASSWORD=") ||
        kv.starts_with("PG_THROWAWAY_OWNER_PID="))
      continue;
    env_strings.emplace_back(kv);
  }
  env_strings.push_back("MONITOR_PASSWORD=" + options_.monitor_password);
  env_strings.push_back("SUPERUSER_PASSWORD=" + options_.superuser_password);
  env_strings.push_back("PG_THROWAWAY_OWNER_PID=" + std::to_string(::getpid()));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::string script = kScript, dir = dir_;
  std::string bash = "/bin/bash";
  std::vector<char*> argv = {bash.data(), script.data(), const_cast<char*>(command.c_str()),
                             dir.data(), nullptr};

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return Status::Internal(std::string("spawn pg-throwaway.sh: ") + std::strerror(rc));
  }
  std::string captured;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
    if (n > 0) {
      captured.append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::Internal("pg-throwaway.sh " + command + " " + dir_ + " failed (see stderr)");
  }
  if (out) *out = std::move(captured);
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

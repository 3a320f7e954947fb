#!/usr/bin/env bash
# Throwaway MariaDB 10.11 server for the demo, the python e2e tests and the C++
# harness (src/testing/mariadb_cluster.h). The single source of truth for how a
# test MariaDB starts (settings: /work/shared/reference/services.md §2).
#
#   mariadb-throwaway.sh start DIR         create DIR, copy a pristine datadir, start; print env lines
#   mariadb-throwaway.sh stop DIR          shut down and remove DIR
#   mariadb-throwaway.sh stop-server DIR   clean shutdown, keep data (reconnect tests)
#   mariadb-throwaway.sh start-server DIR  start again on the same port
#   mariadb-throwaway.sh restart DIR       clean restart, same port
#   mariadb-throwaway.sh crash DIR         SIGKILL the server (kill -9), keep data; start-server recovers
#   mariadb-throwaway.sh env DIR           print the env lines again
#
# stdout of start/env is only KEY=value lines (values shell-quoted with %q, so
# plain paths stay unquoted): eval-able by a shell, split('=',1)-able by python.
# Also written to DIR/env. Keys: MYSQL_HOST (127.0.0.1), MYSQL_PORT,
# MYSQL_SOCKET, MYSQL_DATADIR, MYSQL_SLOW_LOG, MYSQL_ROOT_USER (root, socket
# only, no password), MYSQL_MONITOR_USER, MYSQL_MONITOR_PASSWORD,
# MYSQL_DATABASE (app), MYSQL_PERFORMANCE_SCHEMA (ON/OFF).
# Logs go to stderr and DIR/error.log.
#
# Environment:
#   MONITOR_PASSWORD  password of monitor@127.0.0.1 and monitor@localhost
#                     (default monitor-secret). Grants: PROCESS, SLAVE MONITOR
#                     on *.*, SELECT on performance_schema.* (least privilege).
#   MARIADB_PFS       on (default) or off: performance_schema=OFF, for the
#                     sampler's processlist fallback.
#   MARIADB_EXTRA_CNF extra my.cnf lines for the [mariadbd] section, e.g.
#                     "performance_schema_digests_size=10" (newline-separated).
#   MARIADB_THROWAWAY_OWNER_PID  if set, a watchdog stops and removes the
#                     server when that process exits (a crashed test leaks nothing)
#   MARIADB_PRISTINE_ROOT  where the pristine datadir is cached
#                     (default /var/tmp; dir dbinsight-mariadb-pristine-<version>)
set -euo pipefail

MONITOR_PASSWORD=${MONITOR_PASSWORD:-monitor-secret}
MARIADB_PFS=${MARIADB_PFS:-on}
MARIADB_EXTRA_CNF=${MARIADB_EXTRA_CNF:-}
PRISTINE_ROOT=${MARIADB_PRISTINE_ROOT:-/var/tmp}
SELF=$(readlink -f "${BASH_SOURCE[0]}")

die() { echo "mariadb-throwaway: $*" >&2; exit 1; }

usage() { sed -n '2,34p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Refuse to act on a directory that is not one of ours: stop removes DIR.
require_instance() {
  [[ -f "$1/.mariadb-throwaway" && -f "$1/my.cnf" && -d "$1/data/mysql" ]] ||
    die "$1 is not a mariadb-throwaway instance"
}

root_client() { mariadb --no-defaults -uroot --socket="$DIR/mysqld.sock" "$@"; }

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# The server process of DIR, if running: the pid file's pid, but only when
# that process really is a mariadbd started with our my.cnf (a stale pid file
# after a crash may name an unrelated process by now).
server_pid() {
  local pid
  pid=$(cat "$DIR/mysqld.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--defaults-file=$DIR/my.cnf" || return 1
  echo "$pid"
}

# mariadb-install-db costs ~7 s; a copy of its result ~0.3 s. The pristine dir
# appears atomically (rename of a finished temp dir), so concurrent starters
# either see a complete one or build their own and lose the rename race.
ensure_pristine() {
  local version
  version=$(mariadbd --version | sed -n 's/.*Ver \([0-9][0-9.]*\).*/\1/p')
  [[ -n $version ]] || die "cannot read mariadbd --version"
  PRISTINE="$PRISTINE_ROOT/dbinsight-mariadb-pristine-$version"
  [[ -d "$PRISTINE/mysql" ]] && return 0
  local tmp
  tmp=$(mktemp -d "$PRISTINE.tmp.XXXXXX")
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$tmp" \
    --auth-root-authentication-method=normal --skip-test-db \
    --innodb-log-file-size=16M >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; die "mariadb-install-db failed"; }
  rm -f "$tmp.log"
  mv -T "$tmp" "$PRISTINE" 2>/dev/null || rm -rf "$tmp"
  [[ -d "$PRISTINE/mysql" ]] || die "pristine datadir $PRISTINE missing"
}

write_cnf() {
  local port=$1 pfs=ON
  [[ ${MARIADB_PFS,,} == off ]] && pfs=OFF
  cat >"$DIR/my.cnf" <<CNF
[mariadbd]
datadir=$DIR/data
socket=$DIR/mysqld.sock
pid-file=$DIR/mysqld.pid
log-error=$DIR/error.log
port=$port
bind-address=127.0.0.1
$( [[ $(id -u) == 0 ]] && echo user=root )
skip-name-resolve
max_connections=300
innodb_buffer_pool_size=128M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
performance_schema=$pfs
performance-schema-instrument='statement/%=ON'
performance-schema-instrument='wait/%=ON'
performance-schema-instrument='stage/%=ON'
performance-schema-consumer-events-statements-current=ON
performance-schema-consumer-events-statements-history=ON
performance-schema-consumer-events-waits-current=ON
performance-schema-consumer-events-stages-current=ON
performance-schema-consumer-statements-digest=ON
max_digest_length=4096
performance_schema_max_sql_text_length=4096
slow_query_log=ON
slow_query_log_file=$DIR/slow.log
long_query_time=0
log_slow_verbosity=query_plan,explain
$MARIADB_EXTRA_CNF
CNF
}

# A killed server is re-parented to PID 1, which may never reap it: a zombie
# counts as gone.
alive() {
  local state
  state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

cnf_value() { sed -n "s/^$1=//p" "$DIR/my.cnf" | head -n 1; }

# Starts mariadbd detached and waits until it answers on its socket. Returns 1
# when it exited early (e.g. port taken: the caller reads error.log).
start_server() {
  [[ -f "$DIR/error.log" ]] && : >"$DIR/error.log"
  setsid mariadbd --defaults-file="$DIR/my.cnf" </dev/null >>"$DIR/error.log" 2>&1 &
  local pid=$! i
  for i in $(seq 1 600); do
    if mariadb-admin --no-defaults -uroot --socket="$DIR/mysqld.sock" --connect-timeout=2 ping \
        >/dev/null 2>&1; then
      return 0
    fi
    alive "$pid" || return 1
    sleep 0.1
  done
  tail -n 20 "$DIR/error.log" >&2
  die "server did not answer within 60 s"
}

stop_server() {
  local pid
  pid=$(server_pid) || return 0
  mariadb-admin --no-defaults -uroot --socket="$DIR/mysqld.sock" --connect-timeout=5 shutdown \
    >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "mariadb-throwaway: server $pid ignored shutdown for 30 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

write_env() {
  {
    printf 'MYSQL_HOST=127.0.0.1\n'
    printf 'MYSQL_PORT=%q\n' "$(cnf_value port)"
    printf 'MYSQL_SOCKET=%q\n' "$DIR/mysqld.sock"
    printf 'MYSQL_DATADIR=%q\n' "$DIR/data"
    printf 'MYSQL_SLOW_LOG=%q\n' "$DIR/slow.log"
    printf 'MYSQL_ROOT_USER=root\n'
    printf 'MYSQL_MONITOR_USER=monitor\n'
    printf 'MYSQL_MONITOR_PASSWORD=%q\n' "$MONITOR_PASSWORD"
    printf 'MYSQL_DATABASE=app\n'
    printf 'MYSQL_PERFORMANCE_SCHEMA=%q\n' "$(cnf_value performance_schema)"
  } >"$DIR/env"
  cat "$DIR/env"
}

start_watchdog() {
  [[ -n "${MARIADB_THROWAWAY_OWNER_PID:-}" ]] || return 0
  local owner=$MARIADB_THROWAWAY_OWNER_PID
  # Detached, all fds closed, so callers reading our stdout see EOF at once.
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && [[ -d "$2" ]]; do sleep 1; done
    [[ -d "$2" ]] && "$3" stop "$2"
  ' watchdog "$owner" "$DIR" "$SELF" </dev/null >/dev/null 2>&1 &
}

# SQL string literal for a password (the client sends it as is).
sql_quote() { local s=${1//\\/\\\\}; s=${s//\'/\'\'}; printf "'%s'" "$s"; }

cmd_start() {
  mkdir -p "$DIR"
  [[ -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty"
  (( ${#DIR} < 90 )) || die "$DIR is too long for a unix socket path"
  touch "$DIR/.mariadb-throwaway"
  ensure_pristine
  cp -a "$PRISTINE" "$DIR/data"

  # A random port can be taken between the check and the bind: retry.
  local attempt port started=0
  for attempt in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$port" && continue
    write_cnf "$port"
    if start_server; then started=1; break; fi
    if grep -qE 'Address already in use|Do you already have another server running' "$DIR/error.log"; then
      echo "mariadb-throwaway: port $port taken, retrying (attempt $attempt)" >&2
      continue
    fi
    tail -n 20 "$DIR/error.log" >&2
    die "server failed to start"
  done
  (( started )) || die "no free port after 20 attempts"

  local pw
  pw=$(sql_quote "$MONITOR_PASSWORD")
  # SLAVE MONITOR: since 10.5.9 SHOW REPLICA STATUS needs it (PROCESS no
  # longer suffices); it reveals replication coordinates only.
  root_client <<SQL || die "creating users failed"
CREATE DATABASE app;
CREATE USER 'monitor'@'127.0.0.1' IDENTIFIED BY $pw;
CREATE USER 'monitor'@'localhost' IDENTIFIED BY $pw;
GRANT PROCESS, SLAVE MONITOR ON *.* TO 'monitor'@'127.0.0.1', 'monitor'@'localhost';
GRANT SELECT ON performance_schema.* TO 'monitor'@'127.0.0.1', 'monitor'@'localhost';
SQL
  start_watchdog
  write_env
}

cmd_stop() {
  require_instance "$DIR"
  stop_server || true
  rm -rf -- "$DIR"
}

cmd_crash() {
  local pid
  pid=$(server_pid) || die "no server running in $DIR"
  kill -KILL "$pid"
  while alive "$pid"; do sleep 0.05; done
}

[[ $# == 2 ]] || usage
DIR=$(readlink -m "$2")
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  stop-server) require_instance "$DIR"; stop_server ;;
  start-server)
    require_instance "$DIR"
    server_pid >/dev/null && die "server already running in $DIR"
    start_server || { tail -n 20 "$DIR/error.log" >&2; die "server failed to start"; } ;;
  restart)
    require_instance "$DIR"
    stop_server
    start_server || { tail -n 20 "$DIR/error.log" >&2; die "server failed to start"; } ;;
  crash) require_instance "$DIR"; cmd_crash ;;
  env) require_instance "$DIR"; cat "$DIR/env" ;;
  *) usage ;;
esac

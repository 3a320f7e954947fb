#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the demo, the python e2e tests and the C++
# harness (src/testing/pg_cluster.h). The single source of truth for how a test
# cluster starts. Run as root (initdb/pg_ctl are run as the postgres user).
#
#   pg-throwaway.sh start DIR         create DIR, initdb, start; print env lines
#   pg-throwaway.sh start-replica DIR PRIMARY_DIR
#                                     create DIR as a streaming replica of the
#                                     running cluster PRIMARY_DIR; print env lines
#   pg-throwaway.sh stop DIR          fast stop and remove DIR
#   pg-throwaway.sh stop-server DIR   fast stop, keep data (reconnect tests)
#   pg-throwaway.sh start-server DIR  start again on the same port
#   pg-throwaway.sh restart DIR       fast restart, same port
#   pg-throwaway.sh env DIR           print the env lines again
#
# stdout of start/env is only KEY=value lines (values shell-quoted with %q, so
# plain paths stay unquoted): eval-able by a shell, split('=',1)-able by python.
# Also written to DIR/env. Keys: PGHOST (the socket dir = DIR), PGPORT, PGUSER,
# PGDATABASE, PGDATA, PG_SUPERUSER_PASSWORD, PG_MONITOR_USER, PG_MONITOR_PASSWORD.
# Logs go to stderr and DIR/server.log.
#
# Environment:
#   MONITOR_PASSWORD   password of role monitor (default monitor-secret)
#   SUPERUSER_PASSWORD password of postgres over TCP (default postgres-secret)
#   PG_THROWAWAY_OWNER_PID  if set, a watchdog stops and removes the cluster
#                      when that process exits (a crashed test leaks nothing)
#   PGBIN              server binaries (default /usr/lib/postgresql/15/bin)
#   PG_THROWAWAY_PRELOAD  libraries added to shared_preload_libraries after
#                      pg_stat_statements, comma-separated (default none); with
#                      pg_qualstats every execution is sampled (sample_rate 1)
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MONITOR_PASSWORD=${MONITOR_PASSWORD:-monitor-secret}
SUPERUSER_PASSWORD=${SUPERUSER_PASSWORD:-postgres-secret}
SELF=$(readlink -f "${BASH_SOURCE[0]}")

die() { echo "pg-throwaway: $*" >&2; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }

usage() { sed -n '2,30p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Refuse to act on a directory that is not one of ours: stop removes DIR.
require_cluster() {
  [[ -f "$1/data/PG_VERSION" && -f "$1/.pg-throwaway" ]] || die "$1 is not a pg-throwaway cluster"
}

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q . || [[ -e "$DIR/.s.PGSQL.$1" ]]
}

pg_ctl_start() {
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >&2
}

write_env() {
  local port
  port=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$DIR/data/dbinsight_port.conf")
  {
    printf 'PGHOST=%q\n' "$DIR"
    printf 'PGPORT=%q\n' "$port"
    printf 'PGUSER=postgres\n'
    printf 'PGDATABASE=postgres\n'
    printf 'PGDATA=%q\n' "$DIR/data"
    printf 'PG_SUPERUSER_PASSWORD=%q\n' "$SUPERUSER_PASSWORD"
    printf 'PG_MONITOR_USER=monitor\n'
    printf 'PG_MONITOR_PASSWORD=%q\n' "$MONITOR_PASSWORD"
  } >"$DIR/env"
  cat "$DIR/env"
}

start_watchdog() {
  [[ -n "${PG_THROWAWAY_OWNER_PID:-}" ]] || return 0
  local owner=$PG_THROWAWAY_OWNER_PID
  # Detached, all fds closed, so callers reading our stdout see EOF at once.
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && [[ -d "$2" ]]; do sleep 1; done
    [[ -d "$2" ]] && "$3" stop "$2"
  ' watchdog "$owner" "$DIR" "$SELF" </dev/null >/dev/null 2>&1 &
}

cmd_start() {
  prepare_dir

  local pwfile="$DIR/superuser.pw"
  printf '%s\n' "$SUPERUSER_PASSWORD" >"$pwfile"
  chown postgres:postgres "$pwfile"
  chmod 0600 "$pwfile"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"

  as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null <<CONF

# pg-throwaway settings
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
include_if_exists = 'dbinsight_port.conf'
shared_preload_libraries = '$(preload_libraries)'
compute_query_id = on
track_activity_query_size = 4096
track_io_timing = on
pg_stat_statements.track = all
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
CONF
  # Opt-in: the default cluster stays what the demo and other tests expect.
  if [[ ",$(preload_libraries | tr -d ' ')," == *,pg_qualstats,* ]]; then
    # Deterministic tests: the default samples 1/max_connections of executions.
    echo "pg_qualstats.sample_rate = 1" | as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null
  fi

  start_on_free_port
  "$PGBIN/psql" -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -v pw="$MONITOR_PASSWORD" >&2 <<'SQL'
CREATE ROLE monitor LOGIN PASSWORD :'pw' IN ROLE pg_monitor;
CREATE EXTENSION pg_stat_statements;
SQL
  start_watchdog
  write_env
}

# pg_stat_statements, then PG_THROWAWAY_PRELOAD.
preload_libraries() {
  printf 'pg_stat_statements%s' "${PG_THROWAWAY_PRELOAD:+, $PG_THROWAWAY_PRELOAD}"
}

# Picks a random free port, writes it to dbinsight_port.conf and starts the
# server; sets PORT.
start_on_free_port() {
  # A random port can be taken between the check and the bind: retry.
  local attempt port started=0
  for attempt in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$port" && continue
    echo "port = $port" | as_pg tee "$DIR/data/dbinsight_port.conf" >/dev/null
    [[ -f "$DIR/server.log" ]] && : >"$DIR/server.log"
    if pg_ctl_start; then started=1; break; fi
    if grep -qE 'could not (bind|create any TCP/IP sockets|create lock file)|already in use' \
        "$DIR/server.log"; then
      echo "pg-throwaway: port $port taken, retrying (attempt $attempt)" >&2
      continue
    fi
    tail -n 20 "$DIR/server.log" >&2
    die "server failed to start"
  done
  (( started )) || die "no free port after 20 attempts"
  PORT=$port
}

# prepare_dir: the checks and marker both start commands need.
prepare_dir() {
  [[ $(id -u) == 0 ]] || die "run as root"
  mkdir -p "$DIR"
  [[ -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty"
  chown postgres:postgres "$DIR"
  chmod 0755 "$DIR"
  as_pg test -x "$DIR" || die "$DIR is not traversable by the postgres user (check its parents)"
  (( ${#DIR} < 90 )) || die "$DIR is too long for a unix socket path"
  touch "$DIR/.pg-throwaway"
}

cmd_start_replica() {
  require_cluster "$PRIMARY"
  prepare_dir
  local primary_port
  primary_port=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$PRIMARY/data/dbinsight_port.conf")
  # Over the primary's socket as postgres (initdb's pg_hba trusts local
  # replication); -R writes primary_conninfo and standby.signal.
  as_pg "$PGBIN/pg_basebackup" -h "$PRIMARY" -p "$primary_port" -U postgres -D "$DIR/data" -R -X stream \
    -c fast >"$DIR/basebackup.log" 2>&1 || { cat "$DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
  as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null <<CONF
# pg-throwaway replica of $PRIMARY
unix_socket_directories = '$DIR'
hot_standby = on
CONF
  start_on_free_port
  start_watchdog
  write_env
}

cmd_stop_server() {
  require_cluster "$DIR"
  [[ -f "$DIR/data/postmaster.pid" ]] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >&2 \
    || as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w -t 30 stop >&2
}

cmd_stop() {
  require_cluster "$DIR"
  cmd_stop_server || true
  rm -rf -- "$DIR"
}

[[ $# == 2 || ( $# == 3 && $1 == start-replica ) ]] || usage
DIR=$(readlink -m "$2")
case "$1" in
  start) cmd_start ;;
  start-replica) PRIMARY=$(readlink -m "$3"); cmd_start_replica ;;
  stop) cmd_stop ;;
  stop-server) cmd_stop_server ;;
  start-server) require_cluster "$DIR"; pg_ctl_start ;;
  restart)
    require_cluster "$DIR"
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -m fast -w -t 60 restart >&2 ;;
  env) require_cluster "$DIR"; cat "$DIR/env" ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Collector overhead: CPU time and RSS of dbinsight next to
# prometheus-postgres-exporter and prometheus-mysqld-exporter, all running side
# by side in one window against the same two throwaway servers (PostgreSQL 15
# and MariaDB 10.11), each with 200 client connections open, 100 of them
# active. dbinsight samples every 1 s (counters every 1 s, per-SQL statistics
# every 60 s); each exporter is scraped every second on a wall-clock grid.
# Three dbinsight processes run: one watching both instances, one only the
# PostgreSQL one and one only the MariaDB one, so per-engine cost is measured,
# not divided. Each collector logs in as its own user, so the statements it
# sends (and their server execution time) are counted per collector from
# pg_stat_statements and performance_schema.
#   bench/collector_overhead.sh          (env: DURATION=120 WARMUP=15 DBINSIGHT_BIN=...)
# Prints a table and writes it to bench/results/collector_overhead-<date>.txt.
# Needs root (the throwaway servers), pgbench, mariadb-slap, curl and the two
# Debian exporter packages.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DBINSIGHT_BIN:-$ROOT/build/src/app/dbinsight}
DURATION=${DURATION:-120}
WARMUP=${WARMUP:-15}
PG_EXPORTER=/usr/bin/prometheus-postgres-exporter
MY_EXPORTER=/usr/bin/prometheus-mysqld-exporter
HZ=$(getconf CLK_TCK)

exec 3>&2  # die() reports here even from commands whose stderr wait_for hides
die() { echo "collector_overhead: $*" >&3; exit 1; }
for tool in "$BIN" "$PG_EXPORTER" "$MY_EXPORTER"; do [[ -x $tool ]] || die "$tool is not executable"; done
for tool in pgbench psql mariadb mariadb-slap curl python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

WORK=$(mktemp -d /tmp/dbi-collover-XXXXXX)
chmod 755 "$WORK"
PIDS=()  # everything we start in the background, killed on exit
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  exec 9>&- 2>/dev/null || true
  "$ROOT/scripts/pg-throwaway.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  "$ROOT/scripts/mariadb-throwaway.sh" stop "$WORK/my" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local secs=$1 i
  shift
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- servers -----------------------------------------------------------------
# The watchdogs stop the servers even if this shell is killed with SIGKILL.
env_pg=$(PG_THROWAWAY_OWNER_PID=$$ "$ROOT/scripts/pg-throwaway.sh" start "$WORK/pg") || die "PostgreSQL did not start"
eval "$env_pg"
export PGHOST PGPORT PGUSER PGDATABASE
pg() { psql -XqAt -v ON_ERROR_STOP=1 "$@"; }
# 200 workload connections + 3 dbinsight + exporter pool + our own probes.
pg -c "ALTER SYSTEM SET max_connections = 260" || die "ALTER SYSTEM failed"
"$ROOT/scripts/pg-throwaway.sh" restart "$WORK/pg" >/dev/null 2>&1 || die "PostgreSQL restart failed"
PW=$PG_MONITOR_PASSWORD
pg -v pw="$PW" <<'SQL' || die "creating PostgreSQL roles failed"
CREATE ROLE mon_both LOGIN PASSWORD :'pw' IN ROLE pg_monitor;
CREATE ROLE mon_one LOGIN PASSWORD :'pw' IN ROLE pg_monitor;
CREATE ROLE mon_exp LOGIN PASSWORD :'pw' IN ROLE pg_monitor;
SQL

env_my=$(MONITOR_PASSWORD=$PW MARIADB_THROWAWAY_OWNER_PID=$$ "$ROOT/scripts/mariadb-throwaway.sh" start "$WORK/my") ||
  die "MariaDB did not start"
eval "$env_my"
my() { mariadb --no-defaults -uroot --socket="$MYSQL_SOCKET" -N -B "$@"; }
# Same grants as mariadb-throwaway's monitor user; the exporter gets what its
# README asks for on top (REPLICATION CLIENT, SELECT on *.*).
my <<SQL || die "creating MariaDB users failed"
CREATE USER mon_both@'127.0.0.1' IDENTIFIED BY '$PW';
CREATE USER mon_one@'127.0.0.1' IDENTIFIED BY '$PW';
CREATE USER mon_exp@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT PROCESS, SLAVE MONITOR ON *.* TO mon_both@'127.0.0.1', mon_one@'127.0.0.1';
GRANT SELECT ON performance_schema.* TO mon_both@'127.0.0.1', mon_one@'127.0.0.1';
GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO mon_exp@'127.0.0.1';
SQL

# --- workload: 200 connections per server, 100 active -------------------------
# Active: mostly waiting in a sleep with a little CPU work, so the collectors
# see 100 active sessions without the workload saturating the 2 cores.
cat >"$WORK/active.sql" <<'SQL'
\set ms random(200, 800)
SELECT pg_sleep(:ms / 1000.0);
SELECT count(*) FROM generate_series(1, 2000);
SQL
printf '\\sleep 1 s\n' >"$WORK/idle.sql"
RUN_SECS=$((DURATION + WARMUP + 600))  # killed at the end anyway
pgbench -n -c 100 -j 2 -T "$RUN_SECS" -f "$WORK/active.sql" >"$WORK/pgbench-active.log" 2>&1 &
PIDS+=($!)
pgbench -n -c 100 -j 2 -T "$RUN_SECS" -f "$WORK/idle.sql" >"$WORK/pgbench-idle.log" 2>&1 &
PIDS+=($!)

# --number-of-queries is the total over all clients (each statement counts).
mariadb-slap --no-defaults -uroot --socket="$MYSQL_SOCKET" --create-schema=app --concurrency=100 --iterations=1 \
  --number-of-queries=$((100 * RUN_SECS * 4)) --delimiter=';' \
  --query="SELECT SLEEP(0.2 + RAND() * 0.6);SELECT BENCHMARK(2000, MD5('x'))" >"$WORK/slap.log" 2>&1 &
PIDS+=($!)
# Idle: clients blocked reading a fifo that never gets a line.
mkfifo "$WORK/idle.fifo"
exec 9<>"$WORK/idle.fifo"
for _ in $(seq 100); do
  mariadb --no-defaults -uroot --socket="$MYSQL_SOCKET" app <"$WORK/idle.fifo" >/dev/null 2>&1 &
  PIDS+=($!)
done

pg_sessions() {  # "total active"
  pg -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND usename = 'postgres' AND pid <> pg_backend_pid()"
}
my_sessions() {  # "total active"
  my -e "SELECT COUNT(*), SUM(COMMAND = 'Query') FROM information_schema.PROCESSLIST
         WHERE USER = 'root' AND ID <> CONNECTION_ID()" | tr '\t' ' '
}
enough() { local t a; read -r t a <<<"$($1)"; ((t >= 200 && a >= 90)); }
wait_for 60 enough pg_sessions ||
  { tail -n 5 "$WORK"/pgbench-*.log >&2; die "PostgreSQL workload did not reach 200 connections (have: $(pg_sessions))"; }
wait_for 60 enough my_sessions ||
  { tail -n 5 "$WORK/slap.log" >&2; die "MariaDB workload did not reach 200 connections (have: $(my_sessions))"; }

# --- collectors ---------------------------------------------------------------
export BENCH_MONITOR_PASSWORD=$PW
PG_DSN_OF() { echo "host=127.0.0.1 port=$PGPORT dbname=postgres user=$1"; }
MY_DSN_OF() { echo "mysql://$1@127.0.0.1:$MYSQL_PORT/"; }
declare -A PID_OF=()
start_dbinsight() {  # name user instances(pg|my|both)
  local name=$1 user=$2 which=$3 n=0
  {
    echo "listen: 127.0.0.1:0"
    echo "store: $WORK/store-$name"
    echo "sample_interval: 1s"
    echo "counters_interval: 1s"
    echo "statements_interval: 60s"
    echo "instances:"
    if [[ $which != my ]]; then
      echo "  - {id: bench-pg, resource_id: db-BENCHPG, engine: postgres, dsn: \"$(PG_DSN_OF "$user")\","
      echo "     password_env: BENCH_MONITOR_PASSWORD,"
      echo "     vcpus: 2, host_metrics: false}"
    fi
    if [[ $which != pg ]]; then
      echo "  - {id: bench-my, resource_id: db-BENCHMY, engine: mariadb, dsn: \"$(MY_DSN_OF "$user")\","
      echo "     password_env: BENCH_MONITOR_PASSWORD,"
      echo "     vcpus: 2, host_metrics: false}"
    fi
  } >"$WORK/$name.yaml"
  "$BIN" serve --config "$WORK/$name.yaml" >"$WORK/$name.log" 2>&1 &
  PID_OF[$name]=$!
  PIDS+=($!)
  [[ $which == both ]] && n=2 || n=1
  live() {
    kill -0 "${PID_OF[$name]}" || die "$name exited: $(tail -n 5 "$WORK/$name.log")"
    (($(grep -c "sampling is live" "$WORK/$name.log") >= n))
  }
  wait_for 60 live || { tail -n 20 "$WORK/$name.log" >&2; die "$name: sampling did not go live"; }
}
start_dbinsight dbinsight-both mon_both both
start_dbinsight dbinsight-pg mon_one pg
start_dbinsight dbinsight-my mon_one my

declare -A URL_OF=()
PORT=$(free_port)
DATA_SOURCE_NAME="postgresql://mon_exp:$PW@127.0.0.1:$PGPORT/postgres?sslmode=disable" \
  "$PG_EXPORTER" --web.listen-address="127.0.0.1:$PORT" >"$WORK/postgres_exporter.log" 2>&1 &
PID_OF[postgres_exporter]=$!
PIDS+=($!)
URL_OF[postgres_exporter]="http://127.0.0.1:$PORT/metrics"
printf '[client]\nuser=mon_exp\npassword=%s\nhost=127.0.0.1\nport=%s\n' "$PW" "$MYSQL_PORT" >"$WORK/exporter.cnf"
chmod 600 "$WORK/exporter.cnf"
PORT=$(free_port)
"$MY_EXPORTER" --config.my-cnf="$WORK/exporter.cnf" --web.listen-address="127.0.0.1:$PORT" \
  >"$WORK/mysqld_exporter.log" 2>&1 &
PID_OF[mysqld_exporter]=$!
PIDS+=($!)
URL_OF[mysqld_exporter]="http://127.0.0.1:$PORT/metrics"
exporter_up() {
  kill -0 "${PID_OF[$1]}" || die "$1 exited: $(tail -n 5 "$WORK/$1.log")"
  curl -sf "${URL_OF[$1]}" | grep -Eq "^$2 1$"
}
wait_for 30 exporter_up postgres_exporter pg_up ||
  { tail -n 20 "$WORK/postgres_exporter.log" >&2; die "postgres_exporter did not report pg_up 1"; }
wait_for 30 exporter_up mysqld_exporter mysql_up ||
  { tail -n 20 "$WORK/mysqld_exporter.log" >&2; die "mysqld_exporter did not report mysql_up 1"; }

# One scrape per wall-clock second, like Prometheus with scrape_interval 1s;
# logs "epoch seconds http_code".
scrape_loop() {
  local now
  while :; do
    now=$(date +%s%N)
    sleep "0.$(printf '%09d' $((1000000000 - 10#${now: -9})))"
    echo "$(date +%s) $(curl -s -o /dev/null -w '%{time_total} %{http_code}' "$1")"
  done
}
for e in postgres_exporter mysqld_exporter; do
  scrape_loop "${URL_OF[$e]}" >"$WORK/scrape-$e.log" 2>&1 &
  PIDS+=($!)
done

# --- measurement ----------------------------------------------------------------
PROCS=(dbinsight-both dbinsight-pg dbinsight-my postgres_exporter mysqld_exporter)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# Statements each monitoring user sent and their server execution time (ms).
pg_stmts() {
  pg -F ' ' -c "SELECT r.rolname, sum(s.calls), sum(s.total_exec_time) FROM pg_stat_statements s
                JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname LIKE 'mon\_%' AND s.toplevel GROUP BY 1"
}
my_stmts() {
  my -e "SELECT USER, SUM(COUNT_STAR), SUM(SUM_TIMER_WAIT) / 1e9
         FROM performance_schema.events_statements_summary_by_user_by_event_name
         WHERE USER LIKE 'mon\_%' AND EVENT_NAME LIKE 'statement/sql/%' GROUP BY USER" | tr '\t' ' '
}

echo "warming up ${WARMUP} s, then measuring ${DURATION} s ..." >&2
sleep "$WARMUP"
for p in "${PROCS[@]}"; do kill -0 "${PID_OF[$p]}" 2>/dev/null || die "$p exited early (log: $WORK/$p.log)"; done
sessions_pg=$(pg_sessions)
sessions_my=$(my_sessions)
declare -A C0=() C1=()
for p in "${PROCS[@]}"; do C0[$p]=$(cpu_ticks "${PID_OF[$p]}"); done
pg_stmts >"$WORK/pg0"
my_stmts >"$WORK/my0"
T0=$(date +%s%N)
sleep "$DURATION"
for p in "${PROCS[@]}"; do C1[$p]=$(cpu_ticks "${PID_OF[$p]}"); done
T1=$(date +%s%N)
pg_stmts >"$WORK/pg1"
my_stmts >"$WORK/my1"
for p in "${PROCS[@]}"; do kill -0 "${PID_OF[$p]}" 2>/dev/null || die "$p exited during the window"; done
SECS=$(awk -v a="$T0" -v b="$T1" 'BEGIN {print (b - a) / 1e9}')
T0S=$((T0 / 1000000000))
T1S=$((T1 / 1000000000))

# stmt_rate FILE0 FILE1 USER -> "statements/s server_ms/s"
stmt_rate() {
  awk -v u="$3" -v s="$SECS" 'FNR == NR && $1 == u {c0 = $2; t0 = $3} FNR != NR && $1 == u {c1 = $2; t1 = $3}
    END {printf "%.1f %.2f", (c1 - c0) / s, (t1 - t0) / s}' "$1" "$2"
}
# The user of each collector on each engine ("-" = does not watch it).
declare -A PGUSER_OF=([dbinsight-both]=mon_both [dbinsight-pg]=mon_one [dbinsight-my]=- [postgres_exporter]=mon_exp
                      [mysqld_exporter]=-)
declare -A MYUSER_OF=([dbinsight-both]=mon_both [dbinsight-pg]=- [dbinsight-my]=mon_one [postgres_exporter]=-
                      [mysqld_exporter]=mon_exp)
declare -A NINST=([dbinsight-both]=2 [dbinsight-pg]=1 [dbinsight-my]=1 [postgres_exporter]=1 [mysqld_exporter]=1)
declare -A CPU=()
table() {
  printf '%-18s %5s %9s %7s %13s %9s %9s %20s %22s\n' process inst "CPU ms/s" "% core" "ms/s per inst" \
    "RSS MB pk" "RSS MB" "PG stmts/s (ms/s)" "Maria stmts/s (ms/s)"
  local p ms pg_col my_col
  for p in "${PROCS[@]}"; do
    ms=$(awk -v a="${C0[$p]}" -v b="${C1[$p]}" -v hz="$HZ" -v s="$SECS" 'BEGIN {printf "%.2f", (b - a) * 1000 / hz / s}')
    CPU[$p]=$ms
    pg_col=-; my_col=-
    [[ ${PGUSER_OF[$p]} != - ]] && pg_col=$(stmt_rate "$WORK/pg0" "$WORK/pg1" "${PGUSER_OF[$p]}" | awk '{printf "%s (%s)", $1, $2}')
    [[ ${MYUSER_OF[$p]} != - ]] && my_col=$(stmt_rate "$WORK/my0" "$WORK/my1" "${MYUSER_OF[$p]}" | awk '{printf "%s (%s)", $1, $2}')
    printf '%-18s %5s %9s %7.2f %13.2f %9.1f %9.1f %20s %22s\n' "$p" "${NINST[$p]}" "$ms" \
      "$(awk -v m="$ms" 'BEGIN {print m / 10}')" "$(awk -v m="$ms" -v n="${NINST[$p]}" 'BEGIN {print m / n}')" \
      "$(awk -v k="$(kb "${PID_OF[$p]}" VmHWM)" 'BEGIN {print k / 1024}')" \
      "$(awk -v k="$(kb "${PID_OF[$p]}" VmRSS)" 'BEGIN {print k / 1024}')" "$pg_col" "$my_col"
  done
}
scrapes() {  # exporter -> "count mean_s max_s non200"
  awk -v a="$T0S" -v b="$T1S" '$1 >= a && $1 < b {n++; s += $2; if ($2 > m) m = $2; if ($3 != 200) bad++}
    END {printf "%d scrapes, mean %.3f s, max %.3f s, %d not 200", n, n ? s / n : 0, m, bad}' "$WORK/scrape-$1.log"
}
# Proof that each dbinsight really sampled the load: mean db.load.avg over
# the window from its own API (expect ~100 per instance).
load_avg() {  # process resource_id
  local port
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/$1.log" | head -n 1)
  curl -s "http://127.0.0.1:$port/" -H 'X-Amz-Target: PerformanceInsightsv20180227.GetResourceMetrics' \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -d "{\"ServiceType\":\"RDS\",\"Identifier\":\"$2\",\"StartTime\":$T0S,\"EndTime\":$T1S,\"PeriodInSeconds\":1,
         \"MetricQueries\":[{\"Metric\":\"db.load.avg\"}]}" |
    python3 -c 'import json, sys
try:
    v = [p["Value"] for p in json.load(sys.stdin)["MetricList"][0]["DataPoints"] if "Value" in p]
    print(f"{sum(v) / len(v):.1f} ({len(v)} s)" if v else "no data")
except Exception as e:
    print("query failed:", e)'
}
warnings() { grep -ciE 'warn|error' "$WORK/$1.log" || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
OUT=$RESULTS/collector_overhead-$(date +%F).txt
{
  echo "# bench/collector_overhead.sh, $(date -Is), $(nproc) cores, window ${SECS} s after ${WARMUP} s warm-up"
  echo "# dbinsight: $BIN (sample/counters 1 s, statements 60 s, host_metrics off)"
  echo "# $("$PG_EXPORTER" --version 2>&1 | head -n 1); $("$MY_EXPORTER" --version 2>&1 | head -n 1); both default collectors"
  echo "# workload client sessions at window start (total active): PostgreSQL $sessions_pg, MariaDB $sessions_my"
  echo "# scrapes in window: postgres_exporter $(scrapes postgres_exporter); mysqld_exporter $(scrapes mysqld_exporter)"
  echo "# dbinsight mean db.load.avg in window (its own API): dbinsight-both pg $(load_avg dbinsight-both db-BENCHPG)," \
    "my $(load_avg dbinsight-both db-BENCHMY); dbinsight-pg $(load_avg dbinsight-pg db-BENCHPG);" \
    "dbinsight-my $(load_avg dbinsight-my db-BENCHMY)"
  echo "# warning/error lines in logs: dbinsight-both $(warnings dbinsight-both), dbinsight-pg $(warnings dbinsight-pg)," \
    "dbinsight-my $(warnings dbinsight-my), postgres_exporter $(warnings postgres_exporter)," \
    "mysqld_exporter $(warnings mysqld_exporter)"
  echo "# stmts/s = statements the collector sent (pg_stat_statements top-level calls / performance_schema"
  echo "# statement/sql/* by user); (ms/s) = their server execution time per second"
  echo
  table
  echo
  echo "dbinsight vs exporter, CPU per instance (aim: <= 0.50):"
  echo "  PostgreSQL: dbinsight-pg / postgres_exporter = $(ratio "${CPU[dbinsight-pg]}" "${CPU[postgres_exporter]}")"
  echo "  MariaDB:    dbinsight-my / mysqld_exporter   = $(ratio "${CPU[dbinsight-my]}" "${CPU[mysqld_exporter]}")"
  echo "  both:       dbinsight-both / (postgres_exporter + mysqld_exporter) = $(ratio "${CPU[dbinsight-both]}" \
    "$(awk -v a="${CPU[postgres_exporter]}" -v b="${CPU[mysqld_exporter]}" 'BEGIN {print a + b}')")"
} | tee "$OUT"
echo "written to $OUT" >&2
